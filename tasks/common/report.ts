import * as fs from 'fs';
import * as path from 'path';
import { neutraliseLine } from './remote-text';
import { TaskHost } from './task-host';
import { writeFileAtomic } from './files';

export type ItemKind = 'flow' | 'connectionReference' | 'environmentVariable';
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
  | 'recorded';

export interface ItemError {
  code: string;
  message: string;
  hint?: string;
}

export interface ReportItem {
  kind: ItemKind;
  name: string;
  id: string;
  outcome: Outcome;
  /** Entra object id the change was made as, or `servicePrincipal`. */
  actor?: string | null;
  error?: ItemError | null;
  [detail: string]: unknown;
}

/** A report item with every public key present (CONTRACT §3); each task extends it with its own typed fields. */
export interface ReportItemBase {
  kind: ItemKind;
  name: string;
  id: string | null;
  outcome: Outcome;
  /** Entra object id the change was made as, or `servicePrincipal`. */
  actor: string | null;
  error: ItemError | null;
}

export interface TaskReport<Item extends ReportItem | ReportItemBase = ReportItem> {
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

export function newReport<Item extends ReportItem | ReportItemBase = ReportItem>(task: string, environment: string, dryRun: boolean): TaskReport<Item> {
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
}

/**
 * Writes the JSON report and the Markdown summary, attaches the summary to the run, sets the
 * `ReportFile` output and logs an error issue for every failed item.
 */
export function publishReport(host: TaskHost, report: TaskReport<ReportItem | ReportItemBase>, options: PublishOptions): string {
  report.finishedAt = new Date().toISOString();
  const dir = host.tempDirectory();
  const stamp = `${Date.now()}-${process.pid}`;
  const reportFile = path.join(dir, `${options.fileBase}-${stamp}.json`);
  const summaryFile = path.join(dir, `${options.fileBase}-${stamp}.md`);
  writeFileAtomic(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(summaryFile, options.markdown, 'utf8');
  host.uploadSummary(summaryFile);
  host.setOutput('ReportFile', reportFile);
  for (const item of report.items) {
    if (item.outcome === 'failed' && item.error) {
      const hint = item.error.hint ? ` ${item.error.hint}` : '';
      const log = options.failureIssue === 'warning' ? host.warning.bind(host) : host.error.bind(host);
      log(host.loc('ItemFailed', kindLabel(item.kind), neutraliseLine(item.name), neutraliseLine(`${item.error.code}: ${item.error.message}${hint}`)));
    }
  }
  host.info(host.loc('ReportWritten', reportFile));
  return reportFile;
}

export function kindLabel(kind: ItemKind): string {
  return kind === 'flow' ? 'Flow' : kind === 'connectionReference' ? 'Connection reference' : 'Environment variable';
}
