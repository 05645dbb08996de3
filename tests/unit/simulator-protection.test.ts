import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { APP2, FLOW_IDS, SP, TENANT, testScenario } from '../simulator/test-scenario';

const api = '/api/data/v9.2';

describe('simulator: service protection, latency, faults and the request log', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let token: string;

  async function start(extra: Partial<ReturnType<typeof testScenario>> = {}) {
    sim = await startSimulator({ scenario: { ...testScenario(), ...extra } });
    http = simClient(sim);
    token = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
  }
  afterEach(async () => {
    await sim?.stop();
  });

  const whoAmI = (t = token) => http.get(`${api}/WhoAmI`, { headers: { Authorization: `Bearer ${t}` } });
  const patch = (path: string, body: unknown) =>
    http.patch(`${api}/${path}`, JSON.stringify(body), { headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': '*' } });

  it('answers 429 0x80072326 with Retry-After beyond 52 concurrent requests per caller, not for other callers', async () => {
    await start({ latency: { readMs: 1000 } });
    const other = await fetchToken(sim, TENANT, APP2.appId, APP2.secret, sim.url, http);
    const results = await Promise.all([...Array.from({ length: 60 }, () => whoAmI()), ...Array.from({ length: 5 }, () => whoAmI(other))]);
    const mine = results.slice(0, 60);
    assert.strictEqual(mine.filter((r) => r.status === 200).length, 52);
    const throttled = mine.filter((r) => r.status === 429);
    assert.strictEqual(throttled.length, 8);
    for (const r of throttled) {
      assert.deepStrictEqual(r.data, { error: { code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' } });
      assert.ok(Number(r.headers['retry-after']) >= 1);
      assert.match(String(r.headers['retry-after']), /^\d+$/);
    }
    assert.ok(results.slice(60).every((r) => r.status === 200), 'the limit is per caller');
    const logged = sim.log.filter((e) => e.status === 429);
    assert.strictEqual(logged.length, 8);
    assert.ok(logged.every((e) => e.errorCode === '0x80072326' && e.end - e.start < 500), 'the concurrency error is immediate');
  });

  it('honours a configured concurrency limit', async () => {
    await start({ latency: { readMs: 600 }, concurrencyLimit: 3 });
    const results = await Promise.all(Array.from({ length: 5 }, () => whoAmI()));
    assert.strictEqual(results.filter((r) => r.status === 429).length, 2);
    assert.strictEqual(results.find((r) => r.status === 429)?.data.error.message, 'Number of concurrent requests exceeded the limit of 3.');
  });

  it('applies read, write and activation latency', async () => {
    await start({ latency: { readMs: 60, writeMs: 120, activationMs: 300 } });
    await whoAmI();
    await patch(`workflows(${FLOW_IDS.child})`, { description: 'x' });
    await patch(`workflows(${FLOW_IDS.child})`, { statecode: 1, statuscode: 2 });
    const [read, write, activation] = sim.log.filter((e) => e.api === 'dataverse');
    assert.ok(read.end - read.start >= 55, `read ${read.end - read.start}`);
    assert.ok(write.end - write.start >= 115, `write ${write.end - write.start}`);
    assert.ok(activation.end - activation.start >= 295, `activation ${activation.end - activation.start}`);
    assert.strictEqual(activation.status, 204);
  });

  describe('scripted faults', () => {
    it('429 on the nth matching request with Retry-After and the 0x80072322 body', async () => {
      await start({ faults: [{ api: 'dataverse', pathIncludes: 'WhoAmI', nth: 2, kind: '429', retryAfterSeconds: 7 }] });
      const r = [await whoAmI(), await whoAmI(), await whoAmI()];
      assert.deepStrictEqual(r.map((x) => x.status), [200, 429, 200]);
      assert.strictEqual(r[1].headers['retry-after'], '7');
      assert.strictEqual(r[1].data.error.code, '0x80072322');
      assert.strictEqual(sim.log.filter((e) => e.api === 'dataverse')[1].errorCode, '0x80072322');
    });

    it('every-th request, times and persistent faults', async () => {
      await start();
      sim.addFault({ method: 'GET', pathIncludes: 'WhoAmI', every: 2, kind: '503' });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await whoAmI()).status);
      assert.deepStrictEqual(statuses, [200, 503, 200, 503, 200, 503]);

      await sim.stop();
      await start({ faults: [{ pathIncludes: 'systemusers', nth: 1, times: 2, kind: '503' }] });
      const s2: number[] = [];
      for (let i = 0; i < 3; i++) s2.push((await http.get(`${api}/systemusers?$select=fullname`, { headers: { Authorization: `Bearer ${token}` } })).status);
      assert.deepStrictEqual(s2, [503, 503, 200]);

      sim.addFault({ pathIncludes: 'WhoAmI', nth: 1, times: -1, kind: '503' });
      const s3: number[] = [];
      for (let i = 0; i < 4; i++) s3.push((await whoAmI()).status);
      assert.deepStrictEqual(s3, [503, 503, 503, 503]);
    });

    it('503 with a Dataverse error body', async () => {
      await start({ faults: [{ api: 'dataverse', kind: '503', retryAfterSeconds: 2 }] });
      const r = await whoAmI();
      assert.strictEqual(r.status, 503);
      assert.strictEqual(r.headers['retry-after'], '2');
      assert.strictEqual(r.data.error.code, '0x80040216');
    });

    it('reset destroys the connection, is logged with status 0 and changes nothing', async () => {
      await start({ faults: [{ method: 'PATCH', kind: 'reset' }] });
      await assert.rejects(patch(`workflows(${FLOW_IDS.child})`, { description: 'lost' }), (e: unknown) => /ECONNRESET|socket hang up/.test(String((e as Error).message) + String((e as { code?: string }).code)));
      const entry = sim.log.find((e) => e.method === 'PATCH');
      assert.strictEqual(entry?.status, 0);
      assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.description, null);
      const again = await patch(`workflows(${FLOW_IDS.child})`, { description: 'kept' });
      assert.strictEqual(again.status, 204);
    });

    it('401 answers like an expired token and a faulted write changes no state', async () => {
      await start({ faults: [{ method: 'PATCH', pathIncludes: 'workflows', kind: '401' }] });
      const r = await patch(`workflows(${FLOW_IDS.child})`, { statecode: 1, statuscode: 2 });
      assert.strictEqual(r.status, 401);
      assert.strictEqual(r.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="The access token is expired."');
      assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.statecode, 0);
      assert.strictEqual(sim.state.activations.size, 0);
    });

    it('faults the token endpoint too', async () => {
      await start({ faults: [{ api: 'token', nth: 2, kind: '429', retryAfterSeconds: 1 }] });
      const r = await http.post(`/${TENANT}/oauth2/v2.0/token`, new URLSearchParams({ grant_type: 'client_credentials', client_id: SP.appId, client_secret: SP.secret, scope: `${sim.url}/.default` }).toString());
      assert.strictEqual(r.status, 429);
      assert.strictEqual(r.headers['retry-after'], '1');
    });
  });

  it('logs every request with method, path, query, api, kind, caller, status and times; /_sim/log serves it', async () => {
    await start();
    sim.clearLog();
    await whoAmI();
    await http.get(`${api}/workflows?$select=name&$top=1`, { headers: { Authorization: `Bearer ${token}` } });
    await patch(`workflows(${FLOW_IDS.child})`, { description: 'x' });
    const entries = sim.log;
    assert.strictEqual(entries.length, 3);
    assert.deepStrictEqual(entries.map((e) => [e.method, e.api, e.kind, e.status]), [
      ['GET', 'dataverse', 'read', 200],
      ['GET', 'dataverse', 'read', 200],
      ['PATCH', 'dataverse', 'write', 204],
    ]);
    assert.strictEqual(entries[1].path, `${api}/workflows`);
    assert.strictEqual(decodeURIComponent(entries[1].query), '$select=name&$top=1');
    assert.strictEqual(entries[2].path, `${api}/workflows(${FLOW_IDS.child})`);
    assert.ok(entries.every((e) => e.caller === SP.objectId && e.effectiveUser === SP.objectId));
    assert.ok(entries[0].seq < entries[1].seq && entries[1].seq < entries[2].seq);
    assert.ok(entries.every((e) => e.start <= e.end));
    const served = await http.get('/_sim/log');
    assert.strictEqual(served.status, 200);
    assert.strictEqual(served.data.length, 3);
    assert.strictEqual(sim.log.length, 3, 'control requests are not logged');
    const state = await http.get('/_sim/state');
    assert.ok(Array.isArray(state.data.flows) && Array.isArray(state.data.connectionReferences) && Array.isArray(state.data.stageRuns));
  });
});
