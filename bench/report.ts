import { BenchOptions } from './options';
import { PhaseFigures } from './phases';
import type { MemoryGrowth, MemoryPoint } from './memory';
import type { RealisticReport } from './realistic';

export interface Verification {
  references: number;
  referencesBound: number;
  flows: number;
  flowsOn: number;
  /** Flows turned on as the owner of their connections. */
  flowsOnAsOwner: number;
}

export interface LowerBound {
  activate: { wallMs: number; formula: string; gatherRounds: number };
  bind: { wallMs: number; formula: string; gatherRounds: number };
  howRoundsAreCounted: string;
}

export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
  /** Where the time or the requests went, from the measurements (always filled for the lower bound). */
  note?: string;
}

export interface BenchReport {
  generatedAt: string;
  options: BenchOptions;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  solution: { flows: number; chains: number; depth: number; references: number; owners: number };
  ours: { bind: PhaseFigures; activate: PhaseFigures; verification: Verification };
  baseline?: {
    bind: PhaseFigures;
    activate: PhaseFigures;
    passes: number;
    failedAttempts: number;
    stillOff: number;
    estimatedMs: number;
    extrapolated?: { measuredLoops: number; totalLoops: number; extraMs: number; extraReads: number };
    verification: Verification;
  };
  lowerBound: LowerBound;
  ratios: {
    activateBaselineOverOurs?: number;
    bindBaselineOverOurs?: number;
    totalBaselineOverOurs?: number;
    activateOursOverLowerBound: number;
    bindOursOverLowerBound: number;
    totalOursOverLowerBound: number;
  };
  scale?: {
    flows: [number, number];
    bindReads: [number, number];
    activateReads: [number, number];
    bindPlatformReads: [number, number];
    activatePlatformReads: [number, number];
    activateWallMs: [number, number];
    /** The lower bound at each size, counted the same way. */
    activateLowerBoundMs: [number, number];
    activateResult?: string;
  };
  coldStart: {
    runs: number;
    bindMs: number[];
    activateMs: number[];
    medianBindMs: number;
    medianActivateMs: number;
    medianMs: number;
    /** A bare `node -e` making one HTTPS request, measured the same way. */
    nodeFloorMs: number[];
    medianNodeFloorMs: number;
    how: string;
  };
  vsix: { file: string; bytes: number } | { note: string };
  /** The realistic profile (realistic.ts). */
  realistic?: RealisticReport;
  /** Peak resident set of the activation task at two sizes (memory.ts). */
  memory?: { points: MemoryPoint[]; growth?: MemoryGrowth; how: string };
  targets: Target[];
  benchDurationMs: number;
}

export function seconds(ms: number): string {
  if (ms >= 100_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function phaseRow(name: string, p: PhaseFigures, showRounds = true): string[] {
  const m = p.metrics;
  return [
    name,
    seconds(p.wallMs),
    String(m.reads),
    String(m.platformReads),
    String(m.writes),
    String(m.activationAttempts),
    String(m.peakConcurrency),
    String(m.throttled429),
    showRounds ? String(m.gatherRounds) : '',
  ];
}

const x = (n: number | undefined, digits = 1) => (n === undefined || !Number.isFinite(n) ? 'n/a' : `${n.toFixed(digits)}x`);

export function formatReport(r: BenchReport): string {
  const o = r.options;
  const out: string[] = [];
  out.push(
    `Benchmark: ${r.solution.flows} flows in ${r.solution.chains} child chains of depth ${r.solution.depth}, ${r.solution.references} connection references, ` +
      `${r.solution.owners} connection owners`,
  );
  out.push(`Latency: read ${o.readMs} ms, write ${o.writeMs} ms, activation ${o.activationMs} ms; MaxParallel ${o.maxParallel}; simulator limit 52 concurrent requests per caller`);
  out.push(
    `Machine: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}; load average ${r.machine.loadAverageAtStart[0]} at start, ${r.machine.loadAverageAtEnd[0]} at end`,
  );
  out.push('');

  const header = ['', 'wall', 'reads', 'platform reads', 'writes', 'activations', 'peak concurrency', '429s', 'gather rounds'];
  const rows: string[][] = [];
  const lb = (name: string, ms: number, rounds: number, writes: number, activations: number) =>
    [name, seconds(ms), '', String(rounds), String(writes), activations ? String(activations) : '', '', '', String(rounds)];
  rows.push(['Bind connection references', '', '', '', '', '', '', '', '']);
  rows.push(phaseRow('  ours (bundled task)', r.ours.bind));
  if (r.baseline) rows.push(phaseRow('  BASELINE (sequential)', r.baseline.bind, false));
  rows.push(lb('  lower bound', r.lowerBound.bind.wallMs, r.lowerBound.bind.gatherRounds, r.solution.references, 0));
  rows.push(['Turn on cloud flows', '', '', '', '', '', '', '', '']);
  rows.push(phaseRow('  ours (bundled task)', r.ours.activate));
  if (r.baseline) rows.push(phaseRow(`  BASELINE (sequential${r.baseline.extrapolated ? ', part extrapolated' : ''})`, r.baseline.activate, false));
  rows.push(lb('  lower bound', r.lowerBound.activate.wallMs, r.lowerBound.activate.gatherRounds, r.solution.flows, r.solution.flows));
  out.push(table(header, rows, new Set([1, 2, 3, 4, 5, 6, 7, 8])));
  out.push('');
  out.push('reads/writes: every request in the simulator log by kind (sign-in requests count as reads); platform reads: Dataverse + admin API reads.');
  out.push(`Lower bound, activation: ${r.lowerBound.activate.formula}. Bind: ${r.lowerBound.bind.formula}.`);
  out.push(`  (${r.lowerBound.howRoundsAreCounted})`);

  for (const [name, p] of [['bind', r.ours.bind], ['activate', r.ours.activate]] as const) {
    const b = p.breakdown;
    if (b) {
      out.push(
        `Ours, ${name}: process start -> first request ${b.startupMs} ms, sign-in + gather ${b.gatherMs} ms, writes ${b.applyMs} ms, ` +
          `last response -> exit ${b.finishMs} ms; result ${p.result ?? 'none'}.` +
          (p.wallRunsMs && p.wallRunsMs.length > 1 ? ` Wall time of the ${p.wallRunsMs.length} runs: ${p.wallRunsMs.map((ms) => seconds(ms)).join(', ')} (median run shown).` : ''),
      );
    }
    for (const note of p.notes) out.push(`  note: ${note}`);
  }
  const v = r.ours.verification;
  out.push(`Ours left ${v.referencesBound}/${v.references} references bound and ${v.flowsOn}/${v.flows} flows on (${v.flowsOnAsOwner} as their connections' owner).`);
  if (r.baseline) {
    const bv = r.baseline.verification;
    out.push(
      `BASELINE: ${r.baseline.passes} activation passes, ${r.baseline.failedAttempts} failed attempts (child not on yet); left ${bv.referencesBound}/${bv.references} references bound, ` +
        `${bv.flowsOn}/${bv.flows} flows on. Estimated before the run: ${seconds(r.baseline.estimatedMs)}.`,
    );
    for (const note of [...r.baseline.bind.notes, ...r.baseline.activate.notes]) out.push(`  note: ${note}`);
  }
  out.push('');

  const ratioRows: string[][] = [
    ['activation', x(r.ratios.activateBaselineOverOurs), x(r.ratios.activateOursOverLowerBound, 2)],
    ['binding', x(r.ratios.bindBaselineOverOurs), x(r.ratios.bindOursOverLowerBound, 2)],
    ['both', x(r.ratios.totalBaselineOverOurs), x(r.ratios.totalOursOverLowerBound, 2)],
  ];
  out.push(table(['ratio', 'baseline / ours', 'ours / lower bound'], ratioRows, new Set([1, 2])));
  out.push('');

  if (r.scale) {
    const s = r.scale;
    out.push(
      `Reads at ${s.flows[0]} and ${s.flows[1]} flows: bind ${s.bindReads[0]} -> ${s.bindReads[1]} (platform ${s.bindPlatformReads.join(' -> ')}), ` +
        `activate ${s.activateReads[0]} -> ${s.activateReads[1]} (platform ${s.activatePlatformReads.join(' -> ')}); ` +
        `activation wall ${seconds(s.activateWallMs[0])} -> ${seconds(s.activateWallMs[1])}${s.activateResult && s.activateResult !== 'Succeeded' ? ` (${s.activateResult})` : ''} ` +
        `(lower bound ${seconds(s.activateLowerBoundMs[0])} -> ${seconds(s.activateLowerBoundMs[1])}, ours / bound ` +
        `${(s.activateWallMs[0] / s.activateLowerBoundMs[0]).toFixed(2)}x -> ${(s.activateWallMs[1] / s.activateLowerBoundMs[1]).toFixed(2)}x).`,
    );
  }
  const c = r.coldStart;
  out.push(
    `Cold start (median of ${c.runs} runs each): bind ${Math.round(c.medianBindMs)} ms, activate ${Math.round(c.medianActivateMs)} ms; ` +
      `in the measured runs above: bind ${r.ours.bind.coldStartMs ?? 'n/a'} ms, activate ${r.ours.activate.coldStartMs ?? 'n/a'} ms. ` +
      `A bare node -e making one HTTPS request: ${Math.round(c.medianNodeFloorMs)} ms (median), so the tasks add ~${Math.round(c.medianMs - c.medianNodeFloorMs)} ms of their own.`,
  );
  out.push('file' in r.vsix ? `Package: ${r.vsix.file}, ${(r.vsix.bytes / 1024).toFixed(0)} KiB.` : `Package: ${r.vsix.note}.`);
  out.push('');
  out.push(table(['target', 'wanted', 'measured', ''], r.targets.map((t) => [t.name, t.target, t.measured, t.met ? 'met' : 'MISSED']), new Set()));
  for (const t of r.targets) if (t.note) out.push(`${t.met ? '' : 'MISSED: '}${t.name}: ${t.note}`);
  return out.join('\n');
}
