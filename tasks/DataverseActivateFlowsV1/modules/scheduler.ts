import { GraphNode, blockCallers, callersOf } from './graph';

/** `dependsOn`: jobs (ids) that must succeed before this one starts; ids that are not jobs count as done. */
export type ScheduledJob = GraphNode;

export type JobStatus = { status: 'succeeded' } | { status: 'failed' } | { status: 'blocked'; blockedBy: string[] };

/** Said by a job that should run again later (a transient refusal): its slot is freed meanwhile. */
export interface RetryLater {
  retryInMs: number;
}

/**
 * Runs jobs as soon as every job they depend on has succeeded, at most `maxParallel` at a time,
 * in the given order of priority among the ready ones. There are no level-by-level barriers: a
 * caller starts the moment its last child is done. A job that fails (returns false or throws)
 * is never followed by the jobs that depend on it, directly or not: they are blocked. A job that
 * asks to be retried later gives its slot up and is ready again after the delay; only it waits.
 */
export function runSchedule<J extends ScheduledJob>(
  jobs: readonly J[],
  maxParallel: number,
  run: (job: J) => Promise<boolean | RetryLater>,
): Promise<Map<string, JobStatus>> {
  if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new RangeError(`maxParallel must be a positive integer, got ${maxParallel}`);
  const priority = new Map(jobs.map((job, index) => [job.id, index]));
  const dependents = callersOf(jobs);
  const waitingFor = new Map<string, number>(jobs.map((job) => [job.id, 0]));
  for (const callers of dependents.values()) for (const id of callers) waitingFor.set(id, (waitingFor.get(id) as number) + 1);
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const results = new Map<string, JobStatus>();
  const blocked = new Map<string, string[]>();
  const ready: J[] = jobs.filter((job) => waitingFor.get(job.id) === 0);
  let running = 0;
  let delayed = 0;

  const enqueue = (job: J) => {
    const rank = priority.get(job.id) as number;
    const at = ready.findIndex((other) => (priority.get(other.id) as number) > rank);
    if (at < 0) ready.push(job);
    else ready.splice(at, 0, job);
  };

  const block = (failedId: string) => {
    for (const id of blockCallers(failedId, dependents, blocked, (id) => results.has(id))) {
      results.set(id, { status: 'blocked', blockedBy: blocked.get(id) as string[] });
    }
  };

  return new Promise((resolve) => {
    const pump = () => {
      while (running < maxParallel && ready.length > 0) {
        const job = ready.shift() as J;
        running++;
        let outcome: Promise<boolean | RetryLater>;
        try {
          outcome = run(job);
        } catch {
          outcome = Promise.resolve(false);
        }
        outcome.then(
          (ok) => (typeof ok === 'object' && ok !== null ? later(job, ok.retryInMs) : finish(job, ok === true)),
          () => finish(job, false),
        );
      }
      if (running === 0 && ready.length === 0 && delayed === 0) {
        // Only a dependency cycle (rejected by the plan) could leave jobs here.
        for (const job of jobs) if (!results.has(job.id)) results.set(job.id, { status: 'blocked', blockedBy: [] });
        resolve(results);
      }
    };
    const later = (job: J, delayMs: number) => {
      running--;
      delayed++;
      setTimeout(() => {
        delayed--;
        enqueue(job);
        pump();
      }, Math.max(0, delayMs));
      pump();
    };
    const finish = (job: J, ok: boolean) => {
      running--;
      results.set(job.id, { status: ok ? 'succeeded' : 'failed' });
      if (ok) {
        for (const id of dependents.get(job.id) ?? []) {
          const left = (waitingFor.get(id) as number) - 1;
          waitingFor.set(id, left);
          if (left === 0 && !results.has(id)) enqueue(byId.get(id) as J);
        }
      } else {
        block(job.id);
      }
      pump();
    };
    pump();
  });
}
