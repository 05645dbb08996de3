import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Scenario, Simulator, startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { tempDir } from '../helpers/deployment-settings';

const API = '/providers/Microsoft.PowerApps/apis/';
const SVC = { objectId: 'aaaaaaaa-2222-4000-8000-000000000001', upn: 'svc-deploy@contoso.com', fullName: 'Deployment service' };
const STAGE_RUN = 'dddddddd-2222-4000-8000-000000000001';
const TARGET = { id: 'eeeeeeee-2222-4000-8000-000000000001', environmentId: 'f0e1d2c3-0000-4000-8000-00000000e2e7' };

const emptyReferences = JSON.stringify({
  EnvironmentVariables: [],
  ConnectionReferences: [
    { LogicalName: 'contoso_office', ConnectionId: '', ConnectorId: `${API}shared_office365` },
    { LogicalName: 'contoso_sql', ConnectionId: '', ConnectorId: `${API}shared_sql` },
  ],
});

/** The pipelines host holds the stage run; the stage deploys to another environment with its own connections. */
function pipelinesHost(overrides: Partial<Scenario> = {}): Scenario {
  return baseScenario({
    users: [...baseScenario().users, SVC],
    connections: [
      { name: 'host-office', connector: 'shared_office365', createdBy: SVC.objectId },
      { name: 'host-sql', connector: 'shared_sql', createdBy: SVC.objectId },
    ],
    deploymentEnvironments: [
      {
        id: TARGET.id,
        name: 'Test',
        environmentId: TARGET.environmentId,
        connections: [
          { name: 'target-office', connector: 'shared_office365', createdBy: SVC.objectId },
          { name: 'target-sql', connector: 'shared_sql', createdBy: SVC.objectId },
        ],
      },
    ],
    stageRuns: [{ id: STAGE_RUN, deploymentsettingsjson: emptyReferences, targetDeploymentEnvironmentId: TARGET.id }],
    ...overrides,
  });
}

describe('DataverseDeploymentSettings@1: connections of the stage target, UPN owners and connector/id values', function () {
  let sim: Simulator | undefined;
  let work: string;
  beforeEach(() => {
    work = tempDir('settings-target-');
  });
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function run(scenario: Scenario, inputs: Record<string, string>, variables: Record<string, string> = {}): Promise<AgentRunResult> {
    sim = await startSimulator({ scenario });
    const result = await runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
      endpoint: clientSecretEndpoint(sim),
      variables: { ...simulatorVariables(sim), ...variables },
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(result, [CLIENT_SECRET]);
    return result;
  }

  const listings = (s: Simulator) => s.log.filter((e) => e.api === 'admin' && /\/connections$/.test(e.path)).map((e) => decodeURIComponent(e.path));
  const stageRunSettings = (s: Simulator) =>
    JSON.parse(s.state.snapshot().stageRuns.find((r) => r.id === STAGE_RUN)!.deploymentsettingsjson) as { ConnectionReferences: Array<{ LogicalName: string; ConnectionId: string }> };

  it('validates a stage run against the connections of its target environment, not the pipelines host', async () => {
    const r = await run(pipelinesHost(), { Target: 'StageRun', StageRunId: STAGE_RUN }, { 'ConnectionReference.contoso_office': 'target-office', 'Connector.shared_sql': 'shared_sql/target-sql' });
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    const s = sim!;
    assert.deepStrictEqual(listings(s).map((p) => p.includes(`/environments/${TARGET.environmentId}/`)), [true], 'one listing, of the target');
    assert.deepStrictEqual(
      stageRunSettings(s).ConnectionReferences.map((c) => [c.LogicalName, c.ConnectionId]),
      [
        ['contoso_office', 'target-office'],
        ['contoso_sql', 'target-sql'],
      ],
      'the connector/id value is written as the id',
    );
    assert.ok(s.log.some((e) => e.api === 'dataverse' && /deploymentenvironments\(/.test(e.path)), 'the target is read in the host');
  });

  it('refuses a connection of the pipelines host that the target environment does not have, and leaves the stage run alone', async () => {
    const r = await run(pipelinesHost(), { Target: 'StageRun', StageRunId: STAGE_RUN }, { 'ConnectionReference.contoso_office': 'host-office', 'Connector.shared_sql': 'target-sql' });
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /host-office/);
    assert.match(r.resultMessage ?? '', /ConnectionNotFound|not found|does not exist/i);
    assert.strictEqual(sim!.state.snapshot().stageRuns[0].deploymentsettingsjson, emptyReferences);
  });

  it('finds the connections of a UPN ConnectionOwner when the listing gives only createdBy.id', async () => {
    const settingsFile = path.join(work, 'in.json');
    fs.writeFileSync(settingsFile, emptyReferences);
    const output = path.join(work, 'out.json');
    const r = await run(pipelinesHost({ adminCreatedByIdOnly: true }), { SettingsFile: settingsFile, OutputFile: output, ConnectionOwner: SVC.upn });
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    const written = JSON.parse(fs.readFileSync(output, 'utf8')) as { ConnectionReferences: Array<{ LogicalName: string; ConnectionId: string }> };
    assert.deepStrictEqual(
      written.ConnectionReferences.map((c) => [c.LogicalName, c.ConnectionId]),
      [
        ['contoso_office', 'host-office'],
        ['contoso_sql', 'host-sql'],
      ],
    );
  });
});
