import { UserError } from '../../common/errors';
import { OwnerSpec } from '../../common/connections';
import { InputReader, toOwnerSpec } from '../../common/input-reader';
import { TokenisedSettings, readSettingsFileWithTokens } from '../../common/settings-reading';
import { TaskHost } from '../../common/task-host';

export type Impersonation = 'Auto' | 'ConnectionOwner' | 'None';
export type ErrorHandling = 'Fail' | 'Warn';

export interface CheckInputs {
  /** Installed solutions, unique names as given, each once (compared case-insensitively). */
  solutionNames: string[];
  /** A solution `.zip` or folder not yet imported. */
  solutionPath?: string;
  settingsPath?: string;
  /** The settings file as every task reads it (tokens filled, secrets registered); only with a solution file. */
  settings?: TokenisedSettings;
  owner?: OwnerSpec;
  impersonation: Impersonation;
  errorHandling: ErrorHandling;
}

/** Reads and checks every input before anything reaches the service. */
export function readInputs(host: TaskHost): CheckInputs {
  const read = new InputReader(host);
  read.required('PowerPlatformSPN', 'SpnRequiredHint');
  const solutionNames = read.distinctList('SolutionName');
  const solutionPath = host.filePathInput('SolutionInputFile');
  if (solutionNames.length === 0 && !solutionPath) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNamesHelp')));
  const settingsPath = host.filePathInput('SettingsFile');
  const owner = toOwnerSpec(read.user('ConnectionOwner'));
  if (!solutionPath) {
    // Installed solutions are checked as bound now: these inputs describe a deployment still to come.
    if (settingsPath) host.warning(host.loc('FileOnlyInputIgnored', 'SettingsFile'));
    if (owner) host.warning(host.loc('FileOnlyInputIgnored', 'ConnectionOwner'));
  }
  const settings =
    solutionPath && settingsPath ? readSettingsFileWithTokens(host, settingsPath, (reason) => host.loc('SettingsFileInvalid', settingsPath, reason)) : undefined;
  return {
    solutionNames,
    solutionPath,
    settingsPath,
    settings,
    owner,
    impersonation: read.pick('Impersonation', ['Auto', 'ConnectionOwner', 'None'] as const, 'Auto'),
    errorHandling: read.pick('ErrorHandling', ['Fail', 'Warn'] as const, 'Fail'),
  };
}
