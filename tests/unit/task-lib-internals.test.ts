// The agent host reads secret variables through task-lib internals (getVariable debug-logs values,
// secret or not). azure-pipelines-task-lib is pinned to an exact version; this test fails if an
// upgrade moves the internals the secret reader relies on.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as taskInternal from 'azure-pipelines-task-lib/internal';
import { quietly } from '../helpers/agent-host';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

describe('azure-pipelines-task-lib internals the secret reader uses', () => {
  it('is pinned to an exact version in package.json and the lock file', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const pinned = pkg.dependencies['azure-pipelines-task-lib'];
    assert.match(pinned, /^\d+\.\d+\.\d+$/, 'an exact version, no range');
    const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    assert.strictEqual(lock.packages['node_modules/azure-pipelines-task-lib']?.version, pinned);
  });

  it('still has _knownVariableMap, _getVariableKey and _vault.retrieveSecret with the same behaviour', () => {
    assert.strictEqual(typeof taskInternal._getVariableKey, 'function');
    assert.strictEqual(taskInternal._getVariableKey('Connection Reference.x_y'), 'CONNECTION_REFERENCE_X_Y');
    assert.strictEqual(typeof taskInternal._knownVariableMap, 'object');
    assert.strictEqual(typeof taskInternal._vault?.retrieveSecret, 'function');
    assert.strictEqual(typeof taskInternal._vault.storeSecret, 'function');
    const keyFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'task-lib-vault-'));
    process.env.AGENT_TEMPDIRECTORY = keyFolder;
    process.env.INPUT_TASK_LIB_PROBE = 'probe-input';
    quietly(() => taskInternal._loadData());
    assert.strictEqual(taskInternal._vault.retrieveSecret('INPUT_TASK_LIB_PROBE'), 'probe-input', 'inputs are kept in the vault by their INPUT_ key');
    assert.strictEqual(process.env.INPUT_TASK_LIB_PROBE, undefined, 'and removed from the environment');
    taskInternal._vault.storeSecret('SECRET_TASK_LIB_PROBE', 'probe-value');
    assert.strictEqual(taskInternal._vault.retrieveSecret('SECRET_TASK_LIB_PROBE'), 'probe-value');
    fs.rmSync(keyFolder, { recursive: true, force: true });
  });
});
