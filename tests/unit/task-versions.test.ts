// The build's task identity rules: derived task ids (build/task-ids.mjs) and the rule that a task
// whose shipped files change gets a new version (build/task-versions.mjs, which `npm run package`
// runs). Needs `npm run build` first (npm test does it).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const bundleDir = path.join(repoRoot, 'dist', 'tasks');

interface TaskIds {
  PRODUCTION_PUBLISHER: string;
  uuidV5(namespace: string, name: string): string;
  taskIdFor(args: { publisher: string; extensionId: string; taskName: string; committedId: string }): string;
}

type State = Record<string, { version: string; sha256: string }>;

interface TaskVersions {
  currentState(bundleDir: string): State;
  compareWithRecord(recorded: State, current: State): { unbumped: string[]; outdated: string[] };
  checkTaskVersions(args: { bundleDir: string; file: string }): void;
  updateRecord(args: { bundleDir: string; file: string; allowUnbumped?: boolean }): string[];
}

// The build scripts are ES modules; a real dynamic import (not the require TypeScript would emit).
const importModule = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
const loadBuildModule = <T>(file: string): Promise<T> => importModule<T>(pathToFileURL(path.join(repoRoot, 'build', file)).href);

describe('task ids (build/task-ids.mjs)', () => {
  let ids: TaskIds;
  before(async () => {
    ids = await loadBuildModule<TaskIds>('task-ids.mjs');
  });

  it('computes RFC 4122 version 5 UUIDs', () => {
    // The example of RFC 9562 (appendix A.4): the DNS namespace and "www.example.com".
    assert.strictEqual(ids.uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('keeps the committed id for the production publisher only', () => {
    const task = { extensionId: 'dataverse-flow-deployment', taskName: 'DataverseActivateFlows', committedId: '530f0498-5ee2-4e9d-88db-f2f704808b83' };
    assert.strictEqual(ids.taskIdFor({ ...task, publisher: ids.PRODUCTION_PUBLISHER }), task.committedId);
    const derived = ids.taskIdFor({ ...task, publisher: 'contoso-test' });
    assert.notStrictEqual(derived, task.committedId);
    assert.strictEqual(ids.taskIdFor({ ...task, publisher: 'Contoso-Test' }), derived, 'publisher ids are case-insensitive');
  });

  it('derives a different id for each publisher, extension and task name', () => {
    const base = { publisher: 'contoso-test', extensionId: 'dataverse-flow-deployment', taskName: 'DataverseActivateFlows', committedId: '530f0498-5ee2-4e9d-88db-f2f704808b83' };
    const variants = [
      base,
      { ...base, publisher: 'fabrikam' },
      { ...base, extensionId: 'dataverse-flow-deployment-test' },
      { ...base, taskName: 'DataverseSaveFlowStates' },
    ].map((args) => ids.taskIdFor(args));
    assert.strictEqual(new Set(variants).size, variants.length);
  });
});

describe('task versions (build/task-versions.mjs)', () => {
  let versions: TaskVersions;
  let temp: string;
  let bundles: string;
  let record: string;
  const folder = 'DataverseActivateFlowsV1';

  before(async () => {
    versions = await loadBuildModule<TaskVersions>('task-versions.mjs');
    assert.ok(fs.existsSync(path.join(bundleDir, folder, 'index.js')), `dist/tasks/${folder}/index.js exists (run npm run build)`);
  });

  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfd-versions-'));
    bundles = path.join(temp, 'tasks');
    fs.cpSync(bundleDir, bundles, { recursive: true });
    record = path.join(temp, 'task-hashes.json');
    versions.updateRecord({ bundleDir: bundles, file: record });
  });

  afterEach(() => {
    fs.rmSync(temp, { recursive: true, force: true });
  });

  const editTask = (edit: (task: { version: { Minor: number }; description: string }) => void): void => {
    const file = path.join(bundles, folder, 'task.json');
    const task = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: { Minor: number }; description: string };
    edit(task);
    fs.writeFileSync(file, JSON.stringify(task, null, 2));
  };
  const appendToBundle = (text: string): void => fs.appendFileSync(path.join(bundles, folder, 'index.js'), text);
  const checkError = (): string => {
    try {
      versions.checkTaskVersions({ bundleDir: bundles, file: record });
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  it('passes when nothing changed, and hashes the same files the same way', () => {
    assert.strictEqual(checkError(), '');
    assert.deepStrictEqual(versions.currentState(bundles), versions.currentState(bundleDir));
  });

  it('fails naming the task whose bundle changed under the same version', () => {
    appendToBundle('\n// changed\n');
    const message = checkError();
    assert.match(message, new RegExp(`${folder}: its files changed but its version is still 1\\.`));
    assert.ok(!message.includes('DataverseBindConnectionReferencesV1'), message);
  });

  it('treats a task.json change as a change, but not a line-ending change of the bundle', () => {
    editTask((task) => {
      task.description += ' More.';
    });
    assert.match(checkError(), new RegExp(`${folder}: its files changed`));
    fs.cpSync(path.join(bundleDir, folder, 'task.json'), path.join(bundles, folder, 'task.json'));
    const js = path.join(bundles, folder, 'index.js');
    fs.writeFileSync(js, fs.readFileSync(js, 'utf8').replaceAll('\n', '\r\n'));
    assert.strictEqual(checkError(), '');
  });

  it('accepts a change with a new version once it is recorded', () => {
    appendToBundle('\n// changed\n');
    editTask((task) => {
      task.version.Minor += 1;
    });
    assert.match(checkError(), new RegExp(`${folder}: version 1\\.\\d+\\.\\d+, recorded 1\\.\\d+\\.\\d+\\. Record it: npm run bump-check -- --update`));
    const changed = versions.updateRecord({ bundleDir: bundles, file: record });
    assert.strictEqual(changed.length, 1);
    assert.strictEqual(checkError(), '');
  });

  it('refuses to record a change under the same version unless told it was never published', () => {
    appendToBundle('\n// changed\n');
    const before = fs.readFileSync(record, 'utf8');
    assert.throws(() => versions.updateRecord({ bundleDir: bundles, file: record }), new RegExp(`${folder}: its files changed`));
    assert.strictEqual(fs.readFileSync(record, 'utf8'), before, 'the record is left as it was');
    versions.updateRecord({ bundleDir: bundles, file: record, allowUnbumped: true });
    assert.strictEqual(checkError(), '');
  });

  it('reports a task with no record and a record with no task', () => {
    const state = versions.currentState(bundles);
    const others: State = { ...state };
    delete others[folder];
    const { unbumped, outdated } = versions.compareWithRecord({ ...others, OldTaskV1: { version: '1.0.0', sha256: 'x' } }, state);
    assert.deepStrictEqual(unbumped, []);
    assert.ok(outdated.some((line) => line.startsWith(`${folder}: no recorded hash`)), outdated.join('\n'));
    assert.ok(outdated.some((line) => line.startsWith('OldTaskV1: recorded, but there is no such task folder')), outdated.join('\n'));
  });
});
