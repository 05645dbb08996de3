import { neutraliseLine } from '../../common/remote-text';
import { newReport, publishReport } from '../../common/report';
import { connect } from '../../common/session';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { conventionReader } from '../../common/variables';
import { resolveSourceOwners } from '../../common/owner-resolution';
import { settingsOwners } from '../../common/settings-reading';
import { gatherActing, gatherState, gatherUsers, readSolutionFile } from './gather';
import { readInputs } from './inputs';
import { PlanInput, ownersToActAs, ownersToLookUp, planChecks } from './plan';
import { ConnectionReferenceItem, countItems, markdownSummary, reportItems } from './report';

export const TASK_NAME = 'DataverseCheckConnections';
const REPORT_FILE_BASE = 'dataverse-check-connections';
const NAMES_IN_MESSAGE = 10;

/** DataverseCheckConnections@1: gather, check (pure), report. It changes nothing. */
export async function run(host: TaskHost): Promise<TaskOutcome> {
  const inputs = readInputs(host);
  const loc = (key: string, ...args: unknown[]) => host.loc(key, ...args);
  const file = inputs.solutionPath ? readSolutionFile(host, inputs) : undefined;
  const session = await connect(host, { adminToken: true });
  try {
    const state = await gatherState(host, session, inputs, file);
    const sp = session.identity.objectId;
    const base: PlanInput = {
      references: state.references,
      // Per-reference owners (`connectionreference.user.*`, the settings entry's ConnectionOwner) as the bind task reads them.
      sources: await resolveSourceOwners(
        session.dataverse,
        conventionReader(host, inputs.owner, inputs.settings ? settingsOwners(inputs.settings.settings) : undefined),
        (file?.references ?? []).map((r) => r.logicalName),
      ),
      connections: state.connections,
      statusErrors: state.statusErrors,
      sharedWithServicePrincipal: state.sharedWithServicePrincipal,
      impersonation: inputs.impersonation,
      servicePrincipalObjectId: sp,
      environmentUrl: session.environment.url,
      ownerInput: inputs.owner?.raw,
      loc,
    };
    // One user query for every owner, then one WhoAmI per owner the service principal would act as.
    const users = await gatherUsers(session, ownersToLookUp(planChecks(base), sp));
    const acting = inputs.impersonation === 'None' ? new Map() : await gatherActing(session, ownersToActAs(planChecks({ ...base, users })));
    const checked = planChecks({ ...base, users, acting });

    const items = reportItems(checked);
    const counts = countItems(items);
    const report = newReport<ConnectionReferenceItem>(TASK_NAME, session.environment.url, false);
    report.identity = { objectId: session.identity.objectId, name: session.identity.name, userId: session.identity.userId };
    report.solutions = state.solutions;
    if (inputs.solutionPath) report.solutionFile = inputs.solutionPath;
    if (inputs.settingsPath) report.settingsFile = inputs.settingsPath;
    report.connectionOwner = inputs.owner?.raw ?? null;
    report.impersonation = inputs.impersonation;
    report.errorHandling = inputs.errorHandling;
    report.counts = counts;
    report.items = items;
    logIssues(host, items, inputs.errorHandling === 'Warn');
    report.warnings = items.flatMap((i) => i.warnings.map((w) => `${i.name}: ${w.message}`));
    const markdown = markdownSummary(items, checked, { solutions: state.solutions, environmentHost: session.environment.host, impersonation: inputs.impersonation, counts }, loc);
    host.setOutput('HealthyCount', String(counts.healthy + counts.warning));
    host.setOutput('UnhealthyCount', String(counts.unhealthy));

    const unhealthy = items.filter((i) => i.outcome === 'unhealthy');
    if (unhealthy.length > 0) {
      const message = neutraliseLine(loc('ResultUnhealthy', unhealthy.length, items.length, nameList(unhealthy.map((i) => i.name))));
      report.problems.push(message);
      publishReport(host, report, { fileBase: REPORT_FILE_BASE, markdown, solutions: state.solutions });
      return { result: inputs.errorHandling === 'Warn' ? 'SucceededWithIssues' : 'Failed', message };
    }
    publishReport(host, report, { fileBase: REPORT_FILE_BASE, markdown, solutions: state.solutions });
    return { result: 'Succeeded', message: loc('ResultHealthy', items.length, counts.healthy, counts.warning) };
  } finally {
    session.close();
  }
}

/** Each unhealthy reference as an error (a warning with ErrorHandling Warn) naming its flows; each warning as a warning. */
function logIssues(host: TaskHost, items: readonly ConnectionReferenceItem[], warnOnly: boolean): void {
  for (const item of items) {
    if (item.outcome === 'unhealthy' && item.error) {
      const flows = item.flows.length ? item.flows.join(', ') : host.loc('NoFlows');
      const text = neutraliseLine(host.loc('ReferenceUnhealthy', item.name, item.solution, `${item.error.code}: ${item.error.message}`, item.error.hint ?? '', flows), 4000);
      if (warnOnly) host.warning(text);
      else host.error(text);
    }
    for (const warning of item.warnings.filter((w) => w !== item.error || item.outcome === 'warning')) {
      host.warning(neutraliseLine(host.loc('ReferenceWarning', item.name, item.solution, `${warning.code}: ${warning.message}`, warning.hint ?? ''), 4000));
    }
  }
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_IN_MESSAGE).map((n) => `'${n}'`).join(', ');
  return names.length > NAMES_IN_MESSAGE ? `${shown}, … (+${names.length - NAMES_IN_MESSAGE})` : shown;
}
