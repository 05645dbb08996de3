import { TransientWait, noteLockWaits } from '../../common/customization-lock';
import { DataverseClient } from '../../common/dataverse';
import { PlatformError } from '../../common/errors';
import { Outcome } from '../../common/report';
import { FlowAction, FlowError, Localize, STATE_OFF, STATE_ON } from './facts';
import { PlannedFlow, blockedError } from './plan';
import { ChildPublicationRetry } from './child-publication';
import { RetryLater, runSchedule } from './scheduler';
import { TransientRetry } from './transient-retry';

/** What happened to one flow of the plan. */
export interface FlowResult {
  outcome: Outcome;
  error?: FlowError;
  blockedBy?: string[];
  startedAt?: string;
  durationMs?: number;
  /** The response to the change was lost; the outcome is the flow's state read afterwards. */
  confirmedByRead?: boolean;
  /** Transient states waited out: a customization lock, child publication, a resend after a lost response. */
  waits?: TransientWait[];
}

/** Said by `send` when the outcome was read back after a lost response. */
export interface SendNote {
  confirmedByRead: true;
}

/** Why a flow is sent again. */
export type RetryReason = 'childFlowPublication' | 'savedBinding' | 'lostResponse';

export interface ApplyOptions {
  maxParallel: number;
  /** Sends the change of one flow; throws on failure. */
  send(flow: PlannedFlow): Promise<void | SendNote>;
  classify(flow: PlannedFlow, error: unknown): FlowError;
  nameOf(id: string): string;
  onResult?(flow: PlannedFlow, result: FlowResult): void;
  now?: () => number;
  /** Retries a caller refused while its children's publication propagates; without it, no retry. */
  childPublication?: ChildPublicationRetry;
  /** Retries a flow refused for a reference read as bound, whose binding is still being saved. */
  savedBinding?: TransientRetry;
  /** Delay before a flow whose lost change a read showed not made is sent once more (default 1 s). */
  resendDelayMs?: number;
  /** A flow is sent again after `delayMs`. */
  onRetry?(flow: PlannedFlow, reason: RetryReason, delayMs: number): void;
}

/** The request body that turns a flow on or off (workflow statecode/statuscode). */
export function stateChangeBody(action: FlowAction): { statecode: number; statuscode: number } {
  return action === 'turnOn' ? { statecode: STATE_ON, statuscode: 2 } : { statecode: STATE_OFF, statuscode: 1 };
}

/** The change reached the service but its answer did not (reset, timeout, gateway timeout): it may have been made. */
export function isLostResponse(error: unknown): error is PlatformError {
  return error instanceof PlatformError && (error.status === 0 || error.status === 502 || error.status === 504) && error.code !== 'ECONNREFUSED';
}

/** A change whose response was lost and that the read afterwards shows was not made (or could not tell). */
export class UnconfirmedChangeError extends Error {
  constructor(
    readonly lost: PlatformError,
    readonly stateAfter: number | undefined,
  ) {
    super(lost.message);
  }
}

/**
 * Sends the change of one flow as its actor. The request is never resent by the client: when its
 * response is lost, the flow's state is read (as the service principal) and decides the outcome,
 * so a change that landed is reported as made and one that did not is reported failed, never sent
 * twice blindly.
 */
export async function sendStateChange(dataverse: DataverseClient, flow: PlannedFlow): Promise<void | SendNote> {
  const caller = flow.actor?.kind === 'user' ? { callerObjectId: flow.actor.objectId } : {};
  try {
    await dataverse.patch(`workflows(${flow.id})`, stateChangeBody(flow.action), { ...caller, retryOnLostResponse: false });
    return;
  } catch (error) {
    if (!isLostResponse(error)) throw error;
    let state: number | undefined;
    try {
      const record = await dataverse.get<{ statecode?: number }>(`workflows(${flow.id})?$select=statecode`);
      state = typeof record.statecode === 'number' ? record.statecode : undefined;
    } catch {
      state = undefined;
    }
    if (state === stateChangeBody(flow.action).statecode) return { confirmedByRead: true };
    throw new UnconfirmedChangeError(error, state);
  }
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
  const attempts = new Map<string, { started: number; waits: TransientWait[]; resentAt?: number }>();
  const statuses = await runSchedule(pending, options.maxParallel, async (flow): Promise<boolean | RetryLater> => {
    const attempt = attempts.get(flow.id) ?? { started: now(), waits: [] };
    attempts.set(flow.id, attempt);
    let result: FlowResult;
    try {
      const note = await noteLockWaits(attempt.waits, () => options.send(flow));
      result = { outcome: flow.action === 'turnOn' ? 'activated' : 'deactivated', ...(note ? note : {}) };
    } catch (error) {
      const retry = await retryLater(flow, error, attempt, options, now);
      if (retry) return retry;
      result = { outcome: 'failed', error: options.classify(flow, error) };
    }
    const waits = [...attempt.waits, ...transientWaits(flow.id, attempt, options, now)];
    result = { ...result, startedAt: new Date(attempt.started).toISOString(), durationMs: now() - attempt.started, ...(waits.length ? { waits } : {}) };
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

/**
 * Assigns a flow to its wanted owner before it is turned on, as the service principal (an owner
 * change is not made as the flow's connections' owner): the platform refuses to change the owner
 * of a flow that is on, so this always comes first.
 */
export async function sendOwnerAssignment(dataverse: DataverseClient, flow: PlannedFlow): Promise<void> {
  if (!flow.owner) return;
  await dataverse.patch(`workflows(${flow.id})`, { 'ownerid@odata.bind': `/systemusers(${flow.owner.toSystemUserId})` });
}

/**
 * Whether a failed send is tried again: a caller refused while its children's publication
 * propagates (while they are on), or a change whose response was lost and that a read showed not
 * made, sent once more through the same path (a second loss is read back again, never resent).
 */
async function retryLater(
  flow: PlannedFlow,
  error: unknown,
  attempt: { resentAt?: number },
  options: ApplyOptions,
  now: () => number,
): Promise<RetryLater | undefined> {
  if (error instanceof UnconfirmedChangeError && error.stateAfter !== undefined && attempt.resentAt === undefined) {
    attempt.resentAt = now();
    const delayMs = options.resendDelayMs ?? 1000;
    options.onRetry?.(flow, 'lostResponse', delayMs);
    return { retryInMs: delayMs };
  }
  for (const [reason, retry] of [['childFlowPublication', options.childPublication], ['savedBinding', options.savedBinding]] as const) {
    const delayMs = await retry?.retryDelay(flow, error);
    if (delayMs === undefined) continue;
    options.onRetry?.(flow, reason, delayMs);
    return { retryInMs: delayMs };
  }
  return undefined;
}

function transientWaits(flowId: string, attempt: { resentAt?: number }, options: ApplyOptions, now: () => number): TransientWait[] {
  const waits: TransientWait[] = [];
  for (const retry of [options.childPublication, options.savedBinding]) {
    const wait = retry?.waitOf(flowId);
    if (wait) waits.push(wait);
  }
  if (attempt.resentAt !== undefined) waits.push({ reason: 'lostResponse', durationMs: now() - attempt.resentAt, attempts: 2 });
  return waits;
}
