import { connectorName } from '../../common/admin';
import { PlanInput, PlannedReference, PlannedVariable } from './plan-types';
import { ENV_VAR_TYPES } from './solution-reader';
import { isKeyVaultSecretReference } from './values';

function byName<T>(items: T[], name: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const x = name(a).toLowerCase();
    const y = name(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
  });
}

/** The solution's references joined with the starting settings' by logical name, sorted by name. */
export function mergeReferences(input: PlanInput): PlannedReference[] {
  const entries = new Map<string, PlannedReference>();
  for (const reference of input.solution?.connectionReferences ?? []) {
    entries.set(reference.logicalName.toLowerCase(), {
      kind: 'connectionReference',
      logicalName: reference.logicalName,
      displayName: reference.displayName,
      connectorId: reference.connectorId,
      connector: reference.connectorId ? connectorName(reference.connectorId) : '',
      inSolution: true,
      value: '',
      secret: false,
      problems: [],
      warnings: [],
    });
  }
  for (const reference of input.starting.ConnectionReferences) {
    if (!reference.LogicalName) continue;
    const key = reference.LogicalName.toLowerCase();
    const existing = entries.get(key);
    if (existing) {
      if (existing.previous === undefined) existing.previous = reference.ConnectionId;
      if (!existing.connectorId && reference.ConnectorId) {
        existing.connectorId = reference.ConnectorId;
        existing.connector = connectorName(reference.ConnectorId);
      }
      continue;
    }
    entries.set(key, {
      kind: 'connectionReference',
      logicalName: reference.LogicalName,
      connectorId: reference.ConnectorId,
      connector: reference.ConnectorId ? connectorName(reference.ConnectorId) : '',
      inSolution: !input.solution,
      previous: reference.ConnectionId,
      value: '',
      secret: false,
      problems: [],
      warnings: [],
    });
  }
  return byName([...entries.values()], (r) => r.logicalName);
}

/** The solution's environment variables joined with the starting settings' by schema name, sorted by name. */
export function mergeVariables(input: PlanInput): PlannedVariable[] {
  const entries = new Map<string, PlannedVariable>();
  for (const definition of input.solution?.environmentVariables ?? []) {
    entries.set(definition.schemaName.toLowerCase(), {
      kind: 'environmentVariable',
      schemaName: definition.schemaName,
      displayName: definition.displayName,
      type: definition.type,
      required: definition.isRequired,
      defaultValue: definition.defaultValue,
      inSolution: true,
      value: '',
      secret: definition.type === ENV_VAR_TYPES.Secret,
      problems: [],
      warnings: [],
    });
  }
  for (const variable of input.starting.EnvironmentVariables) {
    if (!variable.SchemaName) continue;
    const key = variable.SchemaName.toLowerCase();
    const existing = entries.get(key);
    if (existing) {
      if (existing.previous === undefined) existing.previous = variable.Value;
      continue;
    }
    entries.set(key, {
      kind: 'environmentVariable',
      schemaName: variable.SchemaName,
      required: false,
      inSolution: !input.solution,
      previous: variable.Value,
      value: '',
      // The type is not known here; a Key Vault reference is only ever the value of a Secret.
      secret: isKeyVaultSecretReference(variable.Value),
      problems: [],
      warnings: [],
    });
  }
  return byName([...entries.values()], (v) => v.schemaName);
}
