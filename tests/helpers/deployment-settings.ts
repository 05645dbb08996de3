import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { zipSync } from 'fflate';
import { REPO_ROOT } from './agent-runner';
import type { ConventionPrefix, Localizer, VariableSource } from '../../tasks/DataverseDeploymentSettingsV1/modules/plan';

export const SETTINGS_FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'settings');
export const CONTOSO_UNPACKED = path.join(SETTINGS_FIXTURES, 'contoso-unpacked');

/** The task's messages (the bundled task.json, shared ones merged in), formatted the way task-lib's loc formats them. */
export function taskLoc(): Localizer {
  const task = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'tasks', 'DataverseDeploymentSettingsV1', 'task.json'), 'utf8')) as { messages: Record<string, string> };
  return (key, ...args) => {
    const message = task.messages[key];
    if (message === undefined) throw new Error(`no message '${key}' in task.json`);
    return util.format(message, ...args);
  };
}

/** Every file under a folder, by its path relative to it with forward slashes. */
export function readTree(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (current: string, prefix: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else files[`${prefix}${entry.name}`] = new Uint8Array(fs.readFileSync(full));
    }
  };
  walk(dir, '');
  return files;
}

export function writeTree(dir: string, files: Record<string, Uint8Array | string>): string {
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(dir, ...relative.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

export function tempDir(prefix = 'settings-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** An unpacked solution's files in the layout of the exported zip: Other/ content at the root. */
export function zipLayout(files: Record<string, Uint8Array>): Record<string, Uint8Array> {
  const result: Record<string, Uint8Array> = {};
  for (const [name, content] of Object.entries(files)) {
    const lower = name.toLowerCase();
    if (lower === 'other/solution.xml') result['solution.xml'] = content;
    else if (lower === 'other/customizations.xml') result['customizations.xml'] = content;
    else result[name] = content;
  }
  result['[Content_Types].xml'] = new TextEncoder().encode('<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/octet-stream" /></Types>');
  return result;
}

/** Writes a solution zip of the Contoso fixture (or of given files) and returns its path. */
export function writeSolutionZip(file: string, files: Record<string, Uint8Array> = zipLayout(readTree(CONTOSO_UNPACKED))): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zipSync(files, { level: 6 }));
  return file;
}

/** A VariableSource over a plain map of variables, as the agent would expose them. */
export function variablesOf(values: Record<string, string>, secretNames: string[] = []): VariableSource {
  const normalise = (name: string) => name.replace(/[.\s]/g, '_').toUpperCase();
  const secrets = new Set(secretNames.map(normalise));
  const lookup = (name: string) => {
    const key = Object.keys(values).find((k) => normalise(k) === normalise(name));
    return key === undefined || values[key] === '' ? undefined : { name, value: values[key], secret: secrets.has(normalise(key)) };
  };
  const prefixes: ConventionPrefix[] = ['ConnectionReference', 'Connector', 'EnvironmentVariable'];
  return {
    byLogicalName: (n) => lookup(`ConnectionReference.${n}`),
    byConnector: (n) => lookup(`Connector.${n}`),
    ownerFor: () => undefined,
    environmentVariable: (n) => lookup(`EnvironmentVariable.${n}`),
    list: () =>
      Object.keys(values).flatMap((name) => {
        const prefix = prefixes.find((p) => name.toLowerCase().startsWith(`${p.toLowerCase()}.`));
        return prefix ? [{ prefix, key: name.slice(prefix.length + 1), name }] : [];
      }),
  };
}
