import * as assert from 'assert';
import { Simulator, startSimulator } from '../simulator';
import { Scenario, ScenarioConnectionReference } from '../simulator/scenario';
import { AgentRunResult, assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { flowClientData } from '../helpers/flow-definitions';
import {
  ALICE,
  API,
  CheckFlow,
  CheckReference,
  DAVE_DISABLED,
  STRANGER,
  connection,
  reportOf,
  runCheck,
  solutionFiles,
  verdicts,
  writeSettings,
  writeSolutionFolder,
  writeSolutionZip,
} from '../helpers/check-scenario';

const SOLUTION = 'ContosoCheck';
const EXPIRED = 'AADSTS700082: The refresh token has expired due to inactivity.';

/** Connections of every kind the checks tell apart. */
const CONNECTIONS = [
  connection('office-ok', 'shared_office365', ALICE.objectId, { sharedWith: [APP_OBJECT_ID] }),
  connection('dataverse-sp', 'shared_commondataserviceforapps', APP_OBJECT_ID),
  connection('onedrive-expired', 'shared_onedriveforbusiness', ALICE.objectId, {
    status: 'Error',
    sharedWith: [APP_OBJECT_ID],
    statusError: { code: 'Unauthorized', message: `Failed to refresh access token for service: onedriveforbusiness. ${EXPIRED}` },
  }),
  connection('excel-dave', 'shared_excelonlinebusiness', DAVE_DISABLED.objectId, { sharedWith: [APP_OBJECT_ID] }),
  connection('planner-stranger', 'shared_planner', STRANGER, { sharedWith: [APP_OBJECT_ID] }),
  connection('approvals-alice', 'shared_approvals', ALICE.objectId),
];

/** One reference per check, each on its own connector, and the connection it is bound to when installed. */
const KINDS: Array<CheckReference & { bound?: string }> = [
  { logicalName: 'contoso_ok', connector: 'shared_office365', bound: 'office-ok' },
  { logicalName: 'contoso_unbound', connector: 'shared_sql' },
  { logicalName: 'contoso_gone', connector: 'shared_sharepointonline', bound: 'does-not-exist' },
  { logicalName: 'contoso_wrong', connector: 'shared_teams', bound: 'office-ok' },
  { logicalName: 'contoso_expired', connector: 'shared_onedriveforbusiness', bound: 'onedrive-expired' },
  { logicalName: 'contoso_disabled', connector: 'shared_excelonlinebusiness', bound: 'excel-dave' },
  { logicalName: 'contoso_stranger', connector: 'shared_planner', bound: 'planner-stranger' },
  { logicalName: 'contoso_notshared', connector: 'shared_approvals', bound: 'approvals-alice' },
];

const FLOWS: CheckFlow[] = [
  { name: 'Send mail', uses: [{ logicalName: 'contoso_ok', api: 'shared_office365' }, { logicalName: 'contoso_unbound', api: 'shared_sql' }] },
  { name: 'Sync files', uses: [{ logicalName: 'contoso_expired', api: 'shared_onedriveforbusiness', runtimeSource: 'invoker' }] },
  { name: 'Plan tasks', uses: [{ logicalName: 'contoso_stranger', api: 'shared_planner' }, { logicalName: 'contoso_disabled', api: 'shared_excelonlinebusiness' }] },
];

/** Under Impersonation None, as each reference is bound (or given) as in KINDS. */
const EXPECTED_NONE = {
  contoso_ok: 'healthy',
  contoso_unbound: 'unhealthy MissingValue',
  contoso_gone: 'unhealthy ConnectionNotFound',
  contoso_wrong: 'unhealthy ConnectionOfOtherConnector',
  contoso_expired: 'unhealthy ConnectionNotConnected',
  contoso_disabled: 'unhealthy 0x80040225',
  contoso_stranger: 'unhealthy UserNotInEnvironment',
  contoso_notshared: 'unhealthy ConnectionNotSharedWithServicePrincipal',
};

function installedScenario(references: Array<CheckReference & { bound?: string }>, flows: CheckFlow[], overrides: Partial<Scenario> = {}): Scenario {
  const base = baseScenario();
  return baseScenario({
    users: [...base.users, ALICE, DAVE_DISABLED],
    connections: CONNECTIONS,
    solutions: [{ uniqueName: SOLUTION }],
    connectionReferences: references.map(
      (r): ScenarioConnectionReference => ({ logicalName: r.logicalName, connectorId: `${API}${r.connector}`, connectionId: r.bound, solution: SOLUTION }),
    ),
    flows: flows.map((f) => ({ name: f.name, solution: SOLUTION, clientdata: flowClientData(f.uses) })),
    ...overrides,
  });
}

/** The same environment before the import: no solution, only the connections. */
function emptyScenario(overrides: Partial<Scenario> = {}): Scenario {
  const base = baseScenario();
  return baseScenario({ users: [...base.users, ALICE, DAVE_DISABLED], connections: CONNECTIONS, ...overrides });
}

function checkCommon(sim: Simulator, run: AgentRunResult, secrets: string[] = []): void {
  assertNoSecretsVisible(run, [CLIENT_SECRET, ...secrets]);
  assert.deepStrictEqual(
    sim.log.filter((e) => e.kind === 'write').map((e) => `${e.method} ${e.path}`),
    [],
    'the task only reads',
  );
  const report = reportOf(run);
  assert.strictEqual(report.task, 'DataverseCheckConnections');
  for (const item of report.items) {
    for (const key of ['kind', 'name', 'id', 'outcome', 'actor', 'error']) assert.ok(key in item, `${item.name} has '${key}'`);
    assert.strictEqual(item.kind, 'connectionReference');
    assert.strictEqual(item.actor, null);
  }
}

describe('DataverseCheckConnections: every check of an installed solution, each on its own reference', function () {
  this.timeout(60_000);
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('Impersonation None: one healthy reference, each failure with its own code and fix, the flows at risk named; Fail fails naming the count', async () => {
    const hostile = { name: 'Digest ##vso[task.setvariable variable=Injected]x', uses: [{ logicalName: 'contoso_gone', api: 'shared_sharepointonline' }] };
    sim = await startSimulator({ scenario: installedScenario(KINDS, [...FLOWS, hostile]) });
    const run = await runCheck(sim, { SolutionName: SOLUTION, Impersonation: 'None', PublishTestResults: 'true' });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /^7 of 8 connection references are unhealthy/);
    assert.ok(!('Injected' in run.outputs), 'a flow name cannot set a variable');
    assert.ok(run.commands.some((c) => c.name === 'results.publish' && c.properties.type === 'JUnit'), 'results on the Tests tab');
    assert.deepStrictEqual(verdicts(run), EXPECTED_NONE);
    assert.strictEqual(run.outputs.HealthyCount, '1');
    assert.strictEqual(run.outputs.UnhealthyCount, '7');

    const byName = new Map(reportOf(run).items.map((i) => [i.name, i]));
    const expired = byName.get('contoso_expired')!;
    assert.match(expired.error!.message, /status: Error/);
    assert.match(expired.error!.message, /AADSTS700082/, 'the platform error of the status is shown');
    assert.match(expired.error!.hint ?? '', /sign in again/);
    assert.deepStrictEqual(expired.flows, ['Sync files']);
    assert.strictEqual(expired.runOnly, true, 'a run-only (invoker) reference is checked and marked');
    assert.strictEqual(byName.get('contoso_ok')!.runOnly, false);
    assert.deepStrictEqual(byName.get('contoso_disabled')!.flows, ['Plan tasks']);
    assert.deepStrictEqual(byName.get('contoso_unbound')!.flows, ['Send mail']);
    assert.match(byName.get('contoso_notshared')!.error!.hint ?? '', /Share connection 'approvals-alice' with the service principal/);
    for (const item of byName.values()) if (item.outcome === 'unhealthy') assert.ok(item.error!.hint, `${item.name} says what to do`);

    assert.strictEqual(run.errors.filter((e) => /is unhealthy/.test(e)).length, 7, 'each unhealthy reference is an error issue');
    assert.ok(run.errors.some((e) => /contoso_disabled.*Flows at risk: Plan tasks/.test(e)));
    const summary = run.summaries[0];
    assert.match(summary, /\| Reference \| Connection \| Owner \| Outcome \| What is wrong \| What to do \| Flows \|/);
    const rows = summary.split('\n').filter((l) => l.startsWith('| contoso'));
    assert.strictEqual(rows.length, 8);
    assert.match(rows[rows.length - 1], /^\| contoso_ok \|/, 'unhealthy first, healthy last');
    assert.match(summary, /contoso_expired \(run-only\)/);
    assert.match(summary, /Alice Ames \(alice@contoso\.com\)/);
  });

  it('ErrorHandling Warn: the same problems end SucceededWithIssues, as warnings', async () => {
    sim = await startSimulator({ scenario: installedScenario(KINDS, FLOWS) });
    const run = await runCheck(sim, { SolutionName: SOLUTION, Impersonation: 'None', ErrorHandling: 'Warn' });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    assert.match(run.resultMessage ?? '', /7 of 8 connection references are unhealthy/);
    assert.deepStrictEqual(verdicts(run), EXPECTED_NONE);
    assert.deepStrictEqual(run.errors, []);
    assert.strictEqual(run.warnings.filter((w) => /is unhealthy/.test(w)).length, 7);
  });

  it('Impersonation Auto: a connection usable only by acting as its owner is a warning; one shared with the service principal is healthy', async () => {
    const references = KINDS.filter((k) => ['contoso_ok', 'contoso_notshared'].includes(k.logicalName));
    sim = await startSimulator({ scenario: installedScenario(references, [], {}) });
    const run = await runCheck(sim, { SolutionName: SOLUTION, ConnectionOwner: ALICE.upn });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(verdicts(run), { contoso_ok: 'healthy', contoso_notshared: 'warning ImpersonationOnly' });
    assert.ok(run.warnings.some((w) => /Input 'ConnectionOwner' applies only with SolutionInputFile/.test(w)), 'ConnectionOwner does not change an installed solution');
    assert.strictEqual(run.outputs.HealthyCount, '2');
    assert.strictEqual(run.outputs.UnhealthyCount, '0');
    assert.ok(run.warnings.some((w) => /contoso_notshared.*ImpersonationOnly/.test(w)));
    const whoAmIs = sim.log.filter((e) => /WhoAmI/.test(e.path) && e.callerObjectId);
    assert.deepStrictEqual(whoAmIs.map((e) => e.callerObjectId), [ALICE.objectId], 'one WhoAmI, as the owner of the connection not shared');
  });

  it('Impersonation ConnectionOwner: the service principal may not act as the owner (WhoAmI with CallerObjectId)', async () => {
    const references = KINDS.filter((k) => ['contoso_ok', 'contoso_notshared'].includes(k.logicalName));
    const base = baseScenario();
    const scenario = installedScenario(references, []);
    scenario.users = [...base.users.map((u) => (u.objectId === APP_OBJECT_ID ? { ...u, canActOnBehalf: false } : u)), ALICE, DAVE_DISABLED];
    sim = await startSimulator({ scenario });
    const run = await runCheck(sim, { SolutionName: SOLUTION, Impersonation: 'ConnectionOwner' });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const items = reportOf(run).items;
    for (const item of items) {
      assert.strictEqual(item.outcome, 'unhealthy');
      assert.strictEqual(item.error!.code, '0x8004A110', 'the platform code of the act-on-behalf refusal');
      assert.match(item.error!.hint ?? '', /act-on-behalf privilege/);
    }
    assert.ok(!sim.log.some((e) => e.api === 'admin' && /maxAssignedTo/.test(decodeURIComponent(e.query))), 'no role assignments with ConnectionOwner');
  });

  it('warns about two references to one connector, naming both and the flows that use each', async () => {
    const references = [
      { logicalName: 'contoso_office_a', connector: 'shared_office365', bound: 'office-ok' },
      { logicalName: 'contoso_office_b', connector: 'shared_office365', bound: 'office-ok' },
    ];
    const flows = [
      { name: 'Morning digest', uses: [{ logicalName: 'contoso_office_a', api: 'shared_office365' }] },
      { name: 'Invoice mail', uses: [{ logicalName: 'contoso_office_b', api: 'shared_office365' }] },
    ];
    sim = await startSimulator({ scenario: installedScenario(references, flows) });
    const run = await runCheck(sim, { SolutionName: SOLUTION });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(verdicts(run), { contoso_office_a: 'warning DuplicateConnectorReference', contoso_office_b: 'warning DuplicateConnectorReference' });
    const warning = reportOf(run).items[0].error!.message;
    assert.match(warning, /shared_office365/);
    assert.match(warning, /contoso_office_a \(Morning digest\)/);
    assert.match(warning, /contoso_office_b \(Invoice mail\)/);
  });

  it('fails before any check, with a report, when a solution is not installed', async () => {
    sim = await startSimulator({ scenario: installedScenario(KINDS, FLOWS) });
    const run = await runCheck(sim, { SolutionName: `${SOLUTION}, Missing` });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /no solution with the unique name 'Missing'/);
    assert.deepStrictEqual(reportOf(run).items, []);
    assert.strictEqual(run.outputs.UnhealthyCount, '0');
  });

  it('reads the same number of times for 3 references as for 40', async () => {
    const counts: string[][] = [];
    for (const n of [3, 40]) {
      const references = Array.from({ length: n }, (_, i) => ({ logicalName: `contoso_ref${i}`, connector: 'shared_approvals', bound: 'approvals-alice' }));
      const flows = Array.from({ length: n }, (_, i) => ({ name: `Flow ${i}`, uses: [{ logicalName: `contoso_ref${i}`, api: 'shared_approvals' }] }));
      const local = await startSimulator({ scenario: installedScenario(references, flows, { adminPageSize: 5 }) });
      try {
        const run = await runCheck(local, { SolutionName: SOLUTION });
        checkCommon(local, run);
        assert.strictEqual(reportOf(run).items.length, n);
        counts.push(local.log.filter((e) => e.api === 'dataverse').map((e) => `${e.method} ${e.path}`).sort());
        assert.strictEqual(local.log.filter((e) => e.api === 'admin').length, 2, 'one listing of the connections (two pages of 5)');
      } finally {
        await local.stop();
      }
    }
    assert.deepStrictEqual(counts[1], counts[0]);
  });
});

describe('DataverseCheckConnections: a solution file not yet imported, with the settings, variables and ConnectionOwner', function () {
  this.timeout(60_000);
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const references: CheckReference[] = [...KINDS.map(({ logicalName, connector }) => ({ logicalName, connector })), { logicalName: 'contoso_dataverse', connector: 'shared_commondataserviceforapps' }];
  const variables = {
    'ConnectionReference.contoso_gone': 'does-not-exist',
    'Connector.shared_onedriveforbusiness': 'onedrive-expired',
    'ConnectionReference.contoso_disabled': 'excel-dave',
    'ConnectionReference.contoso_stranger': 'planner-stranger',
    'ConnectionReference.contoso_notshared': 'approvals-alice',
  };
  const settings = () =>
    writeSettings([
      { LogicalName: 'contoso_ok', ConnectionId: 'office-ok', ConnectorId: `${API}shared_office365` },
      { LogicalName: 'contoso_wrong', ConnectionId: 'office-ok', ConnectorId: `${API}shared_teams` },
    ]);

  for (const layout of ['zip', 'folder'] as const) {
    it(`checks a solution ${layout} against the connections the deployment would use (Impersonation None)`, async () => {
      sim = await startSimulator({ scenario: emptyScenario() });
      const files = solutionFiles(SOLUTION, references, FLOWS);
      const solution = layout === 'zip' ? writeSolutionZip(files) : writeSolutionFolder(files);
      const run = await runCheck(
        sim,
        { SolutionInputFile: solution, SettingsFile: settings(), Impersonation: 'None' },
        { variables, secretVariables: { 'ConnectionReference.contoso_dataverse': 'dataverse-sp' } },
      );
      checkCommon(sim, run, ['dataverse-sp']);
      assert.strictEqual(run.result, 'Failed', describeRun(run));
      assert.deepStrictEqual(verdicts(run), { ...EXPECTED_NONE, contoso_dataverse: 'healthy' });
      const byName = new Map(reportOf(run).items.map((i) => [i.name, i]));
      assert.strictEqual(byName.get('contoso_dataverse')!.connection, '***', 'a connection id from a secret variable is masked');
      assert.strictEqual(byName.get('contoso_ok')!.connection, 'office-ok', 'from the settings file');
      assert.strictEqual(byName.get('contoso_ok')!.id, null);
      assert.strictEqual(byName.get('contoso_expired')!.runOnly, true);
      assert.deepStrictEqual(byName.get('contoso_stranger')!.flows, ['Plantasks'], 'flow names from the solution file');
      assert.match(byName.get('contoso_gone')!.error!.message, /variable ConnectionReference\.contoso_gone/);
      assert.match(byName.get('contoso_wrong')!.error!.message, /from the settings/);
      assert.ok(!sim.log.some((e) => /connectionreferences|workflows/.test(e.path)), 'nothing is read of a solution not installed');
    });
  }

  it('ConnectionOwner picks the owner\'s single Connected connection, and names a connector it has none for', async () => {
    sim = await startSimulator({ scenario: emptyScenario() });
    const solution = writeSolutionZip(
      solutionFiles(SOLUTION, [{ logicalName: 'contoso_ok', connector: 'shared_office365' }, { logicalName: 'contoso_sql', connector: 'shared_sql' }], []),
    );
    const run = await runCheck(sim, { SolutionInputFile: solution, ConnectionOwner: ALICE.upn });
    checkCommon(sim, run);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.deepStrictEqual(verdicts(run), { contoso_ok: 'healthy', contoso_sql: 'unhealthy ConnectionOwnerHasNoConnection' });
    assert.strictEqual(reportOf(run).items[0].connection, 'office-ok');
  });

  it('fails with one message, before any request, when the solution file is not a solution', async () => {
    sim = await startSimulator({ scenario: emptyScenario() });
    const notASolution = writeSettings([]);
    const run = await runCheck(sim, { SolutionInputFile: notASolution });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /Input 'SolutionInputFile' .* cannot be read/);
    assert.deepStrictEqual(sim.log, []);
    assert.deepStrictEqual(reportOf(run).items, []);
  });

  it('fails with one message, before any request, without SolutionName or SolutionInputFile', async () => {
    sim = await startSimulator({ scenario: emptyScenario() });
    const run = await runCheck(sim, {});
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /Input 'SolutionName' is required/);
    assert.strictEqual(sim.log.length, 0);
  });
});
