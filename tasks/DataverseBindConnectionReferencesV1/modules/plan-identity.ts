import { Actor, SERVICE_PRINCIPAL_ACTOR, userActor } from '../../common/acting-identity';
import { EnvironmentUser, checkOwnerUser } from '../../common/connection-checks';
import { ConnectionInfo } from '../../common/connections';
import { ImpersonationCheck } from '../../common/impersonation-check';
import { ConnectionProblemKind } from '../../common/problems/connection';

export type Impersonation = 'Auto' | 'ConnectionOwner' | 'None';

/**
 * Why an update is made as its actor (the report's `actorReason`): as the service principal because
 * it owns the connection, it is shared with it, or Impersonation None asks for it; as the
 * connection's owner because the service principal may not use it (Auto) or ConnectionOwner asks for it.
 */
export type BindActorReason = 'ownedByServicePrincipal' | 'sharedWithServicePrincipal' | 'impersonationNone' | 'connectionOwner';

export interface IdentityContext {
  impersonation: Impersonation;
  servicePrincipalObjectId?: string;
  /** Ids (lower case) of the connections shared with the service principal, learnt with the listing (Auto). */
  sharedWithServicePrincipal?: ReadonlySet<string>;
  users?: ReadonlyMap<string, EnvironmentUser>;
  acting?: ReadonlyMap<string, ImpersonationCheck>;
}

export type BindIdentity =
  | { actor: Actor; reason: BindActorReason }
  | { problem: { kind: ConnectionProblemKind; platformCode?: string; platformMessage?: string } };

/** How the service principal may use a connection: it created it, it is shared with it, or neither. */
export function servicePrincipalAccess(connection: ConnectionInfo | undefined, context: IdentityContext): 'ownedByServicePrincipal' | 'sharedWithServicePrincipal' | undefined {
  const sp = context.servicePrincipalObjectId?.toLowerCase();
  if (!connection || !sp) return undefined;
  if (connection.ownerObjectId?.toLowerCase() === sp) return 'ownedByServicePrincipal';
  return context.sharedWithServicePrincipal?.has(connection.id.toLowerCase()) ? 'sharedWithServicePrincipal' : undefined;
}

/**
 * Who binds a reference to `connection`: `None` the service principal; `Auto` the service
 * principal where it owns the connection or it is shared with it, otherwise its owner;
 * `ConnectionOwner` always the owner (the service principal for its own connections). An owner
 * that cannot be acted as is a problem.
 */
export function chooseBindIdentity(connection: ConnectionInfo | undefined, context: IdentityContext): BindIdentity {
  if (context.impersonation === 'None') return { actor: SERVICE_PRINCIPAL_ACTOR, reason: 'impersonationNone' };
  const access = servicePrincipalAccess(connection, context);
  if (access === 'ownedByServicePrincipal' || (access && context.impersonation === 'Auto')) return { actor: SERVICE_PRINCIPAL_ACTOR, reason: access };
  const sp = context.servicePrincipalObjectId?.toLowerCase();
  const problem = checkOwnerUser(connection?.ownerObjectId, context.users, context.acting, sp);
  if (problem) return { problem };
  const owner = connection?.ownerObjectId?.toLowerCase();
  if (!owner || owner === sp) return { actor: SERVICE_PRINCIPAL_ACTOR, reason: 'ownedByServicePrincipal' };
  return { actor: userActor(owner, 'connectionOwner'), reason: 'connectionOwner' };
}

/** Who puts a previous connection back: the same choice as binding it, or the service principal when its owner cannot be acted as. */
export function chooseRollbackActor(previous: ConnectionInfo | undefined, context: IdentityContext): Actor {
  if (!previous) return SERVICE_PRINCIPAL_ACTOR;
  const choice = chooseBindIdentity(previous, context);
  if ('problem' in choice || choice.actor.kind === 'servicePrincipal') return SERVICE_PRINCIPAL_ACTOR;
  return userActor(choice.actor.objectId, 'previousConnectionOwner');
}
