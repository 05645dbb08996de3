import { UserError } from '../../common/errors';
import { OwnerSpec } from '../../common/connections';
import { InputReader, toOwnerSpec } from '../../common/input-reader';
import { TaskHost } from '../../common/task-host';

export type Target = 'File' | 'StageRun';

interface CommonSettingsInputs {
  solutionPath?: string;
  settingsPath?: string;
  owner?: OwnerSpec;
  validate: boolean;
  failOnMissingValues: boolean;
}

/** Target File: the settings are written to `outputFile`. */
export interface FileTargetInputs extends CommonSettingsInputs {
  target: 'File';
  outputFile: string;
  stageRunId?: undefined;
  updateApproval: false;
}

/** Target StageRun: the settings of a deployment stage run (lower-case GUID). */
export interface StageRunTargetInputs extends CommonSettingsInputs {
  target: 'StageRun';
  stageRunId: string;
  outputFile?: undefined;
  updateApproval: boolean;
}

export type SettingsInputs = FileTargetInputs | StageRunTargetInputs;

const MACRO = /\$\([^)]+\)/;

/** Reads and checks every input before anything reaches the service. */
export function readInputs(host: TaskHost): SettingsInputs {
  const read = new InputReader(host);
  read.required('PowerPlatformSPN', 'ServiceConnectionHint');
  const target = read.pick('Target', ['File', 'StageRun'] as const, 'File');
  const common: CommonSettingsInputs = {
    validate: read.boolean('Validate', true),
    failOnMissingValues: read.boolean('FailOnMissingValues', true),
    solutionPath: host.filePathInput('SolutionInputFile'),
    settingsPath: host.filePathInput('SettingsFile'),
    owner: toOwnerSpec(read.user('ConnectionOwner')),
  };
  const updateApproval = read.boolean('UpdateApproval', false);
  if (target === 'StageRun') {
    return { ...common, target, stageRunId: read.guid('StageRunId', 'StageRunIdHint'), updateApproval };
  }
  if (!common.solutionPath && !common.settingsPath) throw new UserError(host.loc('InputRequired', 'SolutionInputFile', host.loc('SolutionOrSettingsRequired')));
  return { ...common, target, outputFile: read.outputFile('OutputFile', 'deploymentsettings.json'), updateApproval: false };
}

/** The extra sentence for a path input that still holds a `$(...)` macro. */
export function macroHint(host: TaskHost, value: string): string {
  const match = MACRO.exec(value);
  return match ? host.loc('UnresolvedMacroHint', match[0]) : '';
}
