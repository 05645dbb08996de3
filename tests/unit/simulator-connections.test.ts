import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Scenario, Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ALICE, BOB, ENV_ID, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const POWERAPPS = 'https://service.powerapps.com/';
const admin = `/providers/Microsoft.PowerApps/scopes/admin/environments/${ENV_ID}`;

interface RoleAssignment {
  name: string;
  id: string;
  type: string;
  properties: { roleName: string; principal: { id: string; type: string; email?: string; tenantId: string } };
}
interface Connection {
  name: string;
  properties: {
    statuses: { status: string; target?: string; error?: { code: string; message: string } }[];
    createdBy: Record<string, unknown>;
    permissions?: RoleAssignment[];
  };
}

function scenario(extra: Partial<Scenario> = {}): Scenario {
  const s = testScenario();
  s.connections.push(
    { name: 'conn-sql-bob', connector: 'shared_sql', createdBy: BOB.objectId, sharedWith: [ALICE.objectId] },
    { name: 'conn-outlook-expired', connector: 'shared_office365', createdBy: ALICE.objectId, status: 'Error' },
    {
      name: 'conn-planner-unauth',
      connector: 'shared_planner',
      createdBy: ALICE.objectId,
      status: 'Unauthenticated',
      statusTarget: 'connection',
      statusError: { code: 'ConnectionNotAuthenticated', message: 'Sign in again.' },
    },
  );
  return { ...s, ...extra };
}

describe('simulator: connection statuses, owners and role assignments (admin API)', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let token: string;

  before(async () => {
    sim = await startSimulator({ scenario: scenario() });
    http = simClient(sim);
    token = await fetchToken(sim, TENANT, SP.appId, SP.secret, POWERAPPS, http);
  });
  after(async () => {
    await sim.stop();
  });

  const get = (path: string, s: Simulator = sim, bearer = token) => http.get(`${s.url}${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
  const list = async (query = ''): Promise<Connection[]> => {
    const r = await get(`${admin}/connections?api-version=2016-11-01${query}`);
    assert.strictEqual(r.status, 200, JSON.stringify(r.data));
    return r.data.value as Connection[];
  };
  const byName = (all: Connection[], name: string) => all.find((c) => c.name === name) as Connection;

  it('reports a status other than Connected with its target and the error object (default: an expired sign-in)', async () => {
    const all = await list();
    const expired = byName(all, 'conn-outlook-expired').properties.statuses;
    assert.strictEqual(expired.length, 1);
    assert.strictEqual(expired[0].status, 'Error');
    assert.strictEqual(expired[0].target, 'token');
    assert.strictEqual(expired[0].error?.code, 'Unauthorized');
    assert.match(expired[0].error?.message ?? '', /^Failed to refresh access token for service: office365\..*expired/);
    assert.deepStrictEqual(byName(all, 'conn-planner-unauth').properties.statuses, [
      { status: 'Unauthenticated', target: 'connection', error: { code: 'ConnectionNotAuthenticated', message: 'Sign in again.' } },
    ]);
    assert.deepStrictEqual(byName(all, 'conn-office365').properties.statuses, [{ status: 'Connected' }]);
  });

  it('lists a connection whose owner is a disabled user with that owner in createdBy', async () => {
    const bob = byName(await list(), 'conn-sql-bob');
    assert.strictEqual(bob.properties.createdBy.id, BOB.objectId);
    assert.strictEqual(bob.properties.createdBy.userPrincipalName, BOB.upn);
    assert.strictEqual(bob.properties.createdBy.type, 'User');
  });

  it('leaves permissions out unless they are expanded', async () => {
    assert.ok((await list()).every((c) => c.properties.permissions === undefined));
  });

  it('$expand=permissions gives every role assignment: the owner and each share', async () => {
    const all = await list('&$expand=permissions');
    const dv = byName(all, 'conn-dataverse').properties.permissions ?? [];
    assert.deepStrictEqual(
      dv.map((p) => [p.properties.principal.id, p.properties.roleName, p.properties.principal.type]),
      [
        [SVC.objectId, 'Owner', 'User'],
        [SP.objectId, 'CanView', 'ServicePrincipal'],
      ],
    );
    assert.strictEqual(dv[1].id, `/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps/connections/conn-dataverse/permissions/${SP.objectId}`);
    assert.strictEqual(dv[1].type, 'Microsoft.PowerApps/apis/connections/permissions');
    assert.strictEqual(dv[0].properties.principal.email, SVC.upn);
    assert.strictEqual(dv[0].properties.principal.tenantId, TENANT);
  });

  it("$expand=permissions($filter=maxAssignedTo('<object id>')) keeps only that principal's assignment", async () => {
    const all = await list(`&$expand=${encodeURIComponent(`permissions($filter=maxAssignedTo('${SP.objectId}'))`)}`);
    assert.deepStrictEqual(byName(all, 'conn-dataverse').properties.permissions?.map((p) => p.properties.roleName), ['CanView']);
    assert.deepStrictEqual(byName(all, 'conn-office365').properties.permissions, []);
    const asOwner = await list(`&$expand=${encodeURIComponent(`permissions($filter=maxAssignedTo('${ALICE.objectId}'))`)}`);
    assert.deepStrictEqual(byName(asOwner, 'conn-sharepoint-alice').properties.permissions?.map((p) => p.properties.roleName), ['Owner']);
    assert.deepStrictEqual(byName(asOwner, 'conn-sql-bob').properties.permissions?.map((p) => p.properties.roleName), ['CanView']);
  });

  it('answers one connection, and its role assignments on the permissions route', async () => {
    const one = await get(`${admin}/apis/shared_sql/connections/conn-sql-bob?api-version=2016-11-01&$expand=permissions`);
    assert.strictEqual(one.status, 200);
    assert.strictEqual(one.data.name, 'conn-sql-bob');
    assert.strictEqual(one.data.properties.permissions.length, 2);
    const perms = await get(`${admin}/apis/shared_sql/connections/conn-sql-bob/permissions?api-version=2017-06-01`);
    assert.strictEqual(perms.status, 200);
    assert.deepStrictEqual(
      (perms.data.value as RoleAssignment[]).map((p) => [p.name, p.properties.roleName]),
      [
        [BOB.objectId, 'Owner'],
        [ALICE.objectId, 'CanView'],
      ],
    );
    const filtered = await get(`${admin}/apis/shared_sql/connections/conn-sql-bob/permissions?api-version=2017-06-01&$filter=${encodeURIComponent(`maxAssignedTo('${SP.objectId}')`)}`);
    assert.deepStrictEqual(filtered.data.value, []);
    assert.ok(sim.log.filter((e) => e.api === 'admin').every((e) => e.kind === 'read'));
  });

  it('answers 404 ConnectionNotFound for a connection that is missing or of another connector', async () => {
    const missing = await get(`${admin}/apis/shared_sql/connections/nope/permissions?api-version=2017-06-01`);
    assert.strictEqual(missing.status, 404);
    assert.deepStrictEqual(missing.data, { error: { code: 'ConnectionNotFound', message: "Could not find connection 'nope' for API 'shared_sql'." } });
    const other = await get(`${admin}/apis/shared_office365/connections/conn-sql-bob?api-version=2016-11-01`);
    assert.strictEqual(other.status, 404);
    assert.strictEqual(other.data.error.code, 'ConnectionNotFound');
  });

  it('leaves out createdBy.userPrincipalName and email with adminCreatedByIdOnly', async () => {
    const s = await startSimulator({ scenario: scenario({ adminCreatedByIdOnly: true }) });
    try {
      const t = await fetchToken(s, TENANT, SP.appId, SP.secret, POWERAPPS, simClient(s));
      const r = await simClient(s).get(`${admin}/connections?api-version=2016-11-01`, { headers: { Authorization: `Bearer ${t}` } });
      const createdBy = byName(r.data.value as Connection[], 'conn-office365').properties.createdBy;
      assert.strictEqual(createdBy.id, SVC.objectId);
      assert.strictEqual(createdBy.userPrincipalName, undefined);
      assert.strictEqual(createdBy.email, undefined);
    } finally {
      await s.stop();
    }
  });
});
