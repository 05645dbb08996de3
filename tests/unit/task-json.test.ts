// The public interface of each task.json: task names, friendly names, inputs (names, types,
// defaults), output variables, handlers and the shared messages. Pipelines copy these names, so a
// change here is a breaking change and needs a new major version.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');

interface TaskInput {
  name: string;
  type: string;
  label?: string;
  defaultValue?: string | boolean;
  required?: boolean;
  helpMarkDown?: string;
  groupName?: string;
  visibleRule?: string;
  options?: Record<string, string>;
  properties?: Record<string, unknown>;
}

interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  description: string;
  helpMarkDown: string;
  category: string;
  author: string;
  version: { Major: unknown; Minor: unknown; Patch: unknown };
  minimumAgentVersion: string;
  instanceNameFormat: string;
  groups?: { name: string; displayName: string }[];
  inputs: TaskInput[];
  outputVariables: { name: string; description?: string }[];
  execution: Record<string, { target: string }>;
  messages: Record<string, string>;
}

interface ExpectedInput {
  type: string;
  defaultValue?: string;
  required?: boolean;
  options?: string[];
  visibleRule?: string;
}

const commonInputs: Record<string, ExpectedInput> = {
  PowerPlatformSPN: { type: 'connectedService:powerplatform-spn', required: true },
  Environment: { type: 'string', defaultValue: '$(BuildTools.EnvironmentUrl)' },
  PublishTestResults: { type: 'boolean', defaultValue: 'false' },
};

const expected: {
  folder: string;
  name: string;
  friendlyName: string;
  inputs: Record<string, ExpectedInput>;
  outputs: string[];
}[] = [
  {
    folder: 'DataverseDeploymentSettingsV1',
    name: 'DataverseDeploymentSettings',
    friendlyName: 'Dataverse: set deployment settings',
    inputs: {
      ...commonInputs,
      SolutionInputFile: { type: 'filePath' },
      SettingsFile: { type: 'filePath' },
      OutputFile: { type: 'filePath', defaultValue: '$(Agent.TempDirectory)/deploymentsettings.json' },
      ConnectionOwner: { type: 'string' },
      Validate: { type: 'boolean', defaultValue: 'true' },
      Target: { type: 'pickList', defaultValue: 'File', options: ['File', 'StageRun'] },
      StageRunId: { type: 'string', visibleRule: 'Target = StageRun' },
      UpdateApproval: { type: 'boolean', defaultValue: 'false', visibleRule: 'Target = StageRun' },
      FailOnMissingValues: { type: 'boolean', defaultValue: 'true' },
    },
    outputs: ['DeploymentSettingsFile', 'ReportFile'],
  },
  {
    folder: 'DataverseBindConnectionReferencesV1',
    name: 'DataverseBindConnectionReferences',
    friendlyName: 'Dataverse: bind connection references',
    inputs: {
      ...commonInputs,
      SolutionName: { type: 'string', required: true },
      SettingsFile: { type: 'filePath' },
      ConnectionOwner: { type: 'string' },
      Impersonation: { type: 'pickList', defaultValue: 'Auto', options: ['Auto', 'ConnectionOwner', 'None'] },
      FailOnUnbound: { type: 'boolean', defaultValue: 'true' },
      DryRun: { type: 'boolean', defaultValue: 'false' },
    },
    outputs: ['BoundCount', 'UnboundCount', 'ReportFile'],
  },
  {
    folder: 'DataverseActivateFlowsV1',
    name: 'DataverseActivateFlows',
    friendlyName: 'Dataverse: turn on cloud flows',
    inputs: {
      ...commonInputs,
      SolutionName: { type: 'string', required: true },
      Flows: { type: 'multiLine' },
      FlowsToTurnOff: { type: 'multiLine' },
      Impersonation: { type: 'pickList', defaultValue: 'Auto', options: ['Auto', 'ConnectionOwner', 'User', 'None'] },
      ImpersonateUser: { type: 'string', visibleRule: 'Impersonation = User' },
      MaxParallel: { type: 'string', defaultValue: '8' },
      ErrorHandling: { type: 'pickList', defaultValue: 'Fail', options: ['Fail', 'Warn'] },
      DryRun: { type: 'boolean', defaultValue: 'false' },
    },
    outputs: ['ActivatedCount', 'FailedCount', 'ReportFile'],
  },
  {
    folder: 'DataverseSaveFlowStatesV1',
    name: 'DataverseSaveFlowStates',
    friendlyName: 'Dataverse: save cloud flow states',
    inputs: {
      ...commonInputs,
      SolutionName: { type: 'string', required: true },
      OutputFile: { type: 'filePath', defaultValue: '$(Agent.TempDirectory)/flow-states.json' },
    },
    outputs: ['FlowStatesFile', 'ReportFile'],
  },
  {
    folder: 'DataverseCheckConnectionsV1',
    name: 'DataverseCheckConnections',
    friendlyName: 'Dataverse: check connections',
    inputs: {
      ...commonInputs,
      SolutionName: { type: 'string' },
      SolutionInputFile: { type: 'filePath' },
      SettingsFile: { type: 'filePath' },
      ConnectionOwner: { type: 'string' },
      Impersonation: { type: 'pickList', defaultValue: 'Auto', options: ['Auto', 'ConnectionOwner', 'None'] },
      ErrorHandling: { type: 'pickList', defaultValue: 'Fail', options: ['Fail', 'Warn'] },
    },
    outputs: ['HealthyCount', 'UnhealthyCount', 'ReportFile'],
  },
];

/** Messages the shared core formats; every task must define them with these placeholders. */
const sharedMessages: Record<string, number> = {
  InputRequired: 2,
  InputInvalid: 2,
  EnvironmentUrlInvalid: 2,
  EndpointMissing: 1,
  AuthSchemeUnsupported: 1,
  AuthFailed: 2,
  Connected: 4,
  RequestFailed: 3,
  ReportWritten: 1,
  TaskFailed: 1,
  ItemFailed: 3,
};

const placeholders = (text: string): number => (text.match(/%s/g) ?? []).length;

/** The task.json the agent gets: the bundled one, with the shared messages merged in. */
function readTask(folder: string): TaskJson {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'dist', 'tasks', folder, 'task.json'), 'utf8')) as TaskJson;
}

function readSourceTask(folder: string): TaskJson {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', folder, 'task.json'), 'utf8')) as TaskJson;
}

describe('shared messages', () => {
  const shared = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', 'common', 'messages.json'), 'utf8')) as Record<string, string>;
  const folders = fs
    .readdirSync(path.join(repoRoot, 'tasks'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && /V\d+$/.test(d.name))
    .map((d) => d.name);

  it('every bundled task.json carries the same text for each shared key', () => {
    assert.ok(Object.keys(shared).length > 0);
    for (const folder of folders) {
      const messages = readTask(folder).messages;
      for (const [key, text] of Object.entries(shared)) assert.strictEqual(messages[key], text, `${folder}: ${key}`);
    }
  });

  it('no task.json redefines a shared key (one text, one place)', () => {
    for (const folder of folders) {
      const own = Object.keys(readSourceTask(folder).messages).filter((key) => key in shared);
      assert.deepStrictEqual(own, [], `${folder} redefines shared messages`);
    }
  });
});

describe('task.json', () => {
  it('there is exactly one task folder per contract task', () => {
    const folders = fs
      .readdirSync(path.join(repoRoot, 'tasks'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && /V\d+$/.test(d.name))
      .map((d) => d.name)
      .sort();
    assert.deepStrictEqual(folders, expected.map((e) => e.folder).sort());
  });

  it('task ids and names are unique', () => {
    const tasks = expected.map((e) => readTask(e.folder));
    assert.strictEqual(new Set(tasks.map((t) => t.id.toLowerCase())).size, tasks.length);
    assert.strictEqual(new Set(tasks.map((t) => t.name.toLowerCase())).size, tasks.length);
  });

  for (const spec of expected) {
    describe(spec.folder, () => {
      const task = readTask(spec.folder);
      const byName = new Map(task.inputs.map((input) => [input.name, input]));

      it('has the contract name, friendly name and metadata', () => {
        assert.strictEqual(task.name, spec.name);
        assert.strictEqual(task.friendlyName, spec.friendlyName);
        assert.ok(task.friendlyName.length <= 40, 'friendlyName is at most 40 characters');
        assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
        assert.match(task.name, /^[A-Za-z0-9]+$/);
        assert.strictEqual(task.category, 'Deploy');
        for (const field of ['description', 'helpMarkDown', 'author', 'instanceNameFormat'] as const) {
          assert.ok(task[field].trim().length > 0, `${field} is set`);
        }
      });

      // Only the major is part of the interface (pipelines pin `@1`); minor and patch rise with
      // every shipped change (build/task-hashes.json), so they are not pinned here.
      it('has a numeric version whose major matches the folder', () => {
        assert.strictEqual(task.version.Major, 1);
        for (const part of ['Minor', 'Patch'] as const) {
          const value = task.version[part];
          assert.ok(typeof value === 'number' && Number.isInteger(value) && value >= 0, `version.${part} is a non-negative integer, is ${JSON.stringify(value)}`);
        }
        assert.strictEqual(spec.folder, `${task.name}V${String(task.version.Major)}`);
      });

      it('runs on Node 20 and Node 24 from index.js, on agent 4.248.0 or later', () => {
        assert.deepStrictEqual(Object.keys(task.execution).sort(), ['Node20_1', 'Node24']);
        assert.strictEqual(task.execution['Node20_1']!.target, 'index.js');
        assert.strictEqual(task.execution['Node24']!.target, 'index.js');
        assert.match(task.minimumAgentVersion, /^\d+\.\d+(\.\d+)?$/);
        const version = task.minimumAgentVersion.split('.').map(Number);
        const minimum = [4, 248, 0];
        const cmp = minimum.map((m, i) => (version[i] ?? 0) - m).find((d) => d !== 0) ?? 0;
        assert.ok(cmp >= 0, `minimumAgentVersion ${task.minimumAgentVersion} is 4.248.0 or later`);
      });

      it('declares every contract input with its type and default', () => {
        for (const [name, want] of Object.entries(spec.inputs)) {
          const input = byName.get(name);
          assert.ok(input, `input ${name} exists`);
          assert.strictEqual(input.type, want.type, `${name}.type`);
          assert.strictEqual(input.defaultValue ?? '', want.defaultValue ?? '', `${name}.defaultValue`);
          assert.strictEqual(input.required ?? false, want.required ?? false, `${name}.required`);
          if (want.options) assert.deepStrictEqual(Object.keys(input.options ?? {}).sort(), [...want.options].sort(), `${name}.options`);
          if (want.visibleRule) assert.strictEqual(input.visibleRule, want.visibleRule, `${name}.visibleRule`);
        }
      });

      it('has unique input names', () => {
        assert.strictEqual(byName.size, task.inputs.length);
      });

      it('explains every input, with a label', () => {
        for (const input of task.inputs) {
          assert.ok((input.label ?? '').trim(), `${input.name} has a label`);
          assert.ok((input.helpMarkDown ?? '').trim().length >= 40, `${input.name} has a useful helpMarkDown`);
        }
      });

      it('puts inputs only in groups it defines', () => {
        const groups = new Set((task.groups ?? []).map((g) => g.name));
        for (const input of task.inputs) {
          if (input.groupName !== undefined) assert.ok(groups.has(input.groupName), `${input.name} group ${input.groupName}`);
        }
      });

      it('gives boolean inputs a "true"/"false" default and multiLine inputs a resizable box', () => {
        for (const input of task.inputs) {
          if (input.type === 'boolean') assert.ok(['true', 'false'].includes(String(input.defaultValue)), `${input.name} default`);
          if (input.type === 'multiLine') assert.strictEqual(input.properties?.['resizable'], true, `${input.name} resizable`);
        }
      });

      it('declares the contract output variables with descriptions', () => {
        const names = task.outputVariables.map((o) => o.name);
        for (const name of spec.outputs) assert.ok(names.includes(name), `output variable ${name} exists`);
        for (const output of task.outputVariables) assert.ok((output.description ?? '').trim(), `${output.name} description`);
      });

      it('defines the shared messages with their placeholders', () => {
        for (const [key, count] of Object.entries(sharedMessages)) {
          const text = task.messages[key];
          assert.ok(typeof text === 'string' && text.trim(), `message ${key} exists`);
          assert.strictEqual(placeholders(text), count, `message ${key} has ${count} %s placeholder(s)`);
        }
      });
    });
  }
});
