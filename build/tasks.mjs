// Shared by the build scripts: where things are and which folders are tasks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A task folder is named after the task and its major version, e.g. `DataverseActivateFlowsV1`. */
export const TASK_FOLDER = /V\d+$/;

/** The only files a task folder ships: its metadata, its bundled entry script and its icon. */
export const TASK_FILES = ['task.json', 'index.js', 'icon.png'];

/** Names of the task folders under `<root>/tasks`, sorted. */
export function taskFolders(root = repoRoot) {
  const tasksDir = path.join(root, 'tasks');
  if (!fs.existsSync(tasksDir)) return [];
  return fs
    .readdirSync(tasksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && TASK_FOLDER.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${path.relative(repoRoot, file) || file}: ${error.message}`);
  }
}

/** True when this module is the script node was started with. */
export function isMain(importMetaUrl) {
  if (process.argv[1] === undefined) return false;
  const real = (file) => {
    try {
      return fs.realpathSync(file);
    } catch {
      return path.resolve(file);
    }
  };
  return real(process.argv[1]) === real(fileURLToPath(importMetaUrl));
}

/** Prints the message of an expected failure (no stack trace) and exits non-zero. */
export function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}
