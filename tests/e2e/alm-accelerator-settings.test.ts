import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { ScenarioUser } from '../simulator/scenario';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { bindings, patches, reference } from '../helpers/bind-scenario';

/**
 * Teams leaving the ALM Accelerator keep their variable group (lower-case names, a secret connection
 * id) and their tokenized deploymentSettings.json with a ConnectionOwner key per reference.
 */
const SVC: ScenarioUser = { objectId: 'c3c3c3c3-0000-4000-8000-0000000000c3', upn: 'svc-alm@contoso.com', fullName: 'ALM service account' };
const MAKER: ScenarioUser = { objectId: 'e4e4e4e4-0000-4000-8000-0000000000e4', upn: 'maker@contoso.com', fullName: 'Maker' };
const SECRET_SQL_CONNECTION = 'sql-svc-5e0d8a71c4b94f2e';
const API = '/providers/Microsoft.PowerApps/apis/';
const CORE = 'ALMLab';
const EXTRA = 'ALMLabExtra';

const scenario = () =>
  baseScenario({
    users: [...baseScenario().users, SVC, MAKER],
    connections: [
      { name: 'cds-svc', connector: 'shared_commondataserviceforapps', createdBy: SVC.objectId },
      { name: 'cds-maker', connector: 'shared_commondataserviceforapps', createdBy: MAKER.objectId },
      { name: 'teams-svc', connector: 'shared_teams', createdBy: SVC.objectId },
      { name: SECRET_SQL_CONNECTION, connector: 'shared_sql', createdBy: SVC.objectId },
      { name: 'office-svc', connector: 'shared_office365', createdBy: SVC.objectId },
    ],
    solutions: [{ uniqueName: CORE }, { uniqueName: EXTRA }],
    connectionReferences: [
      reference('cat_CDS_Current', 'shared_commondataserviceforapps', 'cds-maker', CORE),
      reference('cat_Teams', 'shared_teams', undefined, CORE),
      reference('cat_Sql', 'shared_sql', undefined, CORE),
      reference('cat_Office', 'shared_office365', undefined, EXTRA),
    ],
  });

/** The ALM Accelerator's variable group, exactly as it names things; the SQL connection id is secret. */
const VARIABLE_GROUP: Record<string, string> = {
  'connectionreference.user.cat_cds_current': SVC.upn,
  'connectionreference.user.cat_teams': SVC.objectId,
  'connectionreference.cat_office': 'office-svc',
  'environmentvariable.cat_apiurl': 'https://api.contoso.example/v1',
};
const SECRET_VARIABLES: Record<string, string> = { 'connectionreference.cat_sql': SECRET_SQL_CONNECTION };

function tokenizedEntry(logicalName: string, connector: string) {
  return {
    LogicalName: logicalName,
    ConnectionId: `#{connectionreference.${logicalName}}#`,
    ConnectorId: `${API}${connector}`,
    ConnectionOwner: `#{connectionreference.user.${logicalName}}#`,
  };
}

function writeTokenizedSettings(dir: string): string {
  const file = path.join(dir, 'deploymentSettings.json');
  const settings = {
    EnvironmentVariables: [
      { SchemaName: 'cat_ApiUrl', Value: '#{environmentvariable.cat_ApiUrl}#' },
      { SchemaName: 'cat_RetryCount', Value: '#{environmentvariable.cat_RetryCount}#' },
    ],
    ConnectionReferences: [
      tokenizedEntry('cat_CDS_Current', 'shared_commondataserviceforapps'),
      tokenizedEntry('cat_Teams', 'shared_teams'),
      tokenizedEntry('cat_Sql', 'shared_sql'),
    ],
  };
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

interface ReportItem {
  name: string;
  outcome: string;
  connection?: string;
  value?: string;
  source?: string;
  error: { code: string; message: string } | null;
}

const reportOf = (run: AgentRunResult) => JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: ReportItem[]; solutions?: string[] };
const byName = (run: AgentRunResult) => Object.fromEntries(reportOf(run).items.map((i) => [i.name, i]));

describe('ALM Accelerator variable groups and tokenized settings files, through the bundled tasks', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let dir: string;
  let settingsFile: string;

  beforeEach(async () => {
    sim = await startSimulator({ scenario: scenario() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alm-accelerator-'));
    settingsFile = writeTokenizedSettings(dir);
  });
  afterEach(async () => {
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runTask(task: 'DataverseDeploymentSettingsV1' | 'DataverseBindConnectionReferencesV1', inputs: Record<string, string>): Promise<AgentRunResult> {
    const run = await runAgentTask({
      task,
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
      endpoint: clientSecretEndpoint(sim),
      variables: { ...simulatorVariables(sim), ...VARIABLE_GROUP },
      secretVariables: SECRET_VARIABLES,
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(run, [CLIENT_SECRET, SECRET_SQL_CONNECTION]);
    for (const value of Object.values(run.outputs)) assert.ok(!value.includes(SECRET_SQL_CONNECTION), 'no secret in an output variable');
    return run;
  }

  it('settings: fills every token, finds the owners, names the unset variable and writes pac format', async () => {
    const output = path.join(dir, 'out', 'deploymentsettings.json');
    const run = await runTask('DataverseDeploymentSettingsV1', { SettingsFile: settingsFile, OutputFile: output, Validate: 'true', FailOnMissingValues: 'false' });
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    assert.ok(run.warnings.some((w) => w.includes('environmentvariable.cat_RetryCount')), `the unset variable is named\n${run.warnings.join('\n')}`);
    const unsetLine = run.stdout.split('\n').find((line) => line.startsWith('Tokens of the settings file name pipeline variables that are not set'));
    assert.ok(unsetLine, describeRun(run));
    for (const name of ['environmentvariable.cat_RetryCount', 'connectionreference.cat_CDS_Current', 'connectionreference.user.cat_Sql']) assert.ok(unsetLine.includes(name), unsetLine);

    const written = fs.readFileSync(output, 'utf8');
    assert.ok(!written.includes('#{'), 'no token left');
    assert.ok(!written.includes('ConnectionOwner'), 'pac format: no ConnectionOwner key');
    const settings = JSON.parse(written) as { EnvironmentVariables: Array<Record<string, string>>; ConnectionReferences: Array<Record<string, string>> };
    assert.deepStrictEqual(Object.keys(settings), ['EnvironmentVariables', 'ConnectionReferences']);
    for (const entry of settings.ConnectionReferences) assert.deepStrictEqual(Object.keys(entry), ['LogicalName', 'ConnectionId', 'ConnectorId']);
    assert.deepStrictEqual(
      Object.fromEntries(settings.ConnectionReferences.map((r) => [r.LogicalName, r.ConnectionId])),
      { cat_CDS_Current: 'cds-svc', cat_Sql: SECRET_SQL_CONNECTION, cat_Teams: 'teams-svc' },
      'owner by UPN, owner by object id, and the secret connection id',
    );
    assert.deepStrictEqual(
      Object.fromEntries(settings.EnvironmentVariables.map((v) => [v.SchemaName, v.Value])),
      { cat_ApiUrl: 'https://api.contoso.example/v1', cat_RetryCount: '' },
    );

    const items = byName(run);
    assert.strictEqual(items.cat_Sql.value, '***', 'the secret connection id is masked in the report');
    assert.strictEqual(items.cat_CDS_Current.source, 'connectionOwner');
    assert.strictEqual(sim.log.filter((e) => e.kind === 'write').length, 0);
  });

  it('settings: an unset token is a missing value that fails the run, naming the variable, with nothing written', async () => {
    const output = path.join(dir, 'failed.json');
    const run = await runTask('DataverseDeploymentSettingsV1', { SettingsFile: settingsFile, OutputFile: output, Validate: 'true' });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /environmentvariable\.cat_RetryCount/);
    const retry = byName(run).cat_RetryCount;
    assert.strictEqual(retry.error?.code, 'MissingValue');
    assert.match(retry.error?.message ?? '', /environmentvariable\.cat_RetryCount/);
    assert.ok(!fs.existsSync(output));
  });

  it('settings: an owner per reference is found without validation too', async () => {
    const output = path.join(dir, 'unvalidated.json');
    const run = await runTask('DataverseDeploymentSettingsV1', { SettingsFile: settingsFile, OutputFile: output, Validate: 'false', FailOnMissingValues: 'false' });
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    const settings = JSON.parse(fs.readFileSync(output, 'utf8')) as { ConnectionReferences: Array<Record<string, string>> };
    assert.deepStrictEqual(
      settings.ConnectionReferences.map((r) => r.ConnectionId),
      ['cds-svc', SECRET_SQL_CONNECTION, 'teams-svc'],
    );
  });

  it('bind: binds from the same tokenized file, the owners found per reference and the secret connection id hidden', async () => {
    const run = await runTask('DataverseBindConnectionReferencesV1', { SolutionName: CORE, SettingsFile: settingsFile });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(bindings(sim), { cat_CDS_Current: 'cds-svc', cat_Teams: 'teams-svc', cat_Sql: SECRET_SQL_CONNECTION, cat_Office: null });
    const items = byName(run);
    assert.strictEqual(items.cat_Sql.connection, '***');
    assert.deepStrictEqual([items.cat_CDS_Current.source, items.cat_Teams.source], ['connectionOwner', 'connectionOwner']);
    assert.strictEqual(run.outputs.BoundCount, '3');
  });

  it('bind: several solutions (new lines or commas) bind the references of all of them', async () => {
    const run = await runTask('DataverseBindConnectionReferencesV1', { SolutionName: `${CORE}\n${EXTRA}`, SettingsFile: settingsFile });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(bindings(sim), { cat_CDS_Current: 'cds-svc', cat_Teams: 'teams-svc', cat_Sql: SECRET_SQL_CONNECTION, cat_Office: 'office-svc' });
    assert.strictEqual(run.outputs.BoundCount, '4');
    assert.deepStrictEqual(reportOf(run).solutions, [CORE, EXTRA]);

    const again = await runTask('DataverseBindConnectionReferencesV1', { SolutionName: `${EXTRA}, ${CORE}`, SettingsFile: settingsFile });
    assert.strictEqual(again.result, 'Succeeded', describeRun(again));
    assert.strictEqual(patches(sim).length, 4, 'a re-run changes nothing');
  });

  it('bind: a solution name that matches no solution is an input error naming it, before any write', async () => {
    const run = await runTask('DataverseBindConnectionReferencesV1', { SolutionName: `${CORE}, NoSuchSolution`, SettingsFile: settingsFile });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /'NoSuchSolution'/);
    assert.strictEqual(patches(sim).length, 0);
  });
});
