import { PowerAppsConnection, connectorName, isConnected } from './admin';
import { neutraliseLine } from './remote-text';
import { isGuid } from './task-inputs';

/** A connection of the target environment, as the planning functions need it. */
export interface ConnectionInfo {
  id: string;
  connector: string;
  displayName?: string;
  connected: boolean;
  status: string;
  /** The platform's error for a status other than Connected (e.g. an expired sign-in), neutralised and bounded. */
  statusError?: string;
  ownerObjectId?: string;
  ownerUpn?: string;
  ownerName?: string;
}

export function toConnectionInfo(connection: PowerAppsConnection): ConnectionInfo {
  const createdBy = connection.properties.createdBy ?? {};
  const failing = (connection.properties.statuses ?? []).find((s) => s.status !== 'Connected' && s.error);
  return {
    id: connection.name,
    connector: connectorName(connection.properties.apiId ?? ''),
    displayName: connection.properties.displayName,
    connected: isConnected(connection),
    status: (connection.properties.statuses ?? []).map((s) => s.status).join(', ') || 'Unknown',
    ...(failing?.error ? { statusError: neutraliseLine(`${failing.error.code ?? ''}: ${failing.error.message ?? ''}`, 600) } : {}),
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

/**
 * The connection was created by the owner: by object id (the listing always has `createdBy.id`;
 * a UPN owner carries the object id resolved through the environment's users), or by UPN, which
 * the listing does not always return.
 */
export function ownedBy(connection: ConnectionInfo, owner: OwnerSpec): boolean {
  if (owner.objectId && connection.ownerObjectId === owner.objectId) return true;
  return !!owner.upn && connection.ownerUpn === owner.upn;
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

/**
 * A connection id as the platform stores it in a reference: real settings files also carry the
 * `<connector>/<id>` form (`shared_commondataserviceforapps/<id>`) or a full resource path; a
 * connection id never contains `/`, so the last segment is the id.
 */
export function normaliseConnectionId(value: string): string {
  const trimmed = value.trim();
  if (!trimmed.includes('/')) return trimmed;
  const segments = trimmed.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? trimmed;
}

export function indexConnections(connections: readonly ConnectionInfo[]): Map<string, ConnectionInfo> {
  return new Map(connections.map((c) => [c.id.toLowerCase(), c]));
}
