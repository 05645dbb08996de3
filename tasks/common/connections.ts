import { PowerAppsConnection, connectorName, isConnected } from './admin';
import { isGuid } from './task-inputs';

/** A connection of the target environment, as the planning functions need it. */
export interface ConnectionInfo {
  id: string;
  connector: string;
  displayName?: string;
  connected: boolean;
  status: string;
  ownerObjectId?: string;
  ownerUpn?: string;
  ownerName?: string;
}

export function toConnectionInfo(connection: PowerAppsConnection): ConnectionInfo {
  const createdBy = connection.properties.createdBy ?? {};
  return {
    id: connection.name,
    connector: connectorName(connection.properties.apiId ?? ''),
    displayName: connection.properties.displayName,
    connected: isConnected(connection),
    status: (connection.properties.statuses ?? []).map((s) => s.status).join(', ') || 'Unknown',
    ownerObjectId: createdBy.id?.toLowerCase(),
    ownerUpn: (createdBy.userPrincipalName ?? createdBy.email)?.toLowerCase(),
    ownerName: createdBy.displayName,
  };
}

/** The `ConnectionOwner` input: an Entra object id (GUID) or a UPN. */
export interface OwnerSpec {
  raw: string;
  objectId?: string;
  upn?: string;
}

export function parseOwner(value: string | undefined): OwnerSpec | undefined {
  if (!value) return undefined;
  const raw = value.trim();
  return isGuid(raw) ? { raw, objectId: raw.toLowerCase() } : { raw, upn: raw.toLowerCase() };
}

export function ownedBy(connection: ConnectionInfo, owner: OwnerSpec): boolean {
  return owner.objectId ? connection.ownerObjectId === owner.objectId : connection.ownerUpn === owner.upn;
}

export type OwnerPick = { connection: ConnectionInfo } | { problem: 'none' | 'several'; candidates: ConnectionInfo[] };

/** The owner's single Connected connection of a connector; none or several is a problem naming them. */
export function pickOwnerConnection(connections: readonly ConnectionInfo[], owner: OwnerSpec, connectorIdOrName: string): OwnerPick {
  const connector = connectorName(connectorIdOrName);
  const owned = connections.filter((c) => c.connector === connector && ownedBy(c, owner));
  const connected = owned.filter((c) => c.connected);
  if (connected.length === 1) return { connection: connected[0] };
  if (connected.length > 1) return { problem: 'several', candidates: connected };
  return { problem: 'none', candidates: owned };
}

export type ConnectionProblem = 'missing' | 'notConnected' | 'otherConnector';

/** Checks a connection id for a reference: it exists in the environment, is Connected, and is of the reference's connector. */
export function checkConnection(connectionsById: ReadonlyMap<string, ConnectionInfo>, connectionId: string, connectorIdOrName: string): ConnectionProblem | undefined {
  const connection = connectionsById.get(connectionId.toLowerCase());
  if (!connection) return 'missing';
  if (connection.connector !== connectorName(connectorIdOrName)) return 'otherConnector';
  if (!connection.connected) return 'notConnected';
  return undefined;
}

export function indexConnections(connections: readonly ConnectionInfo[]): Map<string, ConnectionInfo> {
  return new Map(connections.map((c) => [c.id.toLowerCase(), c]));
}
