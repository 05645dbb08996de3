import * as fs from 'fs';
import * as path from 'path';
import { neutraliseLine } from './remote-text';
import { TaskHost } from './task-host';
import { writeFileAtomic } from './files';
import { junitXml } from './junit';
import { parseBoolean, splitList } from './task-inputs';

export type ItemKind = 'flow' | 'connectionReference' | 'environmentVariable' | 'connection';
export type Outcome =
  | 'activated'
  | 'deactivated'
  | 'alreadyInState'
  | 'bound'
  | 'unchanged'
  | 'set'
  | 'wouldChange'
  | 'failed'
  | 'blocked'
  | 'rolledBack'
  | 'recorded'
  | 'healthy'
  | 'unhealthy'
  | 'warning';

export interface ItemError {
  code: string;
  message: string;
  hint?: string;
}

/** The six keys every report item has (CONTRACT §3); each task's item type extends it with typed fields. */
export interface ReportItemBase {
  kind: ItemKind;
  name: string;
  id: string | null;
  outcome: Outcome;
  /** Entra object id the change was made as, or `servicePrincipal`. */
  actor: string | null;
  error: ItemError | null;
}

export const REPORT_SCHEMA_VERSION = 1;

/** The error of a task that stopped before it had a plan. */
export interface TaskError {
  code: string;
  message: string;
  hint: string | null;
}

export interface TaskReport<Item extends ReportItemBase = ReportItemBase> {
  task: string;
  environment: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt?: string;
  identity?: { objectId?: string; name?: string; userId?: string };
  items: Item[];
  problems: string[];
  warnings: string[];
  [detail: string]: unknown;
}

export function newReport<Item extends ReportItemBase = ReportItemBase>(task: string, environment: string, dryRun: boolean): TaskReport<Item> {
  return { task, environment, dryRun, startedAt: new Date().toISOString(), items: [], problems: [], warnings: [] };
}

/** One Markdown table; cell text is neutralised so remote names cannot break the table or issue commands. */
export function markdownTable(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const cell = (value: string | number | undefined) => neutraliseLine(String(value ?? '')).replace(/\|/g, '\\|');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

export interface PublishOptions {
  /** Base file name without extension, e.g. `dataverse-activate-flows`. */
  fileBase: string;
  markdown: string;
  /** How each failed item is logged; `warning` where an input asks for warnings instead of failure. */
  failureIssue?: 'error' | 'warning';
  /** The solution(s) the summary title names; the report's `solution` when not given. */
  solutions?: string[];
}

/** The report as written: schema and task version first, every item with all six keys. */
export function reportDocument(host: TaskHost, report: TaskReport): Record<string, unknown> {
  const items: ReportItemBase[] = report.items.map((item) => ({ ...item, id: item.id ?? null, actor: item.actor ?? null, error: item.error ?? null }));
  return { schemaVersion: REPORT_SCHEMA_VERSION, taskVersion: host.taskInfo?.().version ?? '0.0.0', ...report, items };
}

/**
 * Writes the JSON report and the Markdown summary, attaches the summary to the run (its file name
 * is the title: task, solutions, environment host), sets the `ReportFile` output, publishes the
 * JUnit results when `PublishTestResults` is true, and logs an error issue for every failed item.
 */
export function publishReport(host: TaskHost, report: TaskReport, options: PublishOptions): string {
  report.finishedAt = new Date().toISOString();
  const dir = fs.mkdtempSync(path.join(host.tempDirectory(), `${options.fileBase}-`));
  const reportFile = path.join(dir, `${options.fileBase}.json`);
  const document = reportDocument(host, report);
  writeFileAtomic(reportFile, `${JSON.stringify(document, null, 2)}\n`);
  const solutions = options.solutions ?? (typeof report.solution === 'string' ? [report.solution] : []);
  const summaryFile = path.join(dir, `${summaryTitle(report.task, solutions, report.environment)}.md`);
  writeFileAtomic(summaryFile, options.markdown);
  host.uploadSummary(summaryFile);
  host.setOutput('ReportFile', reportFile);
  publishTestResults(host, dir, report.task, document.items as ReportItemBase[], report.error as TaskError | undefined);
  for (const item of report.items) {
    if (item.outcome === 'failed' && item.error) {
      const hint = item.error.hint ? ` ${item.error.hint}` : '';
      const log = options.failureIssue === 'warning' ? host.warning.bind(host) : host.error.bind(host);
      log(host.loc('ItemFailed', kindLabel(host, item.kind), neutraliseLine(item.name), neutraliseLine(`${item.error.code}: ${item.error.message}${hint}`)));
    }
  }
  host.info(host.loc('ReportWritten', reportFile));
  return reportFile;
}

/** `<task> · <solutions> · <environment host>`, safe as a file name (the agent shows it as the title). */
export function summaryTitle(task: string, solutions: readonly string[], environment: string | null): string {
  let environmentHost = environment ?? '';
  try {
    environmentHost = new URL(environment ?? '').host;
  } catch {
    // not a URL: shown as given
  }
  const parts = [task, solutions.join(', '), environmentHost].filter((part) => part.trim() !== '');
  return parts.join(' - ').replace(/[^\w .,()@+-]/g, '_').slice(0, 150);
}

/** With `PublishTestResults` true: one JUnit file, one test case per item, published to the Tests tab. */
function publishTestResults(host: TaskHost, dir: string, task: string, items: readonly ReportItemBase[], error: TaskError | undefined): void {
  if (parseBoolean(host.input('PublishTestResults'), false) !== true) return;
  const file = path.join(dir, `${task}-results.xml`);
  writeFileAtomic(file, junitXml(task, items, error));
  host.publishJUnit?.(file, task);
}

/**
 * The report of a task that stopped before it had a plan (bad input, sign-in, solution not found):
 * no items, the error at the top, and every count output set to 0.
 */
export function publishFailureReport(host: TaskHost, error: TaskError): void {
  const info = host.taskInfo?.();
  if (!info) return;
  for (const output of info.outputs) if (/Count$/.test(output)) host.setOutput(output, '0');
  const environment = host.input('Environment') ?? null;
  const report: TaskReport = {
    ...newReport(info.name, environment ?? '', parseBoolean(host.input('DryRun'), false) ?? false),
    environment: environment as string,
    error,
  };
  const solutionName = host.input('SolutionName');
  publishReport(host, report, {
    fileBase: info.name.toLowerCase(),
    markdown: `${host.loc('TaskStoppedBeforePlan', neutraliseLine(error.message))}\n`,
    solutions: solutionName ? splitList(solutionName) : [],
  });
}

const KIND_LABELS: Record<ItemKind, string> = {
  flow: 'ItemKindFlow',
  connectionReference: 'ItemKindConnectionReference',
  environmentVariable: 'ItemKindEnvironmentVariable',
  connection: 'ItemKindConnection',
};

export function kindLabel(host: TaskHost, kind: ItemKind): string {
  return host.loc(KIND_LABELS[kind]);
}

/** Failed, blocked and unhealthy items first (in their order), then the rest: the order of every summary. */
export function failuresFirst<T extends { outcome: Outcome }>(items: readonly T[]): T[] {
  const failing = (item: T) => item.outcome === 'failed' || item.outcome === 'blocked' || item.outcome === 'unhealthy';
  return [...items.filter(failing), ...items.filter((item) => !failing(item))];
}

/** An outcome in words for the summary (the report keeps the code). */
export function outcomeLabel(host: Pick<TaskHost, 'loc'>, outcome: Outcome): string {
  return host.loc(`Outcome${outcome.charAt(0).toUpperCase()}${outcome.slice(1)}`);
}
