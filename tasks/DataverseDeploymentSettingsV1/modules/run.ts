import { UserError } from '../../common/errors';
import { ConnectionInfo } from '../../common/connections';
import { resolveEnvironment } from '../../common/environment';
import { listEnvironmentConnections } from '../../common/environment-connections';
import { writeFileAtomic } from '../../common/files';
import { publishReport } from '../../common/report';
import { neutraliseLine } from '../../common/remote-text';
import { Session, connect } from '../../common/session';
import { DeploymentSettings, readDeploymentSettingsFile, serializeDeploymentSettings } from '../../common/settings-file';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { ConventionVariables, normalise } from '../../common/variables';
import { macroHint, readInputs } from './inputs';
import { Localizer, SettingsPlan, VariableSource, VariableValue, needsConnections, planSettings } from './plan';
import { ENV_VAR_TYPES, SolutionContents, SolutionReadError, readSolution } from './solution-reader';
import { isKeyVaultSecretReference } from './values';
import { REPORT_FILE_BASE, ReportContext, allProblems, allWarnings, buildMarkdown, buildReport } from './settings-report';
import { APPROVED, REJECTED, approvalComments, readStageRunSettings, stageRunSettingsJson, updateApprovalStatus, writeStageRunSettings } from './stage-run';

/** DataverseDeploymentSettings@1: read, merge, validate, write, report. */
export async function runDeploymentSettings(host: TaskHost): Promise<TaskOutcome> {
  const text: Localizer = (key, ...args) => host.loc(key, ...args);
  const inputs = readInputs(host);
  const variables = variableSource(host);
  const solution = inputs.solutionPath ? readSolutionInput(host, inputs.solutionPath) : undefined;
  const fileSettings = inputs.settingsPath
    ? readDeploymentSettingsFile(inputs.settingsPath, (reason) => host.loc('SettingsFileInvalid', inputs.settingsPath, reason) + macroHint(host, inputs.settingsPath!))
    : undefined;
  if (solution) {
    host.info(host.loc('SolutionRead', solution.uniqueName ?? '?', solution.version ?? '?', solution.kind, solution.connectionReferences.length, solution.environmentVariables.length));
  }

  // Without validation, ConnectionOwner or a stage run there is nothing to ask the service.
  const offline = inputs.target === 'File' && !inputs.validate && !inputs.owner;
  let session: Session | undefined;
  let environmentUrl: string;
  if (offline) {
    const connection = host.input('PowerPlatformSPN');
    environmentUrl = resolveEnvironment(host, connection ? host.endpointUrl(connection) : undefined).url;
    host.info(host.loc('Offline', environmentUrl));
  } else {
    session = await connect(host, { adminToken: inputs.validate || inputs.owner !== undefined });
    environmentUrl = session.environment.url;
  }

  try {
    let starting = fileSettings ?? emptySettings();
    let stageRunRaw: string | undefined;
    if (inputs.target === 'StageRun') {
      const stageRun = await readStageRunSettings(session!.dataverse, inputs.stageRunId!, text);
      stageRunRaw = stageRun.raw;
      starting = fileSettings ? layerSettings(stageRun.settings, fileSettings) : stageRun.settings;
    }
    protectSecretTypeValues(host, solution, starting);

    const referenceCount = new Set([...(solution?.connectionReferences ?? []).map((r) => r.logicalName.toLowerCase()), ...starting.ConnectionReferences.map((r) => r.LogicalName.toLowerCase())]).size;
    let connections: ConnectionInfo[] | undefined;
    if (session && needsConnections(referenceCount, inputs.validate, inputs.owner)) {
      connections = await listEnvironmentConnections(
        session,
        (url) => host.loc('EnvironmentNotFound', url),
        (reason, applicationId) => host.loc('ConnectionsForbidden', reason, applicationId),
      );
      host.info(host.loc('ConnectionsListed', connections.length, environmentUrl));
    }

    const plan = planSettings({
      solution,
      starting,
      variables,
      owner: inputs.owner,
      connections,
      validate: inputs.validate,
      failOnMissingValues: inputs.failOnMissingValues,
      environmentUrl,
      text,
    });
    for (const entry of [...plan.references, ...plan.variables]) {
      if (entry.secret) {
        host.setSecret(entry.value);
        if (entry.previous) host.setSecret(entry.previous);
      }
    }
    for (const warning of allWarnings(plan, text)) host.warning(warning);

    const context: ReportContext = { inputs, environmentUrl, solution, written: false, text };
    if (plan.problemCount > 0) return await fail(host, plan, context, session);

    if (inputs.target === 'File') {
      writeFileAtomic(inputs.outputFile!, serializeDeploymentSettings(plan.settings));
      context.written = true;
      host.setOutput('DeploymentSettingsFile', inputs.outputFile!);
      host.info(host.loc('SettingsWritten', inputs.outputFile, plan.references.length, plan.variables.length));
    } else {
      const json = stageRunSettingsJson(plan.settings);
      if (stageRunRaw !== undefined && sameSettings(stageRunRaw, json)) {
        host.info(host.loc('StageRunUnchanged', inputs.stageRunId));
      } else {
        await writeStageRunSettings(session!.dataverse, inputs.stageRunId!, json);
        host.info(host.loc('StageRunUpdated', inputs.stageRunId, plan.references.length, plan.variables.length));
      }
      context.written = true;
      if (inputs.updateApproval) {
        await updateApprovalStatus(session!.dataverse, inputs.stageRunId!, APPROVED);
        context.approval = { status: APPROVED, sent: true };
        host.info(host.loc('StageRunApproved', inputs.stageRunId));
      }
    }

    publish(host, plan, context);
    const missing = [...plan.references, ...plan.variables].filter((e) => e.warnings.some((w) => w.code === 'MissingValue')).length;
    if (missing > 0) return { result: 'SucceededWithIssues', message: host.loc('MissingValuesWarned', missing) };
    return { result: 'Succeeded' };
  } finally {
    session?.close();
  }
}

async function fail(host: TaskHost, plan: SettingsPlan, context: ReportContext, session: Session | undefined): Promise<TaskOutcome> {
  const { inputs, text } = context;
  const problems = allProblems(plan, text);
  let rejected = '';
  if (inputs.target === 'StageRun' && inputs.updateApproval && session) {
    const comments = approvalComments(text('ApprovalCommentsHeader', problems.length), problems, (n) => text('ApprovalCommentsMore', n));
    try {
      await updateApprovalStatus(session.dataverse, inputs.stageRunId!, REJECTED, comments);
      context.approval = { status: REJECTED, sent: true };
      rejected = text('StageRunRejected', inputs.stageRunId);
    } catch (error) {
      context.approval = { status: REJECTED, sent: false };
      publish(host, plan, context);
      throw error;
    }
  }
  publish(host, plan, context);
  // Connection names in the problems come from the service: neutralised and bounded like any remote text.
  return { result: 'Failed', message: neutraliseLine(`${text('ValidationFailed', problems.length, problems.join(' '))}${rejected ? ` ${rejected}` : ''}`, 4000) };
}

function publish(host: TaskHost, plan: SettingsPlan, context: ReportContext): void {
  publishReport(host, buildReport(plan, context), { fileBase: REPORT_FILE_BASE, markdown: buildMarkdown(plan, context) });
}

function readSolutionInput(host: TaskHost, solutionPath: string): SolutionContents {
  try {
    return readSolution(solutionPath);
  } catch (error) {
    if (error instanceof SolutionReadError) throw new UserError(host.loc('SolutionUnreadable', solutionPath, error.message) + macroHint(host, solutionPath));
    throw error;
  }
}

function variableSource(host: TaskHost): VariableSource {
  const conventions = new ConventionVariables(host);
  // One enumeration of the agent's variables gives both the names and which of them are secret.
  const listed = conventions.list();
  const secretNames = new Set(listed.filter((v) => v.secret).map((v) => normalise(v.name)));
  const found = (name: string, value: string | undefined): VariableValue | undefined => (value === undefined ? undefined : { name, value, secret: secretNames.has(normalise(name)) });
  return {
    connectionReference: (logicalName) => found(`ConnectionReference.${logicalName}`, conventions.connectionReference(logicalName)),
    connector: (connector) => found(`Connector.${connector}`, conventions.connector(connector)),
    environmentVariable: (schemaName) => found(`EnvironmentVariable.${schemaName}`, conventions.environmentVariable(schemaName)),
    list: () => listed.map((v) => ({ prefix: v.prefix, key: v.key, name: v.name })),
  };
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
    }
  }
  return { EnvironmentVariables: [...variables.values()], ConnectionReferences: [...references.values()] };
}

function sameSettings(raw: string, json: string): boolean {
  try {
    return JSON.stringify(JSON.parse(raw)) === json;
  } catch {
    return false;
  }
}

