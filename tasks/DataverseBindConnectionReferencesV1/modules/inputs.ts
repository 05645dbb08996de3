import { UserError } from '../../common/errors';
import { OwnerSpec, parseOwner } from '../../common/connections';
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
  if (!host.input('PowerPlatformSPN')) throw new UserError(host.loc('InputRequired', 'PowerPlatformSPN', host.loc('ServiceConnectionHint')));
  const solutionName = host.input('SolutionName');
  if (!solutionName) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNameHint')));

  const impersonationText = host.input('Impersonation') ?? 'ConnectionOwner';
  const impersonation = (['ConnectionOwner', 'None'] as const).find((v) => v.toLowerCase() === impersonationText.toLowerCase());
  if (!impersonation) throw new UserError(host.loc('InputInvalid', 'Impersonation', host.loc('ImpersonationInvalid', impersonationText)));

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
    connectionOwner: parseOwner(host.input('ConnectionOwner')),
    impersonation,
    failOnUnbound: booleanInput(host, 'FailOnUnbound', true),
    dryRun: booleanInput(host, 'DryRun', false),
  };
}

function booleanInput(host: TaskHost, name: string, defaultValue: boolean): boolean {
  const value = host.input(name);
  if (value === undefined) return defaultValue;
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new UserError(host.loc('InputInvalid', name, host.loc('BooleanInvalid', value)));
}
