import { TaskHost } from './task-host';
import { connectorName } from './admin';
import { ConnectionSource, ConnectionSources, ConventionValue } from './connection-references';
import { OwnerSpec } from './connections';
import { UserError } from './errors';
import { toOwnerSpec } from './input-reader';
import { parseUserRef } from './task-inputs';
import { ReferenceOwnerVariable, referenceOwnerVariables } from './alm-variables';

/** Where a value of the settings came from. */
export type ValueSource = ConnectionSource | 'default' | 'variableBySchemaName';

export interface ConventionVariable {
  prefix: 'ConnectionReference' | 'Connector' | 'EnvironmentVariable';
  key: string;
  name: string;
  secret: boolean;
}

const PREFIXES = ['ConnectionReference', 'Connector', 'EnvironmentVariable'] as const;

/**
 * The variable-group conventions: `ConnectionReference.<logicalname>`, `Connector.<connectorname>`
 * and `EnvironmentVariable.<schemaname>`, read through task-lib so secret variables work, by name,
 * case-insensitively.
 */
export class ConventionVariables {
  constructor(private readonly host: TaskHost) {}

  connectionReference(logicalName: string): string | undefined {
    return this.host.variable(`ConnectionReference.${logicalName}`);
  }

  connector(connectorIdOrName: string): string | undefined {
    return this.host.variable(`Connector.${connectorName(connectorIdOrName)}`);
  }

  environmentVariable(schemaName: string): string | undefined {
    return this.host.variable(`EnvironmentVariable.${schemaName}`);
  }

  isSecret(name: string): boolean {
    const wanted = normalise(name);
    return this.host.variables().some((v) => v.secret && normalise(v.name) === wanted);
  }

  /** Every variable that follows one of the conventions, so names matching nothing can be warned about. */
  list(): ConventionVariable[] {
    const result: ConventionVariable[] = [];
    for (const variable of this.host.variables()) {
      const normalised = variable.name.replace(/_/g, '.');
      // `connectionreference.user.<logicalname>` names an owner, not a reference called `user.<logicalname>`.
      if (isReferenceOwnerName(variable.name)) continue;
      for (const prefix of PREFIXES) {
        if (normalised.toLowerCase().startsWith(`${prefix.toLowerCase()}.`)) {
          result.push({ prefix, key: variable.name.slice(prefix.length + 1), name: variable.name, secret: variable.secret });
        }
      }
    }
    return result;
  }
}

/** `connectionreference.user.*`, as written or as the agent presents it (`_` for `.`). */
function isReferenceOwnerName(name: string): boolean {
  const dotted = name.includes('.') ? name : name.replace(/_/g, '.');
  return /^connectionreference\.user\./i.test(dotted);
}

/** Agent variable names are compared as the agent stores them: `.` and space become `_`, case ignored. */
export function normalise(name: string): string {
  return name.replace(/[.\s]/g, '_').toUpperCase();
}

/** The conventions' values with their secrecy, and the ConnectionOwner, as the connection rules read them. */
export interface ConventionReader extends ConnectionSources {
  environmentVariable(schemaName: string): ConventionValue | undefined;
  /** Every variable that follows a convention; `key` is the part after the prefix. */
  list(): ConventionVariable[];
  /** The `connectionreference.user.<logicalname>` variables. */
  ownerVariables(): ReferenceOwnerVariable[];
}

/**
 * Reads the conventions once per name. A secret variable's value is registered with `setSecret` as
 * soon as it is read, so it is masked in everything the task prints; callers keep it out of
 * reports, summaries and outputs through `ConventionValue.secret`.
 */
export function conventionReader(host: TaskHost, connectionOwner?: OwnerSpec, settingsOwners: ReadonlyMap<string, string> = new Map()): ConventionReader {
  const conventions = new ConventionVariables(host);
  // One enumeration of the agent's variables gives both the names and which of them are secret.
  const listed = conventions.list();
  const secretNames = new Set(listed.filter((v) => v.secret).map((v) => normalise(v.name)));
  const registered = new Set<string>();
  const found = (name: string, value: string | undefined): ConventionValue | undefined => {
    if (value === undefined) return undefined;
    const secret = secretNames.has(normalise(name));
    if (secret && !registered.has(value)) {
      registered.add(value);
      host.setSecret(value);
    }
    return { name, value, secret };
  };
  return {
    byLogicalName: (logicalName) => found(`ConnectionReference.${logicalName}`, conventions.connectionReference(logicalName)),
    byConnector: (connector) => found(`Connector.${connectorName(connector)}`, conventions.connector(connector)),
    environmentVariable: (schemaName) => found(`EnvironmentVariable.${schemaName}`, conventions.environmentVariable(schemaName)),
    ownerFor: referenceOwnerRule(host, connectionOwner, settingsOwners),
    list: () => listed,
    ownerVariables: () => [...referenceOwnerVariables(host.variables()).values()],
  };
}

/**
 * The owner whose connection one reference gets (CONTRACT 2.3): `connectionreference.user.<logicalname>`,
 * then the settings' `ConnectionOwner` key of an entry that gives no connection id, then the
 * `ConnectionOwner` input. Every per-reference owner is checked here, so a bad one is an input
 * error before anything is sent to the service.
 */
export function referenceOwnerRule(host: TaskHost, connectionOwner: OwnerSpec | undefined, settingsOwners: ReadonlyMap<string, string>): (logicalName: string) => OwnerSpec | undefined {
  const parse = (value: string, reference: string, from: string): OwnerSpec => {
    const user = toOwnerSpec(parseUserRef(value));
    if (!user) throw new UserError(host.loc('ReferenceOwnerInvalid', reference, from, host.loc('UserInvalid', value)));
    return user;
  };
  // Keyed as referenceOwnerVariables keys them: `normalise(logicalName)`.
  const byVariable = new Map([...referenceOwnerVariables(host.variables())].map(([key, v]) => [key, parse(v.owner, v.logicalName, v.variable)]));
  const bySettings = new Map([...settingsOwners].map(([name, owner]) => [name, parse(owner, name, 'ConnectionOwner (settings file)')]));
  return (logicalName) => byVariable.get(normalise(logicalName)) ?? bySettings.get(logicalName.toLowerCase()) ?? connectionOwner;
}
