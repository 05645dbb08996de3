import { jitteredBackoff } from '../../common/backoff';
import { TransientWait } from '../../common/customization-lock';

export interface RetryTiming {
  baseDelayMs: number;
  maxDelayMs: number;
  now?: () => number;
}

/**
 * Retries one flow, with backoff, while a refusal is a transient state of the platform rather
 * than a failure, for at most `maxWaitMs` from its first refusal; remembers each flow's wait so the
 * report can say how long it took.
 */
export class TransientRetry {
  private readonly waits = new Map<string, { since: number; refusals: number }>();

  constructor(
    private readonly reason: TransientWait['reason'],
    private readonly maxWaitMs: number,
    private readonly timing: RetryTiming,
    private readonly isTransient: (flow: { id: string; children: readonly string[] }, error: unknown) => Promise<boolean>,
  ) {}

  /** The delay before `flow` is sent again after `error`, or undefined when the refusal is its failure. */
  async retryDelay(flow: { id: string; children: readonly string[] }, error: unknown): Promise<number | undefined> {
    const now = (this.timing.now ?? Date.now)();
    const wait = this.waits.get(flow.id) ?? { since: now, refusals: 0 };
    const left = this.maxWaitMs - (now - wait.since);
    if (left <= 0 || !(await this.isTransient(flow, error))) return undefined;
    wait.refusals++;
    this.waits.set(flow.id, wait);
    return Math.max(1, Math.min(left, jitteredBackoff(wait.refusals, this.timing.baseDelayMs, this.timing.maxDelayMs)));
  }

  /** The wait `flow` went through, if it was refused at least once. */
  waitOf(flowId: string): TransientWait | undefined {
    const wait = this.waits.get(flowId);
    if (!wait) return undefined;
    return { reason: this.reason, durationMs: (this.timing.now ?? Date.now)() - wait.since, attempts: wait.refusals + 1 };
  }
}
