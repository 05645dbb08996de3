import { ItemError, Outcome, ReportItem, TaskReport, markdownTable } from '../../common/report';
import { TaskHost } from '../../common/task-host';
import { ApplyResult } from './apply';
import { describeActor, describeProblem, describeRollbackFailure, describeWriteFailure } from './describe';
import { BindInputs } from './inputs';
import { Plan, PlanItem } from './plan';

export interface ReferenceReportItem extends ReportItem {
  kind: 'connectionReference';
  displayName?: string;
  connector: string;
  /** The connection the reference is wanted to point at. */
  connection?: string;
  /** The connection it pointed at before the run. */
  previousConnection?: string;
  source?: string;
  owner?: { objectId: string; upn?: string; name?: string };
  /** Left without a connection (FailOnUnbound false). */
  unbound?: boolean;
  /** It would have been bound, but the run stopped before (a problem elsewhere, or a failed write). */
  notAttempted?: boolean;
  rollbackActor?: string;
}

/** How the run ended for the items; `applied` is undefined when nothing was written (problems or dry run). */
export interface RunResult {
  plan: Plan;
  stoppedByProblems: boolean;
  applied?: ApplyResult[];
}

export function buildItems(host: TaskHost, inputs: BindInputs, run: RunResult): ReferenceReportItem[] {
  const applied = new Map((run.applied ?? []).map((r) => [r.item, r]));
  return run.plan.items.map((item) => {
    const base: ReferenceReportItem = {
      kind: 'connectionReference',
      name: item.logicalName,
      id: item.id,
      outcome: 'unchanged',
      displayName: item.displayName,
      connector: item.connector,
      connection: item.wantedConnectionId,
      previousConnection: item.currentConnectionId,
      source: item.source,
      owner: item.owner,
    };
    const ownerInput = inputs.connectionOwner?.raw;
    switch (item.action) {
      case 'problem':
        return { ...base, outcome: 'failed', error: describeProblem(host, item, item.problem!, ownerInput) };
      case 'unbound':
        return { ...base, unbound: true };
      case 'unchanged':
        return base;
      case 'bind': {
        if (inputs.dryRun) return { ...base, outcome: 'wouldChange', actor: item.actor, rollbackActor: item.rollbackActor };
        const result = applied.get(item);
        if (!result || result.outcome === 'notAttempted') return { ...base, notAttempted: true };
        const outcome: Outcome = result.outcome === 'bound' ? 'bound' : result.outcome === 'rolledBack' ? 'rolledBack' : 'failed';
        let error: ItemError | undefined;
        if (result.outcome === 'failed') error = describeWriteFailure(host, item, result.error, inputs.impersonation);
        if (result.outcome === 'rollbackFailed') error = describeRollbackFailure(host, item, result.error);
        return { ...base, outcome, actor: item.actor, ...(result.outcome === 'rolledBack' || result.outcome === 'rollbackFailed' ? { rollbackActor: item.rollbackActor } : {}), ...(error ? { error } : {}) };
      }
    }
  });
}

/** The connection each reference points at after the run (in a dry run: would). */
function connectionAfter(item: PlanItem, reported: ReferenceReportItem, applied: ApplyResult | undefined): string | undefined {
  if (reported.outcome === 'bound' || reported.outcome === 'wouldChange' || applied?.outcome === 'rollbackFailed') return item.wantedConnectionId;
  return item.currentConnectionId;
}

export interface Counts {
  /** References pointing at their wanted connection after the run: bound now or already bound. */
  bound: number;
  /** References left without a connection. */
  unbound: number;
  changed: number;
  unchanged: number;
}

export function countItems(run: RunResult, items: readonly ReferenceReportItem[]): Counts {
  const applied = new Map((run.applied ?? []).map((r) => [r.item, r]));
  let bound = 0;
  let unbound = 0;
  run.plan.items.forEach((item, index) => {
    const after = connectionAfter(item, items[index], applied.get(item));
    if (!after) unbound++;
    else if (item.action !== 'problem' && item.wantedConnectionId && after.toLowerCase() === item.wantedConnectionId.toLowerCase()) bound++;
  });
  return {
    bound,
    unbound,
    changed: items.filter((i) => i.outcome === 'bound' || i.outcome === 'wouldChange').length,
    unchanged: run.plan.items.filter((i) => i.action === 'unchanged').length,
  };
}

export function buildMarkdown(host: TaskHost, report: TaskReport, inputs: BindInputs, plan: Plan, items: readonly ReferenceReportItem[], counts: Counts): string {
  const rows = plan.items.map((item, index) => {
    const reported = items[index];
    const note = reported.error ? `${reported.error.code}: ${reported.error.message}` : reported.notAttempted ? host.loc('NotAttempted') : reported.unbound ? host.loc('LeftUnbound') : '';
    return [
      item.logicalName,
      item.connector,
      item.wantedConnectionId ?? '',
      reported.actor ? describeActor(host, item, reported.actor) : '',
      reported.outcome,
      note,
    ];
  });
  return [
    `## ${host.loc('SummaryTitle')}`,
    '',
    host.loc('SummaryHeader', report.environment, inputs.solutionName, inputs.impersonation, inputs.dryRun ? 'true' : 'false'),
    '',
    host.loc('SummaryCounts', counts.bound, counts.unbound, counts.changed, counts.unchanged),
    '',
    markdownTable(
      [host.loc('ColumnReference'), host.loc('ColumnConnector'), host.loc('ColumnConnection'), host.loc('ColumnActor'), host.loc('ColumnOutcome'), host.loc('ColumnNote')],
      rows,
    ),
    '',
  ].join('\n');
}
