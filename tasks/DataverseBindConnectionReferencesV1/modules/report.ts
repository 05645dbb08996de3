import { Actor, actorId } from '../../common/acting-identity';
import { describeConnectionProblem, describeConnectionSource } from '../../common/problems/connection';
import { ItemError, Outcome, ReportItemBase, TaskReport, failuresFirst, markdownTable, outcomeLabel } from '../../common/report';
import { MASK } from '../../common/secrets';
import { describeUnsetToken } from '../../common/settings-reading';
import { TaskHost } from '../../common/task-host';
import { ApplyResult } from './apply';
import { describeWriteFailure, platformCode, platformMessage } from './classify';
import { BindInputs } from './inputs';
import { Plan, PlanItem } from './plan';

/** Every item has the six keys of CONTRACT 3, `null` where they do not apply. */
export interface ReferenceReportItem extends ReportItemBase {
  kind: 'connectionReference';
  name: string;
  id: string | null;
  outcome: Outcome;
  actor: string | null;
  /** Why the update is made as `actor` (null when nothing is written). */
  actorReason: string | null;
  error: ItemError | null;
  displayName?: string;
  connector: string;
  /** The connection the reference is wanted to point at (masked when it came from a secret variable). */
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

/** The wanted connection id as it may be shown: a secret variable's value never is. */
export function shownConnection(item: PlanItem): string {
  return item.secret ? MASK : item.wantedConnectionId ?? '';
}

/** The connection bound before the run: hidden when it is the secret one wanted (a re-run). */
function shownPrevious(item: PlanItem): string | undefined {
  const same = !!item.currentConnectionId && item.currentConnectionId.toLowerCase() === item.wantedConnectionId?.toLowerCase();
  return item.secret && same ? MASK : item.currentConnectionId;
}

export function describeSource(host: TaskHost, item: PlanItem, ownerInput?: string): string {
  return describeConnectionSource((key, ...args) => host.loc(key, ...args), item.source, item.variable, item.connectionOwner ?? ownerInput);
}

/** The owner of a connection as a person reads it: UPN or name, and the object id. */
export function describeOwner(item: PlanItem): string {
  const owner = item.owner;
  if (!owner || item.secret) return owner ? owner.objectId : '';
  const label = owner.upn ?? owner.name;
  return label ? `${label} (${owner.objectId})` : owner.objectId;
}

export function describeActor(host: TaskHost, item: PlanItem, actor: Actor | undefined): string {
  if (!actor) return '';
  if (actor.kind === 'servicePrincipal') return host.loc('ServicePrincipal');
  if (item.owner?.objectId === actor.objectId) return describeOwner(item);
  return actor.objectId;
}

const REASON_KEYS: Record<string, string> = {
  ownedByServicePrincipal: 'ReasonOwnedByServicePrincipal',
  sharedWithServicePrincipal: 'ReasonSharedWithServicePrincipal',
  impersonationNone: 'ReasonImpersonationNone',
  connectionOwner: 'ReasonConnectionOwner',
};

/** Who binds the reference and why, as the log and the summary show it: `the service principal (the connection is shared with it)`. */
export function describeBindActor(host: TaskHost, item: PlanItem): string {
  const actor = describeActor(host, item, item.actor);
  const reason = item.actorReason ? REASON_KEYS[item.actorReason] : undefined;
  return reason ? `${actor} (${host.loc(reason)})` : actor;
}

function describeProblem(host: TaskHost, item: PlanItem, ownerInput: string | undefined, environment: string): ItemError {
  const problem = item.problem!;
  if (problem.unsetVariables) return describeUnsetToken((key, ...args) => host.loc(key, ...args), problem.unsetVariables);
  return describeConnectionProblem(
    (key, ...args) => host.loc(key, ...args),
    problem.kind,
    {
      reference: item.logicalName,
      connector: item.connector,
      connection: shownConnection(item),
      source: describeSource(host, item, ownerInput),
      environment,
      listed: item.secret ? undefined : item.connection,
      owner: describeOwner(item),
      ownerInput: item.connectionOwner ?? ownerInput,
      candidates: problem.candidates && !item.secret ? problem.candidates : undefined,
      platformMessage: problem.platformMessage,
    },
    problem.platformCode,
  );
}

function describeRollbackFailure(host: TaskHost, item: PlanItem, error: unknown): ItemError {
  const previous = item.currentConnectionId ?? host.loc('NoConnection');
  return {
    code: platformCode(error),
    message: host.loc('RollbackFailed', shownConnection(item), previous, platformMessage(error)),
    hint: host.loc('HintRollbackFailed', item.logicalName, previous),
  };
}

export function buildItems(host: TaskHost, inputs: BindInputs, run: RunResult, environment: string): ReferenceReportItem[] {
  const applied = new Map((run.applied ?? []).map((r) => [r.item, r]));
  const ownerInput = inputs.connectionOwner?.raw;
  return run.plan.items.map((item) => {
    const base: ReferenceReportItem = {
      kind: 'connectionReference',
      name: item.logicalName,
      id: item.id,
      outcome: 'unchanged',
      actor: null,
      actorReason: null,
      error: null,
      displayName: item.displayName,
      connector: item.connector,
      connection: item.wantedConnectionId === undefined ? undefined : shownConnection(item),
      previousConnection: shownPrevious(item),
      source: item.source,
      // A secret connection is not described: its owner could give it away.
      owner: item.secret ? undefined : item.owner,
    };
    switch (item.action) {
      case 'problem':
        return { ...base, outcome: 'failed', error: describeProblem(host, item, ownerInput, environment) };
      case 'unbound':
        return { ...base, unbound: true };
      case 'unchanged':
        return base;
      case 'bind': {
        const actor = item.actor ? actorId(item.actor) : null;
        const actorReason = item.actorReason ?? null;
        const rollbackActor = item.rollbackActor ? actorId(item.rollbackActor) : undefined;
        if (inputs.dryRun) return { ...base, outcome: 'wouldChange', actor, actorReason, rollbackActor };
        const result = applied.get(item);
        if (!result || result.outcome === 'notAttempted') return { ...base, notAttempted: true };
        const outcome: Outcome = result.outcome === 'bound' ? 'bound' : result.outcome === 'rolledBack' ? 'rolledBack' : 'failed';
        let error: ItemError | null = null;
        if (result.outcome === 'failed') error = describeWriteFailure(host, item, result.error);
        if (result.outcome === 'rollbackFailed') error = describeRollbackFailure(host, item, result.error);
        const rolledBack = result.outcome === 'rolledBack' || result.outcome === 'rollbackFailed';
        return { ...base, outcome, actor, actorReason, error, ...(rolledBack ? { rollbackActor } : {}) };
      }
    }
  });
}

export interface Counts {
  /** References pointing at their wanted connection after the run: bound now or already bound. */
  bound: number;
  /** References left without a connection. */
  unbound: number;
  changed: number;
  unchanged: number;
}

/** Counted from the connection each reference points at after the run (as read back where a write's outcome was unknown). */
export function countItems(run: RunResult, items: readonly ReferenceReportItem[]): Counts {
  const applied = new Map((run.applied ?? []).map((r) => [r.item, r]));
  let bound = 0;
  let unbound = 0;
  run.plan.items.forEach((item, index) => {
    const reported = items[index];
    const result = applied.get(item);
    const after =
      result?.connectionAfter !== undefined
        ? result.connectionAfter ?? undefined
        : reported.outcome === 'bound' || reported.outcome === 'wouldChange' || result?.outcome === 'rollbackFailed'
          ? item.wantedConnectionId
          : item.currentConnectionId;
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

export function buildMarkdown(host: TaskHost, report: TaskReport<ReferenceReportItem>, inputs: BindInputs, plan: Plan, items: readonly ReferenceReportItem[], counts: Counts): string {
  const rows = plan.items.map((item, index) => {
    const reported = items[index];
    const note = reported.error ? `${reported.error.code}: ${reported.error.message}` : reported.notAttempted ? host.loc('NotAttempted') : reported.unbound ? host.loc('LeftUnbound') : '';
    const actor = reported.actor ? describeBindActor(host, item) : '';
    return { outcome: reported.outcome, cells: [item.logicalName, item.connector, reported.connection ?? '', actor, outcomeLabel(host, reported.outcome), note] };
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
      failuresFirst(rows).map((row) => row.cells),
    ),
    '',
  ].join('\n');
}
