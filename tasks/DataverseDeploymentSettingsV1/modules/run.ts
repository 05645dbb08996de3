import { neutraliseLine } from '../../common/remote-text';
import { publishReport } from '../../common/report';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { settingsOwners } from '../../common/settings-reading';
import { conventionReader } from '../../common/variables';
import { OwnerSpec } from '../../common/connections';
import { OwnerSources, resolveOwnerUpns, withObjectId, withOwnerObjectIds } from '../../common/owner-resolution';
import { approve, reject, writeSettings } from './apply';
import { GatheredState, gatherState } from './gather';
import { readInputs } from './inputs';
import { Localizer, SettingsPlan, planSettings } from './plan';
import { REJECTED } from './stage-run';
import { REPORT_FILE_BASE, ReportContext, allProblems, allWarnings, buildMarkdown, buildReport } from './report';

/** DataverseDeploymentSettings@1: gather, plan (merge and validate), write, report. */
export async function run(host: TaskHost): Promise<TaskOutcome> {
  const text: Localizer = (key, ...args) => host.loc(key, ...args);
  const inputs = readInputs(host);
  const state = await gatherState(host, inputs);
  try {
    const { variables, owner } = await ownersWithObjectIds(conventionReader(host, inputs.owner, settingsOwners(state.starting)), inputs.owner, state);
    const plan = planSettings({
      solution: state.solution,
      starting: state.starting,
      variables,
      owner,
      connections: state.connections,
      validate: inputs.validate,
      failOnMissingValues: inputs.failOnMissingValues,
      environmentUrl: state.environmentUrl,
      tokens: state.tokens,
      text,
    });
    for (const entry of [...plan.references, ...plan.variables]) {
      if (entry.secret) {
        host.setSecret(entry.value);
        if (entry.previous) host.setSecret(entry.previous);
      }
    }
    for (const warning of allWarnings(plan, text)) host.warning(warning);

    const context: ReportContext = { inputs, environmentUrl: state.environmentUrl, solution: state.solution, written: false, text };
    if (plan.problemCount > 0) return await fail(host, plan, context, state);

    await writeSettings(host, inputs, plan.settings, state.session?.dataverse, state.stageRunRaw);
    context.written = true;
    if (inputs.target === 'StageRun' && inputs.updateApproval) context.approval = await approve(host, inputs, state.session!.dataverse);

    publish(host, plan, context);
    const missing = [...plan.references, ...plan.variables].filter((e) => e.warnings.some((w) => w.code === 'MissingValue')).length;
    if (missing > 0) return { result: 'SucceededWithIssues', message: host.loc('MissingValuesWarned', missing) };
    return { result: 'Succeeded' };
  } finally {
    state.session?.close();
  }
}

/**
 * Owners given by UPN get their object id from the environment's users (the connection listing may
 * not carry UPNs); only when connections are checked against owners.
 */
async function ownersWithObjectIds<T extends OwnerSources>(variables: T, owner: OwnerSpec | undefined, state: GatheredState): Promise<{ variables: T; owner?: OwnerSpec }> {
  if (!state.session || !state.connections) return { variables, owner };
  const names = [...(state.solution?.connectionReferences ?? []).map((r) => r.logicalName), ...state.starting.ConnectionReferences.map((r) => r.LogicalName)];
  const objectIds = await resolveOwnerUpns(state.session.dataverse, [owner, ...names.map((name) => variables.ownerFor(name))]);
  return { variables: withOwnerObjectIds(variables, objectIds), owner: withObjectId(owner, objectIds) };
}

async function fail(host: TaskHost, plan: SettingsPlan, context: ReportContext, state: GatheredState): Promise<TaskOutcome> {
  const { inputs, text } = context;
  const problems = allProblems(plan, text);
  let rejected = '';
  if (inputs.target === 'StageRun' && inputs.updateApproval && state.session) {
    try {
      context.approval = await reject(host, inputs, state.session.dataverse, problems);
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

