import { ReportItem, markdownTable } from '../../common/report';
import { FlowResult } from './apply';
import { Actor, Localize, PlannedFlow, SERVICE_PRINCIPAL } from './plan';

export interface Counts {
  activated: number;
  deactivated: number;
  alreadyInState: number;
  wouldTurnOn: number;
  wouldTurnOff: number;
  failed: number;
  blocked: number;
}

export function actorId(actor: Actor | undefined): string | undefined {
  if (!actor) return undefined;
  return actor.kind === 'servicePrincipal' ? SERVICE_PRINCIPAL : actor.objectId;
}

export function actorLabel(actor: Actor | undefined, servicePrincipalName: string, loc: Localize): string {
  if (!actor) return '';
  return actor.kind === 'servicePrincipal' ? loc('ActorServicePrincipal', servicePrincipalName) : actor.name;
}

/** One report item per flow of the plan, in the order of the run. */
export function reportItems(flows: readonly PlannedFlow[], results: ReadonlyMap<string, FlowResult>, nameOf: (id: string) => string, spName: string, loc: Localize): ReportItem[] {
  return flows.map((flow) => {
    const result = results.get(flow.id) ?? { outcome: 'failed' as const };
    const acted = result.outcome !== 'alreadyInState';
    const item: ReportItem = {
      kind: 'flow',
      name: flow.name,
      id: flow.id,
      outcome: result.outcome,
      ...(acted && flow.actor ? { actor: actorId(flow.actor), actorName: actorLabel(flow.actor, spName, loc) } : {}),
      ...(result.error ? { error: { code: result.error.code, message: result.error.message, ...(result.error.hint ? { hint: result.error.hint } : {}) } } : {}),
      action: flow.action,
      order: flow.order,
      level: flow.level,
      children: flow.children,
      childNames: flow.children.map(nameOf),
      ...(result.blockedBy?.length ? { blockedBy: result.blockedBy, blockedByNames: result.blockedBy.map(nameOf) } : {}),
      ...(flow.connectionsToShare.length ? { connectionsToShare: flow.connectionsToShare } : {}),
      ...(result.startedAt ? { startedAt: result.startedAt } : {}),
      ...(result.durationMs !== undefined ? { durationMs: result.durationMs } : {}),
    };
    return item;
  });
}

export function countOutcomes(items: readonly ReportItem[]): Counts {
  const counts: Counts = { activated: 0, deactivated: 0, alreadyInState: 0, wouldTurnOn: 0, wouldTurnOff: 0, failed: 0, blocked: 0 };
  for (const item of items) {
    if (item.outcome === 'activated') counts.activated++;
    else if (item.outcome === 'deactivated') counts.deactivated++;
    else if (item.outcome === 'alreadyInState') counts.alreadyInState++;
    else if (item.outcome === 'failed') counts.failed++;
    else if (item.outcome === 'blocked') counts.blocked++;
    else if (item.outcome === 'wouldChange') {
      if (item.action === 'turnOff') counts.wouldTurnOff++;
      else counts.wouldTurnOn++;
    }
  }
  return counts;
}

function formatDuration(ms: unknown): string {
  if (typeof ms !== 'number') return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The Markdown summary: one row per flow, then the connections that must be shared. */
export function markdownSummary(
  items: readonly ReportItem[],
  context: { solution: string; environment: string; dryRun: boolean; counts: Counts },
  loc: Localize,
): string {
  const { counts } = context;
  const lines = [
    `## ${loc('SummaryTitle', context.solution)}`,
    '',
    context.dryRun
      ? loc('SummaryDryRun', context.environment, counts.wouldTurnOn, counts.wouldTurnOff, counts.alreadyInState, counts.failed, counts.blocked)
      : loc('SummaryCounts', context.environment, counts.activated, counts.deactivated, counts.alreadyInState, counts.failed, counts.blocked),
    '',
  ];
  if (items.length === 0) {
    lines.push(loc('SummaryNoFlows'), '');
    return lines.join('\n');
  }
  const headers = ['#', 'ColumnFlow', 'ColumnAction', 'ColumnOutcome', 'ColumnActedAs', 'ColumnError', 'ColumnHint', 'ColumnTime'].map((key) => (key === '#' ? key : loc(key)));
  lines.push(
    markdownTable(
      headers,
      items.map((item) => {
        const error = item.error ? `${item.error.code}: ${item.error.message}` : '';
        return [
          item.order as number,
          item.name,
          loc(item.action === 'turnOff' ? 'ActionTurnOff' : 'ActionTurnOn'),
          item.outcome,
          (item.actorName as string | undefined) ?? '',
          error,
          item.error?.hint ?? '',
          formatDuration(item.durationMs),
        ];
      }),
    ),
    '',
  );
  const shares = items.flatMap((item) =>
    ((item.connectionsToShare as Array<{ connectionId: string; connector: string; ownerName?: string }> | undefined) ?? []).map((share) => [
      item.name,
      share.connectionId,
      share.connector,
      share.ownerName ?? '',
      (item.actorName as string | undefined) ?? '',
    ]),
  );
  if (shares.length > 0) {
    lines.push(`### ${loc('SummarySharesTitle')}`, '', loc('SummarySharesIntro'), '');
    lines.push(markdownTable([loc('ColumnFlow'), loc('ColumnConnection'), loc('ColumnConnector'), loc('ColumnOwner'), loc('ColumnShareWith')], shares), '');
  }
  return lines.join('\n');
}
