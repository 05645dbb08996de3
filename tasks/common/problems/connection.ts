import { ItemError } from '../report';
import type { ConnectionSource } from '../connection-references';
import type { ConnectionInfo } from '../connections';
import { Localizer, ProblemSpec, describeProblemWith } from './index';

/**
 * Problems of connection references, their connections and the connections' owners. Every task
 * reports one of these conditions with the same code and text. The facts the messages take:
 * reference, connector, connection (the id as shown: masked when secret), source (where the id came
 * from, in words), environment, status, actualConnector, owner (in words), ownerInput (the
 * ConnectionOwner as given), candidates (connections listed), notConnected (a sentence or empty),
 * byName / byConnector (the variable names), platformMessage, solution, duplicates (the references
 * of one connector with their flows, in words).
 */
export const CONNECTION_PROBLEMS = {
  MissingValue: {
    code: 'MissingValue',
    messageKey: 'ProblemReferenceMissingValue',
    messageArgs: ['connector'],
    hintKey: 'HintReferenceMissingValue',
    hintArgs: ['byName', 'byConnector'],
  },
  ConnectorUnknown: {
    code: 'ConnectorUnknown',
    messageKey: 'ProblemConnectorUnknown',
    messageArgs: ['ownerInput'],
    hintKey: 'HintConnectorUnknown',
    hintArgs: ['byName'],
  },
  ConnectionOwnerHasNoConnection: {
    code: 'ConnectionOwnerHasNoConnection',
    messageKey: 'ProblemOwnerHasNoConnection',
    messageArgs: ['ownerInput', 'connector', 'notConnected'],
    hintKey: 'HintOwnerHasNoConnection',
    hintArgs: ['connector', 'ownerInput', 'byName', 'byConnector'],
  },
  ConnectionOwnerHasSeveralConnections: {
    code: 'ConnectionOwnerHasSeveralConnections',
    messageKey: 'ProblemOwnerHasSeveralConnections',
    messageArgs: ['ownerInput', 'candidateCount', 'connector', 'candidates'],
    hintKey: 'HintOwnerHasSeveralConnections',
    hintArgs: ['byName', 'byConnector'],
  },
  ConnectionNotFound: {
    code: 'ConnectionNotFound',
    messageKey: 'ProblemConnectionNotFound',
    messageArgs: ['connection', 'source', 'environment'],
    hintKey: 'HintConnectionNotFound',
    hintArgs: ['connector'],
  },
  ConnectionOfOtherConnector: {
    code: 'ConnectionOfOtherConnector',
    messageKey: 'ProblemConnectionOfOtherConnector',
    messageArgs: ['connection', 'source', 'actualConnector', 'connector'],
    hintKey: 'HintConnectionOfOtherConnector',
    hintArgs: ['connector'],
  },
  ConnectionNotConnected: {
    code: 'ConnectionNotConnected',
    messageKey: 'ProblemConnectionNotConnected',
    messageArgs: ['connection', 'source', 'status'],
    hintKey: 'HintConnectionNotConnected',
    hintArgs: ['connection'],
  },
  ConnectionOwnerUnknown: {
    code: 'ConnectionOwnerUnknown',
    messageKey: 'ProblemConnectionOwnerUnknown',
    messageArgs: ['connection'],
    hintKey: 'HintConnectionOwnerUnknown',
  },
  UserNotInEnvironment: {
    code: 'UserNotInEnvironment',
    messageKey: 'ProblemOwnerNotInEnvironment',
    messageArgs: ['connection', 'owner'],
    hintKey: 'HintOwnerNotInEnvironment',
    hintArgs: ['owner'],
  },
  // The platform's own code for acting as a disabled user, as the activation task reports it.
  UserDisabled: {
    code: '0x80040225',
    messageKey: 'ProblemOwnerDisabled',
    messageArgs: ['connection', 'owner'],
    hintKey: 'HintOwnerDisabled',
    hintArgs: ['owner'],
  },
  CannotActOnBehalfOfAnotherUser: {
    code: 'CannotActOnBehalfOfAnotherUser',
    messageKey: 'ProblemCannotActOnBehalf',
    messageArgs: ['owner', 'connection', 'platformMessage'],
    hintKey: 'HintCannotActOnBehalf',
  },
  OwnerCannotBeActedAs: {
    code: 'OwnerCannotBeActedAs',
    messageKey: 'ProblemOwnerCannotBeActedAs',
    messageArgs: ['owner', 'connection', 'platformMessage'],
    hintKey: 'HintOwnerCannotBeActedAs',
    hintArgs: ['owner'],
  },
  ConnectionNotSharedWithServicePrincipal: {
    code: 'ConnectionNotSharedWithServicePrincipal',
    messageKey: 'ProblemConnectionNotShared',
    messageArgs: ['connection', 'owner'],
    hintKey: 'HintConnectionNotShared',
    hintArgs: ['connection', 'owner'],
  },
  // A warning: the connection is usable only by acting as its owner, which the platform does not guarantee for activation.
  ImpersonationOnly: {
    code: 'ImpersonationOnly',
    messageKey: 'ProblemImpersonationOnly',
    messageArgs: ['connection', 'owner'],
    hintKey: 'HintImpersonationOnly',
    hintArgs: ['connection', 'owner'],
  },
  // A warning: one reference per connector in a solution is the standard.
  DuplicateConnectorReference: {
    code: 'DuplicateConnectorReference',
    messageKey: 'ProblemDuplicateConnectorReference',
    messageArgs: ['connector', 'solution', 'duplicates'],
    hintKey: 'HintDuplicateConnectorReference',
    hintArgs: ['connector'],
  },
} as const satisfies Record<string, ProblemSpec>;

export type ConnectionProblemKind = keyof typeof CONNECTION_PROBLEMS;

/** What the connection messages say about one reference; absent facts are left empty. */
export interface ConnectionProblemFacts {
  reference: string;
  connector: string;
  /** The connection id as it may be shown: the mask when it came from a secret variable. */
  connection?: string;
  source?: string;
  environment?: string;
  /** The wanted connection as listed, for its status and connector. */
  listed?: ConnectionInfo;
  owner?: string;
  ownerInput?: string;
  candidates?: readonly ConnectionInfo[];
  platformMessage?: string;
  /** The solution the reference is in, and (duplicates) the references of one connector with their flows, in words. */
  solution?: string;
  duplicates?: string;
}

/** The one place a connection problem kind becomes the report's `{code, message, hint}`. */
export function describeConnectionProblem(loc: Localizer, kind: ConnectionProblemKind, facts: ConnectionProblemFacts, platformCode?: string): ItemError {
  const candidates = facts.candidates ?? [];
  const notConnected = kind === 'ConnectionOwnerHasNoConnection' && candidates.length ? loc('OwnerConnectionsNotConnected', listConnections(candidates)) : '';
  return describeProblemWith(
    loc,
    CONNECTION_PROBLEMS[kind],
    {
      ...facts,
      byName: `ConnectionReference.${facts.reference}`,
      byConnector: `Connector.${facts.connector || '<connector>'}`,
      connector: facts.connector || '<connector>',
      status: facts.listed?.status ?? '',
      actualConnector: facts.listed?.connector ?? '',
      candidateCount: candidates.length,
      candidates: listConnections(candidates),
      notConnected,
    },
    { code: platformCode },
  );
}

/** Where a connection id came from, in words. */
export function describeConnectionSource(loc: Localizer, source: ConnectionSource | string | undefined, variable: string | undefined, ownerInput: string | undefined): string {
  switch (source) {
    case 'variableByLogicalName':
    case 'variableByConnector':
      return loc('SourceVariable', variable ?? '');
    case 'connectionOwner':
      return loc('SourceConnectionOwner', ownerInput ?? '');
    case 'settingsFile':
    case 'existingValue':
      return loc('SourceSettingsFile');
    case 'currentBinding':
      return loc('SourceCurrentBinding');
    default:
      return '';
  }
}

/** Connections as a message lists them: id, display name and status. */
export function listConnections(connections: readonly ConnectionInfo[]): string {
  return connections.map((c) => `${c.id}${c.displayName && c.displayName !== c.id ? ` '${c.displayName}'` : ''} (${c.status})`).join(', ');
}
