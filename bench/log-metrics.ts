import { RequestLogEntry } from '../tests/simulator';

/** What the simulator's request log says about one run. */
export interface RunMetrics {
  requests: number;
  reads: number;
  writes: number;
  byApi: Record<string, number>;
  /** Dataverse reads and admin/BAP reads: the platform reads the latency applies to. */
  platformReads: number;
  /** Flow activations attempted (PATCH workflows with statecode 1), incl. failed and retried ones. */
  activationAttempts: number;
  peakConcurrency: number;
  /** Peak of activation PATCHes in flight at once. */
  peakActivationConcurrency: number;
  throttled429: number;
  failed: number;
  /** Sequential rounds of platform reads before the first write (see `gatherRounds`). */
  gatherRounds: number;
  /** First request start to last response, in ms of the simulator clock. */
  serviceSpanMs: number;
}

const PLATFORM_APIS = new Set(['dataverse', 'admin', 'bap']);

export function isActivation(entry: RequestLogEntry): boolean {
  if (entry.method !== 'PATCH' || !/\/workflows\(/i.test(entry.path)) return false;
  const body = entry.body as { statecode?: unknown } | undefined;
  return body?.statecode === 1;
}

export function flowIdOf(entry: RequestLogEntry): string | undefined {
  return /\/workflows\(([0-9a-f-]{36})\)/i.exec(entry.path)?.[1]?.toLowerCase();
}

/** The most intervals [start, end] open at the same instant (an end at t closes before a start at t). */
export function peakConcurrency(entries: readonly { start: number; end: number }[]): number {
  const events: Array<[number, number]> = [];
  for (const e of entries) {
    events.push([e.start, 1], [Math.max(e.end, e.start), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

/**
 * Sequential round trips of platform reads before the run's first platform write: the reads'
 * [start, end] intervals are merged where they overlap, and each merged group counts as one round
 * (reads in flight together cost one latency; a read that starts after another ended costs one
 * more). With no write, all platform reads count.
 */
export function gatherRounds(entries: readonly RequestLogEntry[]): number {
  const firstWrite = entries.reduce((t, e) => (PLATFORM_APIS.has(e.api) && e.kind === 'write' ? Math.min(t, e.start) : t), Infinity);
  const reads = entries
    .filter((e) => PLATFORM_APIS.has(e.api) && e.kind === 'read' && e.start < firstWrite)
    .map((e) => [e.start, e.end] as const)
    .sort((a, b) => a[0] - b[0]);
  let rounds = 0;
  let groupEnd = -Infinity;
  for (const [start, end] of reads) {
    if (start >= groupEnd) {
      rounds++;
      groupEnd = end;
    } else {
      groupEnd = Math.max(groupEnd, end);
    }
  }
  return rounds;
}

export function metricsOf(entries: readonly RequestLogEntry[]): RunMetrics {
  const byApi: Record<string, number> = {};
  for (const e of entries) byApi[e.api] = (byApi[e.api] ?? 0) + 1;
  const activations = entries.filter(isActivation);
  const first = entries.reduce((t, e) => Math.min(t, e.start), Infinity);
  const last = entries.reduce((t, e) => Math.max(t, e.end), -Infinity);
  return {
    requests: entries.length,
    reads: entries.filter((e) => e.kind === 'read').length,
    writes: entries.filter((e) => e.kind === 'write').length,
    byApi,
    platformReads: entries.filter((e) => PLATFORM_APIS.has(e.api) && e.kind === 'read').length,
    activationAttempts: activations.length,
    peakConcurrency: peakConcurrency(entries),
    peakActivationConcurrency: peakConcurrency(activations),
    throttled429: entries.filter((e) => e.status === 429).length,
    failed: entries.filter((e) => e.status >= 400 && e.status !== 429).length,
    gatherRounds: gatherRounds(entries),
    serviceSpanMs: entries.length ? last - first : 0,
  };
}
