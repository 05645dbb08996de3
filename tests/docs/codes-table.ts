import * as fs from 'fs';
import * as path from 'path';
import { CodeEntry, REPO_ROOT, collectCodes } from './code-catalogue';

export const CODES_START = '<!-- codes:start -->';
export const CODES_END = '<!-- codes:end -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The troubleshooting table: codes with the same meaning and action share a row; rows by code. */
export function renderCodesTable(entries: readonly CodeEntry[]): string {
  const rows = new Map<string, { codes: string[]; meaning: string; action: string }>();
  for (const entry of entries) {
    const key = `${entry.meaning}\u0000${entry.action}`;
    const row = rows.get(key) ?? { codes: [], meaning: entry.meaning, action: entry.action };
    row.codes.push(entry.code);
    rows.set(key, row);
  }
  const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { sensitivity: 'base' });
  const sorted = [...rows.values()].map((row) => ({ ...row, codes: row.codes.sort(byName) })).sort((a, b) => byName(a.codes[0]!, b.codes[0]!));
  const lines = ['| Code | Meaning | What to do |', '|---|---|---|'];
  for (const row of sorted) lines.push(`| ${row.codes.map((c) => `\`${c}\``).join(', ')} | ${cell(row.meaning)} | ${cell(row.action || 'See the message.')} |`);
  return lines.join('\n');
}

/** The Markdown with the region between the markers replaced by `table`. */
export function replaceCodesRegion(markdown: string, table: string): string {
  const start = markdown.indexOf(CODES_START);
  const end = markdown.indexOf(CODES_END);
  if (start < 0 || end < start) throw new Error(`overview.md has no ${CODES_START} … ${CODES_END} region`);
  return `${markdown.slice(0, start + CODES_START.length)}\n${table}\n${markdown.slice(end)}`;
}

/** The region between the markers (the table as committed). */
export function codesRegion(markdown: string): string {
  const start = markdown.indexOf(CODES_START);
  const end = markdown.indexOf(CODES_END);
  return start < 0 || end < start ? '' : markdown.slice(start + CODES_START.length, end);
}

/** Rewrites the troubleshooting table of overview.md from the catalogue and the source. */
export function writeCodesTable(): { codes: number; unexplained: string[]; notFound: string[] } {
  const { entries, unexplained, notFound } = collectCodes();
  const file = path.join(REPO_ROOT, 'overview.md');
  const markdown = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, replaceCodesRegion(markdown, renderCodesTable(entries)));
  return { codes: entries.length, unexplained: unexplained.map((u) => `${u.code} (${u.file})`), notFound };
}
