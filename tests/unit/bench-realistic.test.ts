import * as assert from 'assert';
import { memoryGrowth, padDefinitions, parseVmHwm } from '../../bench/memory';
import { realisticLowerBound, realisticScenario, RealisticProfile, REALISTIC_PROFILE, scaleProfile, summarise } from '../../bench/realistic-profile';
import { realisticTargets } from '../../bench/realistic';
import { buildSolution } from '../../bench/scenario';
import { childFlowIds } from '../simulator/flow-rules';
import { activationLatencyMs, refusedOnce } from '../simulator/transient';

const flat: RealisticProfile = { ...REALISTIC_PROFILE, activationMedianMs: 100, activationP95Ms: 100, lockMs: 0, refuseOnceFraction: 0, readMs: 10, bursts: [] };

describe('benchmark: realistic profile', () => {
  it('bounds a chain by the sum of its latencies and many flows by their total over the parallelism', () => {
    const chain = [
      { id: 'a', children: ['b'] },
      { id: 'b', children: ['c'] },
      { id: 'c', children: [] },
    ];
    const b = realisticLowerBound(chain, flat, 32, 2);
    assert.strictEqual(b.criticalPathMs, 300, 'three activations one after the other');
    assert.strictEqual(b.throughputMs, Math.ceil(300 / 32));
    assert.strictEqual(b.startMs, 20, 'two gather rounds of 10 ms');
    assert.strictEqual(b.wallMs, 320);

    const many = Array.from({ length: 64 }, (_, i) => ({ id: `f${i}`, children: [] }));
    const wide = realisticLowerBound(many, { ...flat, lockMs: 1000 }, 64, 2);
    assert.strictEqual(wide.throughputMs, Math.ceil((64 * 100) / 52), 'at most 52 requests in flight');
    assert.strictEqual(wide.startMs, 1000, 'nothing is turned on before the lock ends');
    assert.strictEqual(wide.wallMs, 1000 + wide.throughputMs);
  });

  it('uses the simulator\'s own draws, and two draws for a caller refused once', () => {
    const profile = { ...REALISTIC_PROFILE, lockMs: 0, refuseOnceFraction: 1 };
    const b = realisticLowerBound([{ id: 'parent', children: ['child'] }, { id: 'child', children: [] }], profile, 32, 0);
    const dist = { medianMs: profile.activationMedianMs, p95Ms: profile.activationP95Ms, seed: profile.seed };
    const child = activationLatencyMs(dist, 'child', 0);
    const parent = activationLatencyMs(dist, 'parent', 0) + activationLatencyMs(dist, 'parent', 1);
    assert.strictEqual(b.callersRefusedOnce, 1, 'only callers are refused');
    assert.strictEqual(b.criticalPathMs, child + parent);
    assert.deepStrictEqual(b.drawnMs, [activationLatencyMs(dist, 'parent', 0), child]);
  });

  it('scales every platform duration, Retry-After included, and keeps the fractions', () => {
    const s = scaleProfile(REALISTIC_PROFILE, 10);
    assert.deepStrictEqual(
      [s.activationMedianMs, s.activationP95Ms, s.lockMs, s.readMs, s.writeMs, s.retryAfterSeconds, s.refuseOnceFraction],
      [150, 600, 1000, 2, 5, 0.2, 0.05],
    );
    assert.deepStrictEqual(scaleProfile(REALISTIC_PROFILE, 1), REALISTIC_PROFILE);
  });

  it('scripts the solution after an import: references bound, the transients and the bursts of the profile', () => {
    const solution = buildSolution({ flows: 30, references: 6, owners: 3, depth: 3, readMs: 20, writeMs: 50, activationMs: 150, seed: 7 });
    const scenario = realisticScenario(solution, REALISTIC_PROFILE);
    assert.ok(scenario.connectionReferences.every((r) => r.connectionId), 'bound');
    assert.ok(solution.scenario.connectionReferences.every((r) => !r.connectionId), 'the default profile is left as it was');
    assert.deepStrictEqual(scenario.transient?.customizationLock, { durationMs: 10_000, afterRequest: {} });
    assert.deepStrictEqual(scenario.transient?.activationLatency, { medianMs: 1500, p95Ms: 6000, seed: 7 });
    assert.strictEqual(scenario.transient?.childPublication?.refuseOnceFraction, 0.05);
    assert.deepStrictEqual(scenario.faults?.map((f) => [f.kind, f.nth, f.times, f.retryAfterSeconds]), [
      ['429', 40, 8, 2],
      ['429', 160, 8, 2],
    ]);
    const callers = solution.flows.filter((f) => f.children.length > 0);
    const chosen = callers.filter((f) => refusedOnce({ refuseOnceFraction: 0.5, seed: 7 }, f.id));
    assert.ok(chosen.length > 0 && chosen.length < callers.length);
  });

  it('meets no realistic target while flows are left off, whatever the ratios', () => {
    const off = realisticTargets(1000, { wallMs: 900, verification: { references: 1, referencesBound: 1, flows: 10, flowsOn: 4, flowsOnAsOwner: 4 } }, 90_000);
    assert.deepStrictEqual(off.targets.map((t) => t.met), [false, false, false]);
    assert.strictEqual(off.ratios.oursOverLowerBound, 0.9);
    const on = realisticTargets(1000, { wallMs: 1200, verification: { references: 1, referencesBound: 1, flows: 10, flowsOn: 10, flowsOnAsOwner: 10 } }, 30_000);
    assert.deepStrictEqual(on.targets.map((t) => t.met), [true, true, true]);
    assert.strictEqual(on.ratios.baselineOverOurs, 25);
  });

  it('summarises drawn latencies', () => {
    assert.deepStrictEqual(summarise([5, 1, 3, 2, 4]), { medianMs: 3, p95Ms: 5, meanMs: 3 });
  });
});

describe('benchmark: memory measurement', () => {
  it('reads VmHWM from /proc/<pid>/status', () => {
    assert.strictEqual(parseVmHwm('Name:\tnode\nVmPeak:\t  999 kB\nVmHWM:\t   51200 kB\nVmRSS:\t 40000 kB\n'), 51200 * 1024);
    assert.strictEqual(parseVmHwm('Name:\tnode\n'), undefined);
  });

  it('pads every definition to the size asked, keeping references and child calls', () => {
    const solution = buildSolution({ flows: 6, references: 3, owners: 3, depth: 3, readMs: 1, writeMs: 1, activationMs: 1, seed: 7 });
    const padded = padDefinitions(solution.scenario, 60 * 1024);
    padded.flows.forEach((f, i) => {
      const size = JSON.stringify(f.clientdata).length;
      assert.ok(size >= 60 * 1024 - 100 && size <= 60 * 1024 + 100, `${size}`);
      const original = solution.scenario.flows[i].clientdata as { properties: { connectionReferences: unknown; definition: unknown } };
      const now = f.clientdata as typeof original;
      assert.deepStrictEqual(now.properties.connectionReferences, original.properties.connectionReferences);
      assert.deepStrictEqual(childFlowIds(now.properties.definition), childFlowIds(original.properties.definition));
    });
  });

  it('calls growth sub-linear only when RSS grows slower than the flows and by less than a definition a flow', () => {
    const held = memoryGrowth({ flows: 300, peakRssBytes: 100e6 }, { flows: 2000, peakRssBytes: 100e6 + 1700 * 70_000 }, 61_440);
    assert.ok(held.rssRatio < held.flowRatio, 'a fixed base hides the growth in the ratio');
    assert.strictEqual(held.subLinear, false, 'but 70 KB a flow means every definition is held');
    const streamed = memoryGrowth({ flows: 300, peakRssBytes: 100e6 }, { flows: 2000, peakRssBytes: 120e6 }, 61_440);
    assert.strictEqual(streamed.subLinear, true);
    assert.strictEqual(streamed.bytesPerExtraFlow, Math.round(20e6 / 1700));
  });
});
