import { actorId } from '../../common/acting-identity';
import { TransientWait } from '../../common/customization-lock';
import { ReportItemBase, failuresFirst, markdownTable, outcomeLabel } from '../../common/report';
import { FlowResult } from './apply';
import { FlowAction, Localize, WantedReason } from './facts';
import { OwnerKept } from './flow-owners';
import { ConnectionToShare, IdentityReason } from './plan-identity';
import { PlannedFlow } from './plan';

/** One flow in the JSON report. */
export interface FlowReportItem extends ReportItemBase {
  kind: 'flow';
  id: string;
  /** Display name of who the change was (or would be) made as. */
  actorName: string | null;
  /**
   * Why the change was made as its actor: `sharedWithServicePrincipal`, `ownedByServicePrincipal`,
   * `noConnections`, `turnOff`, `impersonationNone` (the service principal); `connectionOwner`,
   * `invokerReference` (owner of a run-only connection), `impersonateUser` (a user).
   */
  actorReason: IdentityReason | null;
  action: FlowAction;
  order: number;
  level: number;
  children: string[];
  childNames: string[];
  blockedBy?: string[];
  blockedByNames?: string[];
  connectionsToShare?: ConnectionToShare[];
  startedAt?: string;
  durationMs?: number;
  /** The response to the change was lost; the outcome is the flow's state read afterwards. */
  confirmedByRead?: boolean;
  /** Why the flow is wanted in its state (`listed`, `listedOff`, `recordedOn`, `recordedOff`, `new`, `default`, `almVariable`). */
  reason: WantedReason | null;
  /** The owner change made (or, in a dry run, to be made) before the flow is turned on. */
  owner?: { from: string; to: string };
  /** A flow that is on keeps its owner although another was wanted. */
  ownerKept?: OwnerKept;
  /** Transient states of the platform waited out (what for, how long, how many requests). */
  waits?: TransientWait[];
}

export interface Counts {
  activated: number;
  deactivated: number;
  alreadyInState: number;
  wouldTurnOn: number;
  wouldTurnOff: number;
  failed: number;
  blocked: number;
}

export function actorLabel(flow: Pick<PlannedFlow, 'actor' | 'actorName' | 'actorReason'>, servicePrincipalName: string, loc: Localize): string {
  const actor = flow.actor;
  if (!actor) return '';
  if (actor.kind === 'servicePrincipal') {
    return loc(flow.actorReason === 'sharedWithServicePrincipal' ? 'ActorSharedWithServicePrincipal' : 'ActorServicePrincipal', servicePrincipalName);
  }
  const name = flow.actorName ?? actor.objectId;
  if (actor.reason === 'activateAs') return loc('ActorActivateAs', name);
  return actor.reason === 'invokerReference' ? loc('ActorRunOnlyOwner', name) : name;
}

/** One report item per flow of the plan, in the order of the run. */
export function reportItems(
  flows: readonly PlannedFlow[],
  results: ReadonlyMap<string, FlowResult>,
  nameOf: (id: string) => string,
  spName: string,
  loc: Localize,
): FlowReportItem[] {
  return flows.map((flow) => {
    const result = results.get(flow.id) ?? { outcome: 'failed' as const };
    const acted = result.outcome !== 'alreadyInState' && flow.actor !== undefined;
    return {
      kind: 'flow',
      name: flow.name,
      id: flow.id,
      outcome: result.outcome,
      actor: acted && flow.actor ? actorId(flow.actor) : null,
      error: result.error ? reportError(result.error) : null,
      actorName: acted ? actorLabel(flow, spName, loc) : null,
      actorReason: acted ? (flow.actorReason ?? null) : null,
      action: flow.action,
      order: flow.order,
      level: flow.level,
      children: flow.children,
      childNames: flow.children.map(nameOf),
      ...(result.blockedBy?.length ? { blockedBy: result.blockedBy, blockedByNames: result.blockedBy.map(nameOf) } : {}),
      ...(flow.connectionsToShare.length ? { connectionsToShare: flow.connectionsToShare } : {}),
      ...(result.startedAt ? { startedAt: result.startedAt } : {}),
      ...(result.durationMs !== undefined ? { durationMs: result.durationMs } : {}),
      ...(result.confirmedByRead ? { confirmedByRead: true } : {}),
      reason: flow.reason ?? null,
      ...(flow.owner && result.outcome !== 'blocked' ? { owner: { from: flow.owner.from, to: flow.owner.to } } : {}),
      ...(flow.ownerKept ? { ownerKept: flow.ownerKept } : {}),
      ...(result.waits?.length ? { waits: result.waits } : {}),
    };
  });
}

/** The item's error; the platform's whole text (`rawMessage`, often translated) is kept where the message is the inner service's. */
function reportError(error: NonNullable<FlowResult['error']> & { rawMessage?: string }): ReportError {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error.rawMessage ? { rawMessage: error.rawMessage } : {}) };
}

type ReportError = { code: string; message: string; hint?: string; rawMessage?: string };

export function countOutcomes(items: readonly FlowReportItem[]): Counts {
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

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The Markdown summary: one row per flow, then the connections that must be shared. */
export function markdownSummary(
  items: readonly FlowReportItem[],
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
  const headers = ['#', 'ColumnFlow', 'ColumnAction', 'ColumnReason', 'ColumnOutcome', 'ColumnActedAs', 'ColumnOwnerChange', 'ColumnError', 'ColumnHint', 'ColumnTime'].map((key) => (key === '#' ? key : loc(key)));
  // Failed and blocked flows first; `#` keeps the order they were (or would be) sent in.
  const rows = failuresFirst(items).map((item) => [
    item.order,
    item.name,
    loc(item.action === 'turnOff' ? 'ActionTurnOff' : 'ActionTurnOn'),
    item.reason ? loc(`Reason_${item.reason}`) : '',
    outcomeLabel({ loc }, item.outcome),
    item.actorName ?? '',
    item.owner ? loc('OwnerChanged', item.owner.from, item.owner.to) : item.ownerKept ? loc('OwnerKept', item.ownerKept.owner) : '',
    item.error ? `${item.error.code}: ${item.error.message}` : '',
    item.error?.hint ?? '',
    formatDuration(item.durationMs),
  ]);
  lines.push(markdownTable(headers, rows), '');
  const shares = items.flatMap((item) =>
    (item.connectionsToShare ?? []).map((share) => [item.name, share.connectionId, share.connector, share.ownerName ?? '', item.actorName ?? '']),
  );
  if (shares.length > 0) {
    lines.push(`### ${loc('SummarySharesTitle')}`, '', loc('SummarySharesIntro'), '');
    lines.push(markdownTable([loc('ColumnFlow'), loc('ColumnConnection'), loc('ColumnConnector'), loc('ColumnOwner'), loc('ColumnShareWith')], shares), '');
  }
  return lines.join('\n');
}
