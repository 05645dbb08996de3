import { Actor } from '../../common/acting-identity';
import { connectorName } from '../../common/admin';
import { ConnectionInfo } from '../../common/connections';
import { describeFlowProblem } from '../../common/problems/flow';
import { DATAVERSE_CONNECTOR, FlowAction, FlowError, FlowFacts, ImpersonationMode, Localize, ReferenceFacts, UserFacts } from './facts';

/** What choosing an identity needs to know; every field is gathered before the plan is built. */
export interface IdentityContext {
  impersonation: ImpersonationMode;
  /** Impersonation `User`: the resolved user. */
  impersonateUser?: UserFacts;
  servicePrincipalObjectId?: string;
  /** By lower-case logical name. */
  references: ReadonlyMap<string, ReferenceFacts>;
  /** By lower-case id; undefined only where no flow needs its connections' owners. */
  connections?: ReadonlyMap<string, ConnectionInfo>;
  /** Ids (lower case) of the connections shared with the service principal, learnt with the listing (Impersonation Auto). */
  sharedWithServicePrincipal?: ReadonlySet<string>;
}

/**
 * Why a flow is changed as its actor, in the report's `actorReason`: as the service principal
 * because every connection is its own or shared with it, the flow uses none, it is being turned
 * off, or Impersonation None asks for it; as a user because it owns the flow's connections (or a
 * run-only one), or Impersonation User names it; `impersonationIgnored`: requested as a user, but
 * the platform recorded the change as made by the service principal.
 */
export type IdentityReason =
  | 'ownedByServicePrincipal'
  | 'sharedWithServicePrincipal'
  | 'noConnections'
  | 'turnOff'
  | 'impersonationNone'
  | 'connectionOwner'
  | 'invokerReference'
  | 'impersonateUser'
  | 'activateAs'
  | 'impersonationIgnored';

export interface BoundConnection {
  reference: string;
  connector: string;
  connectionId: string;
  /** Bound to a run-only (invoker) reference of the flow. */
  invoker: boolean;
  outsideSolution: boolean;
}

export interface ConnectionToShare {
  connectionId: string;
  connector: string;
  ownerObjectId?: string;
  ownerName?: string;
}

export type IdentityChoice = { actor: Actor; bound: BoundConnection[]; reason: IdentityReason } | { error: FlowError };

export function indexReferences(references: readonly ReferenceFacts[]): Map<string, ReferenceFacts> {
  return new Map(references.map((r) => [r.logicalName.toLowerCase(), r]));
}

/** True when turning this flow on as the owner of its connections needs the environment's connection listing. */
export function needsConnectionOwners(flow: FlowFacts, context: Omit<IdentityContext, 'connections'>): boolean {
  return (context.impersonation === 'ConnectionOwner' || context.impersonation === 'Auto') && boundConnections(flow, context.references).length > 0;
}

/**
 * Who turns a flow on or off. Turning off needs no access to connections. Turning on: `None` as
 * the service principal, `User` as that user, `Auto` as the service principal when it owns or has
 * been shared every connection of the flow (run-only ones included) and otherwise as
 * `ConnectionOwner` does, `ConnectionOwner` as the owner of most of the flow's
 * connections (run-only ones included), which is the service principal for a flow with no
 * connection or only its own, and never the owner of a connection that no reference of the listed
 * solutions is bound to.
 */
export function chooseIdentity(flow: FlowFacts, action: FlowAction, context: IdentityContext, loc: Localize): IdentityChoice {
  const asUser = context.impersonateUser ? userActor(context.impersonateUser.objectId, 'impersonateUser', context) : undefined;
  const servicePrincipal: Actor = { kind: 'servicePrincipal' };
  if (action === 'turnOff') {
    return context.impersonation === 'User' && asUser ? { actor: asUser, bound: [], reason: 'impersonateUser' } : { actor: servicePrincipal, bound: [], reason: 'turnOff' };
  }
  const problem = definitionProblem(flow, context.references, loc);
  if (problem) return { error: problem };
  const bound = boundConnections(flow, context.references);
  if (context.impersonation === 'None') return { actor: servicePrincipal, bound, reason: 'impersonationNone' };
  if (bound.length === 0) return { actor: servicePrincipal, bound, reason: 'noConnections' };
  if (context.impersonation === 'User') {
    if (!asUser) throw new Error('Impersonation User without the resolved user');
    return { actor: asUser, bound, reason: 'impersonateUser' };
  }
  if (!context.connections) throw new Error('the connections were not gathered for a flow that needs their owners');
  const usable = context.impersonation === 'Auto' ? servicePrincipalAccess(bound, context) : undefined;
  if (usable) return { actor: servicePrincipal, bound, reason: usable };
  const choice = chooseOwner(bound, context, loc);
  if ('error' in choice) return choice;
  const viaInvokerOnly = bound.filter((b) => choice.connectionIds.has(b.connectionId.toLowerCase())).every((b) => b.invoker);
  const ownerReason = viaInvokerOnly ? 'invokerReference' : 'connectionOwner';
  const actor = userActor(choice.owner, ownerReason, context);
  return { actor, bound, reason: actor.kind === 'user' ? ownerReason : 'ownedByServicePrincipal' };
}

/**
 * Whether the service principal may use every connection of the flow (each Connected, and owned by
 * it or shared with it), and why; undefined when one of them is not usable so.
 */
function servicePrincipalAccess(bound: readonly BoundConnection[], context: IdentityContext): 'ownedByServicePrincipal' | 'sharedWithServicePrincipal' | undefined {
  const sp = context.servicePrincipalObjectId?.toLowerCase();
  if (!sp) return undefined;
  let shared = false;
  for (const b of bound) {
    const id = b.connectionId.toLowerCase();
    const connection = context.connections?.get(id);
    if (!connection?.connected) return undefined;
    if (connection.ownerObjectId?.toLowerCase() === sp) continue;
    if (!context.sharedWithServicePrincipal?.has(id)) return undefined;
    shared = true;
  }
  return shared ? 'sharedWithServicePrincipal' : 'ownedByServicePrincipal';
}

function userActor(objectId: string, reason: 'connectionOwner' | 'impersonateUser' | 'invokerReference', context: IdentityContext): Actor {
  const id = objectId.toLowerCase();
  return id === context.servicePrincipalObjectId?.toLowerCase() ? { kind: 'servicePrincipal' } : { kind: 'user', objectId: id, reason };
}

/** A reference the flow needs that does not exist or is not bound (run-only references excepted). */
export function definitionProblem(flow: FlowFacts, references: ReadonlyMap<string, ReferenceFacts>, loc: Localize): FlowError | undefined {
  if (flow.definition.error) return describeFlowProblem(loc, 'InvalidFlowDefinition', [flow.definition.error], []);
  const invoker = new Set(flow.definition.invokerReferences ?? []);
  const required = flow.definition.connectionReferences.filter((name) => !invoker.has(name));
  const missing = required.filter((name) => !references.has(name));
  if (missing.length > 0) return describeFlowProblem(loc, 'ConnectionReferenceNotFound', [missing.join(',')], [missing.join(', ')]);
  const unbound = required.map((name) => references.get(name) as ReferenceFacts).filter((r) => !r.connectionId).map((r) => r.logicalName);
  if (unbound.length > 0) return describeFlowProblem(loc, 'ConnectionReferenceUnbound', [unbound.join("', '")], [unbound.join("', '"), unbound[0]]);
  return undefined;
}

export function boundConnections(flow: FlowFacts, references: ReadonlyMap<string, ReferenceFacts>): BoundConnection[] {
  const invoker = new Set(flow.definition.invokerReferences ?? []);
  const result: BoundConnection[] = [];
  for (const name of flow.definition.connectionReferences) {
    const reference = references.get(name);
    if (!reference?.connectionId) continue;
    const connector = reference.connectorId ? connectorName(reference.connectorId) : (flow.definition.connectors[name] ?? '');
    result.push({
      reference: reference.logicalName,
      connector,
      connectionId: reference.connectionId,
      invoker: invoker.has(name),
      outsideSolution: reference.outsideSolution === true,
    });
  }
  return result;
}

type OwnerChoice = { owner: string; owners: string[]; connectionIds: Set<string> } | { error: FlowError };

/**
 * The owner of most of the flow's connections; on a tie, the one owning most non-Dataverse
 * connections (the ones that sign in as a user), then the first met in the definition. A user
 * whose only connections here are bound to references outside the listed solutions is never
 * chosen: impersonation stays inside the deployment.
 */
export function chooseOwner(bound: readonly BoundConnection[], context: IdentityContext, loc: Localize): OwnerChoice {
  const counts = new Map<string, { all: Set<string>; nonDataverse: Set<string>; inSolution: boolean; first: number }>();
  const connections = context.connections ?? new Map<string, ConnectionInfo>();
  const spObjectId = context.servicePrincipalObjectId?.toLowerCase();
  let index = 0;
  for (const b of bound) {
    const connection = connections.get(b.connectionId.toLowerCase());
    if (!connection) return { error: describeFlowProblem(loc, 'ConnectionNotFound', [b.reference, b.connectionId], [b.reference]) };
    if (!connection.connected) {
      return { error: describeFlowProblem(loc, 'ConnectionNotConnected', [b.reference, b.connectionId, connection.status], [b.connectionId, b.reference]) };
    }
    const owner = connection.ownerObjectId?.toLowerCase();
    if (!owner) return { error: describeFlowProblem(loc, 'ConnectionOwnerUnknown', [b.connectionId, b.reference], []) };
    const entry = counts.get(owner) ?? { all: new Set<string>(), nonDataverse: new Set<string>(), inSolution: false, first: index++ };
    entry.all.add(connection.id.toLowerCase());
    if (b.connector !== DATAVERSE_CONNECTOR) entry.nonDataverse.add(connection.id.toLowerCase());
    if (!b.outsideSolution || owner === spObjectId) entry.inSolution = true;
    counts.set(owner, entry);
  }
  const ranked = [...counts.entries()]
    .filter(([, entry]) => entry.inSolution)
    .sort(([, a], [, b]) => b.all.size - a.all.size || b.nonDataverse.size - a.nonDataverse.size || a.first - b.first);
  if (ranked.length === 0) {
    const outside = [...new Set(bound.filter((b) => b.outsideSolution).map((b) => b.reference))];
    const holders = [...new Set(outside.flatMap((name) => context.references.get(name.toLowerCase())?.solutions ?? []))];
    const names = outside.join("', '");
    return { error: describeFlowProblem(loc, 'ConnectionReferenceOutsideSolution', [names], [names, holders.length ? holders.join(', ') : loc('UnknownSolution')]) };
  }
  const [owner, entry] = ranked[0];
  return { owner, owners: [...counts.keys()], connectionIds: entry.all };
}

/** Connections of the flow that the acting identity does not own and that are not known to be shared with it: they must be shared with it. */
export function connectionsNotOwnedBy(
  bound: readonly BoundConnection[],
  connections: ReadonlyMap<string, ConnectionInfo>,
  actorObjectId: string | undefined,
  users: ReadonlyMap<string, UserFacts>,
  alreadyShared: ReadonlySet<string> = new Set(),
): ConnectionToShare[] {
  const result = new Map<string, ConnectionToShare>();
  for (const b of bound) {
    const connection = connections.get(b.connectionId.toLowerCase());
    if (!connection || (actorObjectId && connection.ownerObjectId?.toLowerCase() === actorObjectId)) continue;
    if (alreadyShared.has(connection.id.toLowerCase())) continue;
    const owner = connection.ownerObjectId ? users.get(connection.ownerObjectId.toLowerCase()) : undefined;
    result.set(connection.id.toLowerCase(), {
      connectionId: connection.id,
      connector: connection.connector,
      ownerObjectId: connection.ownerObjectId,
      ownerName: owner?.upn ?? owner?.name ?? connection.ownerUpn ?? connection.ownerName ?? connection.ownerObjectId,
    });
  }
  return [...result.values()];
}
