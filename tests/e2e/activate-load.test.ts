import * as assert from 'assert';
import { RequestLogEntry, Simulator, startSimulator } from '../simulator';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { ALICE, BOB, connectionOf, flowId, FlowSpec, plusDefinitionPages, readReport, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

/** `count` flows in chains of five (each calls the one before it), alternating between two owners. */
function chainedFlows(prefix: string, count: number): FlowSpec[] {
  const outlook = { logicalName: `${prefix}_outlook`, api: 'shared_office365' };
  const teams = { logicalName: `${prefix}_teams`, api: 'shared_teams' };
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return { n, name: `${prefix} flow ${String(n).padStart(3, '0')}`, uses: [n % 2 ? outlook : teams], children: (n - 1) % 5 === 0 ? [] : [n - 1] };
  });
}

function solutionReferences(solution: string, prefix: string) {
  return references(solution, [
    { logicalName: `${prefix}_outlook`, api: 'shared_office365', connection: 'conn-outlook-alice' },
    { logicalName: `${prefix}_teams`, api: 'shared_teams', connection: 'conn-teams-bob' },
  ]);
}

const owners = () => ({
  users: [...baseScenario().users, ALICE, BOB],
  connections: [connectionOf('conn-outlook-alice', 'shared_office365', ALICE), connectionOf('conn-teams-bob', 'shared_teams', BOB)],
});

const patchesOf = (log: RequestLogEntry[]) => log.filter((e) => e.method === 'PATCH' && e.status === 204);

function assertChildrenFirst(log: RequestLogEntry[], solutionNumber: number, specs: FlowSpec[]): void {
  const done = new Map(patchesOf(log).map((e) => [/workflows\(([^)]+)\)/.exec(e.path)?.[1], e]));
  for (const spec of specs) {
    const caller = done.get(flowId(solutionNumber, spec.n));
    assert.ok(caller, `${spec.name} was turned on`);
    for (const child of spec.children ?? []) {
      const callee = done.get(flowId(solutionNumber, child));
      assert.ok(callee && callee.end <= caller.start, `child ${child} was on before ${spec.name} started`);
    }
  }
}

describe('DataverseActivateFlows: sixty flows under throttling and a token that expires mid-run', function () {
  const RETRY_AFTER_MS = 300;
  const flows = chainedFlows('load', 60);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-load-env',
        ...owners(),
        solutions: [{ uniqueName: 'LoadTest' }],
        connectionReferences: solutionReferences('LoadTest', 'load'),
        flows: solutionFlows('LoadTest', 5, flows),
        latency: { activationMs: 15 },
        faults: [
          { api: 'dataverse', every: 7, kind: '429', retryAfterSeconds: RETRY_AFTER_MS / 1000 },
          { api: 'dataverse', method: 'PATCH', nth: 20, kind: '401' },
          { api: 'dataverse', method: 'PATCH', nth: 33, kind: '503' },
        ],
      }),
    });
  });
  after(async () => sim?.stop());
  beforeEach(() => sim.clearLog());

  it('turns all sixty on, children first, waiting out every Retry-After and refreshing the token', async () => {
    const run = await runActivate(sim, { SolutionName: 'LoadTest', MaxParallel: '8' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(run.outputs.ActivatedCount, '60');
    assert.strictEqual(run.outputs.FailedCount, '0');
    assert.strictEqual(sim.state.snapshot().flows.filter((f) => f.statecode === 1).length, 60);

    const log = sim.log;
    const dataverse = log.filter((e) => e.api === 'dataverse');
    const throttled = dataverse.filter((e) => e.status === 429);
    assert.ok(throttled.length >= 8, `throttled ${throttled.length} times`);
    for (const t of throttled) {
      // The throttled request itself is sent again only after Retry-After.
      const retry = dataverse.find((e) => e.seq > t.seq && e.start >= t.end && e.method === t.method && e.path === t.path && e.query === t.query);
      assert.ok(retry, `request ${t.seq} was retried`);
      assert.ok(retry.start >= t.end + RETRY_AFTER_MS - 1, `request ${t.seq} was retried ${retry.start - t.end} ms after its 429`);
      // Every other request is held back too: the only requests that start while Retry-After runs
      // are those already on their way when the 429 arrived, at most one per concurrent slot. Counting
      // them, rather than timing them, keeps the check independent of how busy the machine is.
      const startedWhileHeld = dataverse.filter((e) => e.seq !== t.seq && e.start >= t.end && e.start < t.end + RETRY_AFTER_MS - 1);
      assert.ok(startedWhileHeld.length < 8, `${startedWhileHeld.length} requests started while request ${t.seq}'s Retry-After ran`);
    }

    const expired = dataverse.find((e) => e.status === 401);
    assert.ok(expired, 'the token expired once');
    assert.ok(log.some((e) => e.api === 'token' && e.status === 200 && e.start >= expired.end), 'a new token was requested after the 401');
    assert.ok(dataverse.some((e) => e.status === 503), 'a transient fault happened');
    assertChildrenFirst(log, 5, flows);
    const activations = patchesOf(log);
    assert.strictEqual(new Set(activations.map((e) => e.path)).size, 60, 'each flow turned on exactly once');
    assert.ok(activations.every((e) => e.callerObjectId === (Number(/-0*(\d+)\)$/.exec(e.path)?.[1]) % 2 ? ALICE.objectId : BOB.objectId)));
  });

  it('a second run makes no write, also when it pages through the flows seven at a time', async () => {
    const run = await runActivate(sim, { SolutionName: 'LoadTest' }, { variables: { 'PowerPlatform.PageSize': '7' } });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(sim.log.filter((e) => e.kind === 'write'), []);
    assert.strictEqual(run.outputs.ActivatedCount, '0');
    const items = readReport(run).items;
    assert.strictEqual(items.length, 60, 'every flow of every page was read');
    assert.ok(items.every((item) => item.outcome === 'alreadyInState'));
    const flowPages = sim.log.filter((e) => e.method === 'GET' && e.path.endsWith('/workflows') && e.status === 200);
    assert.strictEqual(flowPages.length, Math.ceil(60 / 7), 'the FetchXML query was paged');
  });
});

describe('DataverseActivateFlows: the number of reads does not grow with the number of flows', function () {
  const ten = chainedFlows('ten', 10);
  const fiveHundred = chainedFlows('many', 500);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-scale-env',
        ...owners(),
        solutions: [{ uniqueName: 'Ten' }, { uniqueName: 'FiveHundred' }],
        connectionReferences: [...solutionReferences('Ten', 'ten'), ...solutionReferences('FiveHundred', 'many')],
        flows: [...solutionFlows('Ten', 6, ten), ...solutionFlows('FiveHundred', 7, fiveHundred)],
      }),
    });
  });
  after(async () => sim?.stop());
  beforeEach(() => sim.clearLog());

  const reads = () =>
    sim.log
      .filter((e) => e.kind === 'read')
      .map((e) => `${e.method} ${e.path.replace(/\([0-9a-f-]{36}\)/, '(<id>)')}`)
      .sort();

  it('makes the same read requests for 10 flows as for 500, but one per extra page of definitions', async () => {
    const small = await runActivate(sim, { SolutionName: 'Ten', MaxParallel: '32' });
    assertNoSecretsVisible(small, [CLIENT_SECRET]);
    assert.strictEqual(small.result, 'Succeeded', describeRun(small));
    const readsForTen = reads();
    assert.strictEqual(patchesOf(sim.log).length, 10);

    sim.clearLog();
    const large = await runActivate(sim, { SolutionName: 'FiveHundred', MaxParallel: '32' });
    assertNoSecretsVisible(large, [CLIENT_SECRET]);
    assert.strictEqual(large.result, 'Succeeded', describeRun(large));
    const readsForFiveHundred = reads();
    assert.strictEqual(patchesOf(sim.log).length, 500);
    assertChildrenFirst(sim.log, 7, fiveHundred);

    assert.strictEqual(readsForFiveHundred.length, plusDefinitionPages(readsForTen, 500).length, `10 flows: ${readsForTen.join(', ')}\n500 flows: ${readsForFiveHundred.join(', ')}`);
    assert.deepStrictEqual(readsForFiveHundred, plusDefinitionPages(readsForTen, 500));
  });
});
