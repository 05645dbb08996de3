import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { APP2, ENV_ID, ORG_ID, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const POWERAPPS = 'https://service.powerapps.com/';

describe('simulator: Power Apps admin API and BAP', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let adminToken: string;

  before(async () => {
    sim = await startSimulator({ scenario: { ...testScenario(), adminPageSize: 3 } });
    http = simClient(sim);
    adminToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, POWERAPPS, http);
  });
  after(async () => {
    await sim.stop();
  });

  const connectionsPath = (env = ENV_ID) => `/providers/Microsoft.PowerApps/scopes/admin/environments/${env}/connections?api-version=2016-11-01`;

  it('lists connections in pages linked by a top-level nextLink', async () => {
    const all: Record<string, unknown>[] = [];
    let url: string | undefined = `${sim.url}${connectionsPath()}`;
    let pages = 0;
    while (url) {
      const r: { status: number; data: { value: Record<string, unknown>[]; nextLink?: string } } = await http.get(url, { headers: { Authorization: `Bearer ${adminToken}` } });
      assert.strictEqual(r.status, 200);
      assert.strictEqual((r.data as Record<string, unknown>)['@odata.nextLink'], undefined);
      all.push(...r.data.value);
      url = r.data.nextLink;
      pages++;
    }
    assert.strictEqual(pages, 2);
    assert.strictEqual(all.length, 4);
    const o365 = all.find((c) => c.name === 'conn-office365') as { id: string; properties: Record<string, unknown> & { createdBy: Record<string, unknown>; statuses: unknown[]; environment: { name: string } } };
    assert.strictEqual(o365.properties.apiId, '/providers/Microsoft.PowerApps/apis/shared_office365');
    assert.match(o365.id, /\/apis\/shared_office365\/connections\/conn-office365$/);
    assert.deepStrictEqual(o365.properties.statuses, [{ status: 'Connected' }]);
    assert.strictEqual(o365.properties.createdBy.id, SVC.objectId);
    assert.strictEqual(o365.properties.createdBy.userPrincipalName, SVC.upn);
    assert.strictEqual(o365.properties.createdBy.type, 'User');
    assert.strictEqual(o365.properties.environment.name, ENV_ID);
    const teams = all.find((c) => c.name === 'conn-teams') as { properties: { statuses: { status: string; target?: string }[] } };
    assert.strictEqual(teams.properties.statuses[0].status, 'Error');
    assert.strictEqual(teams.properties.statuses[0].target, 'token');
    const log = sim.log.filter((e) => e.api === 'admin');
    assert.ok(log.every((e) => e.caller === SP.objectId && e.kind === 'read'));
  });

  it('filters by connector with /apis/{api}/connections', async () => {
    const r = await http.get(`/providers/Microsoft.PowerApps/scopes/admin/environments/${ENV_ID}/apis/shared_office365/connections?api-version=2016-11-01`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    assert.deepStrictEqual(r.data.value.map((c: { name: string }) => c.name), ['conn-office365']);
  });

  it('answers 403 for an app that is not a registered management app', async () => {
    const t = await fetchToken(sim, TENANT, APP2.appId, APP2.secret, POWERAPPS, http);
    const r = await http.get(connectionsPath(), { headers: { Authorization: `Bearer ${t}` } });
    assert.strictEqual(r.status, 403);
    assert.strictEqual(r.data.error.code, 'Forbidden');
    assert.match(
      r.data.error.message,
      new RegExp(`^The service principal with id '${APP2.objectId}' for application ${APP2.appId} does not have permission to access the path 'https://[^']+/providers/Microsoft\\.PowerApps/scopes/admin/environments/${ENV_ID}/connections\\?api-version=2016-11-01' in tenant ${TENANT}\\.$`),
    );
    const bap = await http.get('/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01', { headers: { Authorization: `Bearer ${t}` } });
    assert.deepStrictEqual(bap.data.value, []);
  });

  it('answers 404 EnvironmentNotFound for an unknown environment, e.g. the organization id', async () => {
    const r = await http.get(connectionsPath(ORG_ID), { headers: { Authorization: `Bearer ${adminToken}` } });
    assert.strictEqual(r.status, 404);
    assert.deepStrictEqual(r.data, { error: { code: 'EnvironmentNotFound', message: `The environment '${ORG_ID}' could not be found in the tenant.`, detailUrlType: 'NotSpecified' } });
  });

  it('requires the https://service.powerapps.com audience', async () => {
    const dvToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
    const r = await http.get(connectionsPath(), { headers: { Authorization: `Bearer ${dvToken}` } });
    assert.strictEqual(r.status, 401);
  });

  it('lists BAP environments with linkedEnvironmentMetadata', async () => {
    const r = await http.get('/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01', { headers: { Authorization: `Bearer ${adminToken}` } });
    assert.strictEqual(r.status, 200);
    const env = r.data.value[0];
    assert.strictEqual(env.name, ENV_ID);
    assert.strictEqual(env.properties.displayName, 'Contoso Test');
    assert.strictEqual(env.properties.linkedEnvironmentMetadata.instanceUrl, `${sim.url}/`);
    assert.strictEqual(env.properties.linkedEnvironmentMetadata.resourceId, ORG_ID);
    assert.ok(env.properties.linkedEnvironmentMetadata.instanceApiUrl);
    assert.ok(env.properties.linkedEnvironmentMetadata.uniqueName);
    assert.strictEqual(sim.log[sim.log.length - 1].api, 'bap');
  });

  it('runs from the CLI, prints {url, caFile} and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
    const file = path.join(dir, 'scenario.json');
    fs.writeFileSync(file, JSON.stringify(testScenario()));
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'simulator', 'cli.js'), '--scenario', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const info = JSON.parse(line) as { url: string; caFile: string };
      assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const client = simClient(info);
      const st = await client.get('/_sim/state');
      assert.strictEqual(st.data.environmentId, ENV_ID);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.strictEqual(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
