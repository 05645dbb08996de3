import * as assert from 'assert';
import { RequestLogEntry, Simulator, startSimulator } from '../simulator';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import {
  ALICE,
  BOB,
  CAROL,
  DATAVERSE,
  FlowSpec,
  connectionOf,
  flowId,
  readReport,
  references,
  runActivate,
  solutionFlows,
} from '../helpers/activate-scenario';

const SOLUTION = 'ContosoFlows';
const outlook = { logicalName: 'contoso_outlook', api: 'shared_office365' };
const sharepoint = { logicalName: 'contoso_sharepoint', api: 'shared_sharepointonline' };
const teams = { logicalName: 'contoso_teams', api: 'shared_teams' };
const excel = { logicalName: 'contoso_excel', api: 'shared_excelonlinebusiness' };
const planner = { logicalName: 'contoso_planner', api: 'shared_planner' };
const dataverse = { logicalName: 'contoso_dataverse', api: DATAVERSE };
const unbound = { logicalName: 'contoso_unbound_outlook', api: 'shared_office365' };

/** Twelve flows: two child chains of depth 3, several owners, one Dataverse-only, one already on, one unbound. */
const FLOWS: FlowSpec[] = [
  { n: 1, name: 'Chain A leaf', uses: [outlook] },
  { n: 2, name: 'Chain A middle', uses: [teams], children: [1] },
  { n: 3, name: 'Chain A top', uses: [planner], children: [2] },
  { n: 4, name: 'Chain B leaf', uses: [excel] },
  { n: 5, name: 'Chain B middle', uses: [sharepoint, outlook, teams], children: [4] },
  { n: 6, name: 'Chain B top', uses: [outlook], children: [5, 1] },
  { n: 7, name: 'Unbound leaf', uses: [unbound] },
  { n: 8, name: 'Calls unbound', uses: [teams], children: [7] },
  { n: 9, name: 'Top of unbound', uses: [outlook], children: [8] },
  { n: 10, name: 'Dataverse only', uses: [dataverse] },
  { n: 11, name: 'Already on', uses: [outlook], on: true },
  { n: 12, name: 'Dispatcher', uses: [planner], children: [10, 11] },
];

const EXPECTED_ACTOR: Record<number, string> = {
  1: ALICE.objectId,
  2: BOB.objectId,
  3: CAROL.objectId,
  4: BOB.objectId,
  5: ALICE.objectId,
  6: ALICE.objectId,
  10: APP_OBJECT_ID,
  12: CAROL.objectId,
};

const id = (n: number) => flowId(1, n);
const patches = (log: RequestLogEntry[]) => log.filter((e) => e.method === 'PATCH' && /\/workflows\(/.test(e.path));
const patchOf = (log: RequestLogEntry[], n: number) => patches(log).filter((e) => e.path.includes(id(n)));

describe('DataverseActivateFlows: twelve flows, child chains, several owners', function () {
  let sim: Simulator;

  // A fresh environment per test: no test sees flows another one turned on.
  beforeEach(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-test-env',
        users: [...baseScenario().users, ALICE, BOB, CAROL],
        connections: [
          connectionOf('conn-outlook-alice', 'shared_office365', ALICE),
          connectionOf('conn-sharepoint-alice', 'shared_sharepointonline', ALICE),
          connectionOf('conn-teams-bob', 'shared_teams', BOB, [ALICE.objectId]),
          connectionOf('conn-excel-bob', 'shared_excelonlinebusiness', BOB),
          connectionOf('conn-planner-carol', 'shared_planner', CAROL),
          connectionOf('conn-dataverse-sp', DATAVERSE, APP_OBJECT_ID),
        ],
        solutions: [{ uniqueName: SOLUTION }],
        connectionReferences: references(SOLUTION, [
          { ...outlook, connection: 'conn-outlook-alice' },
          { ...sharepoint, connection: 'conn-sharepoint-alice' },
          { ...teams, connection: 'conn-teams-bob' },
          { ...excel, connection: 'conn-excel-bob' },
          { ...planner, connection: 'conn-planner-carol' },
          { ...dataverse, connection: 'conn-dataverse-sp' },
          unbound,
        ]),
        flows: solutionFlows(SOLUTION, 1, FLOWS),
        latency: { activationMs: 40 },
      }),
    });
  });
  afterEach(async () => sim?.stop());

  it('dry run: reports the order and the identity of each flow, and writes nothing', async () => {
    const run = await runActivate(sim, { SolutionName: SOLUTION, DryRun: 'true', ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    assert.deepStrictEqual(sim.log.filter((e) => e.kind === 'write'), [], 'no write in a dry run');
    assert.strictEqual(run.outputs.ActivatedCount, '8');
    assert.strictEqual(run.outputs.FailedCount, '3');

    const report = readReport(run);
    assert.strictEqual(report.dryRun, true);
    const byId = new Map(report.items.map((item) => [item.id, item]));
    for (const [n, actor] of Object.entries(EXPECTED_ACTOR)) {
      const item = byId.get(id(Number(n)));
      assert.strictEqual(item?.outcome, 'wouldChange', `${item?.name}`);
      assert.strictEqual(item?.actor, actor === APP_OBJECT_ID ? 'servicePrincipal' : actor, `${item?.name} would be turned on as ${actor}`);
    }
    // Children come before their callers in the reported order.
    for (const spec of FLOWS) {
      for (const child of spec.children ?? []) {
        const caller = byId.get(id(spec.n));
        const callee = byId.get(id(child));
        if (caller && callee && callee.outcome !== 'alreadyInState') assert.ok(callee.order < caller.order, `${callee.name} before ${caller.name}`);
      }
    }
    assert.deepStrictEqual(
      ['Chain A leaf', 'Chain A middle', 'Chain A top'].map((name) => report.items.find((i) => i.name === name)?.level),
      [0, 1, 2],
    );
    assert.ok(run.summaries.some((s) => s.includes('Chain B middle') && s.includes('alice@contoso.com')), 'the summary names the identities');
    assert.ok(sim.state.snapshot().flows.filter((f) => f.statecode === 1).length === 1, 'only the flow that was on is on');
  });

  it('turns every child on before its callers, each as the owner of its connections, and blocks the callers of the unbound flow', async () => {
    const run = await runActivate(sim, { SolutionName: SOLUTION });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /3 flows could not be turned on or off \(1 failed, 2 blocked/);
    assert.match(run.resultMessage ?? '', /'Unbound leaf' \(XrmConnectionReferenceMissingConnection\)/);
    assert.strictEqual(run.outputs.ActivatedCount, '8');
    assert.strictEqual(run.outputs.FailedCount, '3');

    const log = sim.log;
    // Each activation was sent once, as the expected identity.
    for (const [n, actor] of Object.entries(EXPECTED_ACTOR)) {
      const sent = patchOf(log, Number(n));
      assert.strictEqual(sent.length, 1, `one PATCH for flow ${n}`);
      assert.strictEqual(sent[0].status, 204, `flow ${n} answered ${sent[0].status} ${sent[0].errorCode ?? ''}`);
      assert.deepStrictEqual(sent[0].body, { statecode: 1, statuscode: 2 });
      assert.strictEqual(sent[0].effectiveUser, actor, `flow ${n} turned on as ${actor}`);
      if (actor === APP_OBJECT_ID) assert.strictEqual(sent[0].callerObjectId, undefined, 'the Dataverse-only flow is turned on as the service principal, without impersonation');
      else assert.strictEqual(sent[0].callerObjectId, actor);
    }
    // A child's PATCH ended before its caller's PATCH started.
    for (const spec of FLOWS) {
      const caller = patchOf(log, spec.n)[0];
      if (!caller) continue;
      for (const child of spec.children ?? []) {
        const callee = patchOf(log, child)[0];
        if (!callee) continue;
        assert.ok(callee.end <= caller.start, `flow ${child} (ended ${callee.end}) before flow ${spec.n} (started ${caller.start})`);
      }
    }
    // No request for the flow already on, the unbound one or its callers.
    for (const n of [7, 8, 9, 11]) assert.deepStrictEqual(patchOf(log, n), [], `no request for flow ${n}`);
    // Independent flows went in parallel: some PATCHes overlapped.
    const sent = patches(log);
    assert.ok(sent.some((a) => sent.some((b) => a !== b && a.start < b.end && b.start < a.end)), 'activations ran in parallel');

    const report = readReport(run);
    const byId = new Map(report.items.map((item) => [item.id, item]));
    const unboundItem = byId.get(id(7));
    assert.strictEqual(unboundItem?.outcome, 'failed');
    assert.strictEqual(unboundItem?.error?.code, 'XrmConnectionReferenceMissingConnection');
    assert.match(unboundItem?.error?.message ?? '', /contoso_unbound_outlook/);
    assert.match(unboundItem?.error?.hint ?? '', /Bind the connection reference 'contoso_unbound_outlook'/);
    assert.strictEqual(byId.get(id(8))?.outcome, 'blocked');
    assert.deepStrictEqual(byId.get(id(8))?.blockedBy, [id(7)]);
    assert.strictEqual(byId.get(id(9))?.outcome, 'blocked');
    assert.match(byId.get(id(9))?.error?.hint ?? '', /Calls unbound/);
    assert.strictEqual(byId.get(id(11))?.outcome, 'alreadyInState');
    assert.strictEqual(byId.get(id(10))?.actor, 'servicePrincipal');
    assert.strictEqual(byId.get(id(5))?.actor, ALICE.objectId);
    assert.deepStrictEqual(
      byId.get(id(5))?.connectionsToShare?.map((c) => [c.connectionId, c.ownerObjectId]),
      [['conn-teams-bob', BOB.objectId]],
      'the connection of another owner is named to be shared',
    );
    for (const item of report.items.filter((i) => i.outcome === 'activated')) {
      assert.ok(typeof item.durationMs === 'number' && item.startedAt, `${item.name} has timing`);
    }
    assert.ok(run.errors.some((e) => e.includes('Unbound leaf') && e.includes('XrmConnectionReferenceMissingConnection')), 'an error issue names the failed flow');
    const summary = run.summaries.join('\n');
    for (const spec of FLOWS) assert.ok(summary.includes(`| ${spec.name} |`), `the summary has a row for ${spec.name}`);
    assert.match(summary, /Connections to share/);

    const state = sim.state.snapshot();
    const on = new Set(state.flows.filter((f) => f.statecode === 1).map((f) => f.id));
    for (const n of [...Object.keys(EXPECTED_ACTOR).map(Number), 11]) assert.ok(on.has(id(n)), `flow ${n} is on`);
    for (const n of [7, 8, 9]) assert.ok(!on.has(id(n)), `flow ${n} is still off`);
  });

  /** A first activation of every flow, so that a test starts from flows that are on. */
  async function turnAllOn(): Promise<void> {
    await runActivate(sim, { SolutionName: SOLUTION, ErrorHandling: 'Warn' });
    sim.clearLog();
  }

  it('a second run makes no write; with ErrorHandling Warn it succeeds with issues', async () => {
    await turnAllOn();
    const run = await runActivate(sim, { SolutionName: SOLUTION, ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    assert.deepStrictEqual(sim.log.filter((e) => e.kind === 'write'), [], 'nothing written the second time');
    assert.strictEqual(run.outputs.ActivatedCount, '0');
    assert.strictEqual(run.outputs.FailedCount, '3');
    assert.deepStrictEqual(run.errors, [], 'Warn logs warnings, not errors');
    assert.ok(run.warnings.some((w) => w.includes('Unbound leaf')));
    const report = readReport(run);
    assert.strictEqual(report.items.filter((i) => i.outcome === 'alreadyInState').length, 9);
  });

  it('turns the listed flows off as the service principal and leaves the rest alone', async () => {
    await turnAllOn();
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Chain A leaf', FlowsToTurnOff: `Dispatcher\n${id(3)}` });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const writes = sim.log.filter((e) => e.kind === 'write');
    assert.deepStrictEqual(writes.map((e) => e.body), [
      { statecode: 0, statuscode: 1 },
      { statecode: 0, statuscode: 1 },
    ]);
    assert.ok(writes.every((e) => e.callerObjectId === undefined), 'turned off as the service principal');
    const report = readReport(run);
    assert.deepStrictEqual(
      report.items.map((i) => [i.name, i.outcome]),
      [
        ['Chain A top', 'deactivated'],
        ['Dispatcher', 'deactivated'],
        ['Chain A leaf', 'alreadyInState'],
      ],
    );
  });
});
