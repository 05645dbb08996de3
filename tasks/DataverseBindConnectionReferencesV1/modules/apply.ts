import { Actor, actingAs } from '../../common/acting-identity';
import { mapWithConcurrency } from '../../common/concurrency';
import { DataverseClient } from '../../common/dataverse';
import { PlatformError } from '../../common/errors';
import { PlanItem } from './plan';

export type ApplyOutcome = 'bound' | 'failed' | 'notAttempted' | 'rolledBack' | 'rollbackFailed';

export interface ApplyResult {
  item: PlanItem;
  outcome: ApplyOutcome;
  /** The failure of the bind ('failed') or of putting the previous connection back ('rollbackFailed'). */
  error?: unknown;
  /** The connection the reference was read back pointing at after a write whose answer was lost (null: none). */
  connectionAfter?: string | null;
}

export interface ApplyOptions {
  concurrency: number;
  onBound?(item: PlanItem): void;
  onRolledBack?(item: PlanItem): void;
}

/** `PATCH connectionreferences(<id>) {connectionid}` as `actor` (its object id through CallerObjectId, or the service principal). */
export function setConnection(dataverse: DataverseClient, referenceId: string, connectionId: string | null, actor: Actor | undefined): Promise<void> {
  return dataverse.patch(`connectionreferences(${referenceId})`, { connectionid: connectionId }, actor ? actingAs(actor) : {});
}

/** A write whose answer never came (dropped connection, timeout, 5xx): it may have landed. */
function outcomeUnknown(error: unknown): boolean {
  return error instanceof PlatformError && (error.status === 0 || error.status >= 500);
}

/** The connection a reference points at now, as the service principal reads it. */
async function readConnection(dataverse: DataverseClient, referenceId: string): Promise<string | null> {
  const row = await dataverse.get<{ connectionid?: string | null }>(`connectionreferences(${referenceId})?$select=connectionid`);
  return row.connectionid?.trim() || null;
}

type WriteResult = { landed: true } | { landed: false; error: unknown; connectionAfter?: string | null };

/** Sets a reference's connection; when the answer is lost, reads the reference back to learn whether the write landed. */
async function writeConnection(dataverse: DataverseClient, item: PlanItem, connectionId: string | null, actor: Actor | undefined): Promise<WriteResult> {
  try {
    await setConnection(dataverse, item.id, connectionId, actor);
    return { landed: true };
  } catch (error) {
    if (!outcomeUnknown(error)) return { landed: false, error };
    let now: string | null;
    try {
      now = await readConnection(dataverse, item.id);
    } catch {
      return { landed: false, error };
    }
    if ((now ?? '').toLowerCase() === (connectionId ?? '').toLowerCase()) return { landed: true };
    return { landed: false, error, connectionAfter: now };
  }
}

/**
 * Binds the planned references, a few at a time. After the first write that fails for good (the
 * shared client has already retried it, and a lost answer was checked by reading the reference
 * back), no further write starts; the writes in flight finish, and then every reference changed by
 * this run is put back to its previous connection.
 */
export async function applyBindings(dataverse: DataverseClient, toBind: readonly PlanItem[], options: ApplyOptions): Promise<ApplyResult[]> {
  const results: ApplyResult[] = toBind.map((item) => ({ item, outcome: 'notAttempted' }));
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped && next < results.length) {
      const result = results[next++];
      const written = await writeConnection(dataverse, result.item, result.item.wantedConnectionId ?? null, result.item.actor);
      if (written.landed) {
        result.outcome = 'bound';
        options.onBound?.(result.item);
      } else {
        result.outcome = 'failed';
        result.error = written.error;
        if (written.connectionAfter !== undefined) result.connectionAfter = written.connectionAfter;
        stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, results.length) }, worker));
  if (!stopped) return results;

  const changed = results.filter((r) => r.outcome === 'bound');
  await mapWithConcurrency(changed, options.concurrency, async (result) => {
    const previous = result.item.currentConnectionId ?? null;
    const written = await writeConnection(dataverse, result.item, previous, result.item.rollbackActor);
    if (written.landed) {
      result.outcome = 'rolledBack';
      options.onRolledBack?.(result.item);
    } else {
      result.outcome = 'rollbackFailed';
      result.error = written.error;
      if (written.connectionAfter !== undefined) result.connectionAfter = written.connectionAfter;
    }
  });
  return results;
}
