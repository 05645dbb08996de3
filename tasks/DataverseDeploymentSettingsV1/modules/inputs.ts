import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../common/errors';
import { OwnerSpec, parseOwner } from '../../common/connections';
import { TaskHost } from '../../common/task-host';

export type Target = 'File' | 'StageRun';

export interface SettingsInputs {
  target: Target;
  solutionPath?: string;
  settingsPath?: string;
  /** Target File: where the settings are written. */
  outputFile?: string;
  owner?: OwnerSpec;
  validate: boolean;
  failOnMissingValues: boolean;
  /** Target StageRun: the deployment stage run id (lower-case GUID). */
  stageRunId?: string;
  updateApproval: boolean;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const MACRO = /\$\([^)]+\)/;

/** Reads and checks every input before anything reaches the service. */
export function readInputs(host: TaskHost): SettingsInputs {
  if (!host.input('PowerPlatformSPN')) throw new UserError(host.loc('InputRequired', 'PowerPlatformSPN', host.loc('ServiceConnectionHint')));
  const targetRaw = host.input('Target') ?? 'File';
  const target = (['File', 'StageRun'] as const).find((t) => t.toLowerCase() === targetRaw.toLowerCase());
  if (!target) throw new UserError(host.loc('InputInvalid', 'Target', host.loc('TargetInvalid', targetRaw)));

  const validate = booleanInput(host, 'Validate', true);
  const failOnMissingValues = booleanInput(host, 'FailOnMissingValues', true);
  const updateApproval = booleanInput(host, 'UpdateApproval', false);
  const solutionPath = host.filePathInput('SolutionInputFile');
  const settingsPath = host.filePathInput('SettingsFile');
  const owner = parseOwner(host.input('ConnectionOwner'));

  let stageRunId: string | undefined;
  let outputFile: string | undefined;
  if (target === 'StageRun') {
    const raw = host.input('StageRunId');
    if (!raw) throw new UserError(host.loc('InputRequired', 'StageRunId', host.loc('StageRunIdHint')));
    const match = GUID.exec(raw);
    if (!match) throw new UserError(host.loc('InputInvalid', 'StageRunId', host.loc('StageRunIdNotGuid', raw)));
    stageRunId = match[1].toLowerCase();
  } else {
    if (!solutionPath && !settingsPath) throw new UserError(host.loc('InputRequired', 'SolutionInputFile', host.loc('SolutionOrSettingsRequired')));
    outputFile = outputFilePath(host);
  }

  return { target, solutionPath, settingsPath, outputFile, owner, validate, failOnMissingValues, stageRunId, updateApproval };
}

function booleanInput(host: TaskHost, name: string, fallback: boolean): boolean {
  const raw = host.input(name);
  if (raw === undefined) return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw new UserError(host.loc('InputInvalid', name, host.loc('BooleanInvalid', raw)));
}

/** OutputFile, or the default when it is not given or still holds an unresolved `$(...)` macro. */
function outputFilePath(host: TaskHost): string {
  const fallback = path.join(host.tempDirectory(), 'deploymentsettings.json');
  const given = host.filePathInput('OutputFile');
  if (!given || MACRO.test(given)) return fallback;
  const resolved = path.resolve(given);
  if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
    throw new UserError(host.loc('InputInvalid', 'OutputFile', host.loc('OutputFileIsFolder', given, path.join(given, 'deploymentsettings.json'))));
  }
  return resolved;
}

/** The extra sentence for a path input that still holds a `$(...)` macro. */
export function macroHint(host: TaskHost, value: string): string {
  const match = MACRO.exec(value);
  return match ? host.loc('UnresolvedMacroHint', match[0]) : '';
}
