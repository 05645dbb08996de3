import { guidsIn } from '../../common/task-inputs';
import { DataverseClient } from '../../common/dataverse';
import { PlatformError } from '../../common/errors';
import { STATE_ON } from './facts';
import { TransientRetry } from './transient-retry';

/**
 * A child flow turned on a moment ago can still be reported `ChildFlowNeverPublished` to its
 * caller, alone or as every inner error of `MultipleErrorsOccurred`: its publication is still
 * propagating. Such a refusal is retried with backoff for up to two minutes, only for that caller
 * and only while a read shows its children on; a child that is off makes it a failure at once.
 */
export const CHILD_PUBLICATION_WAIT_MS = 2 * 60_000;

const CHILD_NEVER_PUBLISHED = 'childflowneverpublished';
const MULTIPLE_ERRORS = 'multipleerrorsoccurred';

/**
 * The child flows (ids) a refusal says are not published, when it says nothing else: a
 * `ChildFlowNeverPublished`, or a `MultipleErrorsOccurred` whose details (read as JSON, since the
 * text is translated) are all `ChildFlowNeverPublished`. Undefined for any other error.
 */
export function unpublishedChildren(error: unknown): string[] | undefined {
  if (!(error instanceof PlatformError)) return undefined;
  // The wrapper's words are translated, so the Flow error is found by its JSON when Dataverse's unwrapping missed it.
  const flow = flowErrorIn(error.platformMessage);
  const code = (typeof flow?.code === 'string' ? flow.code : error.effectiveCode).toLowerCase();
  if (code === CHILD_NEVER_PUBLISHED) return idsIn([typeof flow?.message === 'string' ? flow.message : error.effectiveMessage]);
  if (code !== MULTIPLE_ERRORS) return undefined;
  const details = Array.isArray(flow?.details) ? (flow.details as FlowErrorDetail[]) : [];
  if (details.length === 0) return undefined;
  if (!details.every((d) => typeof d.code === 'string' && d.code.toLowerCase() === CHILD_NEVER_PUBLISHED)) return undefined;
  return idsIn(details.map((d) => (typeof d.message === 'string' ? d.message : '')));
}

function idsIn(messages: string[]): string[] | undefined {
  const ids = messages.map((m) => guidsIn(m)[0]);
  return ids.every((id): id is string => id !== undefined) ? [...new Set(ids)] : undefined;
}

interface FlowErrorDetail {
  code?: unknown;
  message?: unknown;
}

/** The Flow error (`{"error":{code, message, details}}`) carried inside a message, if any. */
function flowErrorIn(message: string): (FlowErrorDetail & { details?: unknown }) | undefined {
  for (const text of [message, message.replace(/\\"/g, '"')]) {
    const start = text.indexOf('{"error"');
    if (start < 0) continue;
    for (let end = text.lastIndexOf('}'); end > start; end = text.lastIndexOf('}', end - 1)) {
      const error = (tryParse(text.slice(start, end + 1)) as { error?: unknown } | undefined)?.error;
      if (error && typeof error === 'object') return error as FlowErrorDetail & { details?: unknown };
    }
  }
  return undefined;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether every flow of `ids` is on, read now as the service principal. */
export async function childrenAreOn(dataverse: DataverseClient, ids: readonly string[]): Promise<boolean> {
  if (ids.length === 0) return true;
  const filter = ids.map((id) => `workflowid eq ${id}`).join(' or ');
  const rows = await dataverse.getAll<{ workflowid?: string; statecode?: number }>(`workflows?$select=workflowid,statecode&$filter=${encodeURIComponent(filter)}`);
  const on = new Set(rows.filter((r) => r.statecode === STATE_ON).map((r) => (r.workflowid ?? '').toLowerCase()));
  return ids.every((id) => on.has(id));
}

export interface ChildPublicationSettings {
  baseDelayMs: number;
  maxDelayMs: number;
  maxWaitMs?: number;
  childrenOn(ids: readonly string[]): Promise<boolean>;
  now?: () => number;
}

/** The publication waits of the callers of one run: retried only while a read shows their children on. */
export class ChildPublicationRetry extends TransientRetry {
  constructor(settings: ChildPublicationSettings) {
    super('childFlowPublication', settings.maxWaitMs ?? CHILD_PUBLICATION_WAIT_MS, settings, async (flow, error) => {
      const named = unpublishedChildren(error);
      if (!named) return false;
      return settings.childrenOn([...new Set([...flow.children, ...named])]).catch(() => false);
    });
  }
}
