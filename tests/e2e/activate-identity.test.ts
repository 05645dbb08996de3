import * as assert from 'assert';
import { RequestLogEntry, Simulator, startSimulator } from '../simulator';
import { FaultRule } from '../simulator/scenario';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { ALICE, CAROL, DATAVERSE, connectionOf, flowId, readReport, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

const SOLUTION = 'ContosoDeployed';
const OTHER = 'ContosoOther';
const weather = { logicalName: 'contoso_weather', api: 'shared_msnweather', runtimeSource: 'invoker' as const };
const borrowed = { logicalName: 'other_outlook', api: 'shared_office365' };
const dataverse = { logicalName: 'contoso_dataverse', api: DATAVERSE };

const id = (n: number) => flowId(1, n);
const patchesOf = (log: RequestLogEntry[], n: number) => log.filter((e) => e.method === 'PATCH' && e.path.includes(id(n)));

/** Every test starts its own simulator, so no test sees another's writes or faults. */
async function startScenario(faults: FaultRule[] = []): Promise<Simulator> {
  return startSimulator({
    scenario: baseScenario({
      environmentId: 'contoso-identity-env',
      users: [...baseScenario().users, ALICE, CAROL],
      connections: [
        // Neither user connection is shared with the service principal.
        connectionOf('conn-weather-alice', 'shared_msnweather', ALICE),
        connectionOf('conn-outlook-carol', 'shared_office365', CAROL),
        connectionOf('conn-dataverse-sp', DATAVERSE, APP_OBJECT_ID),
      ],
      solutions: [{ uniqueName: SOLUTION }, { uniqueName: OTHER }],
      connectionReferences: [
        ...references(SOLUTION, [
          { ...weather, connection: 'conn-weather-alice' },
          { ...dataverse, connection: 'conn-dataverse-sp' },
        ]),
        ...references(OTHER, [{ ...borrowed, connection: 'conn-outlook-carol' }]),
      ],
      flows: solutionFlows(SOLUTION, 1, [
        { n: 1, name: 'Current temperature', uses: [weather] },
        { n: 2, name: 'Borrows a reference', uses: [borrowed] },
        { n: 3, name: 'Dataverse only', uses: [dataverse] },
      ]),
      faults,
    }),
  });
}

describe('DataverseActivateFlows: who turns a flow on', function () {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("turns a flow whose only reference is run-only (invoker) on as that connection's owner, and says why", async () => {
    sim = await startScenario();
    const dry = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Current temperature', DryRun: 'true' });
    assertNoSecretsVisible(dry, [CLIENT_SECRET]);
    assert.match(dry.stdout, /turn on 'Current temperature' as alice@contoso\.com \(owner of a run-only connection\)/);
    assert.strictEqual(readReport(dry).items[0].actorReason, 'invokerReference');

    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Current temperature' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const [item] = readReport(run).items;
    assert.deepStrictEqual([item.outcome, item.actor, item.actorReason, item.error], ['activated', ALICE.objectId, 'invokerReference', null]);
    const flow = sim.state.snapshot().flows.find((f) => f.id === id(1));
    assert.deepStrictEqual([flow?.statecode, flow?.activatedBy], [1, ALICE.objectId]);
  });

  it("does not turn a flow on as the owner of another solution's connection reference", async () => {
    sim = await startScenario();
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Borrows a reference' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const [item] = readReport(run).items;
    assert.strictEqual(item.outcome, 'failed');
    assert.strictEqual(item.actor, null);
    assert.strictEqual(item.error?.code, 'ConnectionReferenceOutsideSolution');
    assert.match(item.error?.hint ?? '', /Add the solution that holds the connection reference 'other_outlook' \(ContosoOther\) to SolutionName/);
    const asCarol = sim.log.filter((e) => e.callerObjectId?.toLowerCase() === CAROL.objectId || e.effectiveUser?.toLowerCase() === CAROL.objectId);
    assert.deepStrictEqual(asCarol, [], 'no request was made as the owner of the other solution\'s connection');
    assert.deepStrictEqual(patchesOf(sim.log, 2), []);
    assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === id(2))?.statecode, 0);
  });
});

describe('DataverseActivateFlows: a lost response to the change', function () {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });
  const lose = (kind: FaultRule['kind']): FaultRule => ({ api: 'dataverse', method: 'PATCH', pathIncludes: id(3), kind });

  it('reads the state after a change that landed but whose response was lost, reports it made, and sends it once', async () => {
    sim = await startScenario([lose('resetAfterApply')]);
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Dataverse only' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const [item] = readReport(run).items;
    assert.deepStrictEqual([item.outcome, item.confirmedByRead, item.error], ['activated', true, null]);
    assert.strictEqual(patchesOf(sim.log, 3).length, 1, 'the change was sent once');
    const read = sim.log.find((e) => e.method === 'GET' && e.path.includes(`workflows(${id(3)})`));
    assert.ok(read && read.seq > patchesOf(sim.log, 3)[0].seq, 'the state was read after the lost response');
    assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === id(3))?.statecode, 1);
  });

  it('reports a change whose response was lost twice and that did not land as failed, resending it once only after a read', async () => {
    sim = await startScenario([{ ...lose('reset'), times: 2 }]);
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Dataverse only' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const [item] = readReport(run).items;
    assert.strictEqual(item.outcome, 'failed');
    assert.match(item.error?.message ?? '', /was not made and was not sent again/);
    const sent = patchesOf(sim.log, 3);
    assert.strictEqual(sent.length, 2, 'the change was sent once more after the first read, then not again');
    const reads = sim.log.filter((e) => e.method === 'GET' && e.path.includes(`workflows(${id(3)})`));
    assert.ok(reads.length === 2 && reads[0].seq > sent[0].seq && reads[0].seq < sent[1].seq && reads[1].seq > sent[1].seq, 'each lost response was read back');
    assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === id(3))?.statecode, 0);
  });
});
