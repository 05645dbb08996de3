// Packs the extension: stages exactly the shipped files (build/stage.mjs), runs
// `tfx extension create` over the staging folder and checks the result. Fails when tfx prints a
// warning (tfx 0.23 only warns about invalid task.json files), when dist/ ends up with other than
// one .vsix, when the .vsix is over 1 MiB, or when it holds a file that was not staged. Before
// that, it refuses to package a task whose files changed while its version did not
// (build/task-versions.mjs).
//
// Usage: node build/package.mjs [--publisher <id>]   (or env PUBLISHER; default dataverse-alm-dev)
// Run through `npm run package`, which builds first.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';
import { repoRoot, fail } from './tasks.mjs';
import { stage, defaultStageDir } from './stage.mjs';
import { checkTaskVersions } from './task-versions.mjs';

export const MAX_VSIX_BYTES = 1024 * 1024;
/** Files tfx itself adds to every package. */
const TFX_FILES = new Set(['[Content_Types].xml', 'extension.vsixmanifest', 'extension.vsomanifest']);

const distDir = path.join(repoRoot, 'dist');
const vsixFiles = () => fs.readdirSync(distDir).filter((f) => f.endsWith('.vsix'));

function main() {
  const { values } = parseArgs({ options: { publisher: { type: 'string' } } });

  checkTaskVersions();

  fs.mkdirSync(distDir, { recursive: true });
  for (const old of vsixFiles()) fs.rmSync(path.join(distDir, old));

  const staged = stage({ outDir: defaultStageDir, publisher: values.publisher });
  console.log(`staged ${staged.length} files in dist/stage`);

  const tfx = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'tfx.cmd' : 'tfx');
  if (!fs.existsSync(tfx)) fail('tfx-cli is not installed (node_modules/.bin/tfx); run npm ci.');
  const args = ['extension', 'create', '--root', defaultStageDir, '--manifests', 'vss-extension.json',
    '--output-path', distDir + path.sep, '--no-prompt', '--no-color'];
  const run = spawnSync(tfx, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  process.stdout.write(output.endsWith('\n') || output === '' ? output : `${output}\n`);
  if (run.error) fail(`could not run tfx: ${run.error.message}`);
  if (run.status !== 0) fail(`tfx extension create exited with ${run.status}.`);
  // From here on a failure must not leave a .vsix behind that looks usable.
  const rejectPackage = (message) => {
    for (const made of vsixFiles()) fs.rmSync(path.join(distDir, made));
    fail(`${message}\nNo .vsix was kept.`);
  };
  const warnings = output.split(/\r?\n/).filter((line) => /warning:/i.test(line));
  if (warnings.length > 0) rejectPackage(`tfx reported ${warnings.length} warning(s); fix them:\n  ${warnings.join('\n  ')}`);

  const made = vsixFiles();
  if (made.length !== 1) rejectPackage(`expected exactly one .vsix in dist/, found ${made.length}: ${made.join(', ') || 'none'}.`);
  const vsix = path.join(distDir, made[0]);
  const bytes = fs.statSync(vsix).size;

  const entries = [];
  unzipSync(fs.readFileSync(vsix), { filter: (file) => { entries.push(file.name); return false; } });
  const allowed = new Set([...TFX_FILES, ...staged]);
  const isStagedFolder = (name) => name.endsWith('/') && staged.some((file) => file.startsWith(name));
  const unexpected = entries.filter((name) => !allowed.has(name) && !isStagedFolder(name));
  if (unexpected.length > 0) rejectPackage(`the .vsix holds files that were not staged: ${unexpected.join(', ')}.`);
  const missing = staged.filter((name) => name !== 'vss-extension.json' && !entries.includes(name));
  if (missing.length > 0) rejectPackage(`the .vsix lacks staged files: ${missing.join(', ')}.`);

  const size = `${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB)`;
  if (bytes > MAX_VSIX_BYTES) rejectPackage(`${path.relative(repoRoot, vsix)} is ${size}, over the 1 MiB budget.`);
  const files = entries.filter((name) => !name.endsWith('/')).length;
  console.log(`package: ${path.relative(repoRoot, vsix)}, ${size}, ${files} files`);
}

try {
  main();
} catch (error) {
  fail(error.message);
}
