import { Actor } from '../../common/acting-identity';
import { ConnectionInfo } from '../../common/connections';
import { UserError } from '../../common/errors';
import { ImpersonationCheck } from '../../common/impersonation-check';
import { describeFlowProblem } from '../../common/problems/flow';
import { normaliseFlowId } from './definition';
import { ExternalFlowFacts, FlowAction, FlowError, FlowFacts, ImpersonationMode, Localize, ReferenceFacts, STATE_ON, UserFacts, WantedReason, inWantedState } from './facts';
import { FlowState } from '../../common/flow-states-file';
import { identityOf } from './flow-overrides';
import { OwnerChange, OwnerKept, decideOwners } from './flow-owners';
import { blockCallers, callersOf, findCycles, levelsOf } from './graph';
import { identityProblem } from './identity-problems';
import { ConnectionToShare, IdentityContext, IdentityReason, connectionsNotOwnedBy, indexReferences, needsConnectionOwners } from './plan-identity';
import { actionOf, selectFlows } from './plan-selection';

export * from './facts';
export type { ConnectionToShare } from './plan-identity';

export type PlannedOutcome = 'pending' | 'alreadyInState' | 'failed' | 'blocked';

export interface PlannedFlow {
  id: string;
  name: string;
  action: FlowAction;
  statecode: number;
  outcome: PlannedOutcome;
  /** Who the change is made as; undefined when it could not be determined. */
  actor?: Actor;
  /** The user's UPN (or name, or object id) when the actor is a user. */
  actorName?: string;
  /** Why the change is made as its actor (report `actorReason`). */
  actorReason?: IdentityReason;
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
  /** Why the flow is wanted in its state. */
  reason?: WantedReason;
  /** The owner assignment made (as the service principal) before the flow is turned on. */
  owner?: OwnerChange;
  /** A flow that is on keeps its owner although another was wanted. */
  ownerKept?: OwnerKept;
}

/** Everything the plan is decided from, gathered before it is built. */
export interface PlanInput {
  solution: string;
  flows: readonly FlowFacts[];
  flowsToTurnOn: readonly string[];
  flowsToTurnOff: readonly string[];
  /** Connection references the flows use: the solutions' own and any other (marked `outsideSolution`). */
  references: readonly ReferenceFacts[];
  impersonation: ImpersonationMode;
  impersonateUser?: UserFacts;
  servicePrincipalObjectId?: string;
  /** The environment's connections; needed when a flow is turned on as the owner of its connections. */
  connections?: readonly ConnectionInfo[];
  /** System users of the connection owners (and the impersonated user). */
  users?: readonly UserFacts[];
  externalFlows?: readonly ExternalFlowFacts[];
  /** Result of the read-only WhoAmI as each user acted as (by lower-case object id). */
  identityChecks?: ReadonlyMap<string, ImpersonationCheck>;
  /** Ids of the connections shared with the service principal (Impersonation Auto), from the same listing. */
  sharedWithServicePrincipal?: readonly string[];
  /** The states file: recorded state by lower-case workflow id. */
  recordedStates?: ReadonlyMap<string, FlowState>;
  newFlows?: 'On' | 'Off';
  /** Flows that `activateflow.activate.*` = false keeps off. */
  keptOffByVariable?: ReadonlySet<string>;
  /** `activateflow.activateas.*`: flow id → the user it is turned on as. */
  activateAs?: ReadonlyMap<string, UserFacts>;
  /** FlowOwner or `owner.ownerEmail.*`: flow id → its wanted owner. */
  ownerTargets?: ReadonlyMap<string, UserFacts>;
  /** Current owners' labels by lower-case systemuserid. */
  ownerLabels?: ReadonlyMap<string, string>;
}

export interface Plan {
  flows: PlannedFlow[];
}

/**
 * Decides, without any I/O and once, what the run does: which flows are turned on or off, in which
 * order (child flows before their callers), as whom, and which flows cannot be turned on (failed)
 * or wait for a child that cannot (blocked). Input mistakes (an unknown flow name, a cycle) throw
 * a UserError before anything is written.
 */
export function buildPlan(input: PlanInput, loc: Localize): Plan {
  const selection = selectFlows(input, loc);
  const context = identityContext(input);
  const users = new Map([...(input.users ?? []), ...(input.impersonateUser ? [input.impersonateUser] : [])].map((u) => [u.objectId.toLowerCase(), u]));
  const checks = input.identityChecks ?? new Map<string, ImpersonationCheck>();
  const flowsById = new Map(input.flows.map((f) => [f.id, f]));
  const external = new Map((input.externalFlows ?? []).map((f) => [normaliseFlowId(f.id), f]));
  const nameOf = (id: string) => flowsById.get(id)?.name ?? external.get(id)?.name ?? id;
  const planned = new Map<string, PlannedFlow>();

  for (const flow of input.flows) {
    const action = actionOf(selection, flow.id);
    if (!action) continue;
    const item = newItem(flow, action);
    item.reason = selection.reasons.get(flow.id);
    planned.set(flow.id, item);
    if (item.outcome === 'alreadyInState') continue;
    const choice = identityOf(flow, action, context, input.activateAs, loc);
    if ('error' in choice) {
      fail(item, choice.error);
      continue;
    }
    item.actor = choice.actor;
    item.actorReason = choice.reason;
    if (choice.actor.kind === 'user') {
      const user = users.get(choice.actor.objectId);
      item.actorName = user?.upn ?? user?.name ?? choice.actor.objectId;
      const problem = identityProblem(choice.actor.objectId, item.actorName, users, checks, loc);
      if (problem) fail(item, problem);
    }
    if (context.connections) {
      const actorId = choice.actor.kind === 'user' ? choice.actor.objectId : context.servicePrincipalObjectId?.toLowerCase();
      const shared = choice.actor.kind === 'servicePrincipal' ? context.sharedWithServicePrincipal : undefined;
      item.connectionsToShare = connectionsNotOwnedBy(choice.bound, context.connections, actorId, users, shared);
    }
  }

  // A child still off must be turned on first; a child that will not be on blocks its caller.
  const toTurnOn = [...planned.values()].filter((p) => p.action === 'turnOn' && p.outcome !== 'alreadyInState');
  for (const item of toTurnOn) {
    for (const childId of item.children) {
      const child = planned.get(childId);
      if (child?.action === 'turnOn') {
        if (child.outcome !== 'alreadyInState') item.dependsOn.push(childId);
        continue;
      }
      const blocking = childProblem(childId, child, flowsById.get(childId)?.statecode ?? external.get(childId)?.statecode, nameOf, loc);
      if (blocking && item.outcome === 'pending') {
        item.outcome = 'blocked';
        item.error = blocking;
        item.blockedBy = [childId];
      }
    }
  }

  const cycles = findCycles(toTurnOn);
  if (cycles.length > 0) {
    const described = cycles.map((cycle) => [...cycle, cycle[0]].map((id) => `'${nameOf(id)}'`).join(' → ')).join('; ');
    throw new UserError(loc('FlowCycle', described));
  }

  const callers = callersOf(toTurnOn);
  const blocked = new Map(toTurnOn.filter((p) => p.outcome === 'blocked').map((p) => [p.id, p.blockedBy as string[]]));
  for (const start of toTurnOn.filter((p) => p.outcome === 'failed' || p.outcome === 'blocked')) {
    for (const id of blockCallers(start.id, callers, blocked, (id) => planned.get(id)?.outcome === 'failed')) {
      const caller = planned.get(id) as PlannedFlow;
      caller.outcome = 'blocked';
      caller.blockedBy = blocked.get(id);
      caller.error = blockedError(planned.get(caller.blockedBy?.[0] ?? '') ?? { id: start.id }, nameOf, loc);
    }
  }

  decideOwners(planned.values(), flowsById, input);
  assignOrder(planned);
  return { flows: [...planned.values()].sort((a, b) => a.order - b.order) };
}

/** The flows the run would send: selected and not yet in the wanted state. */
function flowsToSend(input: PlanInput, loc: Localize): Array<{ flow: FlowFacts; action: FlowAction }> {
  const selection = selectFlows(input, loc);
  return input.flows.flatMap((flow) => {
    const action = actionOf(selection, flow.id);
    return action && !inWantedState(flow.statecode, action) ? [{ flow, action }] : [];
  });
}

/** Whether the plan needs the environment's connection listing (to find owners). Input mistakes throw here, before it is read. */
export function needsConnectionListing(input: PlanInput, loc: Localize): boolean {
  const context = identityContext(input);
  return flowsToSend(input, loc).some(({ flow, action }) => action === 'turnOn' && needsConnectionOwners(flow, context));
}

/** With the connections known: the owners whose system users the plan needs, and the users it will act as (to check first). */
export function usersToLookUp(input: PlanInput, loc: Localize): { ownerObjectIds: string[]; actingUsers: string[] } {
  const context = identityContext(input);
  const owners = new Set<string>();
  const acting = new Set<string>();
  for (const { flow, action } of flowsToSend(input, loc)) {
    const choice = identityOf(flow, action, context, input.activateAs, loc);
    if ('error' in choice) continue;
    if (choice.actor.kind === 'user') acting.add(choice.actor.objectId);
    for (const b of choice.bound) {
      const owner = context.connections?.get(b.connectionId.toLowerCase())?.ownerObjectId?.toLowerCase();
      if (owner) owners.add(owner);
    }
  }
  return { ownerObjectIds: [...owners].sort(), actingUsers: [...acting].sort() };
}

export function identityContext(input: PlanInput): IdentityContext {
  return {
    impersonation: input.impersonation,
    impersonateUser: input.impersonateUser,
    servicePrincipalObjectId: input.servicePrincipalObjectId,
    references: indexReferences(input.references),
    connections: input.connections ? new Map(input.connections.map((c) => [c.id.toLowerCase(), c])) : undefined,
    sharedWithServicePrincipal: new Set((input.sharedWithServicePrincipal ?? []).map((id) => id.toLowerCase())),
  };
}

function newItem(flow: FlowFacts, action: FlowAction): PlannedFlow {
  return {
    id: flow.id,
    name: flow.name,
    action,
    statecode: flow.statecode,
    outcome: inWantedState(flow.statecode, action) ? 'alreadyInState' : 'pending',
    children: flow.definition.childFlowIds,
    dependsOn: [],
    level: 0,
    order: 0,
    connectionsToShare: [],
  };
}

function fail(item: PlannedFlow, error: FlowError): void {
  item.outcome = 'failed';
  item.error = error;
}

function childProblem(childId: string, child: PlannedFlow | undefined, state: number | undefined, nameOf: (id: string) => string, loc: Localize): FlowError | undefined {
  if (child?.action === 'turnOff') return describeFlowProblem(loc, 'ChildFlowTurnedOff', [nameOf(childId)]);
  if (state === undefined) return describeFlowProblem(loc, 'ChildFlowNotFound', [childId]);
  if (state !== STATE_ON) return describeFlowProblem(loc, 'ChildFlowNotOn', [nameOf(childId)]);
  return undefined;
}

export function blockedError(child: { id: string; error?: FlowError }, nameOf: (id: string) => string, loc: Localize): FlowError {
  return describeFlowProblem(loc, 'BlockedByChildFlow', [nameOf(child.id), child.error?.code ?? 'failed'], [nameOf(child.id)]);
}

/** Flows to turn off first, then the flows to turn on, children before callers; names break ties. */
function assignOrder(planned: Map<string, PlannedFlow>): void {
  const byName = (a: PlannedFlow, b: PlannedFlow) => NAME_ORDER.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const offs = [...planned.values()].filter((p) => p.action === 'turnOff').sort(byName);
  const ons = [...planned.values()].filter((p) => p.action === 'turnOn');
  const levels = levelsOf(ons);
  for (const item of ons) item.level = levels.get(item.id) ?? 0;
  ons.sort((a, b) => a.level - b.level || byName(a, b));
  [...offs, ...ons].forEach((item, i) => (item.order = i + 1));
}

/** One collator for every name comparison: creating one per comparison dominates planning time. */
const NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });
