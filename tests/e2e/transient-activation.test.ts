import * as assert from 'assert';
import { FaultRule, RequestLogEntry, Simulator, startSimulator } from '../simulator';
import type { ScenarioTransient } from '../simulator/transient';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { DATAVERSE, FlowSpec, connectionOf, flowId, readReport, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

const SOLUTION = 'ContosoTransient';
const dataverse = { logicalName: 'contoso_dataverse', api: DATAVERSE };

/** Two leaves, a caller of both, and a caller of that caller: every flow as the service principal. */
const FLOWS: FlowSpec[] = [
  { n: 1, name: 'Leaf one', uses: [dataverse] },
  { n: 2, name: 'Leaf two', uses: [dataverse] },
  { n: 3, name: 'Caller', uses: [dataverse], children: [1, 2] },
  { n: 4, name: 'Top', uses: [dataverse], children: [3] },
];
const id = (n: number) => flowId(1, n);
const CALLERS = [3, 4];

const isPatchOf = (n: number) => (e: RequestLogEntry) => e.method === 'PATCH' && e.path.includes(`workflows(${id(n)})`);
const bySeq = (log: RequestLogEntry[]) => [...log].sort((a, b) => a.seq - b.seq);
const patchesOf = (log: RequestLogEntry[], n: number) => bySeq(log).filter(isPatchOf(n));
const childReads = (log: RequestLogEntry[]) => bySeq(log).filter((e) => e.method === 'GET' && /\/workflows$/.test(e.path) && /statecode/.test(decodeURIComponent(e.query)));

function start(transient: ScenarioTransient = {}, faults: FaultRule[] = []): Promise<Simulator> {
  return startSimulator({
    scenario: baseScenario({
      connections: [connectionOf('conn-dataverse-sp', DATAVERSE, APP_OBJECT_ID)],
      solutions: [{ uniqueName: SOLUTION }],
      connectionReferences: references(SOLUTION, [{ ...dataverse, connection: 'conn-dataverse-sp' }]),
      flows: solutionFlows(SOLUTION, 1, FLOWS),
      transient,
      faults,
    }),
  });
}

const activate = (sim: Simulator, variables: Record<string, string> = {}) =>
  runActivate(sim, { SolutionName: SOLUTION }, { variables: { 'PowerPlatform.RetryBaseDelayMs': '20', ...variables } });
const allOn = (sim: Simulator) => sim.state.snapshot().flows.every((f) => f.statecode === 1);

describe('DataverseActivateFlows: transient states after an import', function () {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('waits out a customization lock that outlasts the first requests, holding every request, and ends with every flow on', async () => {
    // The lock starts when the task signs in and lasts longer than the reads before the first change.
    sim = await start({ customizationLock: { durationMs: 3000, afterRequest: { method: 'GET', pathIncludes: 'WhoAmI' }, heldBy: 'Import' } });
    const run = await activate(sim);
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.ok(allOn(sim), 'every flow is on');

    const log = bySeq(sim.log);
    const refusals = log.filter((e) => e.errorCode === 'CustomizationLockException');
    assert.ok(refusals.length > 0, 'the lock refused the first changes');
    for (const n of [1, 2, 3, 4]) {
      const sent = patchesOf(log, n);
      assert.strictEqual(sent.filter((e) => e.status === 204).length, 1, `flow ${n} was turned on once`);
      assert.strictEqual(sent[sent.length - 1].status, 204, `flow ${n}: nothing after its change`);
    }
    // While the lock held, nothing but the refused changes (probes) went out.
    const first = refusals[0].seq;
    const last = refusals[refusals.length - 1].seq;
    assert.deepStrictEqual(log.filter((e) => e.seq > first && e.seq < last && e.errorCode !== 'CustomizationLockException'), []);

    assert.match(run.stdout, /Dataverse is running another solution operation \(\[Import\]\) and refused \[WorkflowSetState\]/);
    assert.match(run.stdout, /The solution operation \[Import\] is over: requests go on after waiting \d+\.\d s/);
    const waited = readReport(run).items.filter((item) => item.waits?.some((w) => w.reason === 'customizationLock'));
    assert.ok(waited.length > 0, 'the report notes the wait');
    for (const item of waited) {
      const wait = item.waits?.find((w) => w.reason === 'customizationLock');
      assert.ok(wait && wait.attempts >= 2 && wait.durationMs >= 0, JSON.stringify(item.waits));
    }
  });

  it('retries a caller refused with MultipleErrorsOccurred of ChildFlowNeverPublished, only that caller, after reading its children on', async () => {
    sim = await start({ childPublication: { refuseOnceFraction: 1, multipleErrors: true } });
    const run = await activate(sim);
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.ok(allOn(sim), 'every flow is on');

    const log = sim.log;
    for (const n of [1, 2]) assert.strictEqual(patchesOf(log, n).length, 1, `leaf ${n} was sent once`);
    const items = new Map(readReport(run).items.map((item) => [item.id, item]));
    for (const n of CALLERS) {
      const sent = patchesOf(log, n);
      assert.deepStrictEqual(sent.map((e) => [e.status, e.errorCode ?? null]), [[400, 'MultipleErrorsOccurred'], [204, null]], `caller ${n}`);
      assert.ok(childReads(log).some((e) => e.seq > sent[0].seq && e.seq < sent[1].seq), `caller ${n}: its children were read before it was sent again`);
      const item = items.get(id(n));
      assert.strictEqual(item?.outcome, 'activated');
      assert.deepStrictEqual(item?.waits?.map((w) => [w.reason, w.attempts]), [['childFlowPublication', 2]]);
    }
    assert.match(run.stdout, /'Caller' was refused: the platform does not see its 2 child flow\(s\) published yet, although they are on/);
    assert.match(run.stdout, /'Top' waited \d+\.\d s \(2 attempts\) for the publication of its child flows/);
  });

  it('retries with backoff while a child turned on a moment ago is still propagating', async () => {
    sim = await start({ childPublication: { delayMs: 400 } });
    const run = await activate(sim);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.ok(allOn(sim));
    const caller = patchesOf(sim.log, 3);
    assert.ok(caller.length >= 2, 'the caller was refused at least once');
    assert.ok(caller.slice(0, -1).every((e) => e.errorCode === 'ChildFlowNeverPublished'));
    assert.strictEqual(caller[caller.length - 1].status, 204);
  });

  it('reads the flow after a lost response to its change, and does not send it twice', async () => {
    sim = await start({}, [{ api: 'dataverse', method: 'PATCH', pathIncludes: id(3), kind: 'resetAfterApply' }]);
    const run = await activate(sim);
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.ok(allOn(sim));
    const sent = patchesOf(sim.log, 3);
    assert.strictEqual(sent.length, 1, 'the change was sent once');
    const read = bySeq(sim.log).find((e) => e.method === 'GET' && e.path.includes(`workflows(${id(3)})`));
    assert.ok(read && read.seq > sent[0].seq, 'the state was read after the lost response');
    const top = patchesOf(sim.log, 4);
    assert.ok(top.length === 1 && top[0].seq > read.seq, 'the caller was sent after the read confirmed its child on');
    const item = readReport(run).items.find((i) => i.id === id(3));
    assert.deepStrictEqual([item?.outcome, item?.confirmedByRead], ['activated', true]);
  });

  it('fails a caller refused with ChildFlowNeverPublished for a child that is off, without a retry loop', async () => {
    sim = await start();
    const target = sim;
    // Someone turns the first leaf off again right after it was turned on.
    sim.setResponseHook((request, response) => {
      if (request.method === 'PATCH' && request.path.includes(`workflows(${id(1)})`) && response.status === 204) {
        const leaf = target.state.flow(id(1));
        if (leaf) Object.assign(leaf, { statecode: 0, statuscode: 1 });
      }
      return undefined;
    });
    const run = await activate(sim);
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const sent = patchesOf(sim.log, 3);
    assert.deepStrictEqual(sent.map((e) => e.errorCode), ['ChildFlowNeverPublished'], 'the caller was sent once');
    assert.ok(childReads(sim.log).some((e) => e.seq > sent[0].seq), 'its children were read');
    assert.deepStrictEqual(patchesOf(sim.log, 4), [], 'the caller of the failed caller was not sent');
    const items = new Map(readReport(run).items.map((item) => [item.id, item]));
    assert.deepStrictEqual([items.get(id(3))?.outcome, items.get(id(3))?.error?.code], ['failed', 'ChildFlowNeverPublished']);
    assert.strictEqual(items.get(id(3))?.waits, undefined);
    assert.strictEqual(items.get(id(4))?.outcome, 'blocked');
  });
});
