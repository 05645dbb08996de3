import { connectorName } from '../../common/admin';
import { checkReferenceConnection } from '../../common/connection-checks';
import { ConnectionSources, ConventionValue, resolveConnection, resolveEnvironmentVariable } from '../../common/connection-references';
import { ConnectionInfo, OwnerSpec, indexConnections } from '../../common/connections';
import { ConnectionProblemFacts, describeConnectionProblem, describeConnectionSource } from '../../common/problems/connection';
import { MASK } from '../../common/secrets';
import { DeploymentSettings } from '../../common/settings-file';
import { ValueSource, normalise } from '../../common/variables';
import { ENV_VAR_TYPES, SolutionContents } from './solution-reader';
import { checkValue, isKeyVaultSecretReference, typeName } from './values';

export type Localizer = (key: string, ...args: unknown[]) => string;

export { MASK };

/** A problem (fails the run) or a warning, with a message ready for the log. */
export interface Finding {
  code: string;
  message: string;
  hint?: string;
}

export type ConventionPrefix = 'ConnectionReference' | 'Connector' | 'EnvironmentVariable';

/** The variable-group conventions and the ConnectionOwner, as the plan reads them. */
export interface VariableSource extends ConnectionSources {
  environmentVariable(schemaName: string): ConventionValue | undefined;
  /** Every variable that follows a convention; `key` is the part after the prefix. */
  list(): Array<{ prefix: ConventionPrefix; key: string; name: string }>;
}

interface PlannedEntry {
  displayName?: string;
  /** In the solution input (always true when no solution was given). */
  inSolution: boolean;
  /** The value in the starting settings; undefined when the entry is new to them. */
  previous?: string;
  /** The value the settings get. */
  value: string;
  source?: ValueSource;
  /** The variable that gave the value. */
  variable?: string;
  /** Shown masked everywhere but in the settings themselves. */
  secret: boolean;
  problems: Finding[];
  warnings: Finding[];
}

export interface PlannedReference extends PlannedEntry {
  kind: 'connectionReference';
  logicalName: string;
  connectorId: string;
  /** Connector name (last segment of the connector id); empty when unknown. */
  connector: string;
  /** The connection of the value, when the environment's connections were listed. */
  connection?: ConnectionInfo;
}

export interface PlannedVariable extends PlannedEntry {
  kind: 'environmentVariable';
  schemaName: string;
  /** undefined when the entry is only in the settings (its type is not known). */
  type?: number;
  required: boolean;
  defaultValue?: string;
}

export interface PlanInput {
  solution?: SolutionContents;
  /** The settings file and/or the stage run's settings, already layered. */
  starting: DeploymentSettings;
  variables: VariableSource;
  owner?: OwnerSpec;
  /** The target environment's connections; undefined when they were not listed. */
  connections?: readonly ConnectionInfo[];
  validate: boolean;
  failOnMissingValues: boolean;
  environmentUrl: string;
  text: Localizer;
}

export interface SettingsPlan {
  references: PlannedReference[];
  variables: PlannedVariable[];
  /** The settings to write, entries sorted by name. */
  settings: DeploymentSettings;
  /** Warnings not tied to an entry (variables that match nothing). */
  warnings: Finding[];
  problemCount: number;
}

/** Whether the plan needs the environment's connections: ConnectionOwner resolution or validation of connection ids. */
export function needsConnections(referenceCount: number, validate: boolean, owner: OwnerSpec | undefined): boolean {
  return referenceCount > 0 && (validate || owner !== undefined);
}

/**
 * Merges the solution's entries with the starting settings and the variables, by the conventions'
 * precedence, and validates the result. Pure: everything it needs is in `input`.
 */
export function planSettings(input: PlanInput): SettingsPlan {
  const { text } = input;
  const references = mergeReferences(input);
  const variables = mergeVariables(input);
  const byId = input.connections ? indexConnections(input.connections) : undefined;

  for (const reference of references) resolveReference(reference, input, byId);
  for (const variable of variables) resolveVariable(variable, input);

  if (input.solution) {
    const solutionName = input.solution.uniqueName ?? 'the solution';
    for (const entry of [...references, ...variables]) {
      if (!entry.inSolution) {
        const name = entry.kind === 'connectionReference' ? entry.logicalName : entry.schemaName;
        entry.warnings.push({ code: 'NotInSolution', message: text('WarningNotInSolution', name, solutionName) });
      }
    }
  }

  const warnings = unknownVariableWarnings(input.variables, references, variables, text);
  return {
    references,
    variables,
    settings: {
      EnvironmentVariables: variables.map((v) => ({ SchemaName: v.schemaName, Value: v.value })),
      ConnectionReferences: references.map((r) => ({ LogicalName: r.logicalName, ConnectionId: r.value, ConnectorId: r.connectorId })),
    },
    warnings,
    problemCount: [...references, ...variables].reduce((n, e) => n + e.problems.length, 0),
  };
}

function byName<T>(items: T[], name: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const x = name(a).toLowerCase();
    const y = name(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
  });
}

function mergeReferences(input: PlanInput): PlannedReference[] {
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

function mergeVariables(input: PlanInput): PlannedVariable[] {
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

/** CONTRACT 2.3 through the shared rules; the connection is then checked when validating. */
function resolveReference(reference: PlannedReference, input: PlanInput, byId: Map<string, ConnectionInfo> | undefined): void {
  const { text } = input;
  const resolution = resolveConnection(
    { logicalName: reference.logicalName, connectorId: reference.connectorId, present: [{ value: reference.previous, source: 'existingValue' }] },
    { ...input.variables, ownerFor: (name) => input.variables.ownerFor(name) ?? input.owner },
    input.connections ?? [],
  );
  const facts = (connection?: ConnectionInfo): ConnectionProblemFacts => ({
    reference: reference.logicalName,
    connector: reference.connector,
    connection: reference.secret ? MASK : reference.value,
    source: describeConnectionSource(text, reference.source, reference.variable, input.owner?.raw),
    environment: input.environmentUrl,
    listed: reference.secret ? undefined : connection,
    ownerInput: input.owner?.raw,
    candidates: resolution.problem ? resolution.candidates : undefined,
  });
  reference.source = resolution.source;
  if (resolution.problem) {
    reference.value = reference.previous ?? '';
    reference.problems.push(describeConnectionProblem(text, resolution.problem, facts()));
    return;
  }
  if (resolution.connectionId === undefined) {
    const finding = describeConnectionProblem(text, 'MissingValue', facts());
    (input.failOnMissingValues ? reference.problems : reference.warnings).push(finding);
    return;
  }
  reference.value = resolution.connectionId;
  reference.secret = resolution.secret;
  reference.variable = resolution.variable;
  if (resolution.connection) reference.connection = resolution.connection;
  if (!input.validate || !byId) return;

  const connection = byId.get(reference.value.toLowerCase());
  reference.connection = connection;
  const problem = checkReferenceConnection({ connectionsById: byId, connectionId: reference.value, connectorId: reference.connector });
  if (problem) reference.problems.push(describeConnectionProblem(text, problem.kind, facts(connection)));
}

/** Precedence: EnvironmentVariable.<schemaname>, the value present, then the definition's default (which leaves the value empty). */
function resolveVariable(variable: PlannedVariable, input: PlanInput): void {
  const { text } = input;
  const resolved = resolveEnvironmentVariable(input.variables.environmentVariable(variable.schemaName), variable.previous);
  if (resolved) {
    variable.value = resolved.value;
    variable.source = resolved.source;
    if (resolved.source === 'variableBySchemaName') {
      variable.secret = variable.secret || resolved.secret;
      variable.variable = resolved.variable;
    }
  } else if (variable.defaultValue) {
    // The target then uses the definition's default; writing it as a value would pin it.
    variable.value = '';
    variable.source = 'default';
  }

  if (variable.type === undefined && isKeyVaultSecretReference(variable.value)) variable.secret = true;
  if (!variable.value) {
    if (variable.required && variable.source !== 'default') {
      const finding: Finding = { code: 'MissingValue', message: text('ProblemMissingValue', variable.schemaName) };
      (input.failOnMissingValues ? variable.problems : variable.warnings).push(finding);
    }
    return;
  }
  if (!input.validate) return;
  const result = checkValue(variable.type, variable.value);
  if (!result) return;
  const shown = variable.secret ? MASK : displayValue(variable.value);
  const detail = result.detail && !variable.secret ? ` (${result.detail})` : '';
  const key = {
    InvalidNumber: 'ProblemInvalidNumber',
    InvalidBoolean: 'ProblemInvalidBoolean',
    InvalidJson: 'ProblemInvalidJson',
    InvalidSecretReference: 'ProblemInvalidSecretReference',
  }[result.problem];
  variable.problems.push({ code: result.problem, message: text(key, shown, typeName(variable.type), detail) });
}

/** A value short enough for a message or a table cell. */
export function displayValue(value: string, max = 100): string {
  const single = value.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max)}…` : single;
}

function unknownVariableWarnings(source: VariableSource, references: PlannedReference[], variables: PlannedVariable[], text: Localizer): Finding[] {
  const known: Record<ConventionPrefix, string[]> = {
    ConnectionReference: references.map((r) => r.logicalName),
    Connector: [...new Set(references.map((r) => r.connector).filter(Boolean))],
    EnvironmentVariable: variables.map((v) => v.schemaName),
  };
  const what: Record<ConventionPrefix, string> = {
    ConnectionReference: text('KindConnectionReference'),
    Connector: text('KindConnector'),
    EnvironmentVariable: text('KindEnvironmentVariable'),
  };
  const warnings: Finding[] = [];
  for (const variable of source.list()) {
    const names = known[variable.prefix];
    const wanted = normalise(variable.key);
    if (names.some((n) => normalise(n) === wanted)) continue;
    const suggestion = closest(wanted, names);
    warnings.push({
      code: 'UnknownVariable',
      message: text('WarningUnknownVariable', variable.name, what[variable.prefix], suggestion ? text('DidYouMean', `${variable.prefix}.${suggestion}`) : ''),
    });
  }
  return warnings;
}

/** The known name within a small edit distance of a variable's key (a likely typo), if any. */
function closest(wanted: string, names: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, normalise(name));
    const allowed = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.MAX_SAFE_INTEGER;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
