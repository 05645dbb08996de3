import { UserError } from '../../common/errors';
import { ConnectionInfo } from '../../common/connections';
import { resolveEnvironment } from '../../common/environment';
import { listEnvironmentConnections } from '../../common/environment-connections';
import { neutraliseLine } from '../../common/remote-text';
import { Session, connect } from '../../common/session';
import { DeploymentSettings } from '../../common/settings-file';
import { TokenisedSettings, readSettingsFileWithTokens, referenceOwnersGiven } from '../../common/settings-reading';
import { TaskHost } from '../../common/task-host';
import { SettingsInputs, macroHint } from './inputs';
import { needsConnections } from './plan';
import { ENV_VAR_TYPES, SolutionContents, SolutionReadError, readSolution } from './solution-reader';
import { readStageRunSettings, readTargetEnvironmentId } from './stage-run';
import { isKeyVaultSecretReference } from './values';

/** Everything the plan needs: the solution's entries, the starting settings and (when asked) the environment's connections. */
export interface GatheredState {
  solution?: SolutionContents;
  starting: DeploymentSettings;
  /** What the settings file's tokens gave: secret values and the variables not set. */
  tokens?: TokenisedSettings;
  /** The stage run's settings column as stored (Target StageRun), to tell whether an update changes anything. */
  stageRunRaw?: string;
  connections?: ConnectionInfo[];
  environmentUrl: string;
  /** Undefined when nothing needs the service (Target File without validation or ConnectionOwner). */
  session?: Session;
}

/** Reads the files, signs in when needed, and reads the stage run and the connections. The caller closes the session. */
export async function gatherState(host: TaskHost, inputs: SettingsInputs): Promise<GatheredState> {
  const solution = inputs.solutionPath ? readSolutionInput(host, inputs.solutionPath) : undefined;
  const settingsPath = inputs.settingsPath;
  const tokens = settingsPath
    ? readSettingsFileWithTokens(host, settingsPath, (reason) => host.loc('SettingsFileInvalid', settingsPath, reason) + macroHint(host, settingsPath))
    : undefined;
  const fileSettings = tokens?.settings;
  if (solution) {
    // The name and version come from the file: neutralised like any text not written by the task.
    const name = neutraliseLine(solution.uniqueName ?? '?', 200);
    host.info(host.loc('SolutionRead', name, neutraliseLine(solution.version ?? '?', 50), solution.kind, solution.connectionReferences.length, solution.environmentVariables.length));
  }

  // Without validation, an owner (ConnectionOwner, or one per reference) or a stage run there is nothing to ask the service.
  const ownerOfReference = referenceOwnersGiven(host, fileSettings);
  if (inputs.target === 'File' && !inputs.validate && !inputs.owner && !ownerOfReference) {
    const connection = host.input('PowerPlatformSPN');
    const environmentUrl = resolveEnvironment(host, connection ? host.endpointUrl(connection) : undefined).url;
    host.info(host.loc('Offline', environmentUrl));
    const starting = fileSettings ?? emptySettings();
    protectSecretTypeValues(host, solution, starting);
    return { solution, starting, tokens, environmentUrl };
  }

  const session = await connect(host, { adminToken: inputs.validate || inputs.owner !== undefined || ownerOfReference });
  try {
    let starting = fileSettings ?? emptySettings();
    let stageRunRaw: string | undefined;
    let connectionsSession = session;
    if (inputs.target === 'StageRun') {
      const stageRun = await readStageRunSettings(session.dataverse, inputs.stageRunId!, (key, ...args) => host.loc(key, ...args));
      stageRunRaw = stageRun.raw;
      connectionsSession = await stageTargetSession(host, session, inputs.stageRunId!, stageRun.targetDeploymentEnvironmentId);
      starting = fileSettings ? layerSettings(stageRun.settings, fileSettings) : stageRun.settings;
    }
    protectSecretTypeValues(host, solution, starting);

    const names = [...(solution?.connectionReferences ?? []).map((r) => r.logicalName), ...starting.ConnectionReferences.map((r) => r.LogicalName)];
    const referenceCount = new Set(names.map((n) => n.toLowerCase())).size;
    let connections: ConnectionInfo[] | undefined;
    if (needsConnections(referenceCount, inputs.validate, inputs.owner) || (referenceCount > 0 && referenceOwnersGiven(host, starting))) {
      connections = await listEnvironmentConnections(
        connectionsSession,
        (url) => host.loc('EnvironmentNotFound', url),
        (reason, applicationId) => host.loc('ConnectionsForbidden', reason, applicationId),
      );
      host.info(host.loc('ConnectionsListed', connections.length, connectionsSession === session ? session.environment.url : connectionsSession.environmentId));
    }
    return { solution, starting, tokens, stageRunRaw, connections, environmentUrl: session.environment.url, session };
  } catch (error) {
    session.close();
    throw error;
  }
}

/**
 * The session whose admin listing gives the connections of the stage's target environment: the
 * pipelines host only holds the stage run. A run that names no target keeps the host's connections.
 */
async function stageTargetSession(host: TaskHost, session: Session, stageRunId: string, targetDeploymentEnvironmentId: string | undefined): Promise<Session> {
  const environmentId = targetDeploymentEnvironmentId ? await readTargetEnvironmentId(session.dataverse, targetDeploymentEnvironmentId) : undefined;
  if (!environmentId) {
    host.info(host.loc('StageRunTargetUnknown', stageRunId));
    return session;
  }
  host.info(host.loc('StageRunTarget', stageRunId, environmentId));
  return { ...session, environmentId };
}

function readSolutionInput(host: TaskHost, solutionPath: string): SolutionContents {
  try {
    return readSolution(solutionPath);
  } catch (error) {
    if (error instanceof SolutionReadError) throw new UserError(host.loc('SolutionUnreadable', solutionPath, error.message) + macroHint(host, solutionPath));
    throw error;
  }
}

/** Secret-type values read from a settings file or stage run are masked in the log from the start. */
function protectSecretTypeValues(host: TaskHost, solution: SolutionContents | undefined, settings: DeploymentSettings): void {
  const secretNames = new Set((solution?.environmentVariables ?? []).filter((v) => v.type === ENV_VAR_TYPES.Secret).map((v) => v.schemaName.toLowerCase()));
  for (const variable of settings.EnvironmentVariables) {
    if (secretNames.has(variable.SchemaName.toLowerCase()) || isKeyVaultSecretReference(variable.Value)) host.setSecret(variable.Value);
  }
}

function emptySettings(): DeploymentSettings {
  return { EnvironmentVariables: [], ConnectionReferences: [] };
}

/** `over` on top of `base`: entries joined by name, a non-empty value or connector id of `over` wins. */
export function layerSettings(base: DeploymentSettings, over: DeploymentSettings): DeploymentSettings {
  const variables = new Map(base.EnvironmentVariables.map((v) => [v.SchemaName.toLowerCase(), { ...v }]));
  for (const v of over.EnvironmentVariables) {
    const existing = variables.get(v.SchemaName.toLowerCase());
    if (!existing) variables.set(v.SchemaName.toLowerCase(), { ...v });
    else if (v.Value) existing.Value = v.Value;
  }
  const references = new Map(base.ConnectionReferences.map((r) => [r.LogicalName.toLowerCase(), { ...r }]));
  for (const r of over.ConnectionReferences) {
    const existing = references.get(r.LogicalName.toLowerCase());
    if (!existing) references.set(r.LogicalName.toLowerCase(), { ...r });
    else {
      if (r.ConnectionId) existing.ConnectionId = r.ConnectionId;
      if (r.ConnectorId) existing.ConnectorId = r.ConnectorId;
      if (r.ConnectionOwner) existing.ConnectionOwner = r.ConnectionOwner;
    }
  }
  return { EnvironmentVariables: [...variables.values()], ConnectionReferences: [...references.values()] };
}
