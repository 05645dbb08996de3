import { TaskHost } from './task-host';
import { connectorName } from './admin';
import { ConnectionSource, ConnectionSources, ConventionValue } from './connection-references';
import { OwnerSpec } from './connections';

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
      for (const prefix of PREFIXES) {
        if (normalised.toLowerCase().startsWith(`${prefix.toLowerCase()}.`)) {
          result.push({ prefix, key: variable.name.slice(prefix.length + 1), name: variable.name, secret: variable.secret });
        }
      }
    }
    return result;
  }
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
}

/**
 * Reads the conventions once per name. A secret variable's value is registered with `setSecret` as
 * soon as it is read, so it is masked in everything the task prints; callers keep it out of
 * reports, summaries and outputs through `ConventionValue.secret`.
 */
export function conventionReader(host: TaskHost, connectionOwner?: OwnerSpec): ConventionReader {
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
    ownerFor: () => connectionOwner,
    list: () => listed,
  };
}
