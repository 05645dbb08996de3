import { connectorName } from '../../common/admin';
import { ConnectionInfo } from '../../common/connections';
import { UserError } from '../../common/errors';
import { FlowDefinitionFacts, normaliseFlowId } from './definition';

export type Localize = (key: string, ...args: unknown[]) => string;

export type ImpersonationMode = 'ConnectionOwner' | 'User' | 'None';
export type FlowAction = 'turnOn' | 'turnOff';

export const SERVICE_PRINCIPAL = 'servicePrincipal';
export const DATAVERSE_CONNECTOR = 'shared_commondataserviceforapps';

/** workflow.statecode: 0 Draft (off), 1 Activated (on), 2 Suspended. */
export const STATE_ON = 1;
export const STATE_OFF = 0;

export interface FlowFacts {
  /** Lower case, no braces. */
  id: string;
  name: string;
  statecode: number;
  definition: FlowDefinitionFacts;
}

export interface ReferenceFacts {
  logicalName: string;
  displayName?: string;
  connectorId?: string;
  connectionId?: string;
}

export interface UserFacts {
  objectId: string;
  systemUserId?: string;
  name?: string;
  upn?: string;
  disabled?: boolean;
}

/** A flow outside the solution that a flow of the solution calls. */
export interface ExternalFlowFacts {
  id: string;
  name: string;
  statecode: number;
}

export interface FlowError {
  code: string;
  message: string;
  hint?: string;
}

export type Actor = { kind: 'servicePrincipal' } | { kind: 'user'; objectId: string; name: string };

export interface ConnectionToShare {
  connectionId: string;
  connector: string;
  ownerObjectId?: string;
  ownerName?: string;
}

export type PlannedOutcome = 'pending' | 'alreadyInState' | 'failed' | 'blocked';

export interface PlannedFlow {
  id: string;
  name: string;
  action: FlowAction;
  statecode: number;
  outcome: PlannedOutcome;
  /** Who the change is made as; undefined when it could not be determined. */
  actor?: Actor;
  /** Child flows the definition calls (ids). */
  children: string[];
  /** Flows of this run that must be on before this one is sent (ids). */
  dependsOn: string[];
  /** 0 for a flow that waits for no other flow of this run; else one more than its deepest child. */
  level: number;
  /** 1-based position in the order of the run: flows to turn off first, then children before callers. */
  order: number;
  /** Connections of the flow that the actor does not own: they must be shared with the actor. */
  connectionsToShare: ConnectionToShare[];
  error?: FlowError;
  /** The flows (ids) that failed or were blocked and so block this one. */
  blockedBy?: string[];
}

export type { ActingCheck as IdentityCheck } from '../../common/acting-identity';
import type { ActingCheck as IdentityCheck } from '../../common/acting-identity';

export interface PlanInput {
  solution: string;
  flows: readonly FlowFacts[];
  /** Lines of the `Flows` input; empty means every cloud flow of the solution. */
  flowsToTurnOn: readonly string[];
  /** Lines of the `FlowsToTurnOff` input. */
  flowsToTurnOff: readonly string[];
  /** Connection references by any case of their logical name (the solution's and any other the flows use). */
  references: readonly ReferenceFacts[];
  impersonation: ImpersonationMode;
  /** Impersonation `User`: the resolved user. */
  impersonateUser?: UserFacts;
  /** Entra object id of the service principal: its own connections need no impersonation. */
  servicePrincipalObjectId?: string;
  /** The environment's connections; undefined while not listed. */
  connections?: readonly ConnectionInfo[];
  /** System users of the connection owners; undefined while not looked up. */
  users?: readonly UserFacts[];
  externalFlows?: readonly ExternalFlowFacts[];
  /** Result of the read-only WhoAmI as each user (by lower-case object id). */
  identityChecks?: ReadonlyMap<string, IdentityCheck>;
}

export interface Plan {
  flows: PlannedFlow[];
  /** ConnectionOwner impersonation needs the environment's connections to find owners. */
  needsConnections: boolean;
  /** Object ids of connection owners whose system users are needed. */
  ownerObjectIds: string[];
  /** Object ids of the users that will be acted as (to check with WhoAmI before any write). */
  actingUsers: string[];
}

interface Selection {
  turnOn: Set<string>;
  turnOff: Set<string>;
}

/**
 * Decides, without any I/O, what the run does: which flows are turned on or off, in which order
 * (child flows before their callers), as whom, and which flows cannot be turned on (failed) or
 * wait for a child that cannot (blocked). Input mistakes (an unknown flow name, a cycle) throw a
 * UserError before anything is written.
 */
export function buildPlan(input: PlanInput, loc: Localize): Plan {
  const flowsById = new Map(input.flows.map((f) => [f.id, f]));
  const selection = resolveSelection(input, loc);
  const references = new Map(input.references.map((r) => [r.logicalName.toLowerCase(), r]));
  const connections = input.connections ? new Map(input.connections.map((c) => [c.id.toLowerCase(), c])) : undefined;
  const users = new Map((input.users ?? []).map((u) => [u.objectId.toLowerCase(), u]));
  const external = new Map((input.externalFlows ?? []).map((f) => [normaliseFlowId(f.id), f]));
  const spObjectId = input.servicePrincipalObjectId?.toLowerCase();

  let needsConnections = false;
  const ownerObjectIds = new Set<string>();
  const planned = new Map<string, PlannedFlow>();

  const userActor = (objectId: string): Actor => {
    const id = objectId.toLowerCase();
    if (spObjectId && id === spObjectId) return { kind: 'servicePrincipal' };
    const user = users.get(id) ?? (input.impersonateUser?.objectId.toLowerCase() === id ? input.impersonateUser : undefined);
    return { kind: 'user', objectId: id, name: user?.upn ?? user?.name ?? id };
  };
  const nameOf = (id: string) => flowsById.get(id)?.name ?? external.get(id)?.name ?? id;

  for (const flow of input.flows) {
    const action: FlowAction | undefined = selection.turnOn.has(flow.id) ? 'turnOn' : selection.turnOff.has(flow.id) ? 'turnOff' : undefined;
    if (!action) continue;
    const wanted = action === 'turnOn' ? STATE_ON : STATE_OFF;
    const item: PlannedFlow = {
      id: flow.id,
      name: flow.name,
      action,
      statecode: flow.statecode,
      outcome: flow.statecode === wanted ? 'alreadyInState' : 'pending',
      children: flow.definition.childFlowIds,
      dependsOn: [],
      level: 0,
      order: 0,
      connectionsToShare: [],
    };
    planned.set(flow.id, item);
    if (item.outcome === 'alreadyInState') continue;

    if (action === 'turnOff') {
      // Turning a flow off needs no access to its connections.
      item.actor = input.impersonation === 'User' && input.impersonateUser ? userActor(input.impersonateUser.objectId) : { kind: 'servicePrincipal' };
      continue;
    }

    const problem = definitionProblem(flow, references, loc);
    if (problem) {
      item.outcome = 'failed';
      item.error = problem;
      continue;
    }

    if (input.impersonation === 'None') item.actor = { kind: 'servicePrincipal' };
    else if (input.impersonation === 'User') item.actor = input.impersonateUser ? userActor(input.impersonateUser.objectId) : undefined;
    else {
      const bound = boundConnections(flow, references);
      // A flow with no connection needs no owner. Any other flow goes as the owner of its connections, which is
      // the service principal for a Dataverse-only flow on its own connection: turning a flow on needs the
      // connections to be owned by or shared with the one who does it, Dataverse ones included.
      if (bound.length === 0) {
        item.actor = { kind: 'servicePrincipal' };
      } else {
        needsConnections = true;
        if (!connections) continue;
        const choice = chooseOwner(bound, connections, loc);
        if ('error' in choice) {
          item.outcome = 'failed';
          item.error = choice.error;
          continue;
        }
        for (const owner of choice.owners) ownerObjectIds.add(owner);
        item.actor = userActor(choice.owner);
      }
    }

    if (connections && item.actor) {
      const actorId = item.actor.kind === 'user' ? item.actor.objectId : spObjectId;
      item.connectionsToShare = connectionsNotOwnedBy(boundConnections(flow, references), connections, actorId, users);
    }
  }

  // Identity problems: a user that is disabled, not in the environment, or cannot be acted as.
  for (const item of planned.values()) {
    if (item.outcome !== 'pending' || item.actor?.kind !== 'user') continue;
    const problem = identityProblem(item.actor, users, input.users !== undefined, input.identityChecks, loc);
    if (problem) {
      item.outcome = 'failed';
      item.error = problem;
    }
  }

  // Dependencies between flows to turn on: a child still off must be turned on first.
  const toTurnOn = [...planned.values()].filter((p) => p.action === 'turnOn');
  for (const item of toTurnOn) {
    if (item.outcome === 'alreadyInState') continue;
    for (const childId of item.children) {
      const child = planned.get(childId);
      if (child?.action === 'turnOn') {
        if (child.outcome !== 'alreadyInState') item.dependsOn.push(childId);
        continue;
      }
      const blocking = childBlocker(childId, child, flowsById, external, nameOf, loc);
      if (blocking && item.outcome === 'pending') {
        item.outcome = 'blocked';
        item.error = blocking;
        item.blockedBy = [childId];
      }
    }
  }

  const cycles = findCycles(toTurnOn.filter((p) => p.outcome !== 'alreadyInState'), planned);
  if (cycles.length > 0) {
    const described = cycles.map((cycle) => [...cycle, cycle[0]].map((id) => `'${nameOf(id)}'`).join(' → ')).join('; ');
    throw new UserError(loc('FlowCycle', described));
  }

  propagateBlocks(planned, nameOf, loc);
  assignOrder(planned);

  const flows = [...planned.values()].sort((a, b) => a.order - b.order);
  const actingUsers = new Set<string>();
  for (const item of flows) {
    if (item.actor?.kind === 'user' && item.outcome === 'pending') actingUsers.add(item.actor.objectId);
  }
  return { flows, needsConnections, ownerObjectIds: [...ownerObjectIds].sort(), actingUsers: [...actingUsers].sort() };
}

function resolveSelection(input: PlanInput, loc: Localize): Selection {
  const byName = new Map<string, string[]>();
  for (const flow of input.flows) {
    const key = flow.name.trim().toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), flow.id]);
  }
  const ids = new Set(input.flows.map((f) => f.id));
  const resolve = (inputName: string, lines: readonly string[]): Set<string> => {
    const selected = new Set<string>();
    const unknown: string[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      const asId = normaliseFlowId(line);
      if (ids.has(asId)) {
        selected.add(asId);
        continue;
      }
      const matches = byName.get(line.toLowerCase()) ?? [];
      if (matches.length === 1) selected.add(matches[0]);
      else if (matches.length > 1) throw new UserError(loc('FlowNameAmbiguous', inputName, line, matches.length, input.solution, matches.join(', ')));
      else unknown.push(line);
    }
    if (unknown.length > 0) {
      throw new UserError(loc('FlowsNotInSolution', inputName, unknown.map((u) => `'${u}'`).join(', '), input.solution));
    }
    return selected;
  };
  const turnOff = resolve('FlowsToTurnOff', input.flowsToTurnOff);
  const explicit = resolve('Flows', input.flowsToTurnOn);
  const both = [...explicit].filter((id) => turnOff.has(id));
  if (both.length > 0) {
    const names = both.map((id) => `'${input.flows.find((f) => f.id === id)?.name ?? id}'`).join(', ');
    throw new UserError(loc('FlowsInBothInputs', names));
  }
  const turnOn = explicit.size > 0 ? explicit : new Set(input.flows.map((f) => f.id).filter((id) => !turnOff.has(id)));
  return { turnOn, turnOff };
}

function definitionProblem(flow: FlowFacts, references: ReadonlyMap<string, ReferenceFacts>, loc: Localize): FlowError | undefined {
  if (flow.definition.error) {
    return { code: 'InvalidFlowDefinition', message: loc('MsgInvalidDefinition', flow.definition.error), hint: loc('HintInvalidDefinition') };
  }
  const missing = flow.definition.connectionReferences.filter((name) => !references.has(name));
  if (missing.length > 0) {
    return {
      code: '0x80095005',
      message: loc('MsgReferenceNotFound', missing.join(',')),
      hint: loc('HintReferenceNotFound', missing.join(', ')),
    };
  }
  const unbound = flow.definition.connectionReferences.map((name) => references.get(name) as ReferenceFacts).filter((r) => !r.connectionId);
  if (unbound.length > 0) {
    const names = unbound.map((r) => r.logicalName);
    return {
      code: 'XrmConnectionReferenceMissingConnection',
      message: loc('MsgReferenceUnbound', names.join("', '")),
      hint: loc('HintBindReference', names.join("', '"), names[0]),
    };
  }
  return undefined;
}

interface BoundConnection {
  reference: string;
  connector: string;
  connectionId: string;
}

function boundConnections(flow: FlowFacts, references: ReadonlyMap<string, ReferenceFacts>): BoundConnection[] {
  const result: BoundConnection[] = [];
  for (const name of flow.definition.connectionReferences) {
    const reference = references.get(name);
    if (!reference?.connectionId) continue;
    const connector = reference.connectorId ? connectorName(reference.connectorId) : (flow.definition.connectors[name] ?? '');
    result.push({ reference: reference.logicalName, connector, connectionId: reference.connectionId });
  }
  return result;
}

type OwnerChoice = { owner: string; owners: string[] } | { error: FlowError };

/**
 * The owner of most of the flow's connections; on a tie, the one owning most non-Dataverse
 * connections (the ones that sign in as a user), then the first met in the definition.
 */
export function chooseOwner(bound: readonly BoundConnection[], connections: ReadonlyMap<string, ConnectionInfo>, loc: Localize): OwnerChoice {
  const counts = new Map<string, { all: Set<string>; nonDataverse: Set<string>; first: number }>();
  let index = 0;
  for (const b of bound) {
    const connection = connections.get(b.connectionId.toLowerCase());
    if (!connection) {
      return {
        error: {
          code: 'ConnectionNotFound',
          message: loc('MsgConnectionNotFound', b.reference, b.connectionId),
          hint: loc('HintConnectionNotFound', b.reference),
        },
      };
    }
    if (!connection.connected) {
      return {
        error: {
          code: 'ConnectionNotConnected',
          message: loc('MsgConnectionNotConnected', b.reference, b.connectionId, connection.status),
          hint: loc('HintConnectionNotConnected', b.connectionId, b.reference),
        },
      };
    }
    const owner = connection.ownerObjectId;
    if (!owner) {
      return { error: { code: 'ConnectionOwnerUnknown', message: loc('MsgConnectionOwnerUnknown', b.connectionId, b.reference), hint: loc('HintConnectionOwnerUnknown') } };
    }
    const entry = counts.get(owner) ?? { all: new Set<string>(), nonDataverse: new Set<string>(), first: index++ };
    entry.all.add(connection.id.toLowerCase());
    if (b.connector !== DATAVERSE_CONNECTOR) entry.nonDataverse.add(connection.id.toLowerCase());
    counts.set(owner, entry);
  }
  const ranked = [...counts.entries()].sort(
    ([, a], [, b]) => b.all.size - a.all.size || b.nonDataverse.size - a.nonDataverse.size || a.first - b.first,
  );
  return { owner: ranked[0][0], owners: ranked.map(([owner]) => owner) };
}

function connectionsNotOwnedBy(
  bound: readonly BoundConnection[],
  connections: ReadonlyMap<string, ConnectionInfo>,
  actorObjectId: string | undefined,
  users: ReadonlyMap<string, UserFacts>,
): ConnectionToShare[] {
  const result = new Map<string, ConnectionToShare>();
  for (const b of bound) {
    const connection = connections.get(b.connectionId.toLowerCase());
    if (!connection || (actorObjectId && connection.ownerObjectId === actorObjectId)) continue;
    const owner = connection.ownerObjectId ? users.get(connection.ownerObjectId) : undefined;
    result.set(connection.id.toLowerCase(), {
      connectionId: connection.id,
      connector: connection.connector,
      ownerObjectId: connection.ownerObjectId,
      ownerName: owner?.upn ?? owner?.name ?? connection.ownerUpn ?? connection.ownerName ?? connection.ownerObjectId,
    });
  }
  return [...result.values()];
}

function identityProblem(
  actor: { objectId: string; name: string },
  users: ReadonlyMap<string, UserFacts>,
  usersKnown: boolean,
  checks: ReadonlyMap<string, IdentityCheck> | undefined,
  loc: Localize,
): FlowError | undefined {
  const check = checks?.get(actor.objectId);
  if (check && !check.ok) return { code: check.code, message: check.message, hint: identityHint(check.code, actor.name, loc) };
  const user = users.get(actor.objectId);
  if (usersKnown && !user) {
    return { code: 'UserNotInEnvironment', message: loc('MsgUserNotInEnvironment', actor.name), hint: loc('HintUserNotInEnvironment', actor.name) };
  }
  if (user?.disabled) {
    return { code: '0x80040225', message: loc('MsgUserDisabled', actor.name), hint: loc('HintUserDisabled', actor.name) };
  }
  return undefined;
}

/** The hint for a failed act-as check (WhoAmI with CallerObjectId). */
export function identityHint(code: string, actorName: string, loc: Localize): string | undefined {
  switch (code.toLowerCase()) {
    case '0x8004a110':
    case 'cannotactonbehalfofanotheruser':
      return loc('HintActOnBehalf');
    case '0x80040225':
    case '0x8004022b':
      return loc('HintUserDisabled', actorName);
    case '0x80040217':
    case '0x80072560':
    case 'usernotinenvironment':
      return loc('HintUserNotInEnvironment', actorName);
    default:
      return undefined;
  }
}

function childBlocker(
  childId: string,
  child: PlannedFlow | undefined,
  flowsById: ReadonlyMap<string, FlowFacts>,
  external: ReadonlyMap<string, ExternalFlowFacts>,
  nameOf: (id: string) => string,
  loc: Localize,
): FlowError | undefined {
  if (child?.action === 'turnOff') {
    return { code: 'ChildFlowTurnedOff', message: loc('MsgChildTurnedOff', nameOf(childId)), hint: loc('HintChildTurnedOff', nameOf(childId)) };
  }
  const state = flowsById.get(childId)?.statecode ?? external.get(childId)?.statecode;
  if (state === undefined) {
    return { code: 'ChildFlowNotFound', message: loc('MsgChildNotFound', childId), hint: loc('HintChildNotFound', childId) };
  }
  if (state !== STATE_ON) {
    return { code: 'ChildFlowNotOn', message: loc('MsgChildNotOn', nameOf(childId)), hint: loc('HintChildNotOn', nameOf(childId)) };
  }
  return undefined;
}

/** Strongly connected components with more than one flow, or a flow that calls itself (Tarjan). */
export function findCycles(nodes: readonly PlannedFlow[], all: ReadonlyMap<string, PlannedFlow>): string[][] {
  const inSet = new Set(nodes.map((n) => n.id));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;

  const connect = (id: string) => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const next of all.get(id)?.dependsOn ?? []) {
      if (!inSet.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(id, Math.min(low.get(id) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) as number, index.get(next) as number));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      const selfCall = component.length === 1 && (all.get(id)?.dependsOn ?? []).includes(id);
      if (component.length > 1 || selfCall) cycles.push(component.reverse());
    }
  };
  for (const node of nodes) if (!index.has(node.id)) connect(node.id);
  return cycles;
}

/** A flow whose child failed or is blocked is blocked too, up the chain of callers. */
function propagateBlocks(planned: Map<string, PlannedFlow>, nameOf: (id: string) => string, loc: Localize): void {
  const callers = new Map<string, string[]>();
  for (const item of planned.values()) {
    for (const child of item.dependsOn) callers.set(child, [...(callers.get(child) ?? []), item.id]);
  }
  const queue = [...planned.values()].filter((p) => p.outcome === 'failed' || p.outcome === 'blocked').map((p) => p.id);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const callerId of callers.get(id) ?? []) {
      const caller = planned.get(callerId) as PlannedFlow;
      if (caller.outcome === 'failed') continue;
      if (caller.outcome === 'blocked') {
        if (!caller.blockedBy?.includes(id)) caller.blockedBy = [...(caller.blockedBy ?? []), id];
        continue;
      }
      caller.outcome = 'blocked';
      caller.blockedBy = [id];
      caller.error = blockedError(planned.get(id) as PlannedFlow, nameOf, loc);
      queue.push(callerId);
    }
  }
}

export function blockedError(child: { id: string; error?: FlowError }, nameOf: (id: string) => string, loc: Localize): FlowError {
  return {
    code: 'BlockedByChildFlow',
    message: loc('MsgBlockedByChild', nameOf(child.id), child.error?.code ?? 'failed'),
    hint: loc('HintBlockedByChild', nameOf(child.id)),
  };
}

/** Flows to turn off first, then the flows to turn on, children before callers; names break ties. */
function assignOrder(planned: Map<string, PlannedFlow>): void {
  const byName = (a: PlannedFlow, b: PlannedFlow) => NAME_ORDER.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const offs = [...planned.values()].filter((p) => p.action === 'turnOff').sort(byName);
  const ons = [...planned.values()].filter((p) => p.action === 'turnOn');
  const levelOf = new Map<string, number>();
  const level = (item: PlannedFlow): number => {
    const known = levelOf.get(item.id);
    if (known !== undefined) return known;
    levelOf.set(item.id, 0);
    const value = item.dependsOn.length === 0 ? 0 : 1 + Math.max(...item.dependsOn.map((id) => level(planned.get(id) as PlannedFlow)));
    levelOf.set(item.id, value);
    return value;
  };
  for (const item of ons) item.level = level(item);
  ons.sort((a, b) => a.level - b.level || byName(a, b));
  [...offs, ...ons].forEach((item, i) => (item.order = i + 1));
}

/** One collator for every name comparison: creating one per comparison dominates planning time. */
const NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });
