import { ImpersonationCheck, verifyImpersonation } from '../../common/impersonation-check';
import { neutraliseLine } from '../../common/remote-text';
import { newReport, publishReport } from '../../common/report';
import { resolveSourceOwners } from '../../common/owner-resolution';
import { connect, Session } from '../../common/session';
import { findSystemUsers, SystemUserRecord } from '../../common/solution-queries';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { referenceOwnerVariables } from '../../common/alm-variables';
import { settingsOwners } from '../../common/settings-reading';
import { ConventionVariables, conventionReader } from '../../common/variables';
import { applyBindings } from './apply';
import { gatherState } from './gather';
import { BindInputs, readInputs } from './inputs';
import { ownersToCheck, PlanInput, planBindings } from './plan';
import { buildItems, buildMarkdown, countItems, describeActor, describeBindActor, describeSource, ReferenceReportItem, RunResult, shownConnection } from './report';

const TASK_NAME = 'DataverseBindConnectionReferences';
const FILE_BASE = 'dataverse-bind-connection-references';
/** Connection reference updates in flight at once (Dataverse allows 52 concurrent requests per user). */
const WRITE_CONCURRENCY = 16;
const NAMES_IN_MESSAGE = 10;

/** DataverseBindConnectionReferences@1: gather, plan, bind (or report what would change), report. */
export async function run(host: TaskHost): Promise<TaskOutcome> {
  const inputs = readInputs(host);
  const session = await connect(host, { adminToken: true });
  try {
    return await bind(host, session, inputs);
  } finally {
    session.close();
  }
}

async function bind(host: TaskHost, session: Session, inputs: BindInputs): Promise<TaskOutcome> {
  const state = await gatherState(host, session, inputs.solutionNames, inputs.impersonation === 'Auto');
  host.remoteInfo(host.loc('Gathered', state.solutions.map((s) => s.uniquename).join(', '), state.references.length, state.connections.length));
  warnAboutUnusedNames(host, inputs, state.references.map((r) => r.connectionreferencelogicalname));

  const base: PlanInput = {
    references: state.references,
    settings: inputs.settings,
    sources: await resolveSourceOwners(
      session.dataverse,
      conventionReader(host, inputs.connectionOwner, inputs.tokens ? settingsOwners(inputs.tokens.settings) : undefined),
      state.references.map((r) => r.connectionreferencelogicalname),
    ),
    tokens: inputs.tokens,
    connections: state.connections,
    impersonation: inputs.impersonation,
    sharedWithServicePrincipal: state.sharedWithServicePrincipal,
    servicePrincipalObjectId: session.identity.objectId,
    failOnUnbound: inputs.failOnUnbound,
  };
  // Owners are looked up in one query per 50 and checked with one read each, only for the writes the plan needs;
  // WhoAmI must answer as the owner's own system user (Dataverse may ignore a CallerObjectId).
  let users: SystemUserRecord[] = [];
  const candidates = ownersToCheck(planBindings(base));
  if (candidates.length > 0) users = await findSystemUsers(session.dataverse, { objectIds: candidates });
  let actOnBehalf = new Map<string, ImpersonationCheck>();
  const owners = ownersToCheck(planBindings({ ...base, users }));
  const systemUserIds = new Map(users.map((u) => [(u.azureactivedirectoryobjectid ?? '').toLowerCase(), u.systemuserid]));
  const toVerify = owners.map((objectId) => ({ objectId, systemUserId: systemUserIds.get(objectId) }));
  if (owners.length > 0) actOnBehalf = await verifyImpersonation(session.dataverse, toVerify, WRITE_CONCURRENCY);
  const plan = planBindings({ ...base, users, actOnBehalf });

  if (plan.problems.length > 0) return finish(host, session, inputs, { plan, stoppedByProblems: true });
  if (inputs.dryRun) {
    for (const item of plan.toBind) {
      host.remoteInfo(host.loc('WouldBind', item.logicalName, shownConnection(item), describeSource(host, item, inputs.connectionOwner?.raw), describeBindActor(host, item)));
    }
    return finish(host, session, inputs, { plan, stoppedByProblems: false });
  }
  if (plan.toBind.length === 0) host.info(host.loc('NothingToBind'));
  const applied = await applyBindings(session.dataverse, plan.toBind, {
    concurrency: WRITE_CONCURRENCY,
    onBound: (item) => host.remoteInfo(host.loc('Bound', item.logicalName, shownConnection(item), describeSource(host, item, inputs.connectionOwner?.raw), describeBindActor(host, item))),
    onRolledBack: (item) => host.remoteInfo(host.loc('RolledBack', item.logicalName, item.currentConnectionId ?? host.loc('NoConnection'), describeActor(host, item, item.rollbackActor))),
  });
  return finish(host, session, inputs, { plan, stoppedByProblems: false, applied });
}

function finish(host: TaskHost, session: Session, inputs: BindInputs, run: RunResult): TaskOutcome {
  const items = buildItems(host, inputs, run, session.environment.url);
  const counts = countItems(run, items);
  const report = newReport<ReferenceReportItem>(TASK_NAME, session.environment.url, inputs.dryRun);
  report.identity = { objectId: session.identity.objectId, name: session.identity.name, userId: session.identity.userId };
  report.solution = inputs.solutionName;
  report.solutions = inputs.solutionNames;
  report.impersonation = inputs.impersonation;
  report.counts = counts;
  report.items = items;

  const unbound = items.filter((i) => i.unbound);
  for (const item of unbound) {
    const message = host.loc('LeftUnboundWarning', item.name, item.connector, `ConnectionReference.${item.name}`, `Connector.${item.connector}`);
    report.warnings.push(message);
    host.warning(message);
  }
  const outcome = outcomeOf(host, inputs, run, items, counts.bound, unbound.length);
  // The message names references and quotes the service: remote text that must not issue commands.
  if (outcome.message) outcome.message = neutraliseLine(outcome.message);
  if (outcome.result === 'Failed' && outcome.message) report.problems.push(outcome.message);

  publishReport(host, report, { fileBase: FILE_BASE, solutions: inputs.solutionNames, markdown: buildMarkdown(host, report, inputs, run.plan, items, counts) });
  host.setOutput('BoundCount', String(counts.bound));
  host.setOutput('UnboundCount', String(counts.unbound));
  return outcome;
}

function outcomeOf(host: TaskHost, inputs: BindInputs, run: RunResult, items: readonly ReferenceReportItem[], bound: number, unbound: number): TaskOutcome {
  if (run.stoppedByProblems) {
    const names = run.plan.problems.map((p) => p.logicalName);
    return { result: 'Failed', message: host.loc('ProblemsFound', names.length, inputs.solutionName, nameList(names)) };
  }
  const failed = items.filter((i) => i.outcome === 'failed');
  if (failed.length > 0) {
    const writeFailures = (run.applied ?? []).filter((r) => r.outcome === 'failed').map((r) => r.item.logicalName);
    const rolledBack = items.filter((i) => i.outcome === 'rolledBack').length;
    const notPutBack = (run.applied ?? []).filter((r) => r.outcome === 'rollbackFailed').map((r) => r.item.logicalName);
    const first = failed.find((i) => writeFailures.includes(i.name)) ?? failed[0];
    let message = host.loc('BindFailed', nameList(writeFailures), `${first.error?.code}: ${first.error?.message}`, rolledBack);
    if (notPutBack.length > 0) message += ` ${host.loc('NotPutBack', notPutBack.length, nameList(notPutBack))}`;
    return { result: 'Failed', message };
  }
  const changed = items.filter((i) => i.outcome === 'bound' || i.outcome === 'wouldChange').length;
  const summary = inputs.dryRun ? host.loc('DryRunDone', changed, bound - changed, unbound) : host.loc('Done', changed, bound - changed, unbound);
  if (unbound > 0) return { result: 'SucceededWithIssues', message: summary };
  return { result: 'Succeeded', message: summary };
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_IN_MESSAGE).map((n) => `'${n}'`).join(', ');
  return names.length > NAMES_IN_MESSAGE ? `${shown}, … (+${names.length - NAMES_IN_MESSAGE})` : shown;
}

/** Settings entries and ConnectionReference.* variables that name no reference of the solution are most likely typos. */
function warnAboutUnusedNames(host: TaskHost, inputs: BindInputs, logicalNames: readonly string[]): void {
  const known = new Set(logicalNames.map((n) => n.toLowerCase()));
  for (const name of inputs.settings.keys()) {
    if (!known.has(name)) host.remoteInfo(host.loc('SettingsEntryUnused', name, inputs.solutionName));
  }
  for (const variable of new ConventionVariables(host).list()) {
    if (variable.prefix === 'ConnectionReference' && !known.has(variable.key.toLowerCase())) host.remoteInfo(host.loc('VariableUnused', variable.name, inputs.solutionName));
  }
  for (const owner of referenceOwnerVariables(host.variables()).values()) {
    if (!known.has(owner.logicalName.toLowerCase())) host.remoteInfo(host.loc('VariableUnused', owner.variable, inputs.solutionName));
  }
}
