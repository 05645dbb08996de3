import { connectorName } from './admin';
import { ConnectionInfo, OwnerSpec, pickOwnerConnection } from './connections';
import type { ConnectionProblemKind } from './problems/connection';

/** A value of a variable-group convention, e.g. `Connector.shared_office365`. */
export interface ConventionValue {
  /** The variable's name as the conventions spell it. */
  name: string;
  value: string;
  secret: boolean;
}

/**
 * The variables and inputs a connection reference's connection can come from (CONTRACT 2.3). New
 * sources are added here, so every task follows them at once; `ownerFor` gives the ALM Accelerator's
 * `connectionreference.user.<logicalname>` and a settings entry's `ConnectionOwner` (variables.ts).
 */
export interface ConnectionSources {
  /** `ConnectionReference.<logicalname>`. */
  byLogicalName(logicalName: string): ConventionValue | undefined;
  /** `Connector.<connectorname>`. */
  byConnector(connector: string): ConventionValue | undefined;
  /** The account whose connection the reference gets when no variable names one (the `ConnectionOwner` input). */
  ownerFor(logicalName: string): OwnerSpec | undefined;
}

/** Where a value already present comes from: the settings, or (bind) the reference's current connection. */
export type PresentSource = 'existingValue' | 'settingsFile' | 'currentBinding';
export type ConnectionSource = 'variableByLogicalName' | 'variableByConnector' | 'connectionOwner' | PresentSource;

export interface PresentValue {
  value: string | undefined;
  source: PresentSource;
  /** It holds a secret variable's value (a `#{token}#` of the settings file). */
  secret?: boolean;
}

export interface ReferenceToResolve {
  logicalName: string;
  /** Connector id or name; empty when not known. */
  connectorId: string;
  /** Values already present, highest precedence first. */
  present: readonly PresentValue[];
}

export type Resolution =
  | { connectionId: string; source: ConnectionSource; variable?: string; secret: boolean; connection?: ConnectionInfo; problem?: undefined }
  | { connectionId?: undefined; source: 'connectionOwner'; owner: OwnerSpec; problem: ConnectionProblemKind; candidates: ConnectionInfo[] }
  | { connectionId?: undefined; source?: undefined; problem?: undefined };

/**
 * CONTRACT 2.3: `ConnectionReference.<logicalname>`, then `Connector.<connectorname>`, then the
 * owner's single Connected connection of the connector (none or several is a problem naming them),
 * then a value already present. A blank value counts as not given.
 */
export function resolveConnection(reference: ReferenceToResolve, sources: ConnectionSources, connections: readonly ConnectionInfo[]): Resolution {
  const connector = reference.connectorId ? connectorName(reference.connectorId) : '';
  const byName = nonBlank(sources.byLogicalName(reference.logicalName));
  if (byName) return { connectionId: byName.value, source: 'variableByLogicalName', variable: byName.name, secret: byName.secret };
  const byConnector = connector ? nonBlank(sources.byConnector(connector)) : undefined;
  if (byConnector) return { connectionId: byConnector.value, source: 'variableByConnector', variable: byConnector.name, secret: byConnector.secret };
  const owner = sources.ownerFor(reference.logicalName);
  if (owner) {
    if (!connector) return { source: 'connectionOwner', owner, problem: 'ConnectorUnknown', candidates: [] };
    const pick = pickOwnerConnection(connections, owner, connector);
    if ('connection' in pick) return { connectionId: pick.connection.id, source: 'connectionOwner', secret: false, connection: pick.connection };
    const problem = pick.problem === 'several' ? 'ConnectionOwnerHasSeveralConnections' : 'ConnectionOwnerHasNoConnection';
    return { source: 'connectionOwner', owner, problem, candidates: pick.candidates };
  }
  for (const present of reference.present) {
    const value = present.value?.trim();
    if (value) return { connectionId: value, source: present.source, secret: present.secret ?? false };
  }
  return {};
}

/** CONTRACT 2.3 for an environment variable: `EnvironmentVariable.<schemaname>`, then the value present. */
export function resolveEnvironmentVariable(
  fromVariable: ConventionValue | undefined,
  present: string | undefined,
): { value: string; source: 'variableBySchemaName'; variable: string; secret: boolean } | { value: string; source: 'existingValue' } | undefined {
  if (fromVariable) return { value: fromVariable.value, source: 'variableBySchemaName', variable: fromVariable.name, secret: fromVariable.secret };
  if (present) return { value: present, source: 'existingValue' };
  return undefined;
}

function nonBlank(value: ConventionValue | undefined): ConventionValue | undefined {
  const trimmed = value?.value.trim();
  return value && trimmed ? { ...value, value: trimmed } : undefined;
}
