import * as fs from 'fs';
import * as path from 'path';
import type { ProblemSpec } from '../../tasks/common/problems';
import { KNOWN_CODES } from './platform-codes';

// Compiled to out/tests/docs; the repository root is three levels up, the compiled tasks two.
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const COMPILED_TASKS = path.resolve(__dirname, '..', '..', 'tasks');

/** One code the tasks report, what it means and what to do, as the troubleshooting table shows it. */
export interface CodeEntry {
  code: string;
  meaning: string;
  action: string;
  /** Where the code was found: `catalogue`, `source` or `list`. */
  origin: 'catalogue' | 'source' | 'list';
}

const isProblemSpec = (value: unknown): value is ProblemSpec =>
  !!value && typeof value === 'object' && typeof (value as ProblemSpec).code === 'string' && typeof (value as ProblemSpec).messageKey === 'string';

/** Every ProblemSpec exported by a module of tasks/common/problems/, read from the compiled catalogue at run time. */
export function catalogueSpecs(): ProblemSpec[] {
  const sources = fs.readdirSync(path.join(REPO_ROOT, 'tasks', 'common', 'problems')).filter((f) => f.endsWith('.ts')).sort();
  const specs: ProblemSpec[] = [];
  for (const source of sources) {
    const exported = require(path.join(COMPILED_TASKS, 'common', 'problems', source.replace(/\.ts$/, '.js'))) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      if (isProblemSpec(value)) specs.push(value);
      else if (value && typeof value === 'object') specs.push(...Object.values(value).filter(isProblemSpec));
    }
  }
  return specs;
}

/** The codes of the catalogue, each once. */
export function catalogueCodes(): string[] {
  return [...new Set(catalogueSpecs().map((spec) => spec.code))];
}

/** All messages the tasks can show: the shared ones and each task.json's. */
export function allMessages(): Record<string, string> {
  const messages: Record<string, string> = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', 'common', 'messages.json'), 'utf8'));
  for (const folder of taskFolders()) {
    const task = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', folder, 'task.json'), 'utf8')) as { messages?: Record<string, string> };
    for (const [key, text] of Object.entries(task.messages ?? {})) messages[key] ??= text;
  }
  return messages;
}

export const taskFolders = (): string[] => fs.readdirSync(path.join(REPO_ROOT, 'tasks')).filter((name) => /V\d+$/.test(name)).sort();

/** A message as the table shows it: placeholders as `…`, one line. */
export function messageText(text: string): string {
  return text
    .replace(/([.:!?])%[sdij]\s*$/, '$1') // a detail appended to the sentence
    .replace(/(%[sdij])+/g, '…')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A code found in the source with the message or hint key next to it, if any. */
export interface SourceCode {
  code: string;
  messageKey?: string;
  hintKey?: string;
  file: string;
}

/** The TypeScript files of the tasks outside the catalogue. */
function taskSources(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'problems' && entry.name !== 'node_modules') walk(full);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  };
  walk(path.join(REPO_ROOT, 'tasks'));
  return files.sort();
}

/**
 * Codes the tasks set outside the catalogue: `code: 'X', message: loc('Key'…)` literals, maps from a
 * code to its `Problem…` message key, the codes a hint is chosen by (`case 'x': … loc('HintKey'`),
 * and the codes a function returns as a task-level code (`return 'X';` in `errorCode`).
 */
export function sourceCodes(): SourceCode[] {
  const found: SourceCode[] = [];
  for (const file of taskSources()) {
    const text = fs.readFileSync(file, 'utf8');
    const relative = path.relative(REPO_ROOT, file);
    for (const m of text.matchAll(/code:\s*'([^']+)'\s*,\s*message:\s*(?:[\w.]+\(\s*'(\w+)')?/g)) found.push({ code: m[1]!, messageKey: m[2], file: relative });
    for (const m of text.matchAll(/^\s*(\w+):\s*'(Problem\w+)',?\s*$/gm)) found.push({ code: m[1]!, messageKey: m[2], file: relative });
    for (const block of text.matchAll(/switch \([^\n]*code[^\n]*\) \{([\s\S]*?)\n\s*default:/gi)) {
      for (const group of block[1]!.matchAll(/((?:^\s*case '[^']+':[ \t{]*\n)+)([\s\S]*?)(?=^\s*case |$(?![\s\S]))/gm)) {
        const hintKey = /loc\(\s*'(Hint\w+)'/.exec(group[2]!)?.[1];
        for (const label of group[1]!.matchAll(/case '([^']+)'/g)) found.push({ code: label[1]!, hintKey, file: relative });
      }
    }
    for (const m of text.matchAll(/function errorCode[\s\S]*?\n\}/g)) {
      for (const ret of m[0].matchAll(/return '(\w+)';/g)) found.push({ code: ret[1]!, file: relative });
    }
  }
  return found;
}

/**
 * Every code any task reports, with its meaning and what to do: the catalogue's codes from their
 * message and hint texts, then the codes found in the source. `unexplained` lists codes found in
 * the source that neither have a message nor are in KNOWN_CODES; `notFound` the KNOWN_CODES the
 * scan did not find.
 */
export function collectCodes(): { entries: CodeEntry[]; unexplained: SourceCode[]; notFound: string[] } {
  const messages = allMessages();
  const text = (key: string | undefined): string => (key && messages[key] ? messageText(messages[key]) : '');
  const entries = new Map<string, CodeEntry>();
  const key = (code: string): string => code.toLowerCase();

  for (const spec of catalogueSpecs()) {
    if (!entries.has(key(spec.code))) entries.set(key(spec.code), { code: spec.code, meaning: text(spec.messageKey), action: text(spec.hintKey), origin: 'catalogue' });
  }

  const known = new Map(KNOWN_CODES.map((k) => [key(k.code), k]));
  const unexplained: SourceCode[] = [];
  for (const found of sourceCodes()) {
    const existing = entries.get(key(found.code));
    if (existing) {
      if (!existing.action && found.hintKey) existing.action = text(found.hintKey);
      continue;
    }
    const listed = known.get(key(found.code));
    const meaning = listed?.meaning || text(found.messageKey);
    if (!meaning) {
      unexplained.push(found);
      continue;
    }
    entries.set(key(found.code), { code: listed?.code ?? found.code, meaning, action: text(found.hintKey) || listed?.action || '', origin: listed ? 'list' : 'source' });
  }
  // A listed code the scan no longer finds (the source changed shape) stays in the table, with a warning.
  const notFound = KNOWN_CODES.filter((k) => k.meaning && !entries.has(key(k.code)));
  for (const listed of notFound) entries.set(key(listed.code), { code: listed.code, meaning: listed.meaning!, action: listed.action ?? '', origin: 'list' });
  return { entries: [...entries.values()], unexplained, notFound: notFound.map((k) => k.code) };
}
