/** Helpers shared by the benchmark's profiles: a fresh simulator per run, what a run left behind, the baseline's estimate. */
import * as fs from 'fs';
import { startSimulator, Simulator } from '../tests/simulator';
import { APP_ID, CLIENT_SECRET, TENANT_ID } from '../tests/helpers/base-scenario';
import { BaselineTarget } from './baseline';
import { BENCH_SOLUTION, BenchSolution } from './scenario';
import { Verification } from './report';

export async function withSimulator<T>(solution: BenchSolution, body: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ scenario: structuredClone(solution.scenario) });
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

export function verify(sim: Simulator, solution: BenchSolution): Verification {
  const snapshot = sim.state.snapshot();
  const wanted = new Map(solution.references.map((r) => [r.logicalName, r.connectionId]));
  const refsBound = snapshot.connectionReferences.filter((r) => r.connectionid && r.connectionid === wanted.get(r.logicalName)).length;
  const owner = new Map(solution.flows.map((f) => [f.id, f.owner.objectId.toLowerCase()]));
  const on = snapshot.flows.filter((f) => f.statecode === 1);
  const asOwner = on.filter((f) => f.activatedBy?.toLowerCase() === owner.get(f.id)).length;
  return { references: solution.references.length, referencesBound: refsBound, flows: snapshot.flows.length, flowsOn: on.length, flowsOnAsOwner: asOwner };
}

/**
 * The baseline's activation list and passes, replayed in memory on the generated solution, to
 * estimate its duration before running it.
 */
export function estimateBaseline(solution: BenchSolution, options: { readMs: number; writeMs: number; activationMs: number; owners: number }, perRequestOverheadMs = 2): { readsMs: number; activationMs: number; attempts: number; totalMs: number } {
  const byId = new Map(solution.flows.map((f) => [f.id, f]));
  const order = solution.scenario.flows.map((f) => byId.get(f.id as string) as BenchSolution['flows'][number]);
  const list: BenchSolution['flows'] = [];
  const listed = new Set<string>();
  for (const r of solution.references) {
    for (const f of order) {
      if (!listed.has(f.id) && f.references.includes(r.logicalName)) {
        listed.add(f.id);
        list.push(f);
      }
    }
  }
  const on = new Set<string>();
  let remaining = list;
  let attempts = 0;
  for (;;) {
    const next: typeof list = [];
    for (const f of remaining) {
      attempts++;
      if (f.children.every((c) => on.has(c))) on.add(f.id);
      else next.push(f);
    }
    if (next.length === remaining.length || next.length === 0) break;
    remaining = next;
  }
  const reads = solution.references.length * solution.flows.length + solution.references.length * 2 + options.owners * 2 + 4;
  const readsMs = reads * (options.readMs + perRequestOverheadMs) + solution.references.length * (options.writeMs + perRequestOverheadMs);
  const activationMs = attempts * (options.activationMs + perRequestOverheadMs);
  return { readsMs, activationMs, attempts, totalMs: readsMs + activationMs };
}


/** What the baseline is given: the environment, the service principal and the deployment settings. */
export function baselineTarget(sim: Simulator, solution: BenchSolution): BaselineTarget {
  return {
    url: sim.url,
    ca: fs.readFileSync(sim.caFile, 'utf8'),
    tenantId: TENANT_ID,
    clientId: APP_ID,
    clientSecret: CLIENT_SECRET,
    environmentId: sim.state.environmentId,
    solutionName: BENCH_SOLUTION,
    settings: solution.references.map((r) => ({ logicalName: r.logicalName, connectionId: r.connectionId, connectorId: r.connectorId })),
  };
}
