import { spawn } from 'child_process';
import * as https from 'https';
import * as fs from 'fs';
import { AgentRunResult, runAgentTask, TaskFolder } from '../tests/helpers/agent-runner';
import { clientSecretEndpoint, SERVICE_CONNECTION_ID, simulatorVariables } from '../tests/helpers/base-scenario';
import { RequestLogEntry, Simulator } from '../tests/simulator';

/**
 * The simulator stamps its log with ms since its own start. This finds that start on the harness's
 * clock (Date.now) with a few unlogged-looking probe requests, keeping the tightest one.
 */
export async function simulatorEpoch(sim: Simulator): Promise<number> {
  const agent = new https.Agent({ ca: fs.readFileSync(sim.caFile, 'utf8'), keepAlive: true });
  let best: { epoch: number; width: number } | undefined;
  try {
    for (let i = 0; i < 5; i++) {
      const marker = `/_bench/clock/${i}-${Math.random().toString(36).slice(2)}`;
      const before = Date.now();
      await new Promise<void>((resolve, reject) => {
        https
          .get(`${sim.url}${marker}`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
      const after = Date.now();
      const entry = sim.log.find((e) => e.path === marker);
      if (!entry) continue;
      const epoch = (before + after) / 2 - entry.start;
      if (!best || after - before < best.width) best = { epoch, width: after - before };
    }
  } finally {
    agent.destroy();
  }
  if (!best) throw new Error('could not calibrate the simulator clock');
  // The probes are not part of any measured run.
  for (let i = sim.log.length - 1; i >= 0; i--) if (sim.log[i].path.startsWith('/_bench/clock/')) sim.log.splice(i, 1);
  return best.epoch;
}

export interface TaskRun {
  task: TaskFolder;
  result?: string;
  resultMessage?: string;
  errors: string[];
  outputs: Record<string, string>;
  /** Harness clock: just before spawn and after the process closed. */
  spawnedAt: number;
  exitedAt: number;
  wallMs: number;
  /** Spawn to the first request the simulator saw from this run. */
  coldStartMs?: number;
  entries: RequestLogEntry[];
  /** Simulator-clock time of the spawn (for timelines). */
  spawnedAtSim: number;
  /** The task's log, kept only when it did not succeed. */
  failureLog?: string;
}

export interface OursContext {
  sim: Simulator;
  epoch: number;
}

function lastSeq(sim: Simulator): number {
  return sim.log.reduce((max, e) => Math.max(max, e.seq), 0);
}

/** Runs one bundled task as the agent does (fresh node process, INPUT_/ENDPOINT_/variables env). */
export async function runOurTask(
  ctx: OursContext,
  task: TaskFolder,
  inputs: Record<string, string>,
  extraVariables: Record<string, string> = {},
): Promise<TaskRun> {
  const variables: Record<string, string> = { ...simulatorVariables(ctx.sim.url), ...extraVariables };
  // The product's own retry timing, not the fast one the tests use.
  delete variables['PowerPlatform.RetryBaseDelayMs'];
  const since = lastSeq(ctx.sim);
  const spawnedAt = Date.now();
  const run: AgentRunResult = await runAgentTask({
    task,
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
    endpoint: clientSecretEndpoint(ctx.sim.url),
    variables,
    caFile: ctx.sim.caFile,
    debug: false,
    timeoutMs: 600_000,
  });
  const exitedAt = Date.now();
  fs.rmSync(run.workDirectory, { recursive: true, force: true });
  const entries = ctx.sim.log.filter((e) => e.seq > since).sort((a, b) => a.seq - b.seq);
  const spawnedAtSim = spawnedAt - ctx.epoch;
  const first = entries.reduce((t, e) => Math.min(t, e.start), Infinity);
  return {
    task,
    result: run.result,
    resultMessage: run.resultMessage,
    errors: run.errors,
    outputs: run.outputs,
    spawnedAt,
    exitedAt,
    wallMs: exitedAt - spawnedAt,
    coldStartMs: Number.isFinite(first) ? Math.max(0, Math.round(first - spawnedAtSim)) : undefined,
    entries,
    spawnedAtSim,
    failureLog: run.result === 'Succeeded' ? undefined : `${run.stdout}\n${run.stderr}`,
  };
}

/**
 * The floor under any cold start on this machine: a bare `node -e` that makes one HTTPS request,
 * measured the same way (spawn to the request's start in the simulator log).
 */
export async function nodeFloor(ctx: OursContext): Promise<number | undefined> {
  const marker = `/_bench/floor/${Math.random().toString(36).slice(2)}`;
  const script = `require('https').get(process.argv[1], { rejectUnauthorized: false }, (r) => r.resume());`;
  const spawnedAt = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, `${ctx.sim.url}${marker}`], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  const index = ctx.sim.log.findIndex((e) => e.path === marker);
  if (index < 0) return undefined;
  const [entry] = ctx.sim.log.splice(index, 1);
  return Math.max(0, Math.round(entry.start - (spawnedAt - ctx.epoch)));
}
