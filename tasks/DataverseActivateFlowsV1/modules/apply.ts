import { DataverseClient } from '../../common/dataverse';
import { PlatformError } from '../../common/errors';
import { Outcome } from '../../common/report';
import { FlowAction, FlowError, Localize, STATE_OFF, STATE_ON } from './facts';
import { PlannedFlow, blockedError } from './plan';
import { runSchedule } from './scheduler';

/** What happened to one flow of the plan. */
export interface FlowResult {
  outcome: Outcome;
  error?: FlowError;
  blockedBy?: string[];
  startedAt?: string;
  durationMs?: number;
  /** The response to the change was lost; the outcome is the flow's state read afterwards. */
  confirmedByRead?: boolean;
}

/** Said by `send` when the outcome was read back after a lost response. */
export interface SendNote {
  confirmedByRead: true;
}

export interface ApplyOptions {
  maxParallel: number;
  /** Sends the change of one flow; throws on failure. */
  send(flow: PlannedFlow): Promise<void | SendNote>;
  classify(flow: PlannedFlow, error: unknown): FlowError;
  nameOf(id: string): string;
  onResult?(flow: PlannedFlow, result: FlowResult): void;
  now?: () => number;
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
  const statuses = await runSchedule(pending, options.maxParallel, async (flow) => {
    const started = now();
    const startedAt = new Date(started).toISOString();
    let result: FlowResult;
    try {
      const note = await options.send(flow);
      result = { outcome: flow.action === 'turnOn' ? 'activated' : 'deactivated', startedAt, durationMs: now() - started, ...(note ? note : {}) };
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

/**
 * Assigns a flow to its wanted owner before it is turned on, as the service principal (an owner
 * change is not made as the flow's connections' owner): the platform refuses to change the owner
 * of a flow that is on, so this always comes first.
 */
export async function sendOwnerAssignment(dataverse: DataverseClient, flow: PlannedFlow): Promise<void> {
  if (!flow.owner) return;
  await dataverse.patch(`workflows(${flow.id})`, { 'ownerid@odata.bind': `/systemusers(${flow.owner.toSystemUserId})` });
}
