import { RequestLogEntry } from '../tests/simulator';
import { isActivation, metricsOf, RunMetrics } from './log-metrics';
import { TaskRun } from './ours';

/** Where the wall time of one bundled task run went (simulator clock, ms). */
export interface Breakdown {
  /** Process start to its first request. */
  startupMs: number;
  /** First request to the first write (sign-in, WhoAmI, gathering state, planning). */
  gatherMs: number;
  /** First write start to last write end. */
  applyMs: number;
  /** Last response to process exit (report, summary, exit). */
  finishMs: number;
}

export interface PhaseFigures {
  label: string;
  wallMs: number;
  metrics: RunMetrics;
  result?: string;
  coldStartMs?: number;
  breakdown?: Breakdown;
  notes: string[];
  /** Wall time of every repetition, when ours ran more than once (the figures are from the median run). */
  wallRunsMs?: number[];
}

const PLATFORM = new Set(['dataverse', 'admin', 'bap']);

export function breakdownOf(run: TaskRun, epoch: number, isApplyWrite: (e: RequestLogEntry) => boolean): Breakdown | undefined {
  const entries = run.entries;
  if (entries.length === 0) return undefined;
  const spawn = run.spawnedAt - epoch;
  const exit = run.exitedAt - epoch;
  const first = entries.reduce((t, e) => Math.min(t, e.start), Infinity);
  const last = entries.reduce((t, e) => Math.max(t, e.end), -Infinity);
  const writes = entries.filter((e) => PLATFORM.has(e.api) && e.kind === 'write' && isApplyWrite(e));
  const firstWrite = writes.reduce((t, e) => Math.min(t, e.start), Infinity);
  const lastWrite = writes.reduce((t, e) => Math.max(t, e.end), -Infinity);
  const applyStart = Number.isFinite(firstWrite) ? firstWrite : last;
  const applyEnd = Number.isFinite(lastWrite) ? lastWrite : last;
  return {
    startupMs: Math.round(first - spawn),
    gatherMs: Math.round(applyStart - first),
    applyMs: Math.round(applyEnd - applyStart),
    finishMs: Math.round(exit - applyEnd),
  };
}

export function oursPhase(label: string, run: TaskRun, epoch: number, kind: 'bind' | 'activate'): PhaseFigures {
  const notes: string[] = [];
  if (run.result !== 'Succeeded') notes.push(`task result ${run.result ?? 'none'}: ${run.resultMessage ?? run.errors.join('; ')}`);
  const applyWrite = kind === 'activate' ? isActivation : (e: RequestLogEntry) => /\/connectionreferences\(/i.test(e.path) || /\$batch$/i.test(e.path);
  return {
    label,
    wallMs: run.wallMs,
    metrics: metricsOf(run.entries),
    result: run.result,
    coldStartMs: run.coldStartMs,
    breakdown: breakdownOf(run, epoch, applyWrite),
    notes,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
