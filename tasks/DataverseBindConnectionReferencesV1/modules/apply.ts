import { mapWithConcurrency } from '../../common/concurrency';
import { DataverseClient } from '../../common/dataverse';
import { PlatformError, errorMessage } from '../../common/errors';
import { PlanItem, SERVICE_PRINCIPAL } from './plan';

export type ApplyOutcome = 'bound' | 'failed' | 'notAttempted' | 'rolledBack' | 'rollbackFailed';

export interface ApplyResult {
  item: PlanItem;
  outcome: ApplyOutcome;
  /** The failure of the bind ('failed') or of putting the previous connection back ('rollbackFailed'). */
  error?: unknown;
}

export interface ApplyOptions {
  concurrency: number;
  onBound?(item: PlanItem): void;
  onRolledBack?(item: PlanItem): void;
}

/** `PATCH connectionreferences(<id>) {connectionid}` as `actor` (its object id through CallerObjectId, or the service principal). */
export function setConnection(dataverse: DataverseClient, referenceId: string, connectionId: string | null, actor: string | undefined): Promise<void> {
  return dataverse.patch(`connectionreferences(${referenceId})`, { connectionid: connectionId }, actor && actor !== SERVICE_PRINCIPAL ? { callerObjectId: actor } : {});
}

/**
 * Binds the planned references, a few at a time. After the first write that fails for good (the
 * shared client has already retried it), no further write starts; the writes in flight finish,
 * and then every reference changed by this run is put back to its previous connection.
 */
export async function applyBindings(dataverse: DataverseClient, toBind: readonly PlanItem[], options: ApplyOptions): Promise<ApplyResult[]> {
  const results: ApplyResult[] = toBind.map((item) => ({ item, outcome: 'notAttempted' }));
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped && next < results.length) {
      const result = results[next++];
      try {
        await setConnection(dataverse, result.item.id, result.item.wantedConnectionId ?? null, result.item.actor);
        result.outcome = 'bound';
        options.onBound?.(result.item);
      } catch (error) {
        result.outcome = 'failed';
        result.error = error;
        stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, results.length) }, worker));
  if (!stopped) return results;

  const changed = results.filter((r) => r.outcome === 'bound');
  await mapWithConcurrency(changed, options.concurrency, async (result) => {
    try {
      await setConnection(dataverse, result.item.id, result.item.currentConnectionId ?? null, result.item.rollbackActor);
      result.outcome = 'rolledBack';
      options.onRolledBack?.(result.item);
    } catch (error) {
      result.outcome = 'rollbackFailed';
      result.error = error;
    }
  });
  return results;
}

export function platformCode(error: unknown): string {
  return error instanceof PlatformError ? error.effectiveCode : 'Error';
}

export function platformMessage(error: unknown): string {
  return error instanceof PlatformError ? error.effectiveMessage : errorMessage(error);
}
