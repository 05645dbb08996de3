import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator, Scenario } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET } from '../helpers/base-scenario';
import {
  ALICE,
  BOB,
  bindings,
  CONNECTIONS,
  CONNECTOR_VARIABLES,
  FIVE_VARIABLES,
  fiveReferences,
  fiveSettingsFile,
  manyReferences,
  ownerOf,
  patches,
  reference,
  runBindTask,
  WANTED,
} from '../helpers/bind-scenario';

interface ReportItem {
  kind: string;
  name: string;
  id: string;
  outcome: string;
  actor: string | null;
  error: { code: string; message: string; hint?: string } | null;
  connector: string;
  connection?: string;
  previousConnection?: string;
  source?: string;
  notAttempted?: boolean;
  unbound?: boolean;
}

interface Report {
  task: string;
  environment: string;
  dryRun: boolean;
  items: ReportItem[];
}

const SECRET_CONNECTION_VARIABLE = 'ConnectionReference.contoso_sql';

async function runBind(sim: Simulator, inputs: Record<string, string>, variables: Record<string, string> = FIVE_VARIABLES): Promise<AgentRunResult> {
  // The variable naming sql-bob is passed as a secret variable: secret values must work and stay out of the output.
  const secretVariables = Object.fromEntries(Object.entries(variables).filter(([name]) => name === SECRET_CONNECTION_VARIABLE));
  const publicVariables = Object.fromEntries(Object.entries(variables).filter(([name]) => name !== SECRET_CONNECTION_VARIABLE));
  const run = await runBindTask(sim, inputs, publicVariables, secretVariables);
  assertNoSecretsVisible(run, [CLIENT_SECRET]);
  return run;
}

function reportOf(run: AgentRunResult): Report {
  assert.ok(run.outputs.ReportFile, `no ReportFile output\n${describeRun(run)}`);
  return JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as Report;
}

function byName(report: Report): Record<string, ReportItem> {
  return Object.fromEntries(report.items.map((i) => [i.name, i]));
}

function writes(sim: Simulator) {
  return sim.log.filter((e) => e.kind === 'write');
}

function reads(sim: Simulator) {
  return sim.log.filter((e) => e.kind === 'read');
}

describe('DataverseBindConnectionReferences@1 against the simulator', function () {
  this.timeout(60_000);
  let sim: Simulator | undefined;

  async function start(scenario: Scenario): Promise<Simulator> {
    sim = await startSimulator({ scenario });
    return sim;
  }
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const fiveInputs = () => ({ SettingsFile: fiveSettingsFile(), ConnectionOwner: ALICE.upn });

  it('binds five references as the owners of their connections, leaves the bound one alone, and converges', async () => {
    const sim = await start(fiveReferences());
    const before = bindings(sim);
    const run = await runBind(sim, fiveInputs());
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));

    const sent = patches(sim);
    assert.strictEqual(sent.length, 4, 'one PATCH per reference to change, none for contoso_teams');
    for (const entry of sent) {
      const connectionId = (entry.body as { connectionid: string }).connectionid;
      assert.strictEqual(entry.callerObjectId, ownerOf(connectionId), `PATCH ${entry.path} binds ${connectionId} as its owner`);
      assert.strictEqual(entry.effectiveUser, ownerOf(connectionId));
      assert.strictEqual(entry.status, 204);
    }
    assert.deepStrictEqual(new Set(sent.map((e) => e.callerObjectId)), new Set([ALICE.objectId, BOB.objectId]), 'two owners');
    assert.ok(!sent.some((e) => e.path.includes(sim.state.connectionReference('contoso_teams')!.connectionreferenceid as string)));

    const after = bindings(sim);
    for (const [name, connection] of Object.entries(WANTED)) assert.strictEqual(after[name], connection, name);
    assert.strictEqual(after.other_office, before.other_office, 'a reference of another solution is not touched');

    assert.strictEqual(run.outputs.BoundCount, '5');
    assert.strictEqual(run.outputs.UnboundCount, '0');
    const report = reportOf(run);
    assert.strictEqual(report.task, 'DataverseBindConnectionReferences');
    assert.strictEqual(report.dryRun, false);
    const items = byName(report);
    assert.deepStrictEqual(
      Object.fromEntries(report.items.map((i) => [i.name, [i.outcome, i.actor, i.source]])),
      {
        contoso_dataverse: ['bound', ALICE.objectId, 'connectionOwner'],
        contoso_office: ['bound', ALICE.objectId, 'variableByConnector'],
        contoso_sharepoint: ['bound', ALICE.objectId, 'connectionOwner'],
        contoso_sql: ['bound', BOB.objectId, 'variableByLogicalName'],
        contoso_teams: ['unchanged', null, 'variableByConnector'],
      },
    );
    assert.strictEqual(items.contoso_sharepoint.previousConnection, 'sharepoint-old-bob');
    assert.strictEqual(items.contoso_sharepoint.connection, 'sharepoint-alice');
    assert.strictEqual(items.contoso_sql.connector, 'shared_sql');
    assert.ok(report.items.every((i) => i.kind === 'connectionReference' && i.id));
    assert.strictEqual(run.summaries.length, 1);
    assert.match(run.summaries[0], /\| contoso_sql \| shared_sql \| \*\*\* \| b0b0b0b0-[^|]+\| bound \|/);

    // A second run right after changes nothing.
    sim.clearLog();
    const again = await runBind(sim, fiveInputs());
    assert.strictEqual(again.result, 'Succeeded', describeRun(again));
    assert.deepStrictEqual(writes(sim), [], 'no write at all');
    assert.ok(reportOf(again).items.every((i) => i.outcome === 'unchanged'));
    assert.strictEqual(again.outputs.BoundCount, '5');
    assert.strictEqual(again.outputs.UnboundCount, '0');
    assert.ok(!reads(sim).some((e) => e.callerObjectId), 'nothing to write, so no owner is checked');
  });

  it('puts back every reference it changed when a PATCH fails for good, and names the reference', async () => {
    const sim = await start(fiveReferences());
    const before = bindings(sim);
    // The third PATCH of the run (references are bound in logical-name order) answers 503 every time.
    const third = sim.state.connectionReference('contoso_sharepoint')!.connectionreferenceid as string;
    sim.addFault({ method: 'PATCH', pathIncludes: `connectionreferences(${third})`, kind: '503', times: -1 });
    const run = await runBind(sim, fiveInputs());

    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /'contoso_sharepoint'/);
    assert.match(run.resultMessage ?? '', /0x80040216/);
    assert.deepStrictEqual(bindings(sim), before, 'every reference is as it was before the run');

    const items = byName(reportOf(run));
    assert.strictEqual(items.contoso_sharepoint.outcome, 'failed');
    assert.strictEqual(items.contoso_sharepoint.error?.code, '0x80040216');
    assert.ok(items.contoso_sharepoint.error?.hint);
    for (const name of ['contoso_dataverse', 'contoso_office', 'contoso_sql']) assert.strictEqual(items[name].outcome, 'rolledBack', name);
    assert.strictEqual(items.contoso_teams.outcome, 'unchanged');
    assert.ok(run.errors.some((e) => e.includes('contoso_sharepoint') && e.includes('0x80040216')), 'an error issue names the reference');
    const rows = run.summaries[0].split('\n').filter((line) => line.startsWith('| contoso_'));
    assert.match(rows[0], /^\| contoso_sharepoint \|.*\| failed \|/, 'the failed reference comes first in the summary');
    assert.ok(rows.some((row) => /^\| contoso_sql \|.*\| rolled back \|/.test(row)), 'outcomes in words');

    // Each reference was put back to its previous connection: unbound ones by the service principal.
    const rollbacks = patches(sim).filter((e) => (e.body as { connectionid: string | null }).connectionid === null);
    assert.strictEqual(rollbacks.length, 3);
    assert.ok(rollbacks.every((e) => !e.callerObjectId && e.status === 204));
    assert.strictEqual(run.outputs.BoundCount, '1', 'only contoso_teams is bound to its wanted connection');
    assert.strictEqual(run.outputs.UnboundCount, '3');
  });

  it('puts a previous connection back as its owner', async () => {
    const sim = await start(fiveReferences());
    const before = bindings(sim);
    // The last reference to bind fails: contoso_sharepoint (bound before to Bob's connection) must go back as Bob.
    const last = sim.state.connectionReference('contoso_sql')!.connectionreferenceid as string;
    sim.addFault({ method: 'PATCH', pathIncludes: `connectionreferences(${last})`, kind: '503', times: -1 });
    const run = await runBind(sim, { ...fiveInputs() });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.deepStrictEqual(bindings(sim), before);
    const sharepoint = sim.state.connectionReference('contoso_sharepoint')!.connectionreferenceid as string;
    const putBack = patches(sim).filter((e) => e.path.includes(sharepoint) && (e.body as { connectionid: string }).connectionid === 'sharepoint-old-bob');
    assert.strictEqual(putBack.length, 1);
    assert.strictEqual(putBack[0].callerObjectId, BOB.objectId);
    assert.strictEqual(byName(reportOf(run)).contoso_sharepoint.outcome, 'rolledBack');
  });

  it('DryRun writes nothing and reports wouldChange', async () => {
    const sim = await start(fiveReferences());
    const before = bindings(sim);
    const run = await runBind(sim, { ...fiveInputs(), DryRun: 'true' });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(writes(sim), []);
    assert.deepStrictEqual(bindings(sim), before);
    const report = reportOf(run);
    assert.strictEqual(report.dryRun, true);
    assert.deepStrictEqual(
      report.items.map((i) => [i.name, i.outcome, i.actor]),
      [
        ['contoso_dataverse', 'wouldChange', ALICE.objectId],
        ['contoso_office', 'wouldChange', ALICE.objectId],
        ['contoso_sharepoint', 'wouldChange', ALICE.objectId],
        ['contoso_sql', 'wouldChange', BOB.objectId],
        ['contoso_teams', 'unchanged', null],
      ],
    );
    assert.strictEqual(run.outputs.BoundCount, '5');
    assert.match(run.resultMessage ?? '', /Dry run/);
  });

  it('Impersonation None fails on connections not shared with the service principal, with the plug-in\'s inner code and the hint', async () => {
    const sim = await start(fiveReferences());
    const before = bindings(sim);
    const run = await runBind(sim, { ...fiveInputs(), Impersonation: 'None' });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const refused = patches(sim).filter((e) => e.status >= 400);
    assert.ok(refused.length > 0);
    assert.ok(patches(sim).every((e) => !e.callerObjectId), 'every update as the service principal');
    assert.deepStrictEqual(bindings(sim), before, 'nothing stays changed');
    const failed = reportOf(run).items.filter((i) => i.outcome === 'failed');
    assert.ok(failed.length > 0);
    for (const item of failed) {
      assert.strictEqual(item.error?.code, 'ConnectionNotFound');
      assert.strictEqual(item.actor, 'servicePrincipal');
      assert.match(item.error?.message ?? '', /Could not find connection/);
      assert.match(item.error?.hint ?? '', /shared with the service principal.*Impersonation: Auto/);
    }
    assert.match(run.resultMessage ?? '', /ConnectionNotFound/);
    assert.ok(run.errors.some((e) => /ConnectionNotFound.*shared with the service principal/.test(e)));
  });

  it('Impersonation None binds connections shared with the service principal', async () => {
    const shared = CONNECTIONS.map((c) => ({ ...c, sharedWith: [APP_OBJECT_ID] }));
    const sim = await start(fiveReferences({ connections: shared }));
    const run = await runBind(sim, { ...fiveInputs(), Impersonation: 'None' });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(patches(sim).length, 4);
    assert.ok(patches(sim).every((e) => !e.callerObjectId && e.effectiveUser === APP_OBJECT_ID));
  });

  it('an unknown SolutionName fails with one clear message and writes nothing', async () => {
    const sim = await start(fiveReferences());
    const run = await runBind(sim, { SolutionName: 'NoSuchSolution' });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /^Input 'SolutionName': there is no solution with the unique name 'NoSuchSolution' in https:\/\/127\.0\.0\.1:\d+\. Use the unique name/);
    assert.strictEqual(run.errors.length, 1, run.errors.join('\n'));
    assert.deepStrictEqual(writes(sim), []);
  });

  it('names the management-application registration when the connections cannot be listed', async () => {
    const scenario = fiveReferences();
    scenario.apps = scenario.apps.map((app) => ({ ...app, managementApp: false }));
    const sim = await start(scenario);
    const run = await runBind(sim, fiveInputs());
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /may not list the connections of the environment \(.+\)\. Register .*pac admin application register --application-id 11111111-2222-4333-8444-555555555555/);
    assert.deepStrictEqual(writes(sim), []);
  });

  it('stops before the first write when the service principal may not act on behalf of the owners, reporting every reference', async () => {
    const scenario = fiveReferences();
    scenario.users = scenario.users.map((u) => (u.objectId === APP_OBJECT_ID ? { ...u, canActOnBehalf: false } : u));
    const sim = await start(scenario);
    const run = await runBind(sim, fiveInputs());
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.deepStrictEqual(writes(sim), []);
    assert.match(run.resultMessage ?? '', /^4 connection reference\(s\) of solution 'ContosoCore' cannot be bound, so nothing was changed/);
    const checks = reads(sim).filter((e) => /\/WhoAmI$/.test(e.path) && e.callerObjectId);
    assert.deepStrictEqual(checks.map((e) => e.callerObjectId).sort(), [ALICE.objectId, BOB.objectId].sort(), 'one read-only check per owner');
    const items = byName(reportOf(run));
    for (const name of ['contoso_dataverse', 'contoso_office', 'contoso_sharepoint', 'contoso_sql']) {
      assert.strictEqual(items[name].outcome, 'failed');
      assert.strictEqual(items[name].error?.code, '0x8004A110');
      assert.match(items[name].error?.hint ?? '', /Delegate/);
    }
    assert.strictEqual(run.errors.filter((e) => e.includes('0x8004A110')).length, 4, 'one error issue per reference');
  });

  it('reports every problem together: disabled owner, missing, broken and foreign connections, no value', async () => {
    const scenario = fiveReferences({
      connections: [...CONNECTIONS, { name: 'teams-broken', connector: 'shared_teams', createdBy: BOB.objectId, status: 'Error' }],
    });
    const sim = await start(scenario);
    const run = await runBind(
      sim,
      { ConnectionOwner: '' },
      {
        'ConnectionReference.contoso_office': 'office-dora',
        'ConnectionReference.contoso_sharepoint': 'does-not-exist',
        'ConnectionReference.contoso_teams': 'teams-broken',
        'ConnectionReference.contoso_sql': 'office-alice',
      },
    );
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.deepStrictEqual(writes(sim), []);
    const items = byName(reportOf(run));
    assert.deepStrictEqual(
      Object.fromEntries(Object.values(items).map((i) => [i.name, i.error?.code])),
      {
        contoso_dataverse: 'MissingValue',
        contoso_office: '0x80040225',
        contoso_sharepoint: 'ConnectionNotFound',
        contoso_sql: 'ConnectionOfOtherConnector',
        contoso_teams: 'ConnectionNotConnected',
      },
    );
    assert.strictEqual(run.errors.length, 6, 'one error issue per reference and the result');
    assert.ok(run.errors.some((e) => e.includes('contoso_dataverse') && e.includes('ConnectionReference.contoso_dataverse')), 'the hint names the variable to set');
  });

  it('FailOnUnbound false leaves references without a value unbound, with warnings', async () => {
    const sim = await start(fiveReferences());
    const run = await runBind(sim, { FailOnUnbound: 'false' });
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    // Without ConnectionOwner, only the variables and the settings file give values.
    assert.strictEqual(run.outputs.UnboundCount, '1');
    assert.strictEqual(run.outputs.BoundCount, '4');
    assert.strictEqual(bindings(sim).contoso_dataverse, null);
    assert.ok(run.warnings.some((w) => w.includes('contoso_dataverse')));
    assert.strictEqual(byName(reportOf(run)).contoso_dataverse.unbound, true);
  });

  it('logs names that come from the service so that they cannot issue commands', async () => {
    const evil = 'contoso_##vso[task.setvariable variable=BoundCount;isOutput=true;]999';
    const sim = await start(fiveReferences({ connectionReferences: [reference(evil, 'shared_office365'), reference('contoso_sql', 'shared_sql')] }));
    const run = await runBind(sim, {});
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(run.commands.filter((c) => c.name === 'task.setvariable' && c.properties.variable === 'BoundCount').map((c) => c.data), ['2']);
    assert.ok(run.stdout.includes('task.setvariable variable=BoundCount;isOutput=true;]999'), 'the name is shown, inert');
    assert.strictEqual(bindings(sim)[evil], 'office-alice');
  });

  it('the number of read requests is the same for 5 and for 500 references', async () => {
    const sim = await start(
      fiveReferences({
        solutions: [{ uniqueName: 'Small' }, { uniqueName: 'Large' }],
        connectionReferences: [...manyReferences('Small', 5), ...manyReferences('Large', 500)],
      }),
    );
    const variables = CONNECTOR_VARIABLES;
    const counts: Record<string, { reads: number; writes: number }> = {};
    for (const [solution, size] of [['Small', 5], ['Large', 500]] as const) {
      sim.clearLog();
      const run = await runBind(sim, { SolutionName: solution }, variables);
      assert.strictEqual(run.result, 'Succeeded', describeRun(run));
      assert.strictEqual(run.outputs.BoundCount, String(size));
      counts[solution] = { reads: reads(sim).length, writes: writes(sim).length };
    }
    assert.strictEqual(counts.Large.writes, 500);
    assert.strictEqual(counts.Small.writes, 5);
    assert.strictEqual(counts.Large.reads, counts.Small.reads, JSON.stringify(counts));
  });
});
