// Lays out exactly what the extension package holds, in a staging folder that tfx packs whole:
//
//   vss-extension.json    (version from package.json, publisher stamped)
//   overview.md, LICENSE, CHANGELOG.md   (the manifest's `content` files)
//   images/<the icons the manifest names>
//   tasks/<Task>V<n>/task.json, index.js, icon.png
//   THIRD-PARTY-NOTICES.txt   (the licence texts of the packages bundled in the tasks)
//
// A task.json keeps its committed id for the production publisher; for any other publisher it gets
// the derived id of build/task-ids.mjs, so a test build can be installed beside the Marketplace one.
//
// tfx packs everything under a `files` path, so nothing else may reach the staging folder (no
// sources, maps, node_modules or .taskkey files).
//
// Usage: node build/stage.mjs [--out <dir>] [--bundles <dir>] [--publisher <id>]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, taskFolders, TASK_FILES, readJson, isMain, fail } from './tasks.mjs';
import { taskIdFor } from './task-ids.mjs';
import { NOTICES_FILE } from './bundle.mjs';

export const DEFAULT_PUBLISHER = 'dataverse-alm-dev';
export const defaultStageDir = path.join(repoRoot, 'dist', 'stage');
export const defaultBundleDir = path.join(repoRoot, 'dist', 'tasks');

const PUBLISHER_ID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const EXTENSION_VERSION = /^\d+\.\d+\.\d+$/;

/** The publisher id: the argument, else env PUBLISHER, else the development placeholder. */
export function resolvePublisher(argument) {
  const publisher = (argument || process.env.PUBLISHER || DEFAULT_PUBLISHER).trim();
  if (!PUBLISHER_ID.test(publisher)) {
    throw new Error(`publisher '${publisher}' is not a Marketplace publisher id (letters, digits and hyphens).`);
  }
  return publisher;
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/**
 * Builds the staging folder and returns the staged files (paths relative to it, `/`-separated,
 * sorted). Throws with a message naming what is missing or inconsistent.
 */
export function stage({ outDir = defaultStageDir, bundleDir = defaultBundleDir, publisher } = {}) {
  const pkg = readJson(path.join(repoRoot, 'package.json'));
  const manifest = readJson(path.join(repoRoot, 'vss-extension.json'));
  if (!EXTENSION_VERSION.test(pkg.version ?? '')) {
    throw new Error(`package.json version '${pkg.version}' is not major.minor.patch, which the Marketplace requires.`);
  }
  manifest.version = pkg.version;
  manifest.publisher = resolvePublisher(publisher);

  const folders = taskFolders();
  const contributed = (manifest.contributions ?? [])
    .filter((c) => c.type === 'ms.vss-distributed-task.task')
    .map((c) => c.properties?.name);
  const filePaths = (manifest.files ?? []).map((f) => f.path);
  const problems = [];
  for (const folder of folders) {
    const taskPath = `tasks/${folder}`;
    if (!contributed.includes(taskPath)) problems.push(`vss-extension.json has no task contribution for ${taskPath}.`);
    if (!filePaths.includes(taskPath)) problems.push(`vss-extension.json "files" does not list ${taskPath}.`);
    for (const file of TASK_FILES) {
      if (!fs.existsSync(path.join(bundleDir, folder, file))) {
        problems.push(`${path.relative(repoRoot, path.join(bundleDir, folder, file))} is missing (run npm run build).`);
      }
    }
  }
  for (const name of contributed) {
    if (!folders.includes(path.posix.basename(name ?? ''))) problems.push(`vss-extension.json contributes ${name}, which is not a task folder.`);
  }
  const images = [...Object.values(manifest.icons ?? {}), ...(manifest.screenshots ?? []).map((s) => s.path), ...overviewImages(manifest)];
  const imageFiles = [...new Set(images.filter(Boolean))];
  const contentFiles = Object.values(manifest.content ?? {}).map((c) => c?.path);
  for (const file of [...contentFiles, ...imageFiles]) {
    if (!file) {
      problems.push('vss-extension.json has a "content" entry without a path.');
      continue;
    }
    if (!fs.existsSync(path.join(repoRoot, file))) problems.push(`${file}, named in vss-extension.json, does not exist.`);
  }
  if (!fs.existsSync(path.join(bundleDir, NOTICES_FILE))) problems.push(`${path.relative(repoRoot, path.join(bundleDir, NOTICES_FILE))} is missing (run npm run build).`);
  if (!filePaths.includes(NOTICES_FILE)) problems.push(`vss-extension.json "files" does not list ${NOTICES_FILE}.`);
  if (problems.length > 0) throw new Error(`cannot stage the extension:\n  ${problems.join('\n  ')}`);

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'vss-extension.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const file of [...contentFiles, ...imageFiles]) {
    copy(path.join(repoRoot, file), path.join(outDir, file));
  }
  copy(path.join(bundleDir, NOTICES_FILE), path.join(outDir, NOTICES_FILE));
  for (const folder of folders) {
    for (const file of TASK_FILES.filter((f) => f !== 'task.json')) {
      copy(path.join(bundleDir, folder, file), path.join(outDir, 'tasks', folder, file));
    }
    stageTaskJson(path.join(bundleDir, folder, 'task.json'), path.join(outDir, 'tasks', folder, 'task.json'), manifest);
  }
  return listFiles(outDir);
}

/**
 * The images the Marketplace page (the manifest's `details` file) shows: `images/...` paths it
 * links to. Only those are packaged, so a picture left in the folder does not weigh on the package.
 */
function overviewImages(manifest) {
  const details = manifest.content?.details?.path;
  if (!details || !fs.existsSync(path.join(repoRoot, details))) return [];
  const text = fs.readFileSync(path.join(repoRoot, details), 'utf8');
  return [...new Set([...text.matchAll(/\]\((images\/[^)\s]+)\)|src="(images\/[^"]+)"/g)].map((m) => m[1] ?? m[2]))];
}

/** Copies a task.json, with the derived task id when the package is not the production one. */
function stageTaskJson(from, to, manifest) {
  const task = readJson(from);
  const id = taskIdFor({ publisher: manifest.publisher, extensionId: manifest.id, taskName: task.name, committedId: task.id });
  if (id === task.id) {
    copy(from, to);
    return;
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, JSON.stringify({ ...task, id }, null, 2) + '\n');
}

/** Every file under `dir`, relative, `/`-separated, sorted. */
export function listFiles(dir) {
  const out = [];
  const walk = (sub) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

if (isMain(import.meta.url)) {
  try {
    const { values } = parseArgs({
      options: { out: { type: 'string' }, bundles: { type: 'string' }, publisher: { type: 'string' } },
    });
    const outDir = values.out ? path.resolve(values.out) : defaultStageDir;
    const files = stage({ outDir, bundleDir: values.bundles ? path.resolve(values.bundles) : defaultBundleDir, publisher: values.publisher });
    console.log(`staged ${files.length} files in ${path.relative(process.cwd(), outDir) || '.'}:`);
    for (const file of files) console.log(`  ${file}`);
  } catch (error) {
    fail(error.message);
  }
}
