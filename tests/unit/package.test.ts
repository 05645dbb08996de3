// What the extension package ships: the staging step (build/stage.mjs, which `npm run package`
// hands to tfx) must lay out exactly the manifest, overview, licence, icon and, per task, only
// task.json, index.js and icon.png. And each bundled task must run from a folder with no
// node_modules, as the agent runs it. Needs `npm run build` first (npm test does it).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const bundleDir = path.join(repoRoot, 'dist', 'tasks');
const TASK_FILES = ['icon.png', 'index.js', 'task.json'];

const taskFolders = fs
  .readdirSync(path.join(repoRoot, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && /V\d+$/.test(d.name))
  .map((d) => d.name)
  .sort();

function listFiles(dir: string, sub = ''): string[] {
  return fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) => {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

const readTaskId = (dir: string): string => (JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8')) as { id: string }).id;

function runStage(args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'build', 'stage.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, PUBLISHER: '' },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The pictures the Marketplace page shows travel in the package; nothing else from images/ but the icon. */
const overviewImages = [...fs.readFileSync(path.join(repoRoot, 'overview.md'), 'utf8').matchAll(/\]\((images\/[^)\s]+)\)/g)].map((m) => m[1]);

const expectedFiles = [
  ...new Set(overviewImages),
  'CHANGELOG.md',
  'LICENSE',
  'THIRD-PARTY-NOTICES.txt',
  'images/extension-icon.png',
  'overview.md',
  'vss-extension.json',
  ...taskFolders.flatMap((folder) => TASK_FILES.map((file) => `tasks/${folder}/${file}`)),
].sort();

describe('extension package', () => {
  let temp: string;

  it('names the bundled packages in each bundle and ships their licence texts once', () => {
    const notices = fs.readFileSync(path.join(bundleDir, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const folder of taskFolders) {
      const bundle = fs.readFileSync(path.join(bundleDir, folder, 'index.js'), 'utf8');
      const listed = [...bundle.slice(bundle.lastIndexOf('/*!')).matchAll(/^(\S+@\d[^ ]*) \(/gm)].map((m) => m[1]);
      assert.ok(listed.some((p) => p.startsWith('@azure/msal-node@')), `${folder} names msal-node among its packages`);
      for (const pkg of listed) assert.ok(notices.includes(`${pkg} (`), `${pkg} of ${folder} has its licence text in the notices`);
      assert.ok(!bundle.includes('Permission is hereby granted'), `${folder} carries no licence text of its own`);
    }
  });

  before(() => {
    for (const folder of taskFolders) {
      assert.ok(fs.existsSync(path.join(bundleDir, folder, 'index.js')), `dist/tasks/${folder}/index.js exists (run npm run build)`);
    }
  });

  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfd-package-'));
  });

  afterEach(() => {
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('stages exactly the shipped files, with version and publisher stamped', () => {
    const out = path.join(temp, 'stage');
    const run = runStage(['--out', out, '--publisher', 'contoso-test']);
    assert.strictEqual(run.status, 0, run.output);
    assert.deepStrictEqual(listFiles(out).sort(), expectedFiles);

    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'vss-extension.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.strictEqual(manifest.version, pkg.version);
    assert.strictEqual(manifest.publisher, 'contoso-test');
    const contributed = manifest.contributions
      .filter((c: { type: string }) => c.type === 'ms.vss-distributed-task.task')
      .map((c: { properties: { name: string } }) => c.properties.name)
      .sort();
    assert.deepStrictEqual(contributed, taskFolders.map((f) => `tasks/${f}`));
    assert.ok(
      !manifest.contributions.some((c: { type: string }) => c.type === 'ms.vss-endpoint.service-endpoint-type'),
      'the powerplatform-spn endpoint type belongs to Power Platform Build Tools; no endpoint type is contributed',
    );
  });

  it('uses the development publisher when none is given', () => {
    const out = path.join(temp, 'stage');
    const run = runStage(['--out', out]);
    assert.strictEqual(run.status, 0, run.output);
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(out, 'vss-extension.json'), 'utf8')).publisher, 'dataverse-alm-dev');
  });

  describe('task ids', () => {
    const PRODUCTION = 'dataverse-alm';
    const committedIds = new Map(taskFolders.map((folder) => [folder, readTaskId(path.join(repoRoot, 'tasks', folder))]));

    function stagedIds(publisher: string, name: string): Map<string, string> {
      const out = path.join(temp, name);
      const run = runStage(['--out', out, '--publisher', publisher]);
      assert.strictEqual(run.status, 0, run.output);
      return new Map(taskFolders.map((folder) => [folder, readTaskId(path.join(out, 'tasks', folder))]));
    }

    it('keeps the committed ids, and the task.json bytes, for the production publisher', () => {
      assert.deepStrictEqual(stagedIds(PRODUCTION, 'prod'), committedIds);
      for (const folder of taskFolders) {
        const staged = fs.readFileSync(path.join(temp, 'prod', 'tasks', folder, 'task.json'));
        assert.ok(staged.equals(fs.readFileSync(path.join(bundleDir, folder, 'task.json'))), `${folder}/task.json is copied unchanged`);
      }
      assert.deepStrictEqual(stagedIds(PRODUCTION.toUpperCase(), 'prod-upper'), committedIds, 'publisher ids are case-insensitive');
    });

    it('derives other, distinct ids for another publisher, the same in every build', () => {
      const first = stagedIds('contoso-test', 'a');
      const again = stagedIds('contoso-test', 'b');
      const other = stagedIds('fabrikam', 'c');
      assert.deepStrictEqual(again, first, 'stable from one build to the next');
      const all = [...committedIds.values(), ...first.values(), ...other.values()];
      assert.strictEqual(new Set(all.map((id) => id.toLowerCase())).size, all.length, 'no id is shared between the three publishers or between tasks');
      for (const id of [...first.values(), ...other.values()]) {
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version 5 UUID');
      }
    });

    it('changes nothing but the id in a derived task.json', () => {
      stagedIds('contoso-test', 'derived');
      for (const folder of taskFolders) {
        const source = JSON.parse(fs.readFileSync(path.join(bundleDir, folder, 'task.json'), 'utf8')) as Record<string, unknown>;
        const staged = JSON.parse(fs.readFileSync(path.join(temp, 'derived', 'tasks', folder, 'task.json'), 'utf8')) as Record<string, unknown>;
        assert.deepStrictEqual({ ...staged, id: source['id'] }, source);
      }
    });
  });

  it('leaves out everything else found beside a bundle', () => {
    const bundles = path.join(temp, 'bundles');
    fs.cpSync(bundleDir, bundles, { recursive: true });
    for (const folder of taskFolders) {
      const dir = path.join(bundles, folder);
      fs.writeFileSync(path.join(dir, '.taskkey'), 'key');
      fs.writeFileSync(path.join(dir, 'index.js.map'), '{}');
      fs.writeFileSync(path.join(dir, 'index.ts'), '');
      fs.mkdirSync(path.join(dir, 'node_modules', 'left-over'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'node_modules', 'left-over', 'index.js'), '');
    }
    const out = path.join(temp, 'stage');
    const run = runStage(['--out', out, '--bundles', bundles]);
    assert.strictEqual(run.status, 0, run.output);
    assert.deepStrictEqual(listFiles(out).sort(), expectedFiles);
  });

  it('refuses to stage a task whose bundle is missing, naming it', () => {
    const bundles = path.join(temp, 'bundles');
    fs.cpSync(bundleDir, bundles, { recursive: true });
    const folder = taskFolders[0]!;
    fs.rmSync(path.join(bundles, folder, 'index.js'));
    const run = runStage(['--out', path.join(temp, 'stage'), '--bundles', bundles]);
    assert.notStrictEqual(run.status, 0);
    assert.ok(run.output.includes(`${folder}/index.js is missing`), run.output);
  });

  for (const folder of taskFolders) {
    it(`runs ${folder} from a folder with no node_modules`, () => {
      const dir = path.join(temp, folder);
      for (const file of TASK_FILES) {
        fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(path.join(bundleDir, folder, file), path.join(dir, file));
      }
      // No inputs at all: the task must load every dependency from the bundle, then fail cleanly
      // with one message naming a required input it did not get.
      const run = spawnSync(process.execPath, ['index.js'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30000,
        env: { PATH: process.env['PATH'] ?? '', AGENT_TEMPDIRECTORY: temp, SYSTEM_DEBUG: 'false' },
      });
      const output = `${run.stdout}${run.stderr}`;
      assert.ok(!/Cannot find module|ERR_MODULE_NOT_FOUND|ERR_REQUIRE/.test(output), output);
      const complete = /##vso\[task\.complete result=Failed;\]([^\n]*)/.exec(output);
      assert.ok(complete, `the task ends with result Failed:\n${output}`);
      const task = JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8')) as { inputs: { name: string; required?: boolean }[] };
      const required = task.inputs.filter((input) => input.required).map((input) => input.name);
      assert.ok(required.some((name) => complete[1]!.includes(name)), `the failure names one of ${required.join(', ')}: ${complete[1]}`);
    });
  }
});
