import { connectorName } from '../../common/admin';
import { Actor } from '../../common/acting-identity';
import { EnvironmentUser, checkReferenceConnection } from '../../common/connection-checks';
import { ConnectionSource, ConnectionSources, resolveConnection } from '../../common/connection-references';
import { ConnectionInfo, indexConnections, normaliseConnectionId } from '../../common/connections';
import { ConnectionProblemKind } from '../../common/problems/connection';
import { TokenisedSettings } from '../../common/settings-reading';
import { ImpersonationCheck } from '../../common/impersonation-check';
import { ConnectionReferenceRecord, SystemUserRecord } from '../../common/solution-queries';
import { BindActorReason, IdentityContext, Impersonation, chooseBindIdentity, chooseRollbackActor } from './plan-identity';

export type { Impersonation } from './plan-identity';

export interface Problem {
  kind: ConnectionProblemKind;
  /** The platform's code when the problem came from a platform answer (the act-on-behalf check). */
  platformCode?: string;
  platformMessage?: string;
  /** Connections involved (the ConnectionOwner's candidates, or the wanted connection). */
  candidates?: ConnectionInfo[];
  /** MissingValue: the pipeline variables whose unset tokens left the settings file's connection id empty. */
  unsetVariables?: string[];
}

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
  source?: ConnectionSource;
  /** The variable that gave the connection id, and whether it is secret (then the id is never shown). */
  variable?: string;
  secret: boolean;
  /** The owner (as given) whose connection was asked for: ConnectionOwner, or this reference's own owner. */
  connectionOwner?: string;
  connection?: ConnectionInfo;
  /** The owner (creator) of the wanted connection. */
  owner?: Owner;
  action: Action;
  /** Who the update is made as (bind only). */
  actor?: Actor;
  /** Why the update is made as `actor` (bind only). */
  actorReason?: BindActorReason;
  /** Who puts the previous connection back if the run has to be undone (bind only). */
  rollbackActor?: Actor;
  problem?: Problem;
}

export interface PlanInput {
  references: readonly ConnectionReferenceRecord[];
  /** Connection ids of the settings file by lower-case logical name. */
  settings: ReadonlyMap<string, string>;
  /** The settings file's tokens: values holding secrets, and the variables that left connection ids empty. */
  tokens?: Pick<TokenisedSettings, 'secrets' | 'unsetConnectionIds'>;
  sources: ConnectionSources;
  connections: readonly ConnectionInfo[];
  /** System users of the connections' owners; when not given yet, owners are not judged on them. */
  users?: readonly SystemUserRecord[];
  impersonation: Impersonation;
  /** Entra object id of the service principal: its own connections need no impersonation. */
  servicePrincipalObjectId?: string;
  /** Ids (lower case) of the connections shared with the service principal (Impersonation Auto). */
  sharedWithServicePrincipal?: ReadonlySet<string>;
  /** Results of the verified act-as check by lower-case owner object id; owners not in it are not judged on it. */
  actOnBehalf?: ReadonlyMap<string, ImpersonationCheck>;
  failOnUnbound: boolean;
}

export interface Plan {
  items: PlanItem[];
  problems: PlanItem[];
  toBind: PlanItem[];
}

/**
 * Decides, for every connection reference of the solution, the connection it should point at, who
 * the update is made as, and whether it is left alone, bound, or cannot be bound (and why). Pure:
 * everything it needs was read beforehand, so all problems are known before the first write.
 */
export function planBindings(input: PlanInput): Plan {
  const connectionsById = indexConnections(input.connections);
  const users = input.users ? environmentUsers(input.users) : undefined;
  const identity: IdentityContext = {
    impersonation: input.impersonation,
    servicePrincipalObjectId: input.servicePrincipalObjectId?.toLowerCase(),
    sharedWithServicePrincipal: input.sharedWithServicePrincipal,
    users,
    acting: input.actOnBehalf,
  };

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
        secret: false,
        action: 'unchanged',
      };
      const fromSettings = input.settings.get(item.logicalName.toLowerCase());
      const wanted = resolveConnection(
        {
          logicalName: item.logicalName,
          connectorId,
          present: [
            { value: fromSettings, source: 'settingsFile', secret: !!fromSettings && !!input.tokens?.secrets.has(fromSettings) },
            { value: item.currentConnectionId, source: 'currentBinding' },
          ],
        },
        input.sources,
        input.connections,
      );
      item.source = wanted.source;
      if (wanted.source === 'connectionOwner') item.connectionOwner = input.sources.ownerFor(item.logicalName)?.raw;
      if (wanted.problem) return withProblem(item, { kind: wanted.problem, candidates: wanted.candidates });
      if (wanted.connectionId === undefined) {
        const unsetVariables = input.tokens?.unsetConnectionIds.get(item.logicalName.toLowerCase());
        if (input.failOnUnbound) return withProblem(item, { kind: 'MissingValue', ...(unsetVariables ? { unsetVariables } : {}) });
        item.action = 'unbound';
        return item;
      }
      item.variable = wanted.variable;
      item.secret = wanted.secret;

      const wantedId = normaliseConnectionId(wanted.connectionId);
      const connection = connectionsById.get(wantedId.toLowerCase());
      item.wantedConnectionId = connection?.id ?? wantedId;
      item.connection = connection;
      if (connection?.ownerObjectId) item.owner = { objectId: connection.ownerObjectId, upn: connection.ownerUpn, name: connection.ownerName };
      const connectionProblem = checkReferenceConnection({ connectionsById, connectionId: wanted.connectionId, connectorId });
      if (connectionProblem) return withProblem(item, { kind: connectionProblem.kind, candidates: connection ? [connection] : undefined });
      if (sameId(item.currentConnectionId, item.wantedConnectionId)) return item;

      item.action = 'bind';
      const chosen = chooseBindIdentity(connection, identity);
      if ('problem' in chosen) return withProblem(item, chosen.problem);
      item.actor = chosen.actor;
      item.actorReason = chosen.reason;
      item.rollbackActor = chooseRollbackActor(item.currentConnectionId ? connectionsById.get(item.currentConnectionId.toLowerCase()) : undefined, identity);
      return item;
    });

  return {
    items,
    problems: items.filter((i) => i.action === 'problem'),
    toBind: items.filter((i) => i.action === 'bind'),
  };
}

function environmentUsers(users: readonly SystemUserRecord[]): Map<string, EnvironmentUser> {
  const result = new Map<string, EnvironmentUser>();
  for (const user of users) {
    const objectId = user.azureactivedirectoryobjectid?.toLowerCase();
    if (objectId) result.set(objectId, { objectId, disabled: !!user.isdisabled });
  }
  return result;
}

/**
 * The owners the writes of a plan would act as: the owners of the connections to bind and those
 * who would put previous connections back. Planned without users, these are the system users to
 * look up; planned with them, the owners whose act-on-behalf check matters.
 */
export function ownersToCheck(plan: Plan): string[] {
  const owners = new Set<string>();
  for (const item of plan.toBind) {
    for (const actor of [item.actor, item.rollbackActor]) if (actor?.kind === 'user') owners.add(actor.objectId);
  }
  return [...owners].sort();
}


function withProblem(item: PlanItem, problem: Problem): PlanItem {
  item.action = 'problem';
  item.problem = problem;
  item.actor = undefined;
  item.actorReason = undefined;
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
