import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { CONTOSO_UNPACKED, SETTINGS_FIXTURES, tempDir, writeSolutionZip } from '../helpers/deployment-settings';

const API = '/providers/Microsoft.PowerApps/apis/';
const PAYMENTS = 'shared_contoso-5fpayments-20api-5f0123456789abcdef';
const SVC = { objectId: 'aaaaaaaa-1111-4000-8000-000000000001', upn: 'svc-deploy@contoso.com' };
const SVC2 = { objectId: 'aaaaaaaa-1111-4000-8000-000000000002', upn: 'svc-second@contoso.com' };
const MAKER = { objectId: 'aaaaaaaa-1111-4000-8000-000000000003', upn: 'maker@contoso.com' };
const KEY_VAULT_SECRET = '/subscriptions/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/resourceGroups/rg-alm/providers/Microsoft.KeyVault/vaults/kv-contoso-test/secrets/payments-client-secret';
const STAGE_RUN_OK = 'dddddddd-1111-4000-8000-000000000001';
const STAGE_RUN_BAD = 'dddddddd-1111-4000-8000-000000000002';

const REFS = {
  outlook: 'contoso_sharedoffice365_8f2a1',
  sharepoint: 'contoso_sharedsharepointonline_4c7d9',
  dataverse: 'contoso_shareddataverse_b31e0',
  payments: 'contoso_PaymentsApi',
};

/** The stage run as a maker's delegated deployment leaves it: the maker's own connections. */
const makerSettings = JSON.stringify({
  EnvironmentVariables: [
    { SchemaName: 'contoso_ApiBaseUrl', Value: 'https://api.test.contoso.com/v1' },
    { SchemaName: 'contoso_RetryCount', Value: '2' },
  ],
  ConnectionReferences: [
    { LogicalName: REFS.outlook, ConnectionId: 'maker-office365', ConnectorId: `${API}shared_office365` },
    { LogicalName: REFS.sharepoint, ConnectionId: 'maker-sharepoint', ConnectorId: `${API}shared_sharepointonline` },
    { LogicalName: REFS.dataverse, ConnectionId: 'maker-dataverse', ConnectorId: `${API}shared_commondataserviceforapps` },
    { LogicalName: REFS.payments, ConnectionId: 'maker-payments', ConnectorId: `${API}${PAYMENTS}` },
  ],
});

const person = (p: { objectId: string; upn: string }, fullName: string) => ({ objectId: p.objectId, upn: p.upn, fullName });
const conn = (name: string, connector: string, owner: { objectId: string }, status: 'Connected' | 'Error' = 'Connected') => ({ name, connector, createdBy: owner.objectId, status });

/** Variables that make a valid, complete set for the Contoso fixture solution. */
const VALID_VARIABLES: Record<string, string> = {
  [`ConnectionReference.${REFS.outlook}`]: 'svc-office365',
  'Connector.shared_sharepointonline': 'svc-sharepoint',
  'Connector.shared_commondataserviceforapps': 'svc-dataverse',
  [`Connector.${PAYMENTS}`]: 'svc-payments',
  'EnvironmentVariable.contoso_RetryCount': '5',
  'EnvironmentVariable.contoso_Routing': '{"default":"queue-b"}',
};

describe('DataverseDeploymentSettings@1 end to end', function () {
  let sim: Simulator;
  let work: string;
  let zipPath: string;

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        users: [...baseScenario().users, person(SVC, 'Deployment service'), person(SVC2, 'Second service'), person(MAKER, 'Maker')],
        connections: [
          conn('svc-office365', 'shared_office365', SVC),
          conn('svc-sharepoint', 'shared_sharepointonline', SVC),
          conn('svc-dataverse-broken', 'shared_commondataserviceforapps', SVC, 'Error'),
          conn('svc-dataverse', 'shared_commondataserviceforapps', SVC),
          conn('svc-payments', PAYMENTS, SVC),
          conn('svc2-office365-a', 'shared_office365', SVC2),
          conn('svc2-office365-b', 'shared_office365', SVC2),
          conn('svc2-sharepoint', 'shared_sharepointonline', SVC2),
          conn('svc2-dataverse', 'shared_commondataserviceforapps', SVC2),
          conn('svc2-payments', PAYMENTS, SVC2),
          conn('maker-office365', 'shared_office365', MAKER),
          conn('maker-sharepoint', 'shared_sharepointonline', MAKER),
          conn('maker-dataverse', 'shared_commondataserviceforapps', MAKER),
          conn('maker-payments', PAYMENTS, MAKER),
        ],
        // Small pages, so the one listing of the environment's connections is followed through its nextLinks.
        adminPageSize: 4,
        stageRuns: [
          { id: STAGE_RUN_OK, deploymentsettingsjson: makerSettings, approverAppId: baseScenario().apps[0].appId },
          { id: STAGE_RUN_BAD, deploymentsettingsjson: makerSettings, approverAppId: baseScenario().apps[0].appId },
        ],
      }),
    });
    work = tempDir('settings-e2e-');
    zipPath = writeSolutionZip(path.join(work, 'ContosoSettings_1_4_0_2.zip'));
  });
  after(async () => {
    await sim?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => sim.clearLog());

  function run(inputs: Record<string, string>, variables: Record<string, string> = {}, secretVariables: Record<string, string> = {}): Promise<AgentRunResult> {
    return runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
      endpoint: clientSecretEndpoint(sim),
      variables: { ...simulatorVariables(sim), ...variables },
      secretVariables,
      caFile: sim.caFile,
    });
  }

  const writes = () => sim.log.filter((e) => e.kind === 'write');
  const connectionListings = () => sim.log.filter((e) => e.api === 'admin' && /\/connections$/.test(e.path));
  const report = (r: AgentRunResult) => JSON.parse(fs.readFileSync(r.outputs.ReportFile, 'utf8')) as { items: Array<Record<string, unknown>>; problems: string[]; written: boolean; approval?: unknown };
  /** The error issues logged per failed entry (the result message is logged as one more). */
  const itemErrors = (r: AgentRunResult) => r.errors.filter((e) => / failed: /.test(e));
  const stageRun = (id: string) => sim.state.snapshot().stageRuns.find((s) => s.id === id)!;

  it('gives identical settings from a solution zip and the same solution unpacked', async () => {
    const fromZip = path.join(work, 'from-zip.json');
    const fromFolder = path.join(work, 'from-folder.json');
    const zipRun = await run({ SolutionInputFile: zipPath, OutputFile: fromZip }, VALID_VARIABLES);
    assertNoSecretsVisible(zipRun, [CLIENT_SECRET]);
    assert.strictEqual(zipRun.result, 'Succeeded', describeRun(zipRun));
    const folderRun = await run({ SolutionInputFile: CONTOSO_UNPACKED, OutputFile: fromFolder }, VALID_VARIABLES);
    assertNoSecretsVisible(folderRun, [CLIENT_SECRET]);
    assert.strictEqual(folderRun.result, 'Succeeded', describeRun(folderRun));

    const zipText = fs.readFileSync(fromZip, 'utf8');
    assert.strictEqual(zipText, fs.readFileSync(fromFolder, 'utf8'));
    assert.strictEqual(zipRun.outputs.DeploymentSettingsFile, fromZip);
    assert.ok(zipText.startsWith('{\n  "EnvironmentVariables": [\n    {\n      "SchemaName": '), 'pac format, 2-space indent, EnvironmentVariables first');
    const settings = JSON.parse(zipText) as { EnvironmentVariables: Array<{ SchemaName: string; Value: string }>; ConnectionReferences: Array<Record<string, string>> };
    assert.deepStrictEqual(Object.keys(settings), ['EnvironmentVariables', 'ConnectionReferences']);
    assert.deepStrictEqual(settings.ConnectionReferences, [
      { LogicalName: REFS.payments, ConnectionId: 'svc-payments', ConnectorId: `${API}${PAYMENTS}` },
      { LogicalName: REFS.dataverse, ConnectionId: 'svc-dataverse', ConnectorId: `${API}shared_commondataserviceforapps` },
      { LogicalName: REFS.outlook, ConnectionId: 'svc-office365', ConnectorId: `${API}shared_office365` },
      { LogicalName: REFS.sharepoint, ConnectionId: 'svc-sharepoint', ConnectorId: `${API}shared_sharepointonline` },
    ]);
    assert.deepStrictEqual(settings.EnvironmentVariables.map((v) => [v.SchemaName, v.Value]), [
      ['contoso_ApiBaseUrl', ''],
      ['contoso_ClientSecret', ''],
      ['contoso_FeatureEnabled', ''],
      ['contoso_RetryCount', '5'],
      ['contoso_Routing', '{"default":"queue-b"}'],
      ['contoso_SiteUrl', ''],
    ]);
    assert.deepStrictEqual(writes(), [], 'a file target writes nothing to the service');
    assert.strictEqual(connectionListings().length, 2 * 4, 'one paged listing per run (14 connections, pages of 4)');
  });

  it('puts variables by logical name, by connector and a secret variable in the file, and the secret nowhere else', async () => {
    const secretConnection = 'svc-payments';
    const r = await run(
      { SolutionInputFile: zipPath, SettingsFile: path.join(SETTINGS_FIXTURES, 'contoso-settings.json') },
      { ...VALID_VARIABLES, [`Connector.${PAYMENTS}`]: '' },
      { 'EnvironmentVariable.contoso_ClientSecret': KEY_VAULT_SECRET, [`ConnectionReference.${REFS.payments}`]: secretConnection },
    );
    assertNoSecretsVisible(r, [CLIENT_SECRET, KEY_VAULT_SECRET, secretConnection]);
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    const file = r.outputs.DeploymentSettingsFile;
    assert.strictEqual(file, path.join(r.workDirectory, '_temp', 'deploymentsettings.json'), 'OutputFile defaults to $(Agent.TempDirectory)/deploymentsettings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as { EnvironmentVariables: Array<{ SchemaName: string; Value: string }>; ConnectionReferences: Array<{ LogicalName: string; ConnectionId: string }> };
    const connection = (name: string) => settings.ConnectionReferences.find((c) => c.LogicalName === name)?.ConnectionId;
    const value = (name: string) => settings.EnvironmentVariables.find((v) => v.SchemaName === name)?.Value;
    assert.strictEqual(connection(REFS.outlook), 'svc-office365');
    assert.strictEqual(connection(REFS.sharepoint), 'svc-sharepoint');
    assert.strictEqual(connection(REFS.payments), secretConnection);
    assert.strictEqual(value('contoso_ClientSecret'), KEY_VAULT_SECRET);
    assert.strictEqual(value('contoso_ApiBaseUrl'), 'https://api.test.contoso.com/v1', 'the settings file value is kept');
    assert.strictEqual(value('contoso_RetryCount'), '5', 'the variable wins over the settings file');

    const items = new Map(report(r).items.map((i) => [i.id, i]));
    assert.deepStrictEqual([items.get(REFS.outlook)?.source, items.get(REFS.sharepoint)?.source, items.get(REFS.payments)?.source], ['variableByLogicalName', 'variableByConnector', 'variableByLogicalName']);
    assert.deepStrictEqual([items.get('contoso_ClientSecret')?.value, items.get('contoso_ClientSecret')?.source], ['***', 'variableBySchemaName']);
    assert.deepStrictEqual([items.get('contoso_ApiBaseUrl')?.source, items.get('contoso_ApiBaseUrl')?.outcome], ['existingValue', 'unchanged']);
    assert.ok(r.summaries[0].includes('variable Connector.shared_sharepointonline') && r.summaries[0].includes('***'));
    assert.ok(r.stdout.includes('##vso[task.setsecret]'), 'secret values are registered with the agent');
  });

  it('ConnectionOwner picks the owner’s Connected connection for each connector', async () => {
    const output = path.join(work, 'owner.json');
    const r = await run({ SolutionInputFile: zipPath, OutputFile: output, ConnectionOwner: SVC.upn }, { 'EnvironmentVariable.contoso_RetryCount': '1' });
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    const settings = JSON.parse(fs.readFileSync(output, 'utf8')) as { ConnectionReferences: Array<{ LogicalName: string; ConnectionId: string }> };
    assert.deepStrictEqual(
      settings.ConnectionReferences.map((c) => c.ConnectionId),
      ['svc-payments', 'svc-dataverse', 'svc-office365', 'svc-sharepoint'],
      'the Error connection of the owner is passed over',
    );
    assert.ok(report(r).items.filter((i) => i.kind === 'connectionReference').every((i) => i.source === 'connectionOwner'));
    assert.strictEqual(connectionListings().length, 4, 'one paged listing');
  });

  it('ConnectionOwner with two Connected connections of one connector fails naming both, and writes nothing', async () => {
    const output = path.join(work, 'ambiguous.json');
    const r = await run({ SolutionInputFile: zipPath, OutputFile: output, ConnectionOwner: SVC2.objectId }, { 'EnvironmentVariable.contoso_RetryCount': '1' });
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.ok(r.resultMessage?.includes('svc2-office365-a') && r.resultMessage.includes('svc2-office365-b'), r.resultMessage);
    assert.ok(itemErrors(r).some((e) => e.includes(REFS.outlook) && e.includes('ConnectionOwnerHasSeveralConnections')), r.errors.join('\n'));
    assert.strictEqual(itemErrors(r).length, 1, 'only the ambiguous connector fails');
    assert.ok(!fs.existsSync(output));
    assert.strictEqual(r.outputs.DeploymentSettingsFile, undefined);
  });

  it('fails a disconnected connection, a connection of another connector and a non-number Number together, naming all three, with no file', async () => {
    const output = path.join(work, 'invalid.json');
    const r = await run(
      { SolutionInputFile: CONTOSO_UNPACKED, OutputFile: output },
      { ...VALID_VARIABLES, 'Connector.shared_commondataserviceforapps': 'svc-dataverse-broken', 'Connector.shared_sharepointonline': 'svc-office365', 'EnvironmentVariable.contoso_RetryCount': 'three' },
    );
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    for (const expected of ['svc-dataverse-broken', 'is not Connected', "'svc-office365' (from variable Connector.shared_sharepointonline) is a connection to shared_office365", 'shared_sharepointonline', "'three' is not a number", 'contoso_RetryCount']) {
      assert.ok(r.resultMessage?.includes(expected), `${expected} in ${r.resultMessage}`);
    }
    assert.strictEqual(itemErrors(r).length, 3, r.errors.join('\n'));
    assert.ok(itemErrors(r).some((e) => e.includes(REFS.dataverse) && e.includes('ConnectionNotConnected')));
    assert.ok(itemErrors(r).some((e) => e.includes(REFS.sharepoint) && e.includes('ConnectionOfOtherConnector')));
    assert.ok(itemErrors(r).some((e) => e.includes('contoso_RetryCount') && e.includes('InvalidNumber')));
    assert.ok(!fs.existsSync(output), 'nothing written');
    const rep = report(r);
    assert.strictEqual(rep.written, false);
    assert.strictEqual(rep.problems.length, 3);
    assert.deepStrictEqual(rep.items.filter((i) => i.outcome === 'failed').map((i) => i.id).sort(), ['contoso_RetryCount', REFS.dataverse, REFS.sharepoint].sort());
  });

  it('stage run: replaces the maker’s connections, merges environment variables and approves as the service principal', async () => {
    const r = await run(
      { Target: 'StageRun', StageRunId: STAGE_RUN_OK, ConnectionOwner: SVC.upn, UpdateApproval: 'true', SolutionInputFile: zipPath },
      { 'EnvironmentVariable.contoso_RetryCount': '4' },
      { 'EnvironmentVariable.contoso_ClientSecret': KEY_VAULT_SECRET },
    );
    assertNoSecretsVisible(r, [CLIENT_SECRET, KEY_VAULT_SECRET]);
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    const state = stageRun(STAGE_RUN_OK);
    const settings = JSON.parse(state.deploymentsettingsjson) as { EnvironmentVariables: Array<{ SchemaName: string; Value: string }>; ConnectionReferences: Array<{ LogicalName: string; ConnectionId: string }> };
    assert.deepStrictEqual(settings.ConnectionReferences.map((c) => [c.LogicalName, c.ConnectionId]), [
      [REFS.payments, 'svc-payments'],
      [REFS.dataverse, 'svc-dataverse'],
      [REFS.outlook, 'svc-office365'],
      [REFS.sharepoint, 'svc-sharepoint'],
    ]);
    const value = (name: string) => settings.EnvironmentVariables.find((v) => v.SchemaName === name)?.Value;
    assert.strictEqual(value('contoso_ApiBaseUrl'), 'https://api.test.contoso.com/v1', 'the stage run value is kept');
    assert.strictEqual(value('contoso_RetryCount'), '4', 'the variable replaces the stage run value');
    assert.strictEqual(value('contoso_ClientSecret'), KEY_VAULT_SECRET);
    assert.strictEqual(state.approvalStatus, 20);
    assert.strictEqual(state.pendingApproval, false);

    const written = writes().filter((e) => e.api === 'dataverse');
    assert.deepStrictEqual(written.map((e) => `${e.method} ${e.path.replace(/^\/api\/data\/v9\.2\//, '')}`), [`PATCH deploymentstageruns(${STAGE_RUN_OK})`, 'POST UpdateApprovalStatus']);
    assert.ok(written.every((e) => e.caller === APP_OBJECT_ID && !e.callerObjectId && !e.mscrmCallerId), 'as the service principal, never impersonating');
    assert.deepStrictEqual(written[1].body, { StageRunId: STAGE_RUN_OK, ApprovalStatus: 20 });
    assert.strictEqual(typeof (written[0].body as { deploymentsettingsjson: unknown }).deploymentsettingsjson, 'string');
    assert.deepStrictEqual(report(r).approval, { status: 20, sent: true });
  });

  it('stage run with a problem: rejects with the problems as comments and leaves deploymentsettingsjson unchanged', async () => {
    const r = await run(
      { Target: 'StageRun', StageRunId: `{${STAGE_RUN_BAD.toUpperCase()}}`, ConnectionOwner: SVC.upn, UpdateApproval: 'true', SolutionInputFile: zipPath },
      { 'EnvironmentVariable.contoso_RetryCount': 'lots' },
    );
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.ok(r.resultMessage?.includes("'lots' is not a number") && r.resultMessage.includes('rejected'), r.resultMessage);
    const state = stageRun(STAGE_RUN_BAD);
    assert.strictEqual(state.deploymentsettingsjson, makerSettings, 'settings untouched');
    assert.strictEqual(state.approvalStatus, 30);
    assert.ok(state.approvalComments?.includes('contoso_RetryCount') && state.approvalComments.includes("'lots' is not a number"), state.approvalComments);
    assert.ok((state.approvalComments ?? '').length <= 2000);
    const written = writes();
    assert.deepStrictEqual(written.map((e) => `${e.method} ${e.path.replace(/^\/api\/data\/v9\.2\//, '')}`), ['POST UpdateApprovalStatus']);
    assert.strictEqual(written[0].caller, APP_OBJECT_ID);
    assert.strictEqual(written[0].callerObjectId, undefined);
    assert.strictEqual((written[0].body as { ApprovalStatus: number }).ApprovalStatus, 30);
  });

  it('fails malformed SettingsFile JSON with one clear message and no request', async () => {
    const r = await run({ SolutionInputFile: zipPath, SettingsFile: path.join(SETTINGS_FIXTURES, 'malformed-settings.json') }, VALID_VARIABLES);
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /^Input 'SettingsFile' \('.*malformed-settings\.json'\) cannot be used: it is not valid JSON/);
    assert.deepStrictEqual(sim.log, []);
  });

  it('fails a missing solution file with one clear message and no request', async () => {
    const r = await run({ SolutionInputFile: '$(Pipeline.Workspace)/drop/ContosoSettings.zip' }, VALID_VARIABLES);
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /Input 'SolutionInputFile' .* cannot be read as a solution: it does not exist\..*\$\(Pipeline\.Workspace\), a variable that is not set/);
    assert.deepStrictEqual(sim.log, []);
  });

  it('fails an http:// environment URL with one clear message and no request', async () => {
    const r = await run({ SolutionInputFile: zipPath, Environment: sim.url.replace('https:', 'http:') }, VALID_VARIABLES);
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /is not valid: it uses http, and Dataverse is reached over https only/);
    assert.deepStrictEqual(sim.log, []);
  });

  it('Validate false without ConnectionOwner builds the file without contacting the service', async () => {
    const output = path.join(work, 'offline.json');
    const r = await run({ SolutionInputFile: zipPath, OutputFile: output, Validate: 'false' }, { ...VALID_VARIABLES, 'Connector.shared_sharepointonline': 'not-checked' });
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    assert.deepStrictEqual(sim.log, []);
    assert.ok(fs.readFileSync(output, 'utf8').includes('"ConnectionId": "not-checked"'));
  });

  it('warns about a variable that matches nothing, and with FailOnMissingValues false succeeds with issues', async () => {
    const output = path.join(work, 'warnings.json');
    const r = await run(
      { SolutionInputFile: zipPath, OutputFile: output, FailOnMissingValues: 'false' },
      { ...VALID_VARIABLES, [`Connector.${PAYMENTS}`]: '', 'EnvironmentVariable.contoso_RetryCuont': '5', 'EnvironmentVariable.contoso_RetryCount': '' },
    );
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'SucceededWithIssues', describeRun(r));
    assert.ok(r.warnings.some((w) => w.includes("'EnvironmentVariable.contoso_RetryCuont'") && w.includes("Did you mean 'EnvironmentVariable.contoso_RetryCount'")), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => w.includes(REFS.payments) && w.includes('No connection is given')), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => w.includes('contoso_RetryCount') && w.includes('Required')), r.warnings.join('\n'));
    assert.ok(fs.existsSync(output));
  });
});

describe('DataverseDeploymentSettings@1 when the service principal is not a management app', () => {
  let sim: Simulator;
  before(async () => {
    const [app] = baseScenario().apps;
    sim = await startSimulator({ scenario: baseScenario({ apps: [{ ...app, managementApp: false }] }) });
  });
  after(async () => sim?.stop());

  it('fails validation with one message saying how to register it, and writes nothing', async () => {
    const output = path.join(tempDir('settings-unregistered-'), 'deploymentsettings.json');
    const r = await runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionInputFile: CONTOSO_UNPACKED, OutputFile: output, Validate: 'true' },
      endpoint: clientSecretEndpoint(sim),
      variables: simulatorVariables(sim),
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /pac admin application register --application-id [0-9a-f-]{36}/);
    assert.strictEqual(fs.existsSync(output), false);
    assert.deepStrictEqual(sim.log.filter((e) => e.kind === 'write'), []);
  });
});
