import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ENV_ID, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const STAGE_RUN = 'dddddddd-3333-4000-8000-000000000001';
const TARGET = { id: 'eeeeeeee-3333-4000-8000-000000000001', environmentId: 'f0e1d2c3-0000-4000-8000-0000000000aa' };

describe('simulator: deployment environments of the pipelines host', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let dataverseToken: string;
  let adminToken: string;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        ...testScenario(),
        deploymentEnvironments: [{ id: TARGET.id, name: 'Test', environmentId: TARGET.environmentId, connections: [{ name: 'target-office', connector: 'shared_office365', createdBy: SVC.objectId }] }],
        stageRuns: [{ id: STAGE_RUN, deploymentsettingsjson: '{}', targetDeploymentEnvironmentId: TARGET.id }],
      },
    });
    http = simClient(sim);
    dataverseToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
    adminToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, 'https://service.powerapps.com/', http);
  });
  after(async () => {
    await sim.stop();
  });

  const dataverse = (path: string) => http.get(`/api/data/v9.2/${path}`, { headers: { Authorization: `Bearer ${dataverseToken}`, Accept: 'application/json' } });
  const connections = (env: string) =>
    http.get(`/providers/Microsoft.PowerApps/scopes/admin/environments/${env}/connections?api-version=2016-11-01`, { headers: { Authorization: `Bearer ${adminToken}` } });

  it('gives the stage run its target deployment environment, and that row its environment id', async () => {
    const run = await dataverse(`deploymentstageruns(${STAGE_RUN})?$select=_targetdeploymentenvironment_value`);
    assert.strictEqual(run.status, 200);
    assert.strictEqual(run.data._targetdeploymentenvironment_value, TARGET.id);
    const target = await dataverse(`deploymentenvironments(${TARGET.id})?$select=environmentid`);
    assert.strictEqual(target.status, 200);
    assert.strictEqual(target.data.environmentid, TARGET.environmentId);
  });

  it('lists the connections of the target environment by its id, apart from the host', async () => {
    const target = await connections(TARGET.environmentId);
    assert.strictEqual(target.status, 200);
    assert.deepStrictEqual(target.data.value.map((c: { name: string }) => c.name), ['target-office']);
    assert.strictEqual(target.data.value[0].properties.environment.name, TARGET.environmentId);
    const host = await connections(ENV_ID);
    assert.ok(!host.data.value.some((c: { name: string }) => c.name === 'target-office'));
    const unknown = await connections('00000000-0000-4000-8000-000000000000');
    assert.strictEqual(unknown.status, 404);
  });
});
