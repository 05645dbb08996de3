import { OwnerSpec } from '../../common/connections';
import { UserError } from '../../common/errors';
import { InputReader, toOwnerSpec } from '../../common/input-reader';
import { TokenisedSettings, readSettingsFileWithTokens } from '../../common/settings-reading';
import { TaskHost } from '../../common/task-host';
import { Impersonation } from './plan';

export interface BindInputs {
  /** Unique names, as given, each once (compared case-insensitively). */
  solutionNames: string[];
  /** The names as one text, for messages and the summary. */
  solutionName: string;
  settingsFile?: string;
  /** Connection ids of the settings file by lower-case logical name. */
  settings: Map<string, string>;
  /** The settings file's tokens: secret values, owners and the variables not set. */
  tokens?: TokenisedSettings;
  connectionOwner?: OwnerSpec;
  impersonation: Impersonation;
  failOnUnbound: boolean;
  dryRun: boolean;
}

/** Reads and checks every input before anything is sent to the service. */
export function readInputs(host: TaskHost): BindInputs {
  // The service connection is checked first (as connect does), so a step with no inputs names it.
  const read = new InputReader(host);
  read.required('PowerPlatformSPN', 'ServiceConnectionHint');
  read.required('SolutionName', 'SolutionNameHint');
  const solutionNames = read.distinctList('SolutionName');
  if (solutionNames.length === 0) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNameHint')));
  const impersonation = read.pick('Impersonation', ['Auto', 'ConnectionOwner', 'None'] as const, 'Auto');
  const connectionOwner = toOwnerSpec(read.user('ConnectionOwner'));
  const failOnUnbound = read.boolean('FailOnUnbound', true);
  const dryRun = read.boolean('DryRun', false);

  const settingsFile = host.filePathInput('SettingsFile');
  const settings = new Map<string, string>();
  const tokens = settingsFile ? readSettingsFileWithTokens(host, settingsFile, (reason) => host.loc('SettingsFileInvalid', settingsFile, reason)) : undefined;
  if (tokens) {
    for (const entry of tokens.settings.ConnectionReferences) {
      const name = entry.LogicalName.trim().toLowerCase();
      const value = entry.ConnectionId.trim();
      if (!name || !value) continue;
      const earlier = settings.get(name);
      if (earlier && earlier.toLowerCase() !== value.toLowerCase()) host.warning(host.loc('SettingsDuplicate', entry.LogicalName, earlier, value));
      settings.set(name, value);
    }
  }

  return {
    solutionNames,
    solutionName: solutionNames.join(', '),
    settingsFile,
    settings,
    tokens,
    connectionOwner,
    impersonation,
    failOnUnbound,
    dryRun,
  };
}
