/**
 * Cost as the work grows: the peak resident set of the activation task's process, read from
 * outside it (/proc/<pid>/status VmHWM, polled until the process is gone), at two solution sizes
 * with large flow definitions.
 */
import * as fs from 'fs';
import { Scenario } from '../tests/simulator/scenario';
import { withSimulator } from './harness';
import { runOurTask, simulatorEpoch } from './ours';
import { BENCH_SOLUTION, BenchSolution, buildSolution } from './scenario';

/** VmHWM (peak resident set) of a /proc/<pid>/status text, in bytes. */
export function parseVmHwm(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Grows every flow's clientdata to at least `bytes` with a Compose action, keeping its references and child calls. */
export function padDefinitions(scenario: Scenario, bytes: number): Scenario {
  const out = structuredClone(scenario);
  out.flows = out.flows.map((f) => {
    const data = (typeof f.clientdata === 'string' ? JSON.parse(f.clientdata) : f.clientdata) as { properties: { definition: { actions: Record<string, unknown> } } };
    const size = JSON.stringify(data).length;
    const missing = Math.max(0, bytes - size - 80);
    data.properties.definition.actions.Compose_large_payload = { type: 'Compose', inputs: 'x'.repeat(missing), runAfter: {} };
    return { ...f, clientdata: data };
  });
  return out;
}

export interface MemoryPoint {
  flows: number;
  definitionBytes: number;
  peakRssBytes?: number;
  wallMs: number;
  result?: string;
  flowsOn: number;
}

export interface MemoryGrowth {
  rssRatio: number;
  flowRatio: number;
  /** Extra peak RSS per extra flow, against the definition size: equal or above means every definition is held. */
  bytesPerExtraFlow: number;
  subLinear: boolean;
}

export function memoryGrowth(small: { flows: number; peakRssBytes: number }, large: { flows: number; peakRssBytes: number }, definitionBytes: number): MemoryGrowth {
  const rssRatio = large.peakRssBytes / small.peakRssBytes;
  const flowRatio = large.flows / small.flows;
  const bytesPerExtraFlow = Math.round((large.peakRssBytes - small.peakRssBytes) / Math.max(1, large.flows - small.flows));
  return { rssRatio, flowRatio, bytesPerExtraFlow, subLinear: rssRatio < flowRatio && bytesPerExtraFlow < definitionBytes };
}

function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Polls the peak RSS of this process's child whose command line contains `marker`, until stopped. */
export function watchPeakRss(marker: string, everyMs = 10): { stop(): number | undefined } {
  let pid: number | undefined;
  let peak: number | undefined;
  const poll = () => {
    try {
      if (pid === undefined) {
        pid = childPids(process.pid).find((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
          } catch {
            return false;
          }
        });
      }
      if (pid !== undefined) {
        const hwm = parseVmHwm(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (hwm !== undefined) peak = Math.max(peak ?? 0, hwm);
      }
    } catch {
      // the process has exited; its last reading stands
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export async function measureMemory(flows: number, definitionBytes: number, maxParallel: number, progress: (m: string) => void): Promise<MemoryPoint> {
  const solution = buildSolution({ flows, references: 20, owners: 3, depth: 3, readMs: 2, writeMs: 2, activationMs: 5, seed: 7 });
  const scenario = padDefinitions(solution.scenario, definitionBytes);
  scenario.connectionReferences = scenario.connectionReferences.map((r) => ({ ...r, connectionId: solution.references.find((x) => x.logicalName === r.logicalName)?.connectionId }));
  const prepared: BenchSolution = { ...solution, scenario };
  return withSimulator(prepared, async (sim) => {
    const epoch = await simulatorEpoch(sim);
    const watch = watchPeakRss('DataverseActivateFlowsV1');
    const run = await runOurTask({ sim, epoch }, 'DataverseActivateFlowsV1', {
      SolutionName: BENCH_SOLUTION,
      Impersonation: 'ConnectionOwner',
      MaxParallel: String(maxParallel),
      ErrorHandling: 'Fail',
      DryRun: 'false',
    });
    const peakRssBytes = watch.stop();
    const flowsOn = sim.state.snapshot().flows.filter((f) => f.statecode === 1).length;
    progress(`memory: ${flows} flows of ${Math.round(definitionBytes / 1024)} KB: ${run.result}, peak RSS ${peakRssBytes ? (peakRssBytes / 2 ** 20).toFixed(0) : '?'} MB, ${flowsOn} on`);
    return { flows, definitionBytes, peakRssBytes, wallMs: run.wallMs, result: run.result, flowsOn };
  });
}
