import { OwnerSpec } from '../../common/connections';
import { InputReader, toOwnerSpec } from '../../common/input-reader';
import { readDeploymentSettingsFile } from '../../common/settings-file';
import { TaskHost } from '../../common/task-host';
import { Impersonation } from './plan';

export interface BindInputs {
  solutionName: string;
  settingsFile?: string;
  /** Connection ids of the settings file by lower-case logical name. */
  settings: Map<string, string>;
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
  const solutionName = read.required('SolutionName', 'SolutionNameHint');
  const impersonation = read.pick('Impersonation', ['Auto', 'ConnectionOwner', 'None'] as const, 'Auto');
  const connectionOwner = toOwnerSpec(read.user('ConnectionOwner'));
  const failOnUnbound = read.boolean('FailOnUnbound', true);
  const dryRun = read.boolean('DryRun', false);

  const settingsFile = host.filePathInput('SettingsFile');
  const settings = new Map<string, string>();
  if (settingsFile) {
    const parsed = readDeploymentSettingsFile(settingsFile, (reason) => host.loc('SettingsFileInvalid', settingsFile, reason));
    for (const entry of parsed.ConnectionReferences) {
      const name = entry.LogicalName.trim().toLowerCase();
      const value = entry.ConnectionId.trim();
      if (!name || !value) continue;
      const earlier = settings.get(name);
      if (earlier && earlier.toLowerCase() !== value.toLowerCase()) host.warning(host.loc('SettingsDuplicate', entry.LogicalName, earlier, value));
      settings.set(name, value);
    }
  }

  return {
    solutionName,
    settingsFile,
    settings,
    connectionOwner,
    impersonation,
    failOnUnbound,
    dryRun,
  };
}
