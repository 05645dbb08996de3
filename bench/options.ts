/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  flows: number;
  references: number;
  owners: number;
  depth: number;
  maxParallel: number;
  readMs: number;
  writeMs: number;
  activationMs: number;
  /** Runs of each task for the cold-start median. */
  coldStartRuns: number;
  /** Runs of ours (each on a fresh simulator); the median run of each task is reported. */
  repeat: number;
  /** Also run ours at twice the flows, to show whether read counts follow N. */
  scaleCheck: boolean;
  /** Skip the baseline (sequential, slow by design). */
  baseline: boolean;
  /**
   * Above this estimated baseline duration, the baseline's per-reference re-read loop runs for as
   * many references as fit and the rest is extrapolated (labelled as such in the output).
   */
  baselineBudgetSeconds: number;
  /** The whole bench (after the build) should end within this; the baseline's sampling leaves room for the rest. */
  timeLimitSeconds: number;
  seed: number;
  /** Also run the realistic profile (realistic-profile.ts). */
  realistic: boolean;
  /** The realistic profile's durations are divided by this. */
  realisticTimeScale: number;
  /** Seconds of the realistic baseline before its re-read loop is sampled. */
  realisticBaselineBudgetSeconds: number;
  /** Also measure the activation's peak RSS at N and at `memoryFlows` flows of `definitionKb` KB. */
  memory: boolean;
  memoryFlows: number;
  definitionKb: number;
  outDir?: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  flows: 300,
  references: 20,
  owners: 3,
  depth: 3,
  maxParallel: 32,
  readMs: 20,
  writeMs: 50,
  activationMs: 150,
  coldStartRuns: 5,
  repeat: 3,
  scaleCheck: true,
  baseline: true,
  baselineBudgetSeconds: 80,
  timeLimitSeconds: 140,
  seed: 7,
  realistic: true,
  realisticTimeScale: 10,
  realisticBaselineBudgetSeconds: 110,
  memory: true,
  memoryFlows: 2000,
  definitionKb: 60,
};

interface NumberOption {
  key: keyof BenchOptions;
  min: number;
  max: number;
  help: string;
}

const NUMBERS: Record<string, NumberOption> = {
  '--flows': { key: 'flows', min: 1, max: 20_000, help: 'cloud flows in the solution (N)' },
  '--references': { key: 'references', min: 1, max: 500, help: 'connection references' },
  '--owners': { key: 'owners', min: 1, max: 50, help: 'users owning the connections' },
  '--depth': { key: 'depth', min: 1, max: 20, help: 'flows per child chain (top calls ... calls leaf)' },
  '--max-parallel': { key: 'maxParallel', min: 1, max: 32, help: 'MaxParallel input of the activation task' },
  '--read-ms': { key: 'readMs', min: 0, max: 10_000, help: 'simulated read latency' },
  '--write-ms': { key: 'writeMs', min: 0, max: 10_000, help: 'simulated write latency' },
  '--activation-ms': { key: 'activationMs', min: 0, max: 60_000, help: 'simulated flow activation latency' },
  '--cold-start-runs': { key: 'coldStartRuns', min: 1, max: 50, help: 'runs per task for the cold-start median' },
  '--repeat': { key: 'repeat', min: 1, max: 20, help: 'runs of ours; the median run of each task is reported' },
  '--baseline-budget': { key: 'baselineBudgetSeconds', min: 1, max: 100_000, help: 'seconds of baseline run before its re-read loop is sampled' },
  '--time-limit': { key: 'timeLimitSeconds', min: 60, max: 100_000, help: 'seconds the whole bench should stay within (baseline sampled to fit)' },
  '--seed': { key: 'seed', min: 0, max: 2 ** 31, help: 'seed of the generated solution' },
  '--realistic-time-scale': { key: 'realisticTimeScale', min: 1, max: 100, help: 'the realistic profile runs this many times faster than the platform' },
  '--realistic-baseline-budget': { key: 'realisticBaselineBudgetSeconds', min: 1, max: 100_000, help: 'seconds of realistic baseline before its re-read loop is sampled' },
  '--memory-flows': { key: 'memoryFlows', min: 1, max: 20_000, help: 'the larger solution of the memory measurement' },
  '--definition-kb': { key: 'definitionKb', min: 1, max: 10_000, help: 'size of each flow definition in the memory measurement' },
};

export const USAGE = [
  'npm run bench -- [options]',
  ...Object.entries(NUMBERS).map(([flag, o]) => `  ${`${flag} <n>`.padEnd(26)}${o.help} (default ${String(DEFAULT_OPTIONS[o.key])})`),
  `  ${'--no-scale-check'.padEnd(26)}do not run ours again at 2 x N`,
  `  ${'--no-baseline'.padEnd(26)}do not run the sequential baseline`,
  `  ${'--no-realistic'.padEnd(26)}do not run the realistic profile`,
  `  ${'--no-memory'.padEnd(26)}do not measure peak memory`,
  `  ${'--out <dir>'.padEnd(26)}results folder (default bench/results)`,
].join('\n');

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const options: BenchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--no-scale-check') {
      options.scaleCheck = false;
      continue;
    }
    if (flag === '--no-baseline') {
      options.baseline = false;
      continue;
    }
    if (flag === '--no-realistic' || flag === '--no-memory') {
      options[flag === '--no-realistic' ? 'realistic' : 'memory'] = false;
      continue;
    }
    const value = inline ?? argv[++i];
    if (flag === '--out') {
      if (!value) throw new Error('--out needs a folder');
      options.outDir = value;
      continue;
    }
    const spec = NUMBERS[flag];
    if (!spec) throw new Error(`unknown option ${arg}\n${USAGE}`);
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < spec.min || n > spec.max) {
      throw new Error(`${flag} needs an integer from ${spec.min} to ${spec.max} (got ${String(value)})`);
    }
    (options as unknown as Record<string, number>)[spec.key] = n;
  }
  if (options.owners > options.references) throw new Error('--owners cannot exceed --references: every owner needs at least one connection');
  return options;
}
