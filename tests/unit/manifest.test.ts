// The extension manifest and the task.json rules beyond the interface: where the extension installs,
// what the Marketplace shows, which variables each task may set, what the task picker shows, and
// the Node versions the repository declares.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8')) as T;

interface Manifest {
  targets: { id: string }[];
  content: Record<string, { path: string }>;
  branding?: { color?: string; theme?: string };
  files: { path: string }[];
}

interface TaskJson {
  name: string;
  description: string;
  inputs: { name: string; groupName?: string }[];
  outputVariables: { name: string }[];
  restrictions?: { commands?: { mode?: string }; settableVariables?: { allowed?: string[] } };
}

const taskFolders = fs
  .readdirSync(path.join(repoRoot, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && /V\d+$/.test(d.name))
  .map((d) => d.name)
  .sort();

describe('vss-extension.json', () => {
  const manifest = readJson<Manifest>('vss-extension.json');
  const pkg = readJson<{ version: string }>('package.json');

  it('installs on Azure DevOps Services only, where agents 4.248+ and workload identity federation exist', () => {
    assert.deepStrictEqual(manifest.targets, [{ id: 'Microsoft.VisualStudio.Services.Cloud' }]);
  });

  it('ships the overview, the licence and a changelog with a section for this version', () => {
    assert.strictEqual(manifest.content['details']?.path, 'overview.md');
    assert.strictEqual(manifest.content['license']?.path, 'LICENSE');
    assert.strictEqual(manifest.content['changelog']?.path, 'CHANGELOG.md');
    const changelog = fs.readFileSync(path.join(repoRoot, 'CHANGELOG.md'), 'utf8');
    const headings = [...changelog.matchAll(/^## (\S+)/gm)].map((m) => m[1]);
    assert.ok(headings.includes(pkg.version), `CHANGELOG.md has a "## ${pkg.version}" section (package.json version); has ${headings.join(', ')}`);
  });

  it('has a banner colour and theme', () => {
    assert.match(manifest.branding?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.branding?.theme ?? ''), `theme ${manifest.branding?.theme}`);
  });

  it('lists every task folder among its files', () => {
    const files = manifest.files.map((f) => f.path);
    for (const folder of taskFolders) assert.ok(files.includes(`tasks/${folder}`), `files lists tasks/${folder}`);
  });

  it('overview.md says, in one section, that the tasks send no telemetry', () => {
    const overview = fs.readFileSync(path.join(repoRoot, 'overview.md'), 'utf8');
    assert.strictEqual((overview.match(/^## Telemetry$/gm) ?? []).length, 1);
    assert.match(overview, /The tasks send no telemetry\./);
  });
});

describe('task.json rules for the Marketplace', () => {
  for (const folder of taskFolders) {
    describe(folder, () => {
      const task = readJson<TaskJson>(`tasks/${folder}/task.json`);

      it('may set exactly its output variables, and any command (the run summary needs it)', () => {
        const outputs = task.outputVariables.map((o) => o.name).sort();
        assert.deepStrictEqual([...(task.restrictions?.settableVariables?.allowed ?? [])].sort(), outputs);
        assert.notStrictEqual(task.restrictions?.commands?.mode, 'restricted');
      });

      it('mentions Power Platform and Power Automate in its description, for the task picker search', () => {
        assert.match(task.description, /Power Platform/);
        assert.match(task.description, /Power Automate/);
      });

      it('lists its ungrouped inputs before the grouped ones', () => {
        const firstGrouped = task.inputs.findIndex((input) => input.groupName !== undefined);
        const late = firstGrouped < 0 ? [] : task.inputs.slice(firstGrouped).filter((input) => input.groupName === undefined);
        assert.deepStrictEqual(late.map((input) => input.name), []);
      });
    });
  }
});

describe('package.json engines', () => {
  // semver 5 is in the tree through azure-pipelines-task-lib; it has Range but not subset(),
  // so the ranges are compared on a grid of Node versions.
  const semver = require('semver') as { Range: new (range: string) => { test(version: string): boolean } };
  const ours = readJson<{ engines: { node: string } }>('package.json').engines.node;
  const lock = readJson<{ packages: Record<string, { engines?: unknown }> }>('package-lock.json');
  const required = Object.entries(lock.packages)
    .filter(([name]) => name !== '')
    .map(([name, entry]) => [name, (entry.engines as { node?: unknown } | undefined)?.node] as const)
    .filter((pair): pair is readonly [string, string] => typeof pair[1] === 'string')
    .map(([name, range]) => [name, new semver.Range(range)] as const);
  const ourRange = new semver.Range(ours);

  it('allows exactly the Node versions every locked dependency allows', () => {
    assert.ok(required.length > 0, 'the lock file records engines');
    const wrong: string[] = [];
    for (let major = 14; major <= 30; major++) {
      for (let minor = 0; minor <= 40; minor++) {
        const version = `${major}.${minor}.0`;
        const refusedBy = required.filter(([, range]) => !range.test(version)).map(([name]) => name);
        const allowed = ourRange.test(version);
        if (allowed && refusedBy.length > 0) wrong.push(`${version} is allowed but ${refusedBy.join(', ')} refuse it`);
        if (!allowed && refusedBy.length === 0) wrong.push(`${version} is refused but every dependency allows it`);
      }
    }
    assert.deepStrictEqual(wrong.slice(0, 10), [], `engines.node ${ours}`);
  });
});
