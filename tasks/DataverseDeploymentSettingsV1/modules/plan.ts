import { checkReferenceConnection } from '../../common/connection-checks';
import { resolveConnection, resolveEnvironmentVariable } from '../../common/connection-references';
import { ConnectionInfo, OwnerSpec, indexConnections, normaliseConnectionId } from '../../common/connections';
import { ConnectionProblemFacts, describeConnectionProblem, describeConnectionSource } from '../../common/problems/connection';
import { MASK } from '../../common/secrets';
import { describeUnsetToken } from '../../common/settings-reading';
import { mergeReferences, mergeVariables } from './plan-merge';
import { Finding, PlanInput, PlannedReference, PlannedVariable, SettingsPlan } from './plan-types';
import { unknownVariableWarnings } from './plan-warnings';
import { checkValue, isKeyVaultSecretReference, typeName } from './values';

export * from './plan-types';

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

/** CONTRACT 2.3 through the shared rules; the connection is then checked when validating. */
function resolveReference(reference: PlannedReference, input: PlanInput, byId: Map<string, ConnectionInfo> | undefined): void {
  const { text } = input;
  const previousSecret = isTokenSecret(input, reference.previous);
  // A previous value from a secret token stays hidden, whatever the new value's source.
  if (previousSecret) reference.secret = true;
  const owner = input.variables.ownerFor(reference.logicalName) ?? input.owner;
  const resolution = resolveConnection(
    { logicalName: reference.logicalName, connectorId: reference.connectorId, present: [{ value: reference.previous, source: 'existingValue', secret: previousSecret }] },
    { ...input.variables, ownerFor: () => owner },
    input.connections ?? [],
  );
  const facts = (connection?: ConnectionInfo): ConnectionProblemFacts => ({
    reference: reference.logicalName,
    connector: reference.connector,
    connection: reference.secret ? MASK : reference.value,
    source: describeConnectionSource(text, reference.source, reference.variable, owner?.raw),
    environment: input.environmentUrl,
    listed: reference.secret ? undefined : connection,
    ownerInput: owner?.raw,
    candidates: resolution.problem ? resolution.candidates : undefined,
  });
  reference.source = resolution.source;
  if (resolution.problem) {
    reference.value = reference.previous ?? '';
    reference.problems.push(describeConnectionProblem(text, resolution.problem, facts()));
    return;
  }
  if (resolution.connectionId === undefined) {
    const unset = input.tokens?.unsetConnectionIds.get(reference.logicalName.toLowerCase());
    const finding = unset ? describeUnsetToken(text, unset) : describeConnectionProblem(text, 'MissingValue', facts());
    (input.failOnMissingValues ? reference.problems : reference.warnings).push(finding);
    return;
  }
  reference.value = normaliseConnectionId(resolution.connectionId);
  reference.secret = resolution.secret || previousSecret;
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
  if (isTokenSecret(input, variable.previous)) variable.secret = true;
  if (!variable.value) {
    const unset = variable.source === 'default' ? undefined : input.tokens?.unsetValues.get(variable.schemaName.toLowerCase());
    if (unset) {
      // A token whose variable is not set is a missing value, required or not.
      (input.failOnMissingValues ? variable.problems : variable.warnings).push(describeUnsetToken(text, unset));
    } else if (variable.required && variable.source !== 'default') {
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

function isTokenSecret(input: PlanInput, value: string | undefined): boolean {
  return !!value && !!input.tokens?.secrets.has(value);
}

/** A value short enough for a message or a table cell. */
export function displayValue(value: string, max = 100): string {
  const single = value.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max)}…` : single;
}
