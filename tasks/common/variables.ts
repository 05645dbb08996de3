import { TaskHost } from './task-host';
import { connectorName } from './admin';

export type ValueSource = 'variableByLogicalName' | 'variableByConnector' | 'connectionOwner' | 'existingValue' | 'default' | 'variableBySchemaName';

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
