import { ConnectionInfo } from '../../common/connections';
import { neutraliseLine } from '../../common/remote-text';
import { newReport, publishReport } from '../../common/report';
import { connect } from '../../common/session';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { FlowResult, applyPlan, plannedResults } from './apply';
import { classifyFlowError } from './classify';
import { checkActingIdentities } from '../../common/acting-identity';
import { settle, unwrap } from '../../common/concurrency';
import { gatherConnections, gatherSolution, gatherUsers, resolveImpersonateUser } from './gather';
import { readInputs } from './inputs';
import { Localize, Plan, PlanInput, PlannedFlow, STATE_OFF, STATE_ON, UserFacts, buildPlan } from './plan';
import { actorLabel, countOutcomes, markdownSummary, reportItems } from './summary';

export const TASK_NAME = 'DataverseActivateFlows';
const REPORT_FILE_BASE = 'dataverse-activate-flows';
const IDENTITY_CHECKS_AT_ONCE = 8;
const FAILURES_NAMED = 3;

/**
 * Turns the cloud flows of a solution on (and the listed ones off): gathers the solution's flows,
 * references, connections and owners with a fixed number of bulk reads, plans order and identity,
 * checks every identity it will act as, then sends the changes children first, in parallel.
 */
export async function activateFlows(host: TaskHost): Promise<TaskOutcome> {
  const inputs = readInputs(host);
  const loc: Localize = (key, ...args) => host.loc(key, ...args);
  const session = await connect(host, { adminToken: true });
  try {
    const environment = session.environment.url;
    const report = newReport(TASK_NAME, environment, inputs.dryRun);
    report.identity = { objectId: session.identity.objectId, name: session.identity.name, userId: session.identity.userId };
    report.solution = inputs.solutionName;
    report.impersonation = inputs.impersonation;
    report.maxParallel = inputs.maxParallel;

    // With ConnectionOwner the connection listing is nearly always needed: it is read alongside the
    // solution, and a refusal only matters if the plan turns out to need it.
    const listing = inputs.impersonation === 'ConnectionOwner' ? settle(gatherConnections(session, loc)) : undefined;
    const state = await gatherSolution(session.dataverse, inputs.solutionName, environment, loc);
    host.info(loc('Gathered', state.flows.length, state.solution.uniquename, state.references.length));

    let impersonateUser: UserFacts | undefined;
    if (inputs.impersonation === 'User' && inputs.impersonateUser) {
      impersonateUser = await resolveImpersonateUser(session.dataverse, inputs.impersonateUser, loc);
    }
    const planInput: PlanInput = {
      solution: state.solution.uniquename,
      flows: state.flows,
      flowsToTurnOn: inputs.flows,
      flowsToTurnOff: inputs.flowsToTurnOff,
      references: state.references,
      impersonation: inputs.impersonation,
      impersonateUser,
      servicePrincipalObjectId: session.identity.objectId,
      externalFlows: state.externalFlows,
    };
    // The plan is recomputed as each bulk read completes it; input mistakes surface on the first pass.
    let plan = buildPlan(planInput, loc);
    let connections: ConnectionInfo[] = [];
    if (plan.needsConnections) {
      connections = await (listing ?? settle(gatherConnections(session, loc))).then(unwrap);
      planInput.connections = connections;
      plan = buildPlan(planInput, loc);
    }
    // Owners' system users and the act-on-behalf checks need only the owners' ids: read together.
    const [owners, identityChecks] = await Promise.all([
      gatherUsers(session.dataverse, plan.ownerObjectIds),
      checkActingIdentities(session.dataverse, plan.actingUsers, IDENTITY_CHECKS_AT_ONCE),
    ]);
    planInput.users = impersonateUser ? [...owners, impersonateUser] : owners;
    planInput.identityChecks = identityChecks;
    plan = buildPlan(planInput, loc);

    const flowNames = new Map<string, string>([...state.externalFlows, ...state.flows].map((f) => [f.id, f.name]));
    const nameOf = (id: string) => flowNames.get(id) ?? id;
    const spName = session.identity.name;
    logPlan(host, plan, spName, loc, inputs.dryRun);

    let results: Map<string, FlowResult>;
    if (inputs.dryRun) {
      results = plannedResults(plan.flows, true);
    } else {
      const connectionOwners = new Map(connections.map((c) => [c.id.toLowerCase(), c.ownerUpn ?? c.ownerName ?? c.ownerObjectId ?? '']));
      results = await applyPlan(
        plan.flows,
        {
          maxParallel: inputs.maxParallel,
          send: (flow) =>
            session.dataverse.patch(
              `workflows(${flow.id})`,
              flow.action === 'turnOn' ? { statecode: STATE_ON, statuscode: 2 } : { statecode: STATE_OFF, statuscode: 1 },
              flow.actor?.kind === 'user' ? { callerObjectId: flow.actor.objectId } : {},
            ),
          classify: (flow, error) =>
            classifyFlowError(
              error,
              {
                actorName: actorLabel(flow.actor, spName, loc),
                flowName: (id) => flowNames.get(id),
                connectionOwner: (id) => connectionOwners.get(id) || undefined,
              },
              loc,
            ),
          nameOf,
          onResult: (flow, result) => logResult(host, flow, result, spName, loc),
        },
        loc,
      );
    }

    report.items = reportItems(plan.flows, results, nameOf, spName, loc);
    const counts = countOutcomes(report.items);
    report.counts = counts;
    const markdown = markdownSummary(report.items, { solution: state.solution.uniquename, environment, dryRun: inputs.dryRun, counts }, loc);
    const warn = inputs.errorHandling === 'Warn';
    publishReport(host, report, { fileBase: REPORT_FILE_BASE, markdown, failureIssue: warn ? 'warning' : 'error' });
    for (const item of report.items) {
      if (item.outcome !== 'blocked' || !item.error) continue;
      const text = loc('ItemBlocked', neutraliseLine(item.name), neutraliseLine(`${item.error.message} ${item.error.hint ?? ''}`.trim()));
      if (warn) host.warning(text);
      else host.error(text);
    }

    const activated = inputs.dryRun ? counts.wouldTurnOn : counts.activated;
    const notOn = counts.failed + counts.blocked;
    host.setOutput('ActivatedCount', String(activated));
    host.setOutput('FailedCount', String(notOn));

    const done = inputs.dryRun
      ? loc('ResultDryRun', counts.wouldTurnOn, counts.wouldTurnOff, counts.alreadyInState)
      : loc('ResultDone', counts.activated, counts.deactivated, counts.alreadyInState);
    if (notOn === 0) return { result: 'Succeeded', message: done };
    const firstFailures = report.items
      .filter((item) => item.outcome === 'failed' || item.outcome === 'blocked')
      .slice(0, FAILURES_NAMED)
      .map((item) => `'${neutraliseLine(item.name)}' (${item.error?.code ?? item.outcome})`)
      .join(', ');
    const more = notOn > FAILURES_NAMED ? loc('AndMore', notOn - FAILURES_NAMED) : '';
    const problem = loc(inputs.dryRun ? 'ResultWouldFail' : 'ResultFailures', notOn, counts.failed, counts.blocked, `${firstFailures}${more}`);
    return warn ? { result: 'SucceededWithIssues', message: `${problem} ${done}` } : { result: 'Failed', message: problem };
  } finally {
    session.close();
  }
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
    host.remoteInfo(`${loc(key, flow.order, flow.name, actorLabel(flow.actor, spName, loc) || '-', flow.level)}${state}`);
  }
}

function logResult(host: TaskHost, flow: PlannedFlow, result: FlowResult, spName: string, loc: Localize): void {
  const actor = actorLabel(flow.actor, spName, loc);
  if (result.outcome === 'activated') host.remoteInfo(loc('FlowActivated', flow.name, actor, result.durationMs));
  else if (result.outcome === 'deactivated') host.remoteInfo(loc('FlowDeactivated', flow.name, actor, result.durationMs));
  else if (result.outcome === 'failed') host.remoteInfo(loc('FlowFailed', flow.name, actor, `${result.error?.code}: ${result.error?.message}`));
}
