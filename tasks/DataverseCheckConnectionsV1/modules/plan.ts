import { ActingCheck } from '../../common/acting-identity';
import { connectorName } from '../../common/admin';
import { EnvironmentUser, checkOwnerUser, checkReferenceConnection } from '../../common/connection-checks';
import { ConnectionSource, ConnectionSources, resolveConnection } from '../../common/connection-references';
import { ConnectionInfo, indexConnections } from '../../common/connections';
import { ConnectionProblemFacts, ConnectionProblemKind, describeConnectionProblem, describeConnectionSource } from '../../common/problems/connection';
import { Localizer } from '../../common/problems';
import { ItemError } from '../../common/report';
import { MASK } from '../../common/secrets';
import { describeUnsetToken } from '../../common/settings-reading';
import { ReferenceFacts } from './gather';
import { Impersonation } from './inputs';

export type Health = 'healthy' | 'unhealthy' | 'warning';

export interface PlanInput {
  references: readonly ReferenceFacts[];
  /** Variables and ConnectionOwner (CONTRACT 2.3), used for references of a solution file only. */
  sources: ConnectionSources;
  connections: readonly ConnectionInfo[];
  statusErrors: ReadonlyMap<string, string>;
  sharedWithServicePrincipal: ReadonlySet<string>;
  /** The owners as users of the environment; owners are not judged on them until given. */
  users?: ReadonlyMap<string, EnvironmentUser>;
  /** The act-on-behalf checks by owner; owners are not judged on them until given. */
  acting?: ReadonlyMap<string, ActingCheck>;
  impersonation: Impersonation;
  servicePrincipalObjectId?: string;
  environmentUrl: string;
  ownerInput?: string;
  loc: Localizer;
}

export interface CheckedReference {
  facts: ReferenceFacts;
  connector: string;
  health: Health;
  /** The problem (unhealthy) or the first warning (warning); null when healthy. */
  error: ItemError | null;
  warnings: ItemError[];
  /** The connection id as it may be shown (masked when it came from a secret variable); undefined when none. */
  connectionShown?: string;
  connection?: ConnectionInfo;
  source?: ConnectionSource;
  /** The owner the service principal would have to act as, when that check is still to be made. */
  ownerToActAs?: string;
  /** Whether every flow using it uses it as its run-only (invoker) connection. */
  runOnly: boolean;
}

/**
 * The checks of CONTRACT 2.8 for every reference, in the order a user fixes them; the first failing
 * check makes the reference unhealthy. Pure: everything it needs was read beforehand.
 */
export function planChecks(input: PlanInput): CheckedReference[] {
  const byId = indexConnections(input.connections);
  const ordered = [...input.references].sort((a, b) => compareText(a.solution, b.solution) || compareText(a.logicalName, b.logicalName));
  const checked = ordered.map((facts) => checkReference(facts, input, byId));
  markDuplicates(checked, input.loc);
  return checked;
}

function checkReference(facts: ReferenceFacts, input: PlanInput, byId: ReadonlyMap<string, ConnectionInfo>): CheckedReference {
  const { loc } = input;
  const connector = facts.connectorId ? connectorName(facts.connectorId) : '';
  const runOnly = facts.flows.length > 0 && facts.flows.every((f) => f.invoker);
  const result: CheckedReference = { facts, connector, health: 'healthy', error: null, warnings: [], runOnly };
  const noSources: ConnectionSources = { byLogicalName: () => undefined, byConnector: () => undefined, ownerFor: () => undefined };
  const resolution = resolveConnection(
    { logicalName: facts.logicalName, connectorId: facts.connectorId, present: facts.present },
    facts.installed ? noSources : input.sources,
    input.connections,
  );
  result.source = resolution.source;
  const describe = (kind: ConnectionProblemKind, extra: Partial<ConnectionProblemFacts> = {}, platformCode?: string): CheckedReference => {
    const problemFacts: ConnectionProblemFacts = {
      reference: facts.logicalName,
      connector,
      connection: result.connectionShown,
      source: describeConnectionSource(loc, resolution.source, resolution.connectionId !== undefined ? resolution.variable : undefined, input.ownerInput),
      environment: input.environmentUrl,
      listed: result.connection,
      owner: result.connectionShown === MASK ? MASK : ownerInWords(result.connection),
      ownerInput: input.ownerInput,
      solution: facts.solution,
      ...extra,
    };
    return { ...result, health: 'unhealthy', error: describeConnectionProblem(loc, kind, problemFacts, platformCode) };
  };
  if (resolution.problem) return describe(resolution.problem, { candidates: resolution.candidates });
  if (resolution.connectionId === undefined && facts.unsetVariables) return { ...result, health: 'unhealthy', error: describeUnsetToken(loc, facts.unsetVariables) };
  if (resolution.connectionId === undefined) return describe('MissingValue');

  const connection = byId.get(resolution.connectionId.trim().toLowerCase());
  result.connectionShown = resolution.secret ? MASK : resolution.connectionId;
  // A connection named by a secret variable is not described: its name or owner could give it away.
  if (!resolution.secret) result.connection = connection;
  const sp = input.servicePrincipalObjectId?.toLowerCase();
  const problem = checkReferenceConnection({
    connectionsById: byId,
    connectionId: resolution.connectionId,
    connectorId: facts.connectorId,
    owner: { users: input.users, servicePrincipalObjectId: sp },
  });
  if (problem?.kind === 'ConnectionNotConnected') {
    const described = describe('ConnectionNotConnected');
    const error = input.statusErrors.get(resolution.connectionId.trim().toLowerCase());
    if (error && described.error && !resolution.secret) described.error.message += ` ${loc('StatusError', error)}`;
    return described;
  }
  if (problem) return describe(problem.kind);
  if (!connection?.ownerObjectId || connection.ownerObjectId === sp) return result;
  return checkUse(result, connection, input, describe);
}

/** Who will use the connection can: the service principal (shared with it), or its owner through impersonation. */
function checkUse(
  result: CheckedReference,
  connection: ConnectionInfo,
  input: PlanInput,
  describe: (kind: ConnectionProblemKind, extra?: Partial<ConnectionProblemFacts>, platformCode?: string) => CheckedReference,
): CheckedReference {
  const shared = input.sharedWithServicePrincipal.has(connection.id.toLowerCase());
  if (input.impersonation === 'None') return shared ? result : describe('ConnectionNotSharedWithServicePrincipal');
  if (input.impersonation === 'Auto' && shared) return result;
  const owner = connection.ownerObjectId!;
  const acting = input.acting?.get(owner);
  if (!acting) return { ...result, ownerToActAs: owner };
  if (acting.ok) {
    if (input.impersonation === 'ConnectionOwner') return result;
    const warning = describe('ImpersonationOnly').error!;
    return { ...result, health: 'warning', error: warning, warnings: [warning] };
  }
  const ownerProblem = checkOwnerUser(owner, undefined, input.acting);
  if (input.impersonation === 'ConnectionOwner') return describe(ownerProblem!.kind, { platformMessage: ownerProblem!.platformMessage }, ownerProblem!.platformCode);
  const notShared = describe('ConnectionNotSharedWithServicePrincipal');
  notShared.error!.message += ` ${input.loc('AutoActingAlsoFailed', `${acting.code}: ${acting.message}`)}`;
  return notShared;
}

/** More than one reference to one connector in a solution: a warning on each, naming them and their flows. */
function markDuplicates(checked: CheckedReference[], loc: Localizer): void {
  const groups = new Map<string, CheckedReference[]>();
  for (const item of checked) {
    if (!item.connector) continue;
    const key = `${item.facts.solution.toLowerCase()}\n${item.connector}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(item);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const duplicates = group.map((i) => `${i.facts.logicalName} (${i.facts.flows.length ? i.facts.flows.map((f) => f.name).join(', ') : loc('NoFlows')})`).join('; ');
    for (const item of group) {
      const warning = describeConnectionProblem(loc, 'DuplicateConnectorReference', {
        reference: item.facts.logicalName,
        connector: item.connector,
        solution: item.facts.solution,
        duplicates,
      });
      item.warnings.push(warning);
      if (item.health === 'healthy') {
        item.health = 'warning';
        item.error = warning;
      }
    }
  }
}

/** The owners to look up as users of the environment (planned without users). */
export function ownersToLookUp(checked: readonly CheckedReference[], servicePrincipalObjectId?: string): string[] {
  const sp = servicePrincipalObjectId?.toLowerCase();
  const owners = checked.map((c) => c.connection?.ownerObjectId).filter((o): o is string => !!o && o !== sp);
  return [...new Set(owners)].sort();
}

/** The owners whose act-on-behalf check decides a reference (planned with users, without the checks). */
export function ownersToActAs(checked: readonly CheckedReference[]): string[] {
  return [...new Set(checked.map((c) => c.ownerToActAs).filter((o): o is string => !!o))].sort();
}

/** An owner as a message names it: name and UPN, or the object id. */
export function ownerInWords(connection: ConnectionInfo | undefined): string {
  if (!connection?.ownerObjectId) return '';
  const name = connection.ownerName && connection.ownerName !== connection.ownerObjectId ? connection.ownerName : '';
  const upn = connection.ownerUpn ?? '';
  if (name && upn) return `${name} (${upn})`;
  return name || upn || connection.ownerObjectId;
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
