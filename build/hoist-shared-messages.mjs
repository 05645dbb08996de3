// Shared messages live once, in tasks/common/messages.json, and are merged into each task.json
// when the task is bundled (mergedTaskJson). Run as a script, it moves every message key that two
// or more task.json files define with the same text into the shared file; keys defined with
// different texts are listed as an error and nothing is changed.
//
// Usage: node build/hoist-shared-messages.mjs [--keep-different]
//   --keep-different: move the identical keys and only list the different ones.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, taskFolders, readJson, isMain, fail } from './tasks.mjs';

export const sharedMessagesFile = path.join(repoRoot, 'tasks', 'common', 'messages.json');

export function readSharedMessages(file = sharedMessagesFile) {
  return fs.existsSync(file) ? readJson(file) : {};
}

/** The task.json of a task folder with the shared messages merged in; a key in both is an error. */
export function mergedTaskJson(folder, root = repoRoot, shared = readSharedMessages(path.join(root, 'tasks', 'common', 'messages.json'))) {
  const task = readJson(path.join(root, 'tasks', folder, 'task.json'));
  const own = task.messages ?? {};
  const clashes = Object.keys(own).filter((key) => key in shared);
  if (clashes.length > 0) {
    throw new Error(`tasks/${folder}/task.json defines the shared message(s) ${clashes.join(', ')}: keep them only in tasks/common/messages.json.`);
  }
  return { ...task, messages: sortKeys({ ...own, ...shared }) };
}

/** Writes the merged task.json of a task folder into `outDir`. */
export function writeMergedTaskJson(folder, outDir, root = repoRoot) {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'task.json'), `${JSON.stringify(mergedTaskJson(folder, root), null, 2)}\n`);
}

function sortKeys(messages) {
  return Object.fromEntries(Object.entries(messages).sort(([a], [b]) => a.localeCompare(b)));
}

/** Moves keys defined by 2+ task.json files with one text into the shared file. Returns the moved keys. */
export function hoist(root = repoRoot, { keepDifferent = false } = {}) {
  const sharedFile = path.join(root, 'tasks', 'common', 'messages.json');
  const shared = readSharedMessages(sharedFile);
  const folders = taskFolders(root);
  const tasks = folders.map((folder) => ({ folder, file: path.join(root, 'tasks', folder, 'task.json') }));
  for (const task of tasks) task.json = readJson(task.file);
  const texts = new Map();
  for (const { folder, json } of tasks) {
    for (const [key, text] of Object.entries(json.messages ?? {})) {
      if (!texts.has(key)) texts.set(key, []);
      texts.get(key).push({ folder, text });
    }
  }
  const drifted = [];
  const moved = [];
  for (const [key, uses] of texts) {
    const inShared = key in shared;
    if (uses.length < 2 && !inShared) continue;
    const variants = new Set([...uses.map((u) => u.text), ...(inShared ? [shared[key]] : [])]);
    if (variants.size > 1) drifted.push(`${key}:\n${uses.map((u) => `    ${u.folder}: ${u.text}`).join('\n')}${inShared ? `\n    tasks/common/messages.json: ${shared[key]}` : ''}`);
    else moved.push(key);
  }
  const report = `messages with different texts for the same key (make them identical, or rename the task-specific ones):\n  ${drifted.join('\n  ')}`;
  if (drifted.length > 0 && !keepDifferent) throw new Error(report);
  if (drifted.length > 0) console.warn(report);
  for (const key of moved) shared[key] = texts.get(key)[0].text;
  for (const task of tasks) {
    const messages = { ...task.json.messages };
    for (const key of moved) delete messages[key];
    fs.writeFileSync(task.file, `${JSON.stringify({ ...task.json, messages }, null, 2)}\n`);
  }
  fs.writeFileSync(sharedFile, `${JSON.stringify(sortKeys(shared), null, 2)}\n`);
  return moved;
}

if (isMain(import.meta.url)) {
  try {
    const moved = hoist(repoRoot, { keepDifferent: process.argv.includes('--keep-different') });
    console.log(moved.length ? `moved to tasks/common/messages.json: ${moved.join(', ')}` : 'no shared message left in a task.json');
  } catch (error) {
    fail(error.message);
  }
}
