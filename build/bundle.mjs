// Bundles every task entry `tasks/<Task>V<n>/index.ts` into one self-contained CommonJS script,
// `dist/tasks/<Task>V<n>/index.js`, and copies the task's task.json and icon.png beside it. The
// bundle needs no node_modules at run time: the agent downloads a task folder on its own and runs
// `node index.js` with its bundled Node 20 or 24.
//
// Each bundle ends with a comment naming the bundled packages and their licences; the licence texts
// go once into dist/tasks/THIRD-PARTY-NOTICES.txt, which the package ships at its root.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot, taskFolders, fail, isMain } from './tasks.mjs';
import { writeMergedTaskJson } from './hoist-shared-messages.mjs';
import { warnDuplicatePackages } from './bundle-check.mjs';

export const distTasks = path.join(repoRoot, 'dist', 'tasks');

/** esbuild options shared by every task bundle. */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Packages with separate node and browser builds (axios) must resolve to the node build.
  conditions: ['node'],
  mainFields: ['main', 'module'],
  minify: true,
  legalComments: 'eof',
  sourcemap: false,
  metafile: true,
  write: false,
  logLevel: 'silent',
  absWorkingDir: repoRoot,
  // `debug` would print the proxy URL with its password when a DEBUG variable is set.
  alias: { debug: './build/silent-debug.cjs', 'mime-db': './build/empty-mime-db.cjs', jsonwebtoken: './build/no-jsonwebtoken.cjs' },
  plugins: [axiosUnusedPartsPlugin()],
};

/**
 * Packages axios imports for features the tasks never use (its own proxy option, redirects, multipart
 * bodies) are replaced by small stubs in build/stubs/, for axios's imports only: five tasks must fit
 * in the 1 MiB package.
 */
function axiosUnusedPartsPlugin() {
  const stubs = {
    'https-proxy-agent': 'axios-https-proxy-agent.cjs',
    'follow-redirects': 'axios-follow-redirects.cjs',
    'form-data': 'axios-form-data.cjs',
  };
  return {
    name: 'axios-unused-parts',
    setup(build) {
      build.onResolve({ filter: /^(https-proxy-agent|follow-redirects|form-data)$/ }, (args) => {
        if (!/[\\/]node_modules[\\/]axios[\\/]/.test(args.importer)) return undefined;
        return { path: path.join(repoRoot, 'build', 'stubs', stubs[args.path]) };
      });
    },
  };
}

/** Inputs that must never end up in a bundle that runs on an agent. */
const FORBIDDEN_INPUTS = [
  { pattern: /node_modules\/axios\/(dist\/browser|lib\/platform\/browser)\//, why: "axios's browser build was bundled instead of its node build" },
  { pattern: /^tests\//, why: 'test code was bundled into a task' },
  { pattern: /node_modules\/debug\//, why: 'the `debug` package was bundled (it prints the proxy password when DEBUG is set)' },
];

/** `node_modules/<name>` or `node_modules/@scope/<name>` directory of a bundled input file. */
function packageRoot(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : undefined;
}

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

/** Name, version, licence and licence text of each bundled package, sorted by name. */
export function bundledPackages(inputs) {
  const roots = [...new Set(inputs.map(packageRoot).filter(Boolean))];
  const byName = new Map();
  for (const root of roots) {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, root, 'package.json'), 'utf8'));
    const licenseFile = fs.readdirSync(path.join(repoRoot, root)).find((f) => LICENSE_FILE.test(f));
    const text = licenseFile ? fs.readFileSync(path.join(repoRoot, root, licenseFile), 'utf8').trim() : '';
    const key = `${pkg.name}@${pkg.version}`;
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'see the package');
    if (!byName.has(key)) byName.set(key, { key, license, text });
  }
  return [...byName.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/**
 * A closing comment naming each bundled package and its licence. The licence texts are in one
 * file at the root of the extension package, so five tasks do not carry five copies of them.
 */
export function thirdPartyNotice(packages) {
  const lines = packages.map(({ key, license }) => `${key} (${license})`);
  const body = [`Third-party software bundled in this file, with its licence (full texts: ${NOTICES_FILE} in the extension package):`, ...lines].join('\n');
  return `\n/*!\n${body.replaceAll('*/', '* /')}\n*/\n`;
}

/** The full licence texts of every package bundled in any task. */
export function noticesText(packages) {
  const sections = packages.map(({ key, license, text }) => `${key} (${license})\n\n${text || 'No licence file in the package; licence: ' + license}`);
  return ['Third-party software bundled in the tasks of this extension, with the text of each licence.', ...sections].join(
    '\n\n----------------------------------------------------------------------\n\n',
  ) + '\n';
}

const STATEFUL = new Set(['azure-pipelines-task-lib', '@azure/msal-node', '@azure/msal-common']);

/** Bundles one task folder into `outRoot/<folder>/`. Returns the bundle size in bytes. */
export async function bundleTask(folder, outRoot = distTasks) {
  const sourceDir = path.join(repoRoot, 'tasks', folder);
  const outDir = path.join(outRoot, folder);
  const outfile = path.join(outDir, 'index.js');
  let result;
  try {
    result = await esbuild.build({ ...bundleOptions, entryPoints: [path.join(sourceDir, 'index.ts')], outfile });
  } catch (error) {
    const messages = (error.errors ?? []).map((e) => esbuild.formatMessagesSync([e], { kind: 'error' }).join(''));
    throw new Error(`bundling tasks/${folder} failed:\n${messages.join('\n') || error.message}`);
  }
  if (result.warnings.length > 0) {
    const text = esbuild.formatMessagesSync(result.warnings, { kind: 'warning' }).join('');
    throw new Error(`bundling tasks/${folder} produced warnings (a warning here is usually a run-time failure on the agent):\n${text}`);
  }
  const inputs = Object.keys(result.metafile.inputs);
  for (const { pattern, why } of FORBIDDEN_INPUTS) {
    const hit = inputs.find((input) => pattern.test(input));
    if (hit) throw new Error(`tasks/${folder}: ${why} (${hit}).`);
  }
  const duplicates = warnDuplicatePackages(folder, inputs).filter(([name]) => STATEFUL.has(name));
  if (duplicates.length > 0) {
    throw new Error(`tasks/${folder}: more than one copy of ${duplicates.map(([n, r]) => `${n} (${r.join(', ')})`).join('; ')} in the bundle.`);
  }
  const js = result.outputFiles.find((f) => f.path === outfile);
  if (!js) throw new Error(`tasks/${folder}: esbuild wrote no ${outfile}`);
  fs.mkdirSync(outDir, { recursive: true });
  const packages = bundledPackages(inputs);
  const code = Buffer.concat([Buffer.from(js.contents), Buffer.from(thirdPartyNotice(packages), 'utf8')]);
  fs.writeFileSync(outfile, code);
  writeMergedTaskJson(folder, outDir);
  fs.copyFileSync(path.join(sourceDir, 'icon.png'), path.join(outDir, 'icon.png'));
  return { bytes: code.length, packages };
}

async function main() {
  const folders = taskFolders();
  if (folders.length === 0) fail('no task folders (tasks/<Task>V<n>/) found.');
  const problems = [];
  for (const folder of folders) {
    for (const file of ['index.ts', 'task.json', 'icon.png']) {
      if (!fs.existsSync(path.join(repoRoot, 'tasks', folder, file))) {
        problems.push(`tasks/${folder}/${file} does not exist${file === 'index.ts' ? ' (the task entry script; it imports the shared core under tasks/common)' : ''}.`);
      }
    }
  }
  if (problems.length > 0) fail(`cannot bundle the tasks:\n  ${problems.join('\n  ')}`);

  fs.rmSync(distTasks, { recursive: true, force: true });
  const allPackages = new Map();
  for (const folder of folders) {
    try {
      const { bytes, packages } = await bundleTask(folder);
      for (const p of packages) allPackages.set(p.key, p);
      console.log(`bundled dist/tasks/${folder}/index.js (${(bytes / 1024).toFixed(0)} KiB)`);
    } catch (error) {
      fail(error.message);
    }
  }
  const notices = [...allPackages.values()].sort((a, b) => a.key.localeCompare(b.key));
  fs.writeFileSync(path.join(distTasks, NOTICES_FILE), noticesText(notices));
}

if (isMain(import.meta.url)) await main();
