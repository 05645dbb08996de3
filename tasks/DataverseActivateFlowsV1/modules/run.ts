import { neutraliseLine } from '../../common/remote-text';
import { newReport, publishReport } from '../../common/report';
import { Session, connect } from '../../common/session';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { FlowResult, applyPlan, plannedResults, sendOwnerAssignment, sendStateChange } from './apply';
import { ChildPublicationRetry, childrenAreOn } from './child-publication';
import { confirmActors } from './confirm-actor';
import { MISSING_CONNECTION_WAIT_MS, activationErrorContext, classifyFlowError, isTransientMissingConnection } from './classify';
import { TransientRetry } from './transient-retry';
import { logRetry, logWaits } from './transient-log';
import { Localize } from './facts';
import { gatherPlanInput } from './gather';
import { ActivateInputs, readInputs } from './inputs';
import { Plan, PlanInput, PlannedFlow, buildPlan } from './plan';
import { Counts, FlowReportItem, actorLabel, countOutcomes, markdownSummary, reportItems } from './report';

export const TASK_NAME = 'DataverseActivateFlows';
const REPORT_FILE_BASE = 'dataverse-activate-flows';
const FAILURES_NAMED = 3;

/**
 * Turns the cloud flows of a solution on (and the listed ones off): gathers everything the plan
 * needs with a fixed number of bulk reads, decides the plan once, then sends the changes children
 * first, in parallel, and reports.
 */
export async function run(host: TaskHost): Promise<TaskOutcome> {
  const inputs = readInputs(host);
  const loc: Localize = (key, ...args) => host.loc(key, ...args);
  const session = await connect(host, { adminToken: true });
  try {
    const environment = session.environment.url;
    const report = newReport<FlowReportItem>(TASK_NAME, environment, inputs.dryRun);
    report.identity = { objectId: session.identity.objectId, name: session.identity.name, userId: session.identity.userId };
    report.solution = inputs.solutionNames.join(', ');
    report.impersonation = inputs.impersonation;
    report.maxParallel = inputs.maxParallel;

    report.solutions = inputs.solutionNames;
    if (inputs.flowStatesFile) report.flowStatesFile = inputs.flowStatesFile;
    const notes = { info: (text: string) => host.remoteInfo(text), warning: (text: string) => host.warning(neutraliseLine(text)) };
    const { input, state } = await gatherPlanInput(session, inputs, loc, { variables: host.variables(), notes });
    host.info(loc('Gathered', state.flows.length, state.solution.uniquename, state.references.length));
    const plan = buildPlan(input, loc);

    const flowNames = new Map<string, string>([...state.externalFlows, ...state.flows].map((f) => [f.id, f.name]));
    const nameOf = (id: string) => flowNames.get(id) ?? id;
    const spName = session.identity.name;
    logPlan(host, plan, spName, loc, inputs.dryRun);
    const assigned = new Set<string>();
    const results = inputs.dryRun ? plannedResults(plan.flows, true) : await send(host, session, plan, input, inputs, nameOf, loc, assigned);

    if (!inputs.dryRun) await reportActorsAsRecorded(host, session, state.solutions.map((s) => s.uniquename).join(", "), plan, results, input, loc);
    // An owner change is reported where it was made (or, in a dry run, would be).
    const items = reportItems(plan.flows, results, nameOf, spName, loc).map((item) => (inputs.dryRun || assigned.has(item.id) ? item : { ...item, owner: undefined }));
    report.items = items;
    const counts = countOutcomes(items);
    report.counts = counts;
    const markdown = markdownSummary(items, { solution: state.solutions.map((s) => s.uniquename).join(', '), environment, dryRun: inputs.dryRun, counts }, loc);
    const warn = inputs.errorHandling === 'Warn';
    publishReport(host, report, { fileBase: REPORT_FILE_BASE, markdown, failureIssue: warn ? 'warning' : 'error' });
    for (const item of items) {
      if (item.outcome !== 'blocked' || !item.error) continue;
      const text = loc('ItemBlocked', neutraliseLine(item.name), neutraliseLine(`${item.error.message} ${item.error.hint ?? ''}`.trim()));
      if (warn) host.warning(text);
      else host.error(text);
    }
    return outcome(host, inputs, items, counts, loc);
  } finally {
    session.close();
  }
}

function send(
  host: TaskHost,
  session: Session,
  plan: Plan,
  input: PlanInput,
  inputs: ActivateInputs,
  nameOf: (id: string) => string,
  loc: Localize,
  assigned: Set<string>,
): Promise<Map<string, FlowResult>> {
  const spName = session.identity.name;
  const classifyContext = activationErrorContext(session, input, nameOf);
  return applyPlan(
    plan.flows,
    {
      maxParallel: inputs.maxParallel,
      send: async (flow) => {
        // Sent once: a flow tried again (lost response, child publication) keeps the owner it was given.
        if (flow.owner && !assigned.has(flow.id)) {
          await sendOwnerAssignment(session.dataverse, flow);
          assigned.add(flow.id);
          host.remoteInfo(loc('FlowOwnerAssigned', flow.name, flow.owner.from, flow.owner.to));
        }
        return sendStateChange(session.dataverse, flow);
      },
      classify: (flow, error) => classifyFlowError(error, classifyContext(flow, actorLabel(flow, spName, loc)), loc),
      nameOf,
      onResult: (flow, result) => logResult(host, flow, result, spName, loc),
      childPublication: new ChildPublicationRetry({ ...session.http.retryPolicy, childrenOn: (ids) => childrenAreOn(session.dataverse, ids) }),
      savedBinding: new TransientRetry('savedBinding', MISSING_CONNECTION_WAIT_MS, session.http.retryPolicy, async (_flow, error) =>
        isTransientMissingConnection(error, { references: input.references }),
      ),
      resendDelayMs: session.http.retryPolicy.baseDelayMs,
      onRetry: (flow, reason, delayMs) => logRetry(host, flow, reason, delayMs, loc),
    },
    loc,
  );
}

/** A change requested as a user but recorded as made by the service principal is reported as what it was, with a warning. */
async function reportActorsAsRecorded(
  host: TaskHost,
  session: Session,
  solution: string,
  plan: Plan,
  results: ReadonlyMap<string, FlowResult>,
  input: PlanInput,
  loc: Localize,
): Promise<void> {
  const users = [...(input.users ?? []), ...(input.impersonateUser ? [input.impersonateUser] : [])];
  for (const flow of await confirmActors(session.dataverse, solution, plan.flows, results, users, session.identity.userId)) {
    host.warning(loc('ActorNotAsRequested', neutraliseLine(flow.name), session.identity.name));
  }
}

function outcome(host: TaskHost, inputs: ActivateInputs, items: readonly FlowReportItem[], counts: Counts, loc: Localize): TaskOutcome {
  const activated = inputs.dryRun ? counts.wouldTurnOn : counts.activated;
  const notOn = counts.failed + counts.blocked;
  host.setOutput('ActivatedCount', String(activated));
  host.setOutput('FailedCount', String(notOn));

  const done = inputs.dryRun
    ? loc('ResultDryRun', counts.wouldTurnOn, counts.wouldTurnOff, counts.alreadyInState)
    : loc('ResultDone', counts.activated, counts.deactivated, counts.alreadyInState);
  if (notOn === 0) return { result: 'Succeeded', message: done };
  const firstFailures = items
    .filter((item) => item.outcome === 'failed' || item.outcome === 'blocked')
    .slice(0, FAILURES_NAMED)
    .map((item) => `'${neutraliseLine(item.name)}' (${item.error?.code ?? item.outcome})`)
    .join(', ');
  const more = notOn > FAILURES_NAMED ? loc('AndMore', notOn - FAILURES_NAMED) : '';
  const problem = loc(inputs.dryRun ? 'ResultWouldFail' : 'ResultFailures', notOn, counts.failed, counts.blocked, `${firstFailures}${more}`);
  return inputs.errorHandling === 'Warn' ? { result: 'SucceededWithIssues', message: `${problem} ${done}` } : { result: 'Failed', message: problem };
}

/** A dry run prints the whole plan; a real run prints each flow as it completes, so only the count here. */
function logPlan(host: TaskHost, plan: Plan, spName: string, loc: Localize, dryRun: boolean): void {
  if (!dryRun) {
    host.info(loc('PlanSummary', plan.flows.filter((f) => f.outcome === 'pending').length, plan.flows.length));
    return;
  }
  host.info(loc('PlanHeader', plan.flows.length));
  for (const flow of plan.flows) {
    const state = flow.outcome === 'pending' ? '' : ` [${flow.outcome}${flow.error ? `: ${flow.error.code}` : ''}]`;
    const key = flow.action === 'turnOn' ? 'PlanTurnOn' : 'PlanTurnOff';
    host.remoteInfo(`${loc(key, flow.order, flow.name, actorLabel(flow, spName, loc) || '-', flow.level)}${state}`);
    if (flow.owner) host.remoteInfo(loc('PlanAssignOwner', flow.owner.from, flow.owner.to, flow.name));
  }
}

function logResult(host: TaskHost, flow: PlannedFlow, result: FlowResult, spName: string, loc: Localize): void {
  const actor = actorLabel(flow, spName, loc);
  if (result.confirmedByRead) host.remoteInfo(loc('FlowConfirmedByRead', flow.name));
  if (result.outcome === 'activated') host.remoteInfo(loc('FlowActivated', flow.name, actor, result.durationMs));
  else if (result.outcome === 'deactivated') host.remoteInfo(loc('FlowDeactivated', flow.name, actor, result.durationMs));
  else if (result.outcome === 'failed') host.remoteInfo(loc('FlowFailed', flow.name, actor, `${result.error?.code}: ${result.error?.message}`));
  logWaits(host, flow, result, loc);
}
