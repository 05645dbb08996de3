import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { CLIENT_SECRET, SERVICE_CONNECTION_ID, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { BOB, CONNECTIONS, fiveReferences, runBindTask, writeSettingsFile } from '../helpers/bind-scenario';

const API = '/providers/Microsoft.PowerApps/apis/';

function codesOf(run: AgentRunResult): Record<string, string | undefined> {
  assert.ok(run.outputs.ReportFile, describeRun(run));
  const report = JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: Array<{ kind: string; name: string; error?: { code: string } }> };
  return Object.fromEntries(report.items.filter((i) => i.kind === 'connectionReference').map((i) => [i.name, i.error?.code]));
}

describe('the same bad connections give the same codes in every task', function () {
  this.timeout(60_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario: fiveReferences({ connections: [...CONNECTIONS, { name: 'teams-broken', connector: 'shared_teams', createdBy: BOB.objectId, status: 'Error' }] }) });
  });
  after(() => sim?.stop());

  it('DataverseDeploymentSettings@1 and DataverseBindConnectionReferences@1 report a missing, an unknown, a disconnected and a wrong-connector connection alike', async () => {
    // The same reference names and connectors in both tasks; the same variables give the same connections.
    const variables = {
      'ConnectionReference.contoso_sharepoint': 'does-not-exist',
      'ConnectionReference.contoso_sql': 'office-alice',
      'ConnectionReference.contoso_office': 'office-alice',
      'ConnectionReference.contoso_teams': 'teams-broken',
    };
    const settingsFile = writeSettingsFile([
      { LogicalName: 'contoso_dataverse', ConnectionId: '', ConnectorId: `${API}shared_commondataserviceforapps` },
      { LogicalName: 'contoso_office', ConnectionId: '', ConnectorId: `${API}shared_office365` },
      { LogicalName: 'contoso_sharepoint', ConnectionId: '', ConnectorId: `${API}shared_sharepointonline` },
      { LogicalName: 'contoso_sql', ConnectionId: '', ConnectorId: `${API}shared_sql` },
      { LogicalName: 'contoso_teams', ConnectionId: '', ConnectorId: `${API}shared_teams` },
    ]);
    const settingsRun = await runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SettingsFile: settingsFile, OutputFile: path.join(path.dirname(settingsFile), 'out.json'), Validate: 'true' },
      endpoint: clientSecretEndpoint(sim),
      variables: { ...simulatorVariables(sim), ...variables },
      caFile: sim.caFile,
    });
    const bindRun = await runBindTask(sim, { SettingsFile: settingsFile }, variables);
    for (const run of [settingsRun, bindRun]) {
      assertNoSecretsVisible(run, [CLIENT_SECRET]);
      assert.strictEqual(run.result, 'Failed', describeRun(run));
      const items = (JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: Array<Record<string, unknown>> }).items;
      for (const item of items) for (const key of ['kind', 'name', 'id', 'outcome', 'actor', 'error']) assert.ok(key in item, `${String(item.name)} has '${key}'`);
    }
    const expected = {
      contoso_dataverse: 'MissingValue',
      contoso_office: undefined,
      contoso_sharepoint: 'ConnectionNotFound',
      contoso_sql: 'ConnectionOfOtherConnector',
      contoso_teams: 'ConnectionNotConnected',
    };
    assert.deepStrictEqual(codesOf(settingsRun), expected);
    const bindCodes = codesOf(bindRun);
    assert.deepStrictEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, bindCodes[name]])), expected);
  });
});
