import { DataverseClient } from './dataverse';
import { PlatformError } from './errors';
import { mapWithConcurrency } from './concurrency';

export type ActingCheck =
  | { ok: true }
  | { ok: false; kind: 'cannotActOnBehalf' | 'ownerCannotBeActedAs'; code: string; message: string };

const ACT_ON_BEHALF_CODES = new Set(['0x8004a110', 'cannotactonbehalfofanotheruser', '0x8004ed43', 'cannotaddoractonbehalfanotheruserprivilege']);

/**
 * Asks a read-only WhoAmI as each user the writes will act as (CallerObjectId). It fails the way
 * the writes would when the service principal lacks the act-on-behalf privilege or the user cannot
 * be acted as (disabled, unknown, no business unit), so both are found before any write. One read
 * per distinct user.
 */
export async function checkActingIdentities(dataverse: DataverseClient, objectIds: readonly string[], concurrency: number): Promise<Map<string, ActingCheck>> {
  const checks = await mapWithConcurrency(objectIds, concurrency, async (objectId): Promise<[string, ActingCheck]> => {
    try {
      await dataverse.whoAmI({ callerObjectId: objectId });
      return [objectId, { ok: true }];
    } catch (error) {
      if (!(error instanceof PlatformError) || ![400, 403, 404].includes(error.status)) throw error;
      const kind = ACT_ON_BEHALF_CODES.has(error.effectiveCode.toLowerCase()) ? 'cannotActOnBehalf' : 'ownerCannotBeActedAs';
      return [objectId, { ok: false, kind, code: error.effectiveCode, message: error.effectiveMessage }];
    }
  });
  return new Map(checks);
}

/** Why a change is made as a user rather than as the service principal. */
export type ActorReason = 'connectionOwner' | 'impersonateUser' | 'invokerReference' | 'activateAs' | 'flowOwner' | 'previousConnectionOwner';

/** Who a change is made as. */
export type Actor = { kind: 'servicePrincipal' } | { kind: 'user'; objectId: string; reason: ActorReason };

/** The report's `actor` value of the service principal. */
export const SERVICE_PRINCIPAL = 'servicePrincipal';

export const SERVICE_PRINCIPAL_ACTOR: Actor = { kind: 'servicePrincipal' };

export function userActor(objectId: string, reason: ActorReason): Actor {
  return { kind: 'user', objectId: objectId.toLowerCase(), reason };
}

/** The report's `actor`: the object id, or `servicePrincipal`. */
export function actorId(actor: Actor): string {
  return actor.kind === 'user' ? actor.objectId : SERVICE_PRINCIPAL;
}

/** Request options that make a Dataverse request as the actor (CallerObjectId for a user). */
export function actingAs(actor: Actor): { callerObjectId?: string } {
  return actor.kind === 'user' ? { callerObjectId: actor.objectId } : {};
}
