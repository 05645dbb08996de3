import { connectorName } from '../../common/admin';
import { ConnectionInfo, OwnerSpec, checkConnection, indexConnections, pickOwnerConnection } from '../../common/connections';
import { ConnectionReferenceRecord, SystemUserRecord } from '../../common/solution-queries';

export type Impersonation = 'ConnectionOwner' | 'None';

/** Where the wanted connection of a reference came from, highest precedence first. */
export type BindingSource = 'variableByLogicalName' | 'variableByConnector' | 'connectionOwner' | 'settingsFile' | 'currentBinding';

export const SERVICE_PRINCIPAL = 'servicePrincipal';

export type ProblemKind =
  | 'noValue'
  | 'ownerNoConnection'
  | 'ownerSeveralConnections'
  | 'connectionMissing'
  | 'connectionNotConnected'
  | 'otherConnector'
  | 'ownerUnknown'
  | 'ownerNotInEnvironment'
  | 'ownerDisabled'
  | 'cannotActOnBehalf'
  | 'ownerCannotBeActedAs';

export interface Problem {
  kind: ProblemKind;
  /** The platform's code when the problem came from a platform answer (the act-on-behalf check). */
  platformCode?: string;
  platformMessage?: string;
  /** Connections involved (the ConnectionOwner's candidates, or the wanted connection). */
  candidates?: ConnectionInfo[];
}

/** Result of the read-only act-on-behalf check of one owner (WhoAmI with CallerObjectId). */
export type { ActingCheck as ActOnBehalfCheck } from '../../common/acting-identity';
import type { ActingCheck as ActOnBehalfCheck } from '../../common/acting-identity';

export interface Owner {
  objectId: string;
  upn?: string;
  name?: string;
}

export type Action = 'unchanged' | 'bind' | 'unbound' | 'problem';

export interface PlanItem {
  id: string;
  logicalName: string;
  displayName?: string;
  connectorId: string;
  /** Connector name: the last segment of the connector id. */
  connector: string;
  /** The connection the reference points at before the run; undefined when unbound. */
  currentConnectionId?: string;
  wantedConnectionId?: string;
  source?: BindingSource;
  connection?: ConnectionInfo;
  /** The owner (creator) of the wanted connection. */
  owner?: Owner;
  action: Action;
  /** Entra object id the update is made as, or `servicePrincipal` (bind only). */
  actor?: string;
  /** Who puts the previous connection back if the run has to be undone (bind only). */
  rollbackActor?: string;
  problem?: Problem;
}

export interface PlanInput {
  references: readonly ConnectionReferenceRecord[];
  /** Connection ids of the settings file by lower-case logical name. */
  settings: ReadonlyMap<string, string>;
  /** `ConnectionReference.<logicalname>`. */
  variableForReference(logicalName: string): string | undefined;
  /** `Connector.<connectorname>`. */
  variableForConnector(connector: string): string | undefined;
  connectionOwner?: OwnerSpec;
  connections: readonly ConnectionInfo[];
  /** System users of the connections' owners; when not given yet, owners are not judged on them. */
  users?: readonly SystemUserRecord[];
  impersonation: Impersonation;
  /** Entra object id of the service principal: its own connections need no impersonation. */
  servicePrincipalObjectId?: string;
  /** Results of the act-on-behalf check by lower-case owner object id; owners not in it are not judged on it. */
  actOnBehalf?: ReadonlyMap<string, ActOnBehalfCheck>;
  failOnUnbound: boolean;
}

export interface Plan {
  items: PlanItem[];
  problems: PlanItem[];
  toBind: PlanItem[];
}

interface Wanted {
  connectionId?: string;
  source?: BindingSource;
  problem?: Problem;
}

/**
 * Decides, for every connection reference of the solution, the connection it should point at, who
 * the update is made as, and whether it is left alone, bound, or cannot be bound (and why). Pure:
 * everything it needs was read beforehand, so all problems are known before the first write.
 */
export function planBindings(input: PlanInput): Plan {
  const connectionsById = indexConnections(input.connections);
  const usersByObjectId = input.users ? new Map<string, SystemUserRecord>() : undefined;
  for (const user of input.users ?? []) if (user.azureactivedirectoryobjectid) usersByObjectId?.set(user.azureactivedirectoryobjectid.toLowerCase(), user);
  const sp = input.servicePrincipalObjectId?.toLowerCase();

  const items = [...input.references]
    .sort((a, b) => compareText(a.connectionreferencelogicalname, b.connectionreferencelogicalname))
    .map((reference): PlanItem => {
      const connectorId = reference.connectorid ?? '';
      const item: PlanItem = {
        id: reference.connectionreferenceid,
        logicalName: reference.connectionreferencelogicalname,
        displayName: reference.connectionreferencedisplayname,
        connectorId,
        connector: connectorName(connectorId),
        currentConnectionId: blankToUndefined(reference.connectionid),
        action: 'unchanged',
      };
      const wanted = resolveWanted(input, item);
      item.source = wanted.source;
      if (wanted.problem) return withProblem(item, wanted.problem);
      if (!wanted.connectionId) {
        if (input.failOnUnbound) return withProblem(item, { kind: 'noValue' });
        item.action = 'unbound';
        return item;
      }

      const connection = connectionsById.get(wanted.connectionId.toLowerCase());
      item.wantedConnectionId = connection?.id ?? wanted.connectionId;
      item.connection = connection;
      if (connection?.ownerObjectId) item.owner = { objectId: connection.ownerObjectId, upn: connection.ownerUpn, name: connection.ownerName };
      const connectionProblem = checkConnection(connectionsById, wanted.connectionId, connectorId);
      if (connectionProblem) {
        const kind = connectionProblem === 'missing' ? 'connectionMissing' : connectionProblem === 'notConnected' ? 'connectionNotConnected' : 'otherConnector';
        return withProblem(item, { kind, candidates: connection ? [connection] : undefined });
      }
      if (sameId(item.currentConnectionId, item.wantedConnectionId)) return item;

      item.action = 'bind';
      if (input.impersonation === 'None') {
        item.actor = SERVICE_PRINCIPAL;
        item.rollbackActor = SERVICE_PRINCIPAL;
        return item;
      }
      const ownerProblem = checkOwner(item.owner, usersByObjectId, sp, input.actOnBehalf);
      if (ownerProblem) return withProblem(item, ownerProblem);
      item.actor = item.owner && item.owner.objectId !== sp ? item.owner.objectId : SERVICE_PRINCIPAL;
      item.rollbackActor = rollbackActor(item.currentConnectionId, connectionsById, usersByObjectId, sp, input.actOnBehalf);
      return item;
    });

  return {
    items,
    problems: items.filter((i) => i.action === 'problem'),
    toBind: items.filter((i) => i.action === 'bind'),
  };
}

/** Precedence of CONTRACT 2.3: variable by logical name, variable by connector, ConnectionOwner, settings file; then the current binding. */
function resolveWanted(input: PlanInput, item: PlanItem): Wanted {
  const byName = blankToUndefined(input.variableForReference(item.logicalName));
  if (byName) return { connectionId: byName, source: 'variableByLogicalName' };
  const byConnector = blankToUndefined(input.variableForConnector(item.connector));
  if (byConnector) return { connectionId: byConnector, source: 'variableByConnector' };
  if (input.connectionOwner) {
    // CONTRACT 2.3: for a reference no variable names, the owner's single Connected connection; none or several is an error.
    const pick = pickOwnerConnection(input.connections, input.connectionOwner, item.connectorId);
    if ('connection' in pick) return { connectionId: pick.connection.id, source: 'connectionOwner' };
    const kind = pick.problem === 'several' ? 'ownerSeveralConnections' : 'ownerNoConnection';
    return { source: 'connectionOwner', problem: { kind, candidates: pick.candidates } };
  }
  const fromSettings = blankToUndefined(input.settings.get(item.logicalName.toLowerCase()));
  if (fromSettings) return { connectionId: fromSettings, source: 'settingsFile' };
  if (item.currentConnectionId) return { connectionId: item.currentConnectionId, source: 'currentBinding' };
  return {};
}

function checkOwner(
  owner: Owner | undefined,
  usersByObjectId: ReadonlyMap<string, SystemUserRecord> | undefined,
  sp: string | undefined,
  actOnBehalf: ReadonlyMap<string, ActOnBehalfCheck> | undefined,
): Problem | undefined {
  if (!owner) return { kind: 'ownerUnknown' };
  if (owner.objectId === sp) return undefined;
  if (usersByObjectId) {
    const user = usersByObjectId.get(owner.objectId);
    if (!user) return { kind: 'ownerNotInEnvironment' };
    if (user.isdisabled) return { kind: 'ownerDisabled' };
  }
  const check = actOnBehalf?.get(owner.objectId);
  if (check && !check.ok) return { kind: check.kind, platformCode: check.code, platformMessage: check.message };
  return undefined;
}

/** The previous connection's owner puts it back when it can be acted as; otherwise the service principal does. */
function rollbackActor(
  previousId: string | undefined,
  connectionsById: ReadonlyMap<string, ConnectionInfo>,
  usersByObjectId: ReadonlyMap<string, SystemUserRecord> | undefined,
  sp: string | undefined,
  actOnBehalf: ReadonlyMap<string, ActOnBehalfCheck> | undefined,
): string {
  const ownerId = previousId ? connectionsById.get(previousId.toLowerCase())?.ownerObjectId : undefined;
  if (!ownerId || ownerId === sp) return SERVICE_PRINCIPAL;
  const user = usersByObjectId?.get(ownerId);
  if (usersByObjectId && (!user || user.isdisabled)) return SERVICE_PRINCIPAL;
  const check = actOnBehalf?.get(ownerId);
  return check && !check.ok ? SERVICE_PRINCIPAL : ownerId;
}

/**
 * The owners the writes of a plan would act as: the owners of the connections to bind and those
 * who would put previous connections back. Planned without users, these are the system users to
 * look up; planned with them, the owners whose act-on-behalf check matters.
 */
export function ownersToCheck(plan: Plan): string[] {
  const owners = new Set<string>();
  for (const item of plan.toBind) {
    if (item.actor && item.actor !== SERVICE_PRINCIPAL) owners.add(item.actor);
    if (item.rollbackActor && item.rollbackActor !== SERVICE_PRINCIPAL) owners.add(item.rollbackActor);
  }
  return [...owners].sort();
}

function withProblem(item: PlanItem, problem: Problem): PlanItem {
  item.action = 'problem';
  item.problem = problem;
  item.actor = undefined;
  item.rollbackActor = undefined;
  return item;
}

function blankToUndefined(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function sameId(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
