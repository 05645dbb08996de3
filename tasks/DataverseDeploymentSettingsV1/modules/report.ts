import { SERVICE_PRINCIPAL } from '../../common/acting-identity';
import { ItemError, Outcome, ReportItemBase, TaskReport, failuresFirst, markdownTable, newReport, outcomeLabel } from '../../common/report';
import { ValueSource } from '../../common/variables';
import { neutraliseLine } from '../../common/remote-text';
import { Finding, Localizer, MASK, PlannedReference, PlannedVariable, SettingsPlan, displayValue } from './plan';
import { typeName } from './values';
import { SolutionContents } from './solution-reader';
import { SettingsInputs } from './inputs';

export const TASK_NAME = 'DataverseDeploymentSettings';
export const REPORT_FILE_BASE = 'dataverse-deployment-settings';

export interface ReportContext {
  inputs: SettingsInputs;
  environmentUrl: string;
  solution?: SolutionContents;
  /** The settings reached their target (file written or stage run updated or already equal). */
  written: boolean;
  approval?: { status: number; sent: boolean };
  text: Localizer;
}

type Entry = PlannedReference | PlannedVariable;

function mask(entry: Entry, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return entry.secret && value !== '' ? MASK : value;
}

export function outcomeOf(entry: Entry, written: boolean): Outcome {
  if (entry.problems.length) return 'failed';
  if (entry.previous === undefined || entry.previous !== entry.value) return written ? 'set' : 'wouldChange';
  return 'unchanged';
}

/** Each entry with its outcome, so the summary can list failed entries first. */
function withOutcomes<T extends Entry>(entries: readonly T[], written: boolean): Array<{ entry: T; outcome: Outcome }> {
  return entries.map((entry) => ({ entry, outcome: outcomeOf(entry, written) }));
}

function entryName(entry: Entry): string {
  return entry.kind === 'connectionReference' ? entry.logicalName : entry.schemaName;
}

/** One line naming the entry, the problem and its fix, for the log, the result message and approval comments. */
export function describeFinding(entry: Entry, finding: Finding, text: Localizer): string {
  const kind = entry.kind === 'connectionReference' ? text('LabelConnectionReference') : text('LabelEnvironmentVariable');
  return text('EntryFinding', kind, entryName(entry), finding.hint ? `${finding.message} ${finding.hint}` : finding.message);
}

export function allProblems(plan: SettingsPlan, text: Localizer): string[] {
  return [...plan.references, ...plan.variables].flatMap((entry) => entry.problems.map((p) => describeFinding(entry, p, text)));
}

export function allWarnings(plan: SettingsPlan, text: Localizer): string[] {
  return [...[...plan.references, ...plan.variables].flatMap((entry) => entry.warnings.map((w) => describeFinding(entry, w, text))), ...plan.warnings.map((w) => w.message)];
}

/** Every item has the six keys of CONTRACT 3, `null` where they do not apply, and the settings' own fields. */
export interface SettingsReportItem extends ReportItemBase {
  displayName?: string;
  value: string | undefined;
  previousValue?: string;
  source: ValueSource | null;
  variable?: string;
  secret: boolean;
  inSolution: boolean;
  problems: ItemError[];
  warnings: Array<{ code: string; message: string }>;
  connectorId?: string;
  connection?: { id: string; displayName?: string; status: string; connector: string; ownerObjectId?: string };
  type?: string;
  required?: boolean;
  defaultValue?: string;
}

function item(entry: Entry, written: boolean): SettingsReportItem {
  const problem = entry.problems[0];
  const base: SettingsReportItem = {
    kind: entry.kind,
    // The logical or schema name: the name the variables and the settings use.
    name: entryName(entry),
    id: entryName(entry),
    ...(entry.displayName ? { displayName: entry.displayName } : {}),
    outcome: outcomeOf(entry, written),
    actor: SERVICE_PRINCIPAL,
    error: problem ? { code: problem.code, message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) } : null,
    value: mask(entry, entry.value),
    ...(entry.previous !== undefined ? { previousValue: mask(entry, entry.previous) } : {}),
    source: entry.source ?? null,
    ...(entry.variable ? { variable: entry.variable } : {}),
    secret: entry.secret,
    inSolution: entry.inSolution,
    problems: entry.problems.map((p) => ({ code: p.code, message: p.message, ...(p.hint ? { hint: p.hint } : {}) })),
    warnings: entry.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
  if (entry.kind === 'connectionReference') {
    return {
      ...base,
      connectorId: entry.connectorId,
      // A secret connection id is not described: its display name or owner could give it away.
      ...(entry.connection && !entry.secret
        ? { connection: { id: entry.connection.id, displayName: entry.connection.displayName, status: entry.connection.status, connector: entry.connection.connector, ownerObjectId: entry.connection.ownerObjectId } }
        : {}),
    };
  }
  return {
    ...base,
    type: typeName(entry.type),
    required: entry.required,
    ...(entry.defaultValue !== undefined ? { defaultValue: mask(entry, entry.defaultValue) } : {}),
  };
}

export function buildReport(plan: SettingsPlan, context: ReportContext): TaskReport<SettingsReportItem> {
  const { inputs, text } = context;
  const report = newReport<SettingsReportItem>(TASK_NAME, context.environmentUrl, false);
  report.target = inputs.target;
  if (inputs.outputFile) report.outputFile = inputs.outputFile;
  if (inputs.stageRunId) report.stageRunId = inputs.stageRunId;
  if (inputs.solutionPath) report.solution = { path: inputs.solutionPath, kind: context.solution?.kind, uniqueName: context.solution?.uniqueName, version: context.solution?.version };
  if (inputs.settingsPath) report.settingsFile = inputs.settingsPath;
  report.connectionOwner = inputs.owner?.raw ?? null;
  report.validate = inputs.validate;
  report.failOnMissingValues = inputs.failOnMissingValues;
  report.written = context.written;
  if (context.approval) report.approval = context.approval;
  const items = [...plan.references.map((r) => item(r, context.written)), ...plan.variables.map((v) => item(v, context.written))];
  // The six keys with nulls (CONTRACT 3) until the shared item type allows them.
  report.items = items;
  report.problems = allProblems(plan, text);
  report.warnings = allWarnings(plan, text);
  return report;
}

function sourceLabel(entry: Entry, text: Localizer): string {
  switch (entry.source) {
    case 'variableByLogicalName':
    case 'variableByConnector':
    case 'variableBySchemaName':
      return text('SourceVariable', entry.variable ?? '');
    case 'connectionOwner':
      return text('SourceOwner');
    case 'existingValue':
      return text('SourceExisting');
    case 'default':
      return text('SourceDefault');
    default:
      return text('SourceNone');
  }
}

function cellValue(entry: Entry, value: string): string {
  if (entry.secret && value) return MASK;
  return displayValue(value, 60);
}

function findingsCell(entry: Entry): string {
  return [...entry.problems.map((p) => p.message), ...entry.warnings.map((w) => `⚠ ${w.message}`)].join(' ');
}

export function buildMarkdown(plan: SettingsPlan, context: ReportContext): string {
  const { inputs, text } = context;
  const lines = [`## ${text('SummaryTitle')}`, ''];
  lines.push(inputs.target === 'File' ? text('SummaryTargetFile', inputs.outputFile ?? '') : text('SummaryTargetStageRun', inputs.stageRunId ?? '', context.environmentUrl));
  if (context.solution) lines.push('', text('SummarySolution', context.solution.uniqueName ?? '?', context.solution.version ?? '?', inputs.solutionPath ?? ''));
  const problems = allProblems(plan, text);
  lines.push('', problems.length ? text('SummaryNotWritten', problems.length) : context.written ? text('SummaryWritten') : text('SummaryNothingWritten'));
  if (context.approval) lines.push('', text('SummaryApproval', context.approval.status, context.approval.sent ? text('Sent') : text('NotSent')));

  lines.push('', `### ${text('SummaryConnectionReferences')}`, '');
  if (plan.references.length) {
    lines.push(
      markdownTable(
        [text('ColumnLogicalName'), text('ColumnConnector'), text('ColumnConnection'), text('ColumnSource'), text('ColumnOutcome'), text('ColumnProblems')],
        failuresFirst(withOutcomes(plan.references, context.written)).map(({ entry: r, outcome }) => [
          r.logicalName,
          r.connector,
          cellValue(r, r.value),
          sourceLabel(r, text),
          outcomeLabel({ loc: text }, outcome),
          findingsCell(r),
        ]),
      ),
    );
  } else lines.push(text('SummaryNone'));

  lines.push('', `### ${text('SummaryEnvironmentVariables')}`, '');
  if (plan.variables.length) {
    lines.push(
      markdownTable(
        [text('ColumnSchemaName'), text('ColumnType'), text('ColumnValue'), text('ColumnSource'), text('ColumnOutcome'), text('ColumnProblems')],
        failuresFirst(withOutcomes(plan.variables, context.written)).map(({ entry: v, outcome }) => [
          v.schemaName,
          typeName(v.type),
          v.source === 'default' ? text('DefaultValueCell', cellValue(v, v.defaultValue ?? '')) : cellValue(v, v.value),
          sourceLabel(v, text),
          outcomeLabel({ loc: text }, outcome),
          findingsCell(v),
        ]),
      ),
    );
  } else lines.push(text('SummaryNone'));

  if (problems.length) lines.push('', `### ${text('SummaryProblems')}`, '', ...problems.map((p) => `- ${neutraliseLine(p)}`));
  const warnings = allWarnings(plan, text);
  if (warnings.length) lines.push('', `### ${text('SummaryWarnings')}`, '', ...warnings.map((w) => `- ${neutraliseLine(w)}`));
  lines.push('');
  return lines.join('\n');
}
