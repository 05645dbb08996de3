import * as assert from 'assert';
import * as fs from 'fs';
import { ConfidentialClientApplication, ManagedIdentityApplication, ServerError } from '@azure/msal-node';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, msalNetworkClient, simClient } from '../simulator/testing';
import { APP2, JOB_TOKEN, MI, SERVICE_CONNECTION, SP, TENANT, WIF, testScenario } from '../simulator/test-scenario';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('simulator: Entra ID, OIDC and managed identity', () => {
  let sim: Simulator;
  let http: AxiosInstance;

  before(async () => {
    sim = await startSimulator({ scenario: testScenario() });
    http = simClient(sim);
  });
  after(async () => {
    await sim.stop();
  });

  function cca(auth: { clientSecret?: string; clientAssertion?: string }, clientId = SP.appId): ConfidentialClientApplication {
    const host = new URL(sim.url).host;
    return new ConfidentialClientApplication({
      auth: { clientId, authority: `${sim.url}/${TENANT}`, knownAuthorities: [host], ...auth },
      system: { networkClient: msalNetworkClient(sim.caFile) },
    });
  }

  it('starts fast and writes the CA file', async () => {
    const t = Date.now();
    const s = await startSimulator({ scenario: testScenario() });
    const elapsed = Date.now() - t;
    assert.ok(fs.readFileSync(s.caFile, 'utf8').includes('BEGIN CERTIFICATE'));
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    await s.stop();
    assert.ok(elapsed < 1000, `start-up took ${elapsed} ms`);
  });

  it('msal-node ConfidentialClientApplication gets a token with a client secret', async () => {
    const r = await cca({ clientSecret: SP.secret }).acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`] });
    assert.ok(r?.accessToken);
    const c = claimsOf(r.accessToken);
    assert.strictEqual(c.aud, sim.url);
    assert.strictEqual(c.oid, SP.objectId);
    assert.strictEqual(c.tid, TENANT);
    assert.strictEqual(c.appid, SP.appId);
    assert.ok(typeof c.exp === 'number' && typeof c.iat === 'number' && typeof c.nbf === 'number');
    const tokenCall = sim.log.find((e) => e.api === 'token' && e.method === 'POST');
    assert.ok(tokenCall);
    assert.strictEqual(tokenCall.kind, 'read');
    assert.strictEqual(tokenCall.caller, SP.objectId);
    assert.strictEqual(tokenCall.body, undefined, 'token request bodies (secrets) are not logged');
  });

  it('msal-node surfaces AADSTS7000215 for a wrong secret (401 invalid_client)', async () => {
    await assert.rejects(
      cca({ clientSecret: 'wrong' }).acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`] }),
      (e: unknown) => e instanceof ServerError && e.errorCode === 'invalid_client' && /AADSTS7000215/.test(e.errorMessage),
    );
    const r = await http.post(`/${TENANT}/oauth2/v2.0/token?client-request-id=x`, new URLSearchParams({
      grant_type: 'client_credentials', client_id: APP2.appId, client_secret: 'nope', scope: `${sim.url}/.default`,
    }).toString());
    assert.strictEqual(r.status, 401);
    assert.strictEqual(r.data.error, 'invalid_client');
    assert.deepStrictEqual(r.data.error_codes, [7000215]);
    assert.ok(r.data.error_description.startsWith(
      `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${APP2.appId}'.\r\nTrace ID: `,
    ));
    assert.match(r.data.error_description, /\r\nCorrelation ID: .+\r\nTimestamp: /);
    assert.strictEqual(r.data.error_uri, 'https://login.microsoftonline.com/error?code=7000215');
    assert.ok(r.data.trace_id && r.data.correlation_id && r.data.timestamp);
  });

  it('answers AADSTS700016 for an unknown application (400 unauthorized_client)', async () => {
    const unknown = '99999999-0000-4000-8000-000000000009';
    await assert.rejects(
      cca({ clientSecret: 'x' }, unknown).acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`] }),
      (e: unknown) => e instanceof ServerError && e.errorCode === 'unauthorized_client',
    );
    const r = await http.post(`/${TENANT}/oauth2/v2.0/token`, new URLSearchParams({
      grant_type: 'client_credentials', client_id: unknown, client_secret: 'x', scope: `${sim.url}/.default`,
    }).toString());
    assert.strictEqual(r.status, 400);
    assert.strictEqual(r.data.error, 'unauthorized_client');
    assert.deepStrictEqual(r.data.error_codes, [700016]);
    assert.ok(r.data.error_description.startsWith(
      `AADSTS700016: Application with identifier '${unknown}' was not found in the directory '${TENANT}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ));
  });

  it('answers AADSTS90002 for an unknown tenant and AADSTS70011 for a bad scope', async () => {
    const form = (scope: string) => new URLSearchParams({ grant_type: 'client_credentials', client_id: SP.appId, client_secret: SP.secret, scope }).toString();
    const t = await http.post('/00000000-0000-0000-0000-00000000dead/oauth2/v2.0/token', form(`${sim.url}/.default`));
    assert.strictEqual(t.status, 400);
    assert.deepStrictEqual(t.data.error_codes, [90002]);
    const s = await http.post(`/${TENANT}/oauth2/v2.0/token`, form(`${sim.url}/.default https://service.powerapps.com/.default`));
    assert.strictEqual(s.status, 400);
    assert.strictEqual(s.data.error, 'invalid_scope');
    assert.deepStrictEqual(s.data.error_codes, [70011]);
    const u = await http.post(`/${TENANT}/oauth2/v2.0/token`, form(`${sim.url}/user_impersonation`));
    assert.strictEqual(u.data.error, 'invalid_scope');
  });

  it('serves OpenID configuration and instance discovery for the simulator host', async () => {
    const c = await http.get(`/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.strictEqual(c.status, 200);
    assert.strictEqual(c.data.issuer, `${sim.url}/${TENANT}/v2.0`);
    assert.strictEqual(c.data.token_endpoint, `${sim.url}/${TENANT}/oauth2/v2.0/token`);
    assert.ok(c.data.authorization_endpoint && c.data.jwks_uri);
    const d = await http.get('/common/discovery/instance?api-version=1.1&authorization_endpoint=x');
    const host = new URL(sim.url).host;
    assert.deepStrictEqual(d.data.metadata[0].aliases, [host]);
    assert.strictEqual(d.data.metadata[0].preferred_network, host);
  });

  it('issues an Azure DevOps OIDC token that the token endpoint accepts as a client assertion (msal-node)', async () => {
    const oidcPath = `/contoso/6a1b/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken?serviceConnectionId=${SERVICE_CONNECTION}&api-version=7.1-preview.1`;
    const denied = await http.post(oidcPath, '{}', { headers: { Authorization: 'Bearer wrong', 'Content-Type': 'application/json' } });
    assert.strictEqual(denied.status, 401);
    const r = await http.post(oidcPath, '{}', { headers: { Authorization: `Bearer ${JOB_TOKEN}`, 'Content-Type': 'application/json' } });
    assert.strictEqual(r.status, 200);
    const assertion = r.data.oidcToken as string;
    const c = claimsOf(assertion);
    assert.strictEqual(c.sub, `sc://contoso/Deploy/${SERVICE_CONNECTION}`);
    assert.strictEqual(c.aud, 'api://AzureADTokenExchange');
    assert.match(String(c.iss), /^https:\/\/vstoken\.dev\.azure\.com\/[0-9a-f-]{36}$/);
    assert.strictEqual(sim.log.find((e) => e.api === 'oidc' && e.status === 200)?.kind, 'read');

    const result = await cca({ clientAssertion: assertion }, WIF.appId).acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`] });
    assert.strictEqual(claimsOf(result?.accessToken ?? '').oid, WIF.objectId);

    const wrongApp = await http.post(`/${TENANT}/oauth2/v2.0/token`, new URLSearchParams({
      grant_type: 'client_credentials', client_id: SP.appId, scope: `${sim.url}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    }).toString());
    assert.strictEqual(wrongApp.status, 400);
    assert.deepStrictEqual(wrongApp.data.error_codes, [700213]);
  });

  it('msal-node ManagedIdentityApplication gets a token from the IMDS endpoint (AZURE_POD_IDENTITY_AUTHORITY_HOST)', async () => {
    const noHeader = await http.get(`/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(sim.url)}`);
    assert.strictEqual(noHeader.status, 400);
    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = sim.url;
    try {
      const mia = new ManagedIdentityApplication({ system: { networkClient: msalNetworkClient(sim.caFile) } });
      const r = await mia.acquireToken({ resource: sim.url });
      const c = claimsOf(r.accessToken);
      assert.strictEqual(c.oid, MI.objectId);
      assert.strictEqual(c.aud, sim.url);
      const call = sim.log.filter((e) => e.api === 'imds').pop();
      assert.ok(call);
      assert.strictEqual(call.status, 200);
      assert.match(call.query, /api-version=2018-02-01/);
      const who = await http.get('/api/data/v9.2/WhoAmI', { headers: { Authorization: `Bearer ${r.accessToken}` } });
      assert.strictEqual(who.status, 200);
    } finally {
      if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
    }
  });

  it('rejects an expired token on Dataverse with 401 and WWW-Authenticate invalid_token', async () => {
    const s = await startSimulator({ scenario: { ...testScenario(), tokenLifetimeSeconds: 1 } });
    try {
      const client = simClient(s);
      const token = await fetchToken(s, TENANT, SP.appId, SP.secret, s.url, client);
      const before = await client.get('/api/data/v9.2/WhoAmI', { headers: { Authorization: `Bearer ${token}` } });
      assert.strictEqual(before.status, 200);
      await new Promise((r) => setTimeout(r, 1100));
      const r = await client.get('/api/data/v9.2/WhoAmI', { headers: { Authorization: `Bearer ${token}` } });
      assert.strictEqual(r.status, 401);
      assert.strictEqual(r.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="The access token is expired."');
      assert.strictEqual(r.data.error.code, '0x80048306');
      assert.strictEqual(r.data.error.message, 'The access token is expired.');
    } finally {
      await s.stop();
    }
  });

  it('rejects a token for another audience and a missing token on Dataverse', async () => {
    const adminToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, 'https://service.powerapps.com/', http);
    assert.strictEqual(claimsOf(adminToken).aud, 'https://service.powerapps.com');
    const r = await http.get('/api/data/v9.2/WhoAmI', { headers: { Authorization: `Bearer ${adminToken}` } });
    assert.strictEqual(r.status, 401);
    const none = await http.get('/api/data/v9.2/WhoAmI');
    assert.strictEqual(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer authorization_uri=/);
  });
});
