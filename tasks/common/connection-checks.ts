import { connectorName } from './admin';
import { ConnectionInfo, normaliseConnectionId } from './connections';
import { ImpersonationCheck } from './impersonation-check';
import type { ConnectionProblemKind } from './problems/connection';

/** A system user of the environment as the owner check needs it. */
export interface EnvironmentUser {
  objectId: string;
  disabled: boolean;
}

export interface ConnectionCheckInput {
  connectionsById: ReadonlyMap<string, ConnectionInfo>;
  connectionId: string;
  /** The reference's connector id or name; empty when not known (then any connector is accepted). */
  connectorId: string;
  /**
   * Check the connection's owner too: an enabled user of the environment (when `users` is given)
   * whom the service principal may act as (when `acting` holds a result for the owner).
   */
  owner?: {
    users?: ReadonlyMap<string, EnvironmentUser>;
    acting?: ReadonlyMap<string, ImpersonationCheck>;
    /** The service principal's object id: its own connections need no owner check. */
    servicePrincipalObjectId?: string;
  };
}

export interface ConnectionCheckProblem {
  kind: ConnectionProblemKind;
  connection?: ConnectionInfo;
  platformCode?: string;
  platformMessage?: string;
}

/**
 * The checks of a connection for a reference, in the order a user fixes them: it exists in the
 * environment, is of the reference's connector, is Connected, and (when asked) its owner is an
 * enabled user of the environment who can be acted as. The first failing check is returned.
 */
export function checkReferenceConnection(input: ConnectionCheckInput): ConnectionCheckProblem | undefined {
  const connection = input.connectionsById.get(normaliseConnectionId(input.connectionId).toLowerCase());
  if (!connection) return { kind: 'ConnectionNotFound' };
  if (input.connectorId && connection.connector !== connectorName(input.connectorId)) return { kind: 'ConnectionOfOtherConnector', connection };
  if (!connection.connected) return { kind: 'ConnectionNotConnected', connection };
  if (!input.owner) return undefined;
  const problem = checkOwnerUser(connection.ownerObjectId, input.owner.users, input.owner.acting, input.owner.servicePrincipalObjectId);
  return problem ? { ...problem, connection } : undefined;
}

/** The owner of a connection can be acted as: known, a user of the environment, enabled, and accepted by the act-on-behalf check. */
export function checkOwnerUser(
  ownerObjectId: string | undefined,
  users: ReadonlyMap<string, EnvironmentUser> | undefined,
  acting: ReadonlyMap<string, ImpersonationCheck> | undefined,
  servicePrincipalObjectId?: string,
): Omit<ConnectionCheckProblem, 'connection'> | undefined {
  if (!ownerObjectId) return { kind: 'ConnectionOwnerUnknown' };
  const owner = ownerObjectId.toLowerCase();
  if (owner === servicePrincipalObjectId?.toLowerCase()) return undefined;
  if (users) {
    const user = users.get(owner);
    if (!user) return { kind: 'UserNotInEnvironment' };
    if (user.disabled) return { kind: 'UserDisabled' };
  }
  const check = acting?.get(owner);
  if (check && !check.ok) {
    // An ignored impersonation (WhoAmI answered as someone else) is an owner that cannot be acted as, with its own code.
    return { kind: check.kind === 'cannotActOnBehalf' ? 'CannotActOnBehalfOfAnotherUser' : 'OwnerCannotBeActedAs', platformCode: check.code, platformMessage: check.message };
  }
  return undefined;
}
