import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator } from '../simulator';
import { HttpClient, RequestEvent } from '../../tasks/common/http-client';
import { TokenProvider } from '../../tasks/common/auth';
import { DataverseClient } from '../../tasks/common/dataverse';
import { cloudEndpoints } from '../../tasks/common/cloud';
import { PlatformError } from '../../tasks/common/errors';
import { APP_ID, APP_OBJECT_ID, baseScenario, CLIENT_SECRET, TENANT_ID } from '../helpers/base-scenario';

const OWNER = { objectId: 'a1a1a1a1-0000-4000-8000-000000000001', upn: 'owner@contoso.com', fullName: 'Owner One' };

describe('HTTP client and Dataverse client against the simulator', function () {
  let sim: Simulator;
  let http: HttpClient;
  let dataverse: DataverseClient;
  let tokens: TokenProvider;
  let events: RequestEvent[];
  const secrets: string[] = [];

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        users: [...baseScenario().users, OWNER, ...Array.from({ length: 7 }, (_, i) => ({ objectId: `b0000000-0000-4000-8000-00000000000${i}`, upn: `user${i}@contoso.com` }))],
        solutions: [{ uniqueName: 'Core' }],
        connectionReferences: Array.from({ length: 5 }, (_, i) => ({ logicalName: `cr_ref${i}`, connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365', solution: 'Core' })),
      }),
    });
  });
  after(async () => sim?.stop());

  beforeEach(() => {
    sim.clearLog();
    events = [];
    http = new HttpClient({
      network: { rejectUnauthorized: true, extraCa: [fs.readFileSync(sim.caFile, 'utf8')] },
      retry: { baseDelayMs: 20 },
      onEvent: (event) => events.push(event),
    });
    tokens = new TokenProvider(
      { scheme: 'ClientSecret', tenantId: TENANT_ID, clientId: APP_ID, clientSecret: CLIENT_SECRET },
      cloudEndpoints('127.0.0.1', { authorityHost: sim.url, powerAppsApiUrl: sim.url, bapApiUrl: sim.url }),
      http,
      (secret) => secrets.push(secret),
      (resource, reason) => `token for ${resource}: ${reason}`,
    );
    dataverse = new DataverseClient(http, sim.url, tokens.source(sim.url), 2);
  });
  afterEach(() => http.close());

  it('gets a token through msal-node over https and registers it as a secret', async () => {
    const whoAmI = await dataverse.whoAmI();
    assert.ok(whoAmI.UserId);
    assert.ok(secrets.some((s) => s.split('.').length === 3), 'the access token was handed to setSecret');
    const dataverseCall = sim.log.find((entry) => entry.path.endsWith('/WhoAmI'));
    assert.strictEqual(dataverseCall?.caller, APP_OBJECT_ID);
  });

  it('impersonates with CallerObjectId', async () => {
    const [owner] = await dataverse.getAll<{ systemuserid: string }>(`systemusers?$select=systemuserid&$filter=azureactivedirectoryobjectid eq ${OWNER.objectId}`);
    const whoAmI = await dataverse.whoAmI({ callerObjectId: OWNER.objectId });
    assert.strictEqual(whoAmI.UserId, owner.systemuserid);
    const entry = sim.log.filter((e) => e.path.endsWith('/WhoAmI')).pop();
    assert.strictEqual(entry?.callerObjectId, OWNER.objectId);
    assert.strictEqual(entry?.effectiveUser, OWNER.objectId);
  });

  it('follows @odata.nextLink until the last page', async () => {
    const users = await dataverse.getAll<{ systemuserid: string }>('systemusers?$select=systemuserid');
    assert.strictEqual(users.length, 10);
    const pages = sim.log.filter((entry) => entry.path.endsWith('/systemusers'));
    assert.strictEqual(pages.length, 5, 'page size 2 over 10 users');
  });

  it('pages FetchXML results with the paging cookie', async () => {
    const xml =
      '<fetch><entity name="connectionreference"><attribute name="connectionreferencelogicalname"/>' +
      '<link-entity name="solutioncomponent" from="objectid" to="connectionreferenceid"><link-entity name="solution" from="solutionid" to="solutionid">' +
      '<filter><condition attribute="uniquename" operator="eq" value="Core"/></filter></link-entity></link-entity></entity></fetch>';
    const rows = await dataverse.fetchAll<{ connectionreferencelogicalname: string }>('connectionreferences', xml);
    assert.deepStrictEqual(rows.map((r) => r.connectionreferencelogicalname).sort(), ['cr_ref0', 'cr_ref1', 'cr_ref2', 'cr_ref3', 'cr_ref4']);
    assert.strictEqual(sim.log.filter((entry) => entry.path.endsWith('/connectionreferences')).length, 3);
  });

  it('waits for Retry-After after a 429 and holds other requests back meanwhile', async () => {
    await dataverse.whoAmI();
    sim.clearLog();
    sim.addFault({ api: 'dataverse', nth: 1, kind: '429', retryAfterSeconds: 1 });
    const first = dataverse.whoAmI();
    // These start while the first waits out its Retry-After: they must wait too.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all([first, dataverse.whoAmI(), dataverse.whoAmI()]);
    const throttled = sim.log.find((entry) => entry.status === 429);
    assert.ok(throttled, 'the fault fired');
    const later = sim.log.filter((entry) => entry.seq > throttled.seq);
    assert.strictEqual(later.length, 3);
    for (const entry of later) assert.ok(entry.start >= throttled.end + 1000 - 5, `request ${entry.seq} started ${entry.start - throttled.end} ms after the 429`);
    assert.ok(events.some((event) => event.status === 429 && event.retryInMs === 1000));
  });

  it('retries 503 with backoff and gives up with the platform error after the last attempt', async () => {
    sim.addFault({ api: 'dataverse', pathIncludes: 'WhoAmI', nth: 1, times: 2, kind: '503' });
    await dataverse.whoAmI();
    assert.deepStrictEqual(sim.log.filter((e) => e.path.endsWith('/WhoAmI')).map((e) => e.status), [503, 503, 200]);

    sim.clearLog();
    sim.addFault({ api: 'dataverse', pathIncludes: 'RetrieveCurrentOrganization', nth: 1, times: -1, kind: '503' });
    await assert.rejects(dataverse.currentOrganization(), (error: unknown) => error instanceof PlatformError && error.status === 503);
    assert.strictEqual(sim.log.filter((e) => e.path.includes('RetrieveCurrentOrganization')).length, 5);
  });

  it('retries a dropped connection', async () => {
    sim.addFault({ api: 'dataverse', pathIncludes: 'WhoAmI', nth: 1, kind: 'reset' });
    await dataverse.whoAmI();
    assert.ok(events.some((event) => event.status === 0 && event.retryInMs !== undefined));
  });

  it('refreshes the token once on 401 and retries', async () => {
    await dataverse.whoAmI();
    const tokenRequests = () => sim.log.filter((entry) => entry.api === 'token' && entry.status === 200).length;
    const before = tokenRequests();
    sim.addFault({ api: 'dataverse', pathIncludes: 'WhoAmI', nth: 1, kind: '401' });
    await dataverse.whoAmI();
    assert.strictEqual(tokenRequests(), before + 1, 'a new token was requested');
    assert.deepStrictEqual(sim.log.filter((e) => e.path.endsWith('/WhoAmI')).slice(-2).map((e) => e.status), [401, 200]);
  });

  it('keeps requests in flight under its concurrency bound', async () => {
    const bounded = new HttpClient({ network: { rejectUnauthorized: true, extraCa: [fs.readFileSync(sim.caFile, 'utf8')] }, maxConcurrency: 4 });
    const client = new DataverseClient(bounded, sim.url, tokens.source(sim.url));
    try {
      await client.whoAmI();
      sim.clearLog();
      await Promise.all(Array.from({ length: 20 }, () => client.whoAmI()));
      let peak = 0;
      for (const entry of sim.log) peak = Math.max(peak, sim.log.filter((other) => other.start < entry.end && other.end > entry.start).length);
      assert.ok(peak <= 4, `peak ${peak}`);
    } finally {
      bounded.close();
    }
  });
});
