import { ItemError } from './report';
import { ProblemSpec, describeProblem, Localizer } from './problems';
import { DeploymentSettings, readDeploymentSettingsFile } from './settings-file';
import { TokenVariableLookup, replaceTokens } from './settings-tokens';
import { TaskHost } from './task-host';
import { referenceOwnerVariables } from './alm-variables';
import { normalise } from './variables';

/**
 * A `SettingsFile` as every task reads it (CONTRACT 2.3, ALM Accelerator compatibility): pac
 * format, `#{name}#` tokens in its values replaced by pipeline variables (secret ones included and
 * kept secret), and the `ConnectionOwner` key of a connection-reference entry kept as its owner.
 */
export interface TokenisedSettings {
  settings: DeploymentSettings;
  /** Variables named by a token that are not set, each once, in order of appearance. */
  unset: string[];
  /** Values that hold a secret variable's value: never shown in a report, summary or output. */
  secrets: ReadonlySet<string>;
  /** The unset variables that left a connection id empty, by lower-case logical name. */
  unsetConnectionIds: ReadonlyMap<string, string[]>;
  /** The unset variables that left an environment variable's value empty, by lower-case schema name. */
  unsetValues: ReadonlyMap<string, string[]>;
}

/** A value left empty by a token whose variable is not set: a missing value, named by the variable. */
export const TOKEN_VARIABLE_NOT_SET: ProblemSpec = { code: 'MissingValue', messageKey: 'ProblemTokenVariableNotSet', hintKey: 'HintTokenVariableNotSet' };

export function describeUnsetToken(loc: Localizer, variables: readonly string[]): ItemError {
  return describeProblem(loc, TOKEN_VARIABLE_NOT_SET, variables.join(', '));
}

/** Pipeline variables as tokens read them: by name, case-insensitively; an empty variable is not set. */
export function pipelineVariableLookup(host: TaskHost): TokenVariableLookup {
  const secretNames = new Set(host.variables().filter((v) => v.secret).map((v) => normalise(v.name)));
  return (name) => {
    const value = host.variable(name);
    return value === undefined ? undefined : { value, secret: secretNames.has(normalise(name)) };
  };
}

/** Replaces the tokens of every string value of parsed settings; keys are never touched. Pure. */
export function fillSettingsTokens(parsed: DeploymentSettings, lookup: TokenVariableLookup): TokenisedSettings {
  const unset: string[] = [];
  const secrets = new Set<string>();
  const fill = (text: string): { value: string; unset: string[] } => {
    const replaced = replaceTokens(text, lookup);
    for (const name of replaced.unset) if (!unset.some((known) => known.toLowerCase() === name.toLowerCase())) unset.push(name);
    for (const secret of replaced.secrets) secrets.add(secret);
    return { value: replaced.document, unset: replaced.unset };
  };
  const unsetConnectionIds = new Map<string, string[]>();
  const unsetValues = new Map<string, string[]>();
  const note = (gaps: Map<string, string[]>, name: string, filled: { value: string; unset: string[] }) => {
    if (filled.unset.length > 0 && !filled.value) gaps.set(name.toLowerCase(), filled.unset);
  };

  const settings: DeploymentSettings = {
    EnvironmentVariables: parsed.EnvironmentVariables.map((entry) => {
      const schemaName = fill(entry.SchemaName).value;
      const value = fill(entry.Value);
      note(unsetValues, schemaName, value);
      return { SchemaName: schemaName, Value: value.value };
    }),
    ConnectionReferences: parsed.ConnectionReferences.map((entry) => {
      const logicalName = fill(entry.LogicalName).value;
      const connectionId = fill(entry.ConnectionId);
      note(unsetConnectionIds, logicalName, connectionId);
      const owner = entry.ConnectionOwner ? fill(entry.ConnectionOwner).value.trim() : '';
      return { LogicalName: logicalName, ConnectionId: connectionId.value, ConnectorId: fill(entry.ConnectorId).value, ...(owner ? { ConnectionOwner: owner } : {}) };
    }),
  };
  return { settings, unset, secrets, unsetConnectionIds, unsetValues };
}

/**
 * Reads a settings file and fills its tokens from the pipeline variables. Every value that holds a
 * secret is registered with `setSecret` before anything is printed; the unset variables are named
 * in one line (their values are missing unless another source gives them).
 */
export function readSettingsFileWithTokens(host: TaskHost, file: string, describe: (reason: string) => string): TokenisedSettings {
  const read = fillSettingsTokens(readDeploymentSettingsFile(file, describe), pipelineVariableLookup(host));
  for (const secret of read.secrets) host.setSecret(secret);
  if (read.unset.length > 0) host.info(host.loc('SettingsTokensUnset', read.unset.join(', ')));
  return read;
}

/** The owners the settings give per reference (`ConnectionOwner` key), by lower-case logical name, for entries that give no connection id. */
export function settingsOwners(settings: DeploymentSettings): Map<string, string> {
  const owners = new Map<string, string>();
  for (const entry of settings.ConnectionReferences) {
    if (entry.ConnectionOwner && !entry.ConnectionId.trim()) owners.set(entry.LogicalName.toLowerCase(), entry.ConnectionOwner);
  }
  return owners;
}

/** Whether any reference has an owner of its own (`connectionreference.user.*` or a settings entry's `ConnectionOwner`), so the connections must be listed. */
export function referenceOwnersGiven(host: TaskHost, settings: DeploymentSettings | undefined): boolean {
  return referenceOwnerVariables(host.variables()).size > 0 || (settings !== undefined && settingsOwners(settings).size > 0);
}
