import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { FLOW_IDS, SP, STAGE_RUN, TENANT, testScenario } from '../simulator/test-scenario';
import { activationLatencyMs, refusedOnce, ScenarioTransient } from '../simulator/transient';

const api = '/api/data/v9.2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulator: scripted transient states', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let token: string;

  async function start(transient: ScenarioTransient, extra: Partial<ReturnType<typeof testScenario>> = {}) {
    sim = await startSimulator({ scenario: { ...testScenario(), ...extra, transient } });
    http = simClient(sim);
    token = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
  }
  afterEach(async () => {
    await sim?.stop();
  });

  const get = (path: string) => http.get(`${api}/${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const patch = (path: string, body: unknown) =>
    http.patch(`${api}/${path}`, JSON.stringify(body), { headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  const turnOn = (id: string) => patch(`workflows(${id})`, { statecode: 1, statuscode: 2 });
  const innerDetails = (message: string) => JSON.parse(/details "(.*)"\.$/s.exec(message)?.[1] ?? 'null');

  describe('customization lock', () => {
    it('refuses flow state changes, reference updates and stage-run updates with CustomizationLockException; reads and other writes pass', async () => {
      await start({ customizationLock: { durationMs: 600_000 } });
      const r = await turnOn(FLOW_IDS.child);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80071151');
      assert.strictEqual(
        r.data.error.message,
        'Cannot start the requested operation [WorkflowSetState] because there is another [EntityCustomization] running at this moment. Use Solution History for more details. -- The solution installation or removal failed due to the installation or removal of another solution at the same time. Please try again later.',
      );
      assert.match(r.data.error.message, /^Cannot start the requested operation \[[^\]]+\] because there is another \[[^\]]+\] running/);
      assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.statecode, 0);
      assert.strictEqual(sim.log.find((e) => e.method === 'PATCH')?.errorCode, 'CustomizationLockException');

      const refs = await get('connectionreferences?$select=connectionreferenceid');
      assert.strictEqual(refs.status, 200, 'reads pass');
      const ref = refs.data.value[0].connectionreferenceid as string;
      const bind = await patch(`connectionreferences(${ref})`, { connectionid: null });
      assert.strictEqual(bind.status, 400);
      assert.match(bind.data.error.message, /requested operation \[Update\]/);
      const stage = await patch(`deploymentstageruns(${STAGE_RUN})`, { deploymentsettingsjson: '{}' });
      assert.strictEqual(stage.status, 400);
      assert.strictEqual(stage.data.error.code, '0x80071151');
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.child})`, { description: 'not a state change' })).status, 204);
    });

    it('starts at the first request matching afterRequest and ends after its duration', async () => {
      await start({ customizationLock: { durationMs: 400, afterRequest: { method: 'GET', pathIncludes: 'WhoAmI' }, heldBy: 'Import' } });
      assert.strictEqual((await turnOn(FLOW_IDS.child)).status, 204, 'no lock before the trigger');
      assert.strictEqual((await get('WhoAmI')).status, 200);
      const locked = await turnOn(FLOW_IDS.parent);
      assert.strictEqual(locked.status, 400);
      assert.match(locked.data.error.message, /another \[Import\] running/);
      await sleep(500);
      assert.strictEqual((await turnOn(FLOW_IDS.parent)).status, 204, 'the lock is over');
    });

    it('applies inside $batch change sets', async () => {
      await start({ customizationLock: { durationMs: 600_000 } });
      const boundary = 'batch_1';
      const body = [
        `--${boundary}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `PATCH ${api}/workflows(${FLOW_IDS.child}) HTTP/1.1`,
        'Content-Type: application/json',
        '',
        '{"statecode":1,"statuscode":2}',
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const r = await http.post(`${api}/$batch`, body, { headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/mixed; boundary=${boundary}` } });
      assert.match(String(r.data), /0x80071151/);
      assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.statecode, 0);
    });
  });

  describe('child publication', () => {
    it('refuses a caller turned on within the delay after its child with ChildFlowNeverPublished, then accepts it', async () => {
      await start({ childPublication: { delayMs: 400 } });
      assert.strictEqual((await turnOn(FLOW_IDS.child)).status, 204);
      const refused = await turnOn(FLOW_IDS.parent);
      assert.strictEqual(refused.status, 400);
      assert.strictEqual(refused.data.error.code, '0x80060467');
      assert.deepStrictEqual(innerDetails(refused.data.error.message).error.code, 'ChildFlowNeverPublished');
      assert.match(refused.data.error.message, new RegExp(`workflow with id '${FLOW_IDS.child}' cannot be used as a child workflow`));
      assert.strictEqual(sim.state.flow(FLOW_IDS.parent)?.statecode, 0);
      await sleep(500);
      assert.strictEqual((await turnOn(FLOW_IDS.parent)).status, 204);
    });

    it('wraps the refusal as MultipleErrorsOccurred with one detail per child', async () => {
      await start({ childPublication: { delayMs: 600_000, multipleErrors: true } });
      await turnOn(FLOW_IDS.child);
      const refused = await turnOn(FLOW_IDS.parent);
      assert.strictEqual(refused.status, 400);
      const inner = innerDetails(refused.data.error.message).error;
      assert.strictEqual(inner.code, 'MultipleErrorsOccurred');
      assert.strictEqual(inner.message, "Multiple errors occurred: 'BadRequest'. Please see details.");
      assert.deepStrictEqual(inner.details.map((d: { code: string }) => d.code), ['ChildFlowNeverPublished']);
      assert.strictEqual(sim.log.filter((e) => e.method === 'PATCH')[1].errorCode, 'MultipleErrorsOccurred');
    });

    it('refuses a scripted fraction of callers once, after their children are on; a child that is off still fails', async () => {
      await start({ childPublication: { refuseOnceFraction: 1 } });
      const off = await turnOn(FLOW_IDS.parent);
      assert.strictEqual(off.status, 400, 'the child is off: the ordinary refusal, which does not use up the scripted one');
      await turnOn(FLOW_IDS.child);
      assert.strictEqual((await turnOn(FLOW_IDS.parent)).status, 400, 'refused once');
      assert.strictEqual((await turnOn(FLOW_IDS.parent)).status, 204, 'then accepted');
      assert.ok(!refusedOnce({ refuseOnceFraction: 0 }, FLOW_IDS.parent));
    });

    it('chooses about the scripted fraction of callers, the same ones for the same seed', () => {
      const ids = Array.from({ length: 2000 }, (_, i) => `f${i}`);
      const chosen = ids.filter((id) => refusedOnce({ refuseOnceFraction: 0.05, seed: 3 }, id));
      assert.ok(chosen.length > 60 && chosen.length < 140, `${chosen.length} of 2000`);
      assert.deepStrictEqual(ids.filter((id) => refusedOnce({ refuseOnceFraction: 0.05, seed: 3 }, id)), chosen);
    });
  });

  describe('activation latency from a distribution', () => {
    it('draws a log-normal with the given median and 95th percentile, deterministically per flow and attempt', () => {
      const dist = { medianMs: 1500, p95Ms: 6000, seed: 11 };
      const draws = Array.from({ length: 4000 }, (_, i) => activationLatencyMs(dist, `flow-${i}`, 0)).sort((a, b) => a - b);
      const median = draws[2000];
      const p95 = draws[Math.floor(4000 * 0.95)];
      assert.ok(median > 1350 && median < 1650, `median ${median}`);
      assert.ok(p95 > 5000 && p95 < 7200, `p95 ${p95}`);
      assert.strictEqual(activationLatencyMs(dist, 'flow-1', 0), activationLatencyMs(dist, 'FLOW-1', 0));
      assert.notStrictEqual(activationLatencyMs(dist, 'flow-1', 0), activationLatencyMs(dist, 'flow-1', 1));
      assert.notStrictEqual(activationLatencyMs(dist, 'flow-1', 0), activationLatencyMs({ ...dist, seed: 12 }, 'flow-1', 0));
    });

    it('applies the drawn latency to activation requests, in addition to the fixed latencies of other requests', async () => {
      const dist = { medianMs: 150, p95Ms: 300, seed: 5 };
      await start({ activationLatency: dist }, { latency: { readMs: 0, writeMs: 0, activationMs: 5000 } });
      assert.strictEqual((await turnOn(FLOW_IDS.child)).status, 204);
      const entry = sim.log.find((e) => e.method === 'PATCH');
      const drawn = activationLatencyMs(dist, FLOW_IDS.child, 0);
      assert.ok(entry && entry.end - entry.start >= drawn - 2 && entry.end - entry.start < 5000, `took ${entry ? entry.end - entry.start : '?'} ms, drawn ${drawn}`);
    });
  });

  describe('response lost after the change was made', () => {
    it('resetAfterApply carries the write out, then destroys the socket; logged with status 0', async () => {
      await start({}, { faults: [{ method: 'PATCH', pathIncludes: 'workflows(', kind: 'resetAfterApply' }] });
      await assert.rejects(turnOn(FLOW_IDS.child), (e: unknown) => /ECONNRESET|socket hang up/.test(String((e as Error).message) + String((e as { code?: string }).code)));
      assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.statecode, 1, 'the change was made');
      assert.strictEqual(sim.state.activations.size, 1);
      const entry = sim.log.find((e) => e.method === 'PATCH');
      assert.strictEqual(entry?.status, 0);
      assert.strictEqual(entry?.errorCode, 'resetAfterApply (204)');
      assert.strictEqual((await get(`workflows(${FLOW_IDS.child})?$select=statecode`)).data.statecode, 1, 'a read shows the change');
      assert.strictEqual((await turnOn(FLOW_IDS.parent)).status, 204, 'the rule fired once');
    });
  });
});
