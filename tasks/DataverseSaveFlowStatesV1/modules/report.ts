import { FlowState, FlowStates } from '../../common/flow-states-file';
import { ReportItemBase, markdownTable, outcomeLabel } from '../../common/report';
import { StateCounts } from './plan';

export type Localize = (key: string, ...args: unknown[]) => string;

/** One recorded flow: nothing was changed, so no actor and no error. */
export interface FlowStateItem extends ReportItemBase {
  kind: 'flow';
  id: string;
  outcome: 'recorded';
  actor: null;
  error: null;
  state: FlowState;
}

export function reportItems(states: FlowStates): FlowStateItem[] {
  return states.flows.map((flow) => ({ kind: 'flow', name: flow.name, id: flow.workflowId, outcome: 'recorded', actor: null, error: null, state: flow.state }));
}

export interface SummaryContext {
  solutions: readonly string[];
  notInstalled: readonly string[];
  environmentHost: string;
  takenAt: string;
  counts: StateCounts;
}

/** The run summary: counts, the solutions not installed yet, and one row per recorded flow. */
export function markdownSummary(items: readonly FlowStateItem[], context: SummaryContext, loc: Localize): string {
  const { counts } = context;
  const lines = [`## ${loc('SaveSummaryTitle', context.solutions.join(', '), context.environmentHost)}`, ''];
  lines.push(loc('SummaryRecorded', items.length, context.takenAt, counts.on, counts.off, counts.suspended), '');
  if (context.notInstalled.length > 0) lines.push(loc('SummaryNotInstalled', context.notInstalled.join(', ')), '');
  if (items.length === 0) {
    lines.push(loc('SummaryNothingRecorded'), '');
    return lines.join('\n');
  }
  const headers = [loc('ColumnFlow'), loc('ColumnWorkflowId'), loc('ColumnState'), loc('ColumnOutcome')];
  lines.push(markdownTable(headers, items.map((item) => [item.name, item.id, item.state, outcomeLabel({ loc }, item.outcome)])), '');
  return lines.join('\n');
}
