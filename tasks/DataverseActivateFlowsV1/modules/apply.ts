import { Outcome } from '../../common/report';
import { FlowError, Localize, PlannedFlow, blockedError } from './plan';
import { runSchedule } from './scheduler';

/** What happened to one flow of the plan. */
export interface FlowResult {
  outcome: Outcome;
  error?: FlowError;
  blockedBy?: string[];
  startedAt?: string;
  durationMs?: number;
}

export interface ApplyOptions {
  maxParallel: number;
  /** Sends the change of one flow; throws on failure. */
  send(flow: PlannedFlow): Promise<void>;
  classify(flow: PlannedFlow, error: unknown): FlowError;
  nameOf(id: string): string;
  onResult?(flow: PlannedFlow, result: FlowResult): void;
  now?: () => number;
}

/** The outcomes the plan settles without a request (dry run: `wouldChange` for what would be sent). */
export function plannedResults(flows: readonly PlannedFlow[], dryRun: boolean): Map<string, FlowResult> {
  const results = new Map<string, FlowResult>();
  for (const flow of flows) {
    if (flow.outcome === 'pending') {
      if (dryRun) results.set(flow.id, { outcome: 'wouldChange' });
    } else {
      results.set(flow.id, { outcome: flow.outcome, error: flow.error, blockedBy: flow.blockedBy });
    }
  }
  return results;
}

/**
 * Sends every pending change of the plan: a flow starts the moment the child flows it waits for
 * are on, at most `maxParallel` at a time; the callers of a flow that fails are never sent.
 */
export async function applyPlan(flows: readonly PlannedFlow[], options: ApplyOptions, loc: Localize): Promise<Map<string, FlowResult>> {
  const now = options.now ?? Date.now;
  const results = plannedResults(flows, false);
  const pending = flows.filter((flow) => flow.outcome === 'pending');
  const statuses = await runSchedule(pending, options.maxParallel, async (flow) => {
    const started = now();
    const startedAt = new Date(started).toISOString();
    let result: FlowResult;
    try {
      await options.send(flow);
      result = { outcome: flow.action === 'turnOn' ? 'activated' : 'deactivated', startedAt, durationMs: now() - started };
    } catch (error) {
      result = { outcome: 'failed', error: options.classify(flow, error), startedAt, durationMs: now() - started };
    }
    results.set(flow.id, result);
    options.onResult?.(flow, result);
    return result.outcome !== 'failed';
  });
  for (const flow of pending) {
    const status = statuses.get(flow.id);
    if (status?.status !== 'blocked') continue;
    const firstBlocker = status.blockedBy[0];
    const blocker = firstBlocker ? { id: firstBlocker, error: results.get(firstBlocker)?.error } : { id: flow.id };
    const result: FlowResult = { outcome: 'blocked', blockedBy: status.blockedBy, error: blockedError(blocker, options.nameOf, loc) };
    results.set(flow.id, result);
    options.onResult?.(flow, result);
  }
  return results;
}
