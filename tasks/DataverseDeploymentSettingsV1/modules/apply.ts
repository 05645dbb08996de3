import { DataverseClient } from '../../common/dataverse';
import { writeFileAtomic } from '../../common/files';
import { DeploymentSettings, serializeDeploymentSettings } from '../../common/settings-file';
import { TaskHost } from '../../common/task-host';
import { SettingsInputs } from './inputs';
import { APPROVED, REJECTED, approvalComments, stageRunSettingsJson, updateApprovalStatus, writeStageRunSettings } from './stage-run';

export interface Approval {
  status: number;
  sent: boolean;
}

/** Writes the settings to their target: the file (atomically) or the stage run's column (only when it changes). */
export async function writeSettings(host: TaskHost, inputs: SettingsInputs, settings: DeploymentSettings, dataverse: DataverseClient | undefined, stageRunRaw: string | undefined): Promise<void> {
  const references = settings.ConnectionReferences.length;
  const variables = settings.EnvironmentVariables.length;
  if (inputs.target === 'File') {
    writeFileAtomic(inputs.outputFile!, serializeDeploymentSettings(settings));
    host.setOutput('DeploymentSettingsFile', inputs.outputFile!);
    host.info(host.loc('SettingsWritten', inputs.outputFile, references, variables));
    return;
  }
  const json = stageRunSettingsJson(settings);
  if (stageRunRaw !== undefined && sameSettings(stageRunRaw, json)) {
    host.info(host.loc('StageRunUnchanged', inputs.stageRunId));
    return;
  }
  await writeStageRunSettings(dataverse!, inputs.stageRunId!, json);
  host.info(host.loc('StageRunUpdated', inputs.stageRunId, references, variables));
}

/** UpdateApproval after a successful update: approved. */
export async function approve(host: TaskHost, inputs: SettingsInputs, dataverse: DataverseClient): Promise<Approval> {
  await updateApprovalStatus(dataverse, inputs.stageRunId!, APPROVED);
  host.info(host.loc('StageRunApproved', inputs.stageRunId));
  return { status: APPROVED, sent: true };
}

/** UpdateApproval when validation failed: rejected, with the problems as comments. */
export async function reject(host: TaskHost, inputs: SettingsInputs, dataverse: DataverseClient, problems: string[]): Promise<Approval> {
  const comments = approvalComments(host.loc('ApprovalCommentsHeader', problems.length), problems, (n) => host.loc('ApprovalCommentsMore', n));
  await updateApprovalStatus(dataverse, inputs.stageRunId!, REJECTED, comments);
  return { status: REJECTED, sent: true };
}

function sameSettings(raw: string, json: string): boolean {
  try {
    return JSON.stringify(JSON.parse(raw)) === json;
  } catch {
    return false;
  }
}
