// The agent caches a task by its version, so a task whose shipped files change must get a new
// version. build/task-hashes.json records, per task folder, the version and a SHA-256 of what
// ships for it (bundle, icon, and task.json without its version). The check fails, naming the
// task, when what ships changed while the version did not, and when the record is out of date.
//
//   npm run bump-check                      check (npm run package runs the same check)
//   npm run bump-check -- --update          record the current versions and hashes; refuses a task
//                                           whose files changed under an unchanged version
//   ... --update --allow-unbumped           record it anyway (only for a version never published)
//
// The bundles are esbuild output, which is the same for the same sources wherever it is built.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { repoRoot, taskFolders, readJson, isMain, fail } from './tasks.mjs';

export const recordPath = path.join(repoRoot, 'build', 'task-hashes.json');
export const defaultBundleDir = path.join(repoRoot, 'dist', 'tasks');

const versionText = (v) => `${v?.Major}.${v?.Minor}.${v?.Patch}`;

/** SHA-256 of what ships for one task folder, independent of its version and of line endings. */
export function taskContentHash(dir) {
  const { version: _version, ...task } = readJson(path.join(dir, 'task.json'));
  const hash = createHash('sha256');
  const part = (name, bytes) => hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  part('index.js', Buffer.from(fs.readFileSync(path.join(dir, 'index.js'), 'utf8').replaceAll('\r\n', '\n'), 'utf8'));
  part('icon.png', fs.readFileSync(path.join(dir, 'icon.png')));
  part('task.json', Buffer.from(JSON.stringify(task), 'utf8'));
  return hash.digest('hex');
}

/** `{ <folder>: { version, sha256 } }` of the built tasks in `bundleDir`. */
export function currentState(bundleDir = defaultBundleDir, folders = taskFolders()) {
  const state = {};
  for (const folder of folders) {
    const dir = path.join(bundleDir, folder);
    if (!fs.existsSync(path.join(dir, 'index.js'))) throw new Error(`${path.relative(repoRoot, dir)}/index.js is missing (run npm run build).`);
    state[folder] = { version: versionText(readJson(path.join(dir, 'task.json')).version), sha256: taskContentHash(dir) };
  }
  return state;
}

/**
 * Compares the built tasks with the record. Returns `{ unbumped, outdated }`: tasks whose files
 * changed under the recorded version, and tasks whose record is missing or has another version.
 */
export function compareWithRecord(recorded, current) {
  const unbumped = [];
  const outdated = [];
  for (const [folder, now] of Object.entries(current)) {
    const before = recorded[folder];
    if (!before) outdated.push(`${folder}: no recorded hash (a new task).`);
    else if (before.version === now.version && before.sha256 !== now.sha256) {
      unbumped.push(`${folder}: its files changed but its version is still ${now.version}; raise version.Minor or version.Patch in tasks/${folder}/task.json.`);
    } else if (before.version !== now.version) outdated.push(`${folder}: version ${now.version}, recorded ${before.version}.`);
  }
  for (const folder of Object.keys(recorded)) {
    if (!(folder in current)) outdated.push(`${folder}: recorded, but there is no such task folder.`);
  }
  return { unbumped, outdated };
}

export function readRecord(file = recordPath) {
  return fs.existsSync(file) ? readJson(file) : {};
}

export function writeRecord(state, file = recordPath) {
  const sorted = Object.fromEntries(Object.keys(state).sort().map((folder) => [folder, state[folder]]));
  fs.writeFileSync(file, JSON.stringify(sorted, null, 2) + '\n');
}

const UPDATE_HINT = 'After raising the version, record it with: npm run bump-check -- --update';

/** Throws naming every task that changed without a new version, or whose record is out of date. */
export function checkTaskVersions({ bundleDir = defaultBundleDir, file = recordPath } = {}) {
  const { unbumped, outdated } = compareWithRecord(readRecord(file), currentState(bundleDir));
  const problems = [...unbumped, ...outdated.map((line) => `${line} Record it: npm run bump-check -- --update`)];
  if (problems.length > 0) {
    throw new Error(`task versions (${path.relative(repoRoot, file)}):\n  ${problems.join('\n  ')}${unbumped.length > 0 ? `\n${UPDATE_HINT}` : ''}`);
  }
}

/** Records the current state; refuses unbumped changes unless `allowUnbumped`. Returns the lines changed. */
export function updateRecord({ bundleDir = defaultBundleDir, file = recordPath, allowUnbumped = false } = {}) {
  const recorded = readRecord(file);
  const current = currentState(bundleDir);
  const { unbumped, outdated } = compareWithRecord(recorded, current);
  if (unbumped.length > 0 && !allowUnbumped) {
    throw new Error(`not recorded:\n  ${unbumped.join('\n  ')}\n` +
      'Only for a version that was never published, record it unchanged with --update --allow-unbumped.');
  }
  writeRecord(current, file);
  return [...unbumped, ...outdated];
}

if (isMain(import.meta.url)) {
  try {
    const { values } = parseArgs({ options: { update: { type: 'boolean' }, 'allow-unbumped': { type: 'boolean' }, bundles: { type: 'string' } } });
    const bundleDir = values.bundles ? path.resolve(values.bundles) : defaultBundleDir;
    if (values.update) {
      const changed = updateRecord({ bundleDir, allowUnbumped: values['allow-unbumped'] ?? false });
      console.log(changed.length === 0 ? 'task versions: record already up to date' : `task versions recorded in build/task-hashes.json:\n  ${changed.join('\n  ')}`);
    } else {
      checkTaskVersions({ bundleDir });
      console.log('task versions: every task matches build/task-hashes.json');
    }
  } catch (error) {
    fail(error.message);
  }
}
