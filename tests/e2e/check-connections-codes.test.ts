import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { ALICE, API, connection, runCheck, solutionFiles, writeSettings, writeSolutionZip } from '../helpers/check-scenario';

function codesOf(run: AgentRunResult): Record<string, string | undefined> {
  assert.ok(run.outputs.ReportFile, describeRun(run));
  const report = JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: Array<{ kind: string; name: string; error?: { code: string } | null }> };
  return Object.fromEntries(report.items.filter((i) => i.kind === 'connectionReference').map((i) => [i.name, i.error?.code]));
}

describe('DataverseCheckConnections and DataverseDeploymentSettings give the same code for the same problem', function () {
  this.timeout(60_000);
  let sim: Simulator;
  before(async () => {
    const base = baseScenario();
    sim = await startSimulator({
      scenario: baseScenario({
        users: [...base.users, ALICE],
        connections: [
          connection('office-ok', 'shared_office365', ALICE.objectId, { sharedWith: [APP_OBJECT_ID] }),
          connection('onedrive-expired', 'shared_onedriveforbusiness', ALICE.objectId, { status: 'Error', sharedWith: [APP_OBJECT_ID] }),
        ],
      }),
    });
  });
  after(() => sim?.stop());

  it('a missing, an unknown, a wrong-connector and a signed-out connection of a solution file not yet imported', async () => {
    const solution = writeSolutionZip(
      solutionFiles(
        'ContosoCodes',
        [
          { logicalName: 'contoso_ok', connector: 'shared_office365' },
          { logicalName: 'contoso_unbound', connector: 'shared_sql' },
          { logicalName: 'contoso_gone', connector: 'shared_sharepointonline' },
          { logicalName: 'contoso_wrong', connector: 'shared_teams' },
          { logicalName: 'contoso_expired', connector: 'shared_onedriveforbusiness' },
        ],
        [],
      ),
    );
    const settingsFile = writeSettings([{ LogicalName: 'contoso_wrong', ConnectionId: 'office-ok', ConnectorId: `${API}shared_teams` }]);
    const variables = {
      'ConnectionReference.contoso_ok': 'office-ok',
      'ConnectionReference.contoso_gone': 'does-not-exist',
      'Connector.shared_onedriveforbusiness': 'onedrive-expired',
    };
    const settingsRun = await runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionInputFile: solution, SettingsFile: settingsFile, OutputFile: path.join(path.dirname(settingsFile), 'out.json'), Validate: 'true' },
      endpoint: clientSecretEndpoint(sim),
      variables: { ...simulatorVariables(sim), ...variables },
      caFile: sim.caFile,
    });
    const checkRun = await runCheck(sim, { SolutionInputFile: solution, SettingsFile: settingsFile, Impersonation: 'None' }, { variables });
    for (const run of [settingsRun, checkRun]) {
      assertNoSecretsVisible(run, [CLIENT_SECRET]);
      assert.strictEqual(run.result, 'Failed', describeRun(run));
    }
    const expected = {
      contoso_expired: 'ConnectionNotConnected',
      contoso_gone: 'ConnectionNotFound',
      contoso_ok: undefined,
      contoso_unbound: 'MissingValue',
      contoso_wrong: 'ConnectionOfOtherConnector',
    };
    assert.deepStrictEqual(codesOf(settingsRun), expected);
    assert.deepStrictEqual(codesOf(checkRun), expected);
  });
});
