import { ItemError, ReportItemBase, failuresFirst, markdownTable, outcomeLabel } from '../../common/report';
import { Localizer } from '../../common/problems';
import { CheckedReference, ownerInWords } from './plan';

/** One connection reference as the report gives it. */
export interface ConnectionReferenceItem extends ReportItemBase {
  kind: 'connectionReference';
  outcome: 'healthy' | 'unhealthy' | 'warning';
  /** Nothing is changed, so no one acts. */
  actor: null;
  solution: string;
  connector: string;
  /** The connection id as checked (masked when it came from a secret variable), or null when there is none. */
  connection: string | null;
  connectionStatus: string | null;
  owner: string | null;
  source: string | null;
  /** Names of the flows that use the reference (they would not turn on while it is unhealthy). */
  flows: string[];
  /** Every flow uses it as its run-only (invoker) connection. */
  runOnly: boolean;
  warnings: ItemError[];
}

export function reportItems(checked: readonly CheckedReference[]): ConnectionReferenceItem[] {
  return checked.map((c) => ({
    kind: 'connectionReference',
    name: c.facts.logicalName,
    id: c.facts.id,
    outcome: c.health,
    actor: null,
    error: c.error,
    solution: c.facts.solution,
    connector: c.connector,
    connection: c.connectionShown ?? null,
    connectionStatus: c.connection?.status ?? null,
    owner: c.connection?.ownerObjectId ?? null,
    source: c.source ?? null,
    flows: c.facts.flows.map((f) => f.name),
    runOnly: c.runOnly,
    warnings: c.warnings,
  }));
}

export interface Counts {
  healthy: number;
  unhealthy: number;
  warning: number;
}

export function countItems(items: readonly ConnectionReferenceItem[]): Counts {
  return {
    healthy: items.filter((i) => i.outcome === 'healthy').length,
    unhealthy: items.filter((i) => i.outcome === 'unhealthy').length,
    warning: items.filter((i) => i.outcome === 'warning').length,
  };
}

export interface SummaryContext {
  solutions: readonly string[];
  environmentHost: string;
  impersonation: string;
  counts: Counts;
}

/** The summary a release manager acts on: unhealthy first, then warnings, then healthy; what is wrong and what to do. */
export function markdownSummary(items: readonly ConnectionReferenceItem[], checked: readonly CheckedReference[], context: SummaryContext, loc: Localizer): string {
  const { counts } = context;
  const lines = [`## ${loc('SummaryTitle', context.solutions.join(', '), context.environmentHost)}`, ''];
  lines.push(loc('SummaryCounts', items.length, counts.unhealthy, counts.warning, counts.healthy, context.impersonation), '');
  if (items.length === 0) {
    lines.push(loc('SummaryNone'), '');
    return lines.join('\n');
  }
  const owners = new Map(items.map((item, index) => [item, ownerInWords(checked[index].connection) || (item.owner ?? '')]));
  const ordered = failuresFirst([...items.filter((i) => i.outcome !== 'healthy'), ...items.filter((i) => i.outcome === 'healthy')]);
  const headers = [loc('ColumnReference'), loc('ColumnConnection'), loc('ColumnOwner'), loc('ColumnOutcome'), loc('ColumnWrong'), loc('ColumnFix'), loc('ColumnFlows')];
  const rows = ordered.map((item) => {
    const notes = [item.error, ...item.warnings.filter((w) => w !== item.error)].filter((e): e is ItemError => !!e);
    return [
      item.runOnly ? loc('RunOnlyMark', item.name) : item.name,
      item.connection ? `${item.connection}${item.connectionStatus ? ` (${item.connectionStatus})` : ''}` : loc('NotGiven'),
      owners.get(item),
      outcomeLabel({ loc }, item.outcome),
      notes.map((n) => `${n.code}: ${n.message}`).join(' '),
      notes.map((n) => n.hint ?? '').filter(Boolean).join(' '),
      item.flows.join(', '),
    ];
  });
  lines.push(markdownTable(headers, rows), '');
  return lines.join('\n');
}
