// The YAML in the documentation runs as pasted: every ```yaml block of README.md and overview.md
// parses, each reference to one of this extension's tasks (Dataverse*@n) names a task folder, each
// input it sets is declared in that task.json, and each output variable read from a step of one of
// these tasks ($(step.Var), or outputs['...step.Var'] across jobs and stages) is declared too.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DOCS = ['README.md', 'overview.md'];
const OUR_TASK = /^(Dataverse[A-Za-z0-9]+)@(\d+)$/;

// js-yaml is in the locked dependency tree (through mocha).
const yaml = require('js-yaml') as { load(text: string): unknown };

interface TaskJson {
  inputs: { name: string; aliases?: string[] }[];
  outputVariables: { name: string }[];
}

interface Step {
  task: string;
  name?: string;
  inputs?: Record<string, unknown>;
}

function yamlBlocks(markdown: string): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  for (const match of markdown.matchAll(/^```ya?ml[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)) {
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, text: match[1]! });
  }
  return blocks;
}

/** Every mapping with a `task:` key, anywhere in the parsed document. */
function steps(node: unknown): Step[] {
  if (Array.isArray(node)) return node.flatMap(steps);
  if (node === null || typeof node !== 'object') return [];
  const own = typeof (node as { task?: unknown }).task === 'string' ? [node as Step] : [];
  return [...own, ...Object.values(node).flatMap(steps)];
}

function readTask(folder: string): TaskJson | undefined {
  const file = path.join(repoRoot, 'tasks', folder, 'task.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson) : undefined;
}

/** `[step, variable]` of every output variable the text reads from a named step. */
function outputReads(text: string): [string, string][] {
  const macros = [...text.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  const crossJob = [...text.matchAll(/outputs\[\s*'([A-Za-z0-9_.]+)'\s*\]/g)]
    .map((m) => m[1]!.split('.'))
    .filter((parts) => parts.length >= 2)
    .map((parts) => [parts[parts.length - 2]!, parts[parts.length - 1]!] as [string, string]);
  return [...macros, ...crossJob];
}

/** Problems of one YAML block. */
function checkBlock(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = yaml.load(text);
  } catch (error) {
    return [`does not parse: ${(error as Error).message.split('\n')[0]}`];
  }
  const problems: string[] = [];
  const stepTasks = new Map<string, { reference: string; task: TaskJson }>();
  for (const step of steps(parsed)) {
    const match = OUR_TASK.exec(step.task.trim());
    if (!match) continue;
    const task = readTask(`${match[1]}V${match[2]}`);
    if (!task) {
      problems.push(`${step.task}: no such task (tasks/${match[1]}V${match[2]})`);
      continue;
    }
    const declared = new Set(task.inputs.flatMap((input) => [input.name, ...(input.aliases ?? [])].map((n) => n.toLowerCase())));
    for (const input of Object.keys(step.inputs ?? {})) {
      if (!declared.has(input.toLowerCase())) problems.push(`${step.task}: input ${input} is not declared in its task.json`);
    }
    if (typeof step.name === 'string') stepTasks.set(step.name, { reference: step.task, task });
  }
  for (const [stepName, variable] of outputReads(text)) {
    const step = stepTasks.get(stepName);
    if (step && !step.task.outputVariables.some((output) => output.name === variable)) {
      problems.push(`${stepName}.${variable}: ${step.reference} has no output variable ${variable}`);
    }
  }
  return problems;
}

describe('YAML in the documentation', () => {
  for (const doc of DOCS) {
    it(`every yaml block of ${doc} parses and uses only declared task inputs and outputs`, () => {
      const markdown = fs.readFileSync(path.join(repoRoot, doc), 'utf8');
      const problems = yamlBlocks(markdown).flatMap(({ line, text }) => checkBlock(text).map((problem) => `${doc}:${line}: ${problem}`));
      assert.deepStrictEqual(problems, []);
    });
  }

  it('finds the mistakes it is there for', () => {
    const block = [
      'jobs:',
      '- deployment: Deploy',
      '  strategy: { runOnce: { deploy: { steps: [',
      '    { task: DataverseActivateFlows@1, name: flows, inputs: { SolutionName: A, Flow: x } },',
      '    { task: DataverseNoSuchTask@1 },',
      '    { task: PowerPlatformImportSolution@2, inputs: { Anything: 1 } },',
      '    { script: "echo $(flows.ActivatedCount) $(flows.TurnedOn)" } ] } } }',
      '- job: After',
      "  variables: { n: \"$[ dependencies.Deploy.outputs['Deploy.flows.Missing'] ]\" }",
    ].join('\n');
    assert.deepStrictEqual(checkBlock(block).sort(), [
      'DataverseActivateFlows@1: input Flow is not declared in its task.json',
      'DataverseNoSuchTask@1: no such task (tasks/DataverseNoSuchTaskV1)',
      'flows.Missing: DataverseActivateFlows@1 has no output variable Missing',
      'flows.TurnedOn: DataverseActivateFlows@1 has no output variable TurnedOn',
    ]);
    assert.match(checkBlock('steps:\n- task: [unclosed\n')[0] ?? '', /^does not parse/);
  });
});
