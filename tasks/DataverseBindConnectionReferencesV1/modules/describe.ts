import { PlatformError } from '../../common/errors';
import { ItemError } from '../../common/report';
import { TaskHost } from '../../common/task-host';
import { ConnectionInfo } from '../../common/connections';
import { BindingSource, Impersonation, PlanItem, Problem, ProblemKind, SERVICE_PRINCIPAL } from './plan';
import { platformCode, platformMessage } from './apply';

/** The report's error code of each problem found before the first write; platform answers keep the platform's code. */
const PROBLEM_CODES: Record<ProblemKind, string> = {
  noValue: 'NoConnectionGiven',
  ownerNoConnection: 'ConnectionOwnerHasNoConnection',
  ownerSeveralConnections: 'ConnectionOwnerHasSeveralConnections',
  connectionMissing: 'ConnectionNotFound',
  connectionNotConnected: 'ConnectionNotConnected',
  otherConnector: 'ConnectionOfOtherConnector',
  ownerUnknown: 'ConnectionOwnerUnknown',
  ownerNotInEnvironment: 'OwnerNotInEnvironment',
  ownerDisabled: 'OwnerDisabled',
  cannotActOnBehalf: 'CannotActOnBehalfOfAnotherUser',
  ownerCannotBeActedAs: 'OwnerCannotBeActedAs',
};

export function describeSource(host: TaskHost, item: PlanItem, ownerInput?: string): string {
  const source: BindingSource | undefined = item.source;
  switch (source) {
    case 'variableByLogicalName':
      return host.loc('SourceVariable', `ConnectionReference.${item.logicalName}`);
    case 'variableByConnector':
      return host.loc('SourceVariable', `Connector.${item.connector}`);
    case 'connectionOwner':
      return host.loc('SourceConnectionOwner', ownerInput ?? '');
    case 'settingsFile':
      return host.loc('SourceSettingsFile');
    case 'currentBinding':
      return host.loc('SourceCurrentBinding');
    default:
      return '';
  }
}

/** The owner of a connection as a person reads it: UPN or name, and the object id. */
export function describeOwner(item: PlanItem): string {
  const owner = item.owner;
  if (!owner) return '';
  const label = owner.upn ?? owner.name;
  return label ? `${label} (${owner.objectId})` : owner.objectId;
}

export function describeActor(host: TaskHost, item: PlanItem, actor: string | undefined): string {
  if (!actor) return '';
  if (actor === SERVICE_PRINCIPAL) return host.loc('ServicePrincipal');
  if (item.owner?.objectId === actor) return describeOwner(item);
  return actor;
}

function listConnections(connections: readonly ConnectionInfo[] | undefined): string {
  return (connections ?? []).map((c) => `${c.id}${c.displayName && c.displayName !== c.id ? ` '${c.displayName}'` : ''} (${c.status})`).join(', ');
}

/** Message and hint of a problem that stops the run before the first write. */
export function describeProblem(host: TaskHost, item: PlanItem, problem: Problem, ownerInput?: string): ItemError {
  const byName = `ConnectionReference.${item.logicalName}`;
  const byConnector = `Connector.${item.connector}`;
  const connection = item.wantedConnectionId ?? '';
  const source = describeSource(host, item, ownerInput);
  const owner = describeOwner(item);
  const code = problem.platformCode ?? PROBLEM_CODES[problem.kind];
  switch (problem.kind) {
    case 'noValue':
      return { code, message: host.loc('ProblemNoValue', item.connector), hint: host.loc('HintNoValue', byName, byConnector) };
    case 'ownerNoConnection': {
      const others = listConnections(problem.candidates);
      return {
        code,
        message: host.loc('ProblemOwnerNoConnection', ownerInput ?? '', item.connector) + (others ? ` ${host.loc('NotConnectedCandidates', others)}` : ''),
        hint: host.loc('HintOwnerNoConnection', item.connector, ownerInput ?? '', byName, byConnector),
      };
    }
    case 'ownerSeveralConnections':
      return {
        code,
        message: host.loc('ProblemOwnerSeveral', ownerInput ?? '', problem.candidates?.length ?? 0, item.connector, listConnections(problem.candidates)),
        hint: host.loc('HintOwnerSeveral', byName, byConnector),
      };
    case 'connectionMissing':
      return { code, message: host.loc('ProblemConnectionMissing', connection, source), hint: host.loc('HintConnectionMissing', item.connector) };
    case 'connectionNotConnected':
      return { code, message: host.loc('ProblemNotConnected', connection, source, item.connection?.status ?? ''), hint: host.loc('HintNotConnected', connection) };
    case 'otherConnector':
      return { code, message: host.loc('ProblemOtherConnector', connection, source, item.connection?.connector ?? '', item.connector), hint: host.loc('HintOtherConnector', item.connector) };
    case 'ownerUnknown':
      return { code, message: host.loc('ProblemOwnerUnknown', connection), hint: host.loc('HintOwnerUnknown') };
    case 'ownerNotInEnvironment':
      return { code, message: host.loc('ProblemOwnerNotInEnvironment', connection, owner), hint: host.loc('HintOwnerNotInEnvironment', owner) };
    case 'ownerDisabled':
      return { code, message: host.loc('ProblemOwnerDisabled', connection, owner), hint: host.loc('HintOwnerDisabled', owner) };
    case 'cannotActOnBehalf':
      return { code, message: host.loc('ProblemCannotActOnBehalf', owner, connection, problem.platformMessage ?? ''), hint: host.loc('HintCannotActOnBehalf') };
    case 'ownerCannotBeActedAs':
      return { code, message: host.loc('ProblemOwnerCannotBeActedAs', owner, connection, problem.platformMessage ?? ''), hint: host.loc('HintOwnerCannotBeActedAs', owner) };
  }
}

/** A write the platform refused or that failed for good after the shared client's retries. */
export function describeWriteFailure(host: TaskHost, item: PlanItem, error: unknown, impersonation: Impersonation): ItemError {
  const connection = item.wantedConnectionId ?? '';
  let hint: string;
  if (error instanceof PlatformError && error.status === 403) {
    hint = impersonation === 'None' ? host.loc('HintWriteForbiddenNone', connection) : host.loc('HintWriteForbiddenOwner', describeActor(host, item, item.actor), connection);
  } else if (error instanceof PlatformError && (error.status === 0 || error.status >= 500 || error.status === 429)) {
    hint = host.loc('HintWriteTransient');
  } else {
    hint = host.loc('HintWriteOther');
  }
  return { code: platformCode(error), message: platformMessage(error), hint };
}

export function describeRollbackFailure(host: TaskHost, item: PlanItem, error: unknown): ItemError {
  return {
    code: platformCode(error),
    message: host.loc('RollbackFailed', item.wantedConnectionId ?? '', item.currentConnectionId ?? host.loc('NoConnection'), platformMessage(error)),
    hint: host.loc('HintRollbackFailed', item.logicalName, item.currentConnectionId ?? host.loc('NoConnection')),
  };
}
