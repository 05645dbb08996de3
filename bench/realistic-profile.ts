/**
 * The realistic profile: what the platform does right after a solution import (see the simulator's
 * README, "Transient states"), and the lower bound it allows. Pure: no process, no network.
 */
import { FaultRule, Scenario } from '../tests/simulator/scenario';
import { activationLatencyMs, refusedOnce, ScenarioTransient } from '../tests/simulator/transient';
import { BenchSolution } from './scenario';

/** The profile on the platform's clock (time scale 1). */
export interface RealisticProfile {
  activationMedianMs: number;
  activationP95Ms: number;
  /** Customization lock from the first Dataverse request of each run. */
  lockMs: number;
  /** Callers (flows with children) refused once with ChildFlowNeverPublished after their children are on. */
  refuseOnceFraction: number;
  readMs: number;
  writeMs: number;
  /** 429 bursts on activation requests: `times` requests in a row from the `nth`. */
  bursts: Array<{ nth: number; times: number }>;
  retryAfterSeconds: number;
  seed: number;
}

export const REALISTIC_PROFILE: RealisticProfile = {
  activationMedianMs: 1500,
  activationP95Ms: 6000,
  lockMs: 10_000,
  refuseOnceFraction: 0.05,
  readMs: 20,
  writeMs: 50,
  bursts: [
    { nth: 40, times: 8 },
    { nth: 160, times: 8 },
  ],
  retryAfterSeconds: 2,
  seed: 7,
};

/**
 * Every duration divided by `timeScale`, so the sequential baseline fits the bench's time. The
 * Retry-After is scaled too (sent with decimals, which the product's client reads; the platform
 * sends whole seconds). Process start and sign-in are not scaled.
 */
export function scaleProfile(profile: RealisticProfile, timeScale: number): RealisticProfile {
  const s = (ms: number) => Math.max(0, Math.round(ms / timeScale));
  return {
    ...profile,
    activationMedianMs: s(profile.activationMedianMs),
    activationP95Ms: s(profile.activationP95Ms),
    lockMs: s(profile.lockMs),
    readMs: s(profile.readMs),
    writeMs: s(profile.writeMs),
    retryAfterSeconds: Math.round((profile.retryAfterSeconds / timeScale) * 1000) / 1000,
  };
}

export function transientScript(profile: RealisticProfile): ScenarioTransient {
  return {
    customizationLock: { durationMs: profile.lockMs, afterRequest: {} },
    childPublication: { refuseOnceFraction: profile.refuseOnceFraction, seed: profile.seed },
    activationLatency: { medianMs: profile.activationMedianMs, p95Ms: profile.activationP95Ms, seed: profile.seed },
  };
}

/** The generated solution after an import: references bound (the binding step is done), flows off, the profile's transients and bursts. */
export function realisticScenario(solution: BenchSolution, profile: RealisticProfile): Scenario {
  const scenario = structuredClone(solution.scenario);
  const connectionOf = new Map(solution.references.map((r) => [r.logicalName, r.connectionId]));
  scenario.connectionReferences = scenario.connectionReferences.map((r) => ({ ...r, connectionId: connectionOf.get(r.logicalName) }));
  scenario.latency = { readMs: profile.readMs, writeMs: profile.writeMs };
  scenario.transient = transientScript(profile);
  scenario.faults = profile.bursts.map(
    (b): FaultRule => ({ api: 'dataverse', method: 'PATCH', pathIncludes: 'workflows(', nth: b.nth, times: b.times, kind: '429', retryAfterSeconds: profile.retryAfterSeconds }),
  );
  return scenario;
}

export interface RealisticBound {
  wallMs: number;
  /** max(gather rounds x read latency, lock): no activation can succeed before both. */
  startMs: number;
  /** The longest child chain, each flow costing its drawn latencies (two draws for a caller refused once). */
  criticalPathMs: number;
  /** The sum of every flow's drawn latencies over min(MaxParallel, 52) requests in flight. */
  throughputMs: number;
  callersRefusedOnce: number;
  /** The first draws of every flow, in the order of `solution.flows`. */
  drawnMs: number[];
  formula: string;
}

/**
 * The lower bound of the activation under the profile, from the same draws the simulator makes
 * (seeded per flow and attempt, independent of the order requests arrive in): nothing can be
 * turned on before the lock ends and the state is gathered; then a flow costs its first drawn
 * latency (plus its second when it is a caller refused once) and cannot start before its
 * children are on; at most min(MaxParallel, 52) activations run at once.
 */
export function realisticLowerBound(
  flows: ReadonlyArray<{ id: string; children: readonly string[] }>,
  profile: RealisticProfile,
  maxParallel: number,
  gatherRounds: number,
): RealisticBound {
  const dist = { medianMs: profile.activationMedianMs, p95Ms: profile.activationP95Ms, seed: profile.seed };
  const script = { refuseOnceFraction: profile.refuseOnceFraction, seed: profile.seed };
  const byId = new Map(flows.map((f) => [f.id.toLowerCase(), f]));
  const cost = new Map<string, number>();
  let refused = 0;
  const drawnMs: number[] = [];
  for (const f of flows) {
    const id = f.id.toLowerCase();
    const first = activationLatencyMs(dist, id, 0);
    drawnMs.push(first);
    const once = f.children.length > 0 && refusedOnce(script, id);
    if (once) refused++;
    cost.set(id, first + (once ? activationLatencyMs(dist, id, 1) : 0));
  }
  const finish = new Map<string, number>();
  const finishOf = (id: string): number => {
    const known = finish.get(id);
    if (known !== undefined) return known;
    const f = byId.get(id);
    const start = (f?.children ?? []).reduce((t, c) => Math.max(t, byId.has(c.toLowerCase()) ? finishOf(c.toLowerCase()) : 0), 0);
    const done = start + (cost.get(id) ?? 0);
    finish.set(id, done);
    return done;
  };
  const criticalPathMs = flows.reduce((t, f) => Math.max(t, finishOf(f.id.toLowerCase())), 0);
  const parallel = Math.max(1, Math.min(maxParallel, 52));
  const throughputMs = Math.ceil([...cost.values()].reduce((a, b) => a + b, 0) / parallel);
  const startMs = Math.max(gatherRounds * profile.readMs, profile.lockMs);
  return {
    wallMs: startMs + Math.max(criticalPathMs, throughputMs),
    startMs,
    criticalPathMs,
    throughputMs,
    callersRefusedOnce: refused,
    drawnMs,
    formula:
      `max(${gatherRounds} gather rounds x ${profile.readMs} ms, lock ${profile.lockMs} ms) + max(critical path ${criticalPathMs} ms, ` +
      `sum of drawn latencies / min(${maxParallel}, 52) = ${throughputMs} ms)`,
  };
}

export interface LatencySummary {
  medianMs: number;
  p95Ms: number;
  meanMs: number;
}

export function summarise(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { medianMs: NaN, p95Ms: NaN, meanMs: NaN };
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { medianMs: at(0.5), p95Ms: at(0.95), meanMs: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}
