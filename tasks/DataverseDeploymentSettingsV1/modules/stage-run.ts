import { DataverseClient } from '../../common/dataverse';
import { PlatformError, UserError } from '../../common/errors';
import { DeploymentSettings, parseDeploymentSettings, serializeDeploymentSettings } from '../../common/settings-file';
import { Localizer } from './plan';

/** UpdateApprovalStatus values of Power Platform Pipelines. */
export const APPROVED = 20;
export const REJECTED = 30;

export const MAX_APPROVAL_COMMENTS = 2000;

export interface StageRunSettings {
  /** The column as stored; kept to tell whether an update changes anything. */
  raw: string;
  settings: DeploymentSettings;
  /** `deploymentenvironmentid` of the stage's target, when the run names one. */
  targetDeploymentEnvironmentId?: string;
}

/** The current settings of a deployment stage run in the pipelines host. */
export async function readStageRunSettings(dataverse: DataverseClient, stageRunId: string, text: Localizer): Promise<StageRunSettings> {
  let row: { deploymentsettingsjson?: string | null; _targetdeploymentenvironment_value?: string | null };
  try {
    row = await dataverse.get(`deploymentstageruns(${stageRunId})?$select=deploymentsettingsjson,_targetdeploymentenvironment_value`);
  } catch (error) {
    if (error instanceof PlatformError && error.status === 404) throw new UserError(text('StageRunNotFound', stageRunId, dataverse.environmentUrl));
    throw error;
  }
  const raw = row.deploymentsettingsjson ?? '';
  const settings = raw.trim()
    ? parseDeploymentSettings(raw, (reason) => text('StageRunSettingsInvalid', stageRunId, reason))
    : { EnvironmentVariables: [], ConnectionReferences: [] };
  return { raw, settings, targetDeploymentEnvironmentId: row._targetdeploymentenvironment_value?.trim() || undefined };
}

/**
 * The BAP environment id of a stage run's target (`deploymentenvironments.environmentid`), read in
 * the pipelines host: the connections are those of the target, which the admin listing reaches by
 * this id alone. Undefined when the row has none.
 */
export async function readTargetEnvironmentId(dataverse: DataverseClient, deploymentEnvironmentId: string): Promise<string | undefined> {
  const row = await dataverse.get<{ environmentid?: string | null }>(`deploymentenvironments(${deploymentEnvironmentId})?$select=environmentid`);
  return row.environmentid?.trim() || undefined;
}

/** The column holds the settings as a JSON string, in the pac format's key order. */
export function stageRunSettingsJson(settings: DeploymentSettings): string {
  return JSON.stringify(JSON.parse(serializeDeploymentSettings(settings)));
}

export async function writeStageRunSettings(dataverse: DataverseClient, stageRunId: string, json: string): Promise<void> {
  await dataverse.patch(`deploymentstageruns(${stageRunId})`, { deploymentsettingsjson: json });
}

/** `stagerunstatus` of a run waiting for its approval. */
export const PENDING_APPROVAL = 200000005;

/**
 * Approves or rejects the stage run as the service principal itself: the pipelines host requires
 * it. The call is never sent twice blindly: a second one on a run no longer pending fails. When
 * its answer is lost (dropped connection, 5xx), the run's status is read: still pending means the
 * call did not land and it is sent once more; otherwise it landed.
 */
export async function updateApprovalStatus(dataverse: DataverseClient, stageRunId: string, status: number, comments?: string): Promise<void> {
  const body: Record<string, unknown> = { StageRunId: stageRunId, ApprovalStatus: status };
  if (comments) body.ApprovalComments = comments;
  const send = () => dataverse.post('UpdateApprovalStatus', body, { retryOnLostResponse: false });
  try {
    await send();
  } catch (error) {
    if (!(error instanceof PlatformError) || !(error.status === 0 || error.status >= 500)) throw error;
    const row = await dataverse.get<{ stagerunstatus?: number | null }>(`deploymentstageruns(${stageRunId})?$select=stagerunstatus`);
    if (row.stagerunstatus === PENDING_APPROVAL) await send();
  }
}

/**
 * Plain-text approval comments: a header and one line per problem. Lines that do not fit are
 * replaced by a count, and room for that count is always kept.
 */
export function approvalComments(header: string, problems: string[], more: (count: number) => string, max = MAX_APPROVAL_COMMENTS): string {
  let result = header;
  for (let i = 0; i < problems.length; i++) {
    const line = `\n- ${problems[i].replace(/\s+/g, ' ')}`;
    const remaining = problems.length - i - 1;
    const reserve = remaining > 0 ? more(remaining).length + 1 : 0;
    if (result.length + line.length + reserve > max) {
      result += `\n${more(problems.length - i)}`;
      break;
    }
    result += line;
  }
  return result.length > max ? `${result.slice(0, max - 1)}…` : result;
}
