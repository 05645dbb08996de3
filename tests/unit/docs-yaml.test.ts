// The YAML in the documentation runs as pasted: every ```yaml block of overview.md and README.md
// parses, every step of this extension names a task that exists and uses only inputs its task.json
// declares, and every `$(step.Variable)` read from one of its steps is a declared output variable.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DOCS = ['overview.md', 'README.md'];

/** Tasks of other extensions that the migration guide shows as they are used today; not checked. */
const OTHER_EXTENSIONS_TASKS: readonly string[] = ['replacetokens@3'];

/** Variable namespaces of Azure Pipelines and of the variable conventions: `$(Build.X)` is not a step output. */
const VARIABLE_NAMESPACES = new Set([
  'agent', 'build', 'system', 'pipeline', 'release', 'environment', 'strategy', 'resources', 'tf',
  'buildtools', 'powerplatform', 'connectionreference', 'connector', 'environmentvariable',
]);

interface TaskJson {
  inputs: Array<{ name: string; aliases?: string[] }>;
  outputVariables?: Array<{ name: string }>;
}

interface Step {
  task: string;
  name?: string;
  inputs?: Record<string, unknown>;
  [key: string]: unknown;
}

interface YamlBlock {
  doc: string;
  line: number;
  errors: string[];
  value: unknown;
}

const read = (file: string): string => fs.readFileSync(path.join(repoRoot, file), 'utf8');

function yamlBlocks(doc: string): YamlBlock[] {
  const markdown = read(doc);
  const blocks: YamlBlock[] = [];
  for (const match of markdown.matchAll(/^```ya?ml[^\n]*\n([\s\S]*?)^```[ \t]*$/gm)) {
    const line = markdown.slice(0, match.index).split('\n').length;
    const parsed = parseDocument(match[1]!);
    const errors = parsed.errors.map((e) => e.message);
    blocks.push({ doc, line, errors, value: errors.length > 0 ? undefined : parsed.toJS() });
  }
  return blocks;
}

/** Every value of a parsed YAML tree, depth first, objects before their children. */
function* walk(node: unknown): Generator<unknown> {
  yield node;
  if (Array.isArray(node)) for (const item of node) yield* walk(item);
  else if (node && typeof node === 'object') for (const value of Object.values(node)) yield* walk(value);
}

const isObject = (node: unknown): node is Record<string, unknown> => !!node && typeof node === 'object' && !Array.isArray(node);

function steps(node: unknown): Step[] {
  return [...walk(node)].filter((n): n is Step => isObject(n) && typeof n['task'] === 'string');
}

function strings(node: unknown): string[] {
  return [...walk(node)].filter((n): n is string => typeof n === 'string');
}

/** `publisher.extension.contribution.Name@1` and `Name@1` both give `Name@1`. */
function taskReference(task: string): { name: string; major: string; reference: string } | undefined {
  const match = /^(?:[\w-]+\.)*(\w+)@(\d+)$/.exec(task.trim());
  return match ? { name: match[1]!, major: match[2]!, reference: `${match[1]}@${match[2]}` } : undefined;
}

function taskJson(name: string, major: string): TaskJson | undefined {
  const file = path.join(repoRoot, 'tasks', `${name}V${major}`, 'task.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson) : undefined;
}

const isBuildTools = (name: string): boolean => name.startsWith('PowerPlatform');

/** Problems with the task references and inputs of one block. */
function checkSteps(block: YamlBlock): string[] {
  const problems: string[] = [];
  for (const step of steps(block.value)) {
    const where = `${block.doc}:${block.line}: ${step.task}`;
    const ref = taskReference(step.task);
    if (!ref) {
      problems.push(`${where} is not a task reference of the form Name@major`);
      continue;
    }
    if (isBuildTools(ref.name) || OTHER_EXTENSIONS_TASKS.includes(ref.reference)) continue;
    const declared = taskJson(ref.name, ref.major);
    if (!declared) {
      problems.push(`${where}: tasks/${ref.name}V${ref.major}/task.json does not exist`);
      continue;
    }
    const known = new Set(declared.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])]));
    for (const input of Object.keys(step.inputs ?? {})) {
      if (!known.has(input)) problems.push(`${where} uses the input '${input}', which its task.json does not declare`);
    }
  }
  return problems;
}

/** Problems with the `$(step.Variable)` reads of one block; steps named in other blocks of the same page count too. */
function checkOutputReads(block: YamlBlock, pageSteps: readonly Step[]): string[] {
  const named = (stepName: string): Step[] => {
    const local = steps(block.value).filter((s) => s.name === stepName);
    return local.length > 0 ? local : pageSteps.filter((s) => s.name === stepName);
  };
  const problems: string[] = [];
  for (const text of strings(block.value)) {
    for (const match of text.matchAll(/\$\(([A-Za-z_][\w-]*)\.([\w.]+)\)/g)) {
      const [read, stepName, variable] = [match[0], match[1]!, match[2]!];
      if (VARIABLE_NAMESPACES.has(stepName.toLowerCase())) continue;
      const candidates = named(stepName);
      if (candidates.length === 0) {
        problems.push(`${block.doc}:${block.line}: ${read} reads from a step named '${stepName}', and no step has that name`);
        continue;
      }
      for (const step of candidates) {
        const ref = taskReference(step.task);
        const declared = ref && !isBuildTools(ref.name) ? taskJson(ref.name, ref.major) : undefined;
        if (declared && !(declared.outputVariables ?? []).some((o) => o.name === variable)) {
          problems.push(`${block.doc}:${block.line}: ${read}: ${step.task} declares no output variable '${variable}'`);
        }
      }
    }
  }
  return problems;
}

// --- The complete multi-stage pipeline of overview.md ---

type Stage = Record<string, unknown> & { stage: string; jobs?: unknown[]; variables?: unknown[] };

const stagesOf = (value: unknown): Stage[] => (isObject(value) && Array.isArray(value['stages']) ? (value['stages'] as Stage[]) : []);

function taskIndex(list: readonly Step[], reference: string): number {
  return list.findIndex((s) => taskReference(s.task)?.reference === reference);
}

describe('documentation YAML', () => {
  const blocksByDoc = new Map(DOCS.map((doc) => [doc, yamlBlocks(doc)]));
  const overviewBlocks = blocksByDoc.get('overview.md')!;

  for (const doc of DOCS) {
    it(`every YAML block of ${doc} parses`, () => {
      assert.deepStrictEqual(blocksByDoc.get(doc)!.filter((b) => b.errors.length > 0).map((b) => `${b.doc}:${b.line}: ${b.errors.join('; ')}`), []);
    });

    it(`every step in the YAML of ${doc} names an existing task and only its declared inputs`, () => {
      assert.deepStrictEqual(blocksByDoc.get(doc)!.flatMap(checkSteps), []);
    });

    it(`every $(step.Variable) in the YAML of ${doc} is an output the step's task declares`, () => {
      const blocks = blocksByDoc.get(doc)!;
      const pageSteps = blocks.flatMap((b) => steps(b.value));
      assert.deepStrictEqual([...new Set(blocks.flatMap((b) => checkOutputReads(b, pageSteps)))], []);
    });
  }

  it('overview.md shows every task of the extension in YAML', () => {
    const shown = new Set(overviewBlocks.flatMap((b) => steps(b.value)).map((s) => taskReference(s.task)?.reference));
    const folders = fs.readdirSync(path.join(repoRoot, 'tasks')).filter((f) => /^Dataverse\w+V\d+$/.test(f));
    const tasks = folders.map((f) => f.replace(/V(\d+)$/, '@$1'));
    assert.deepStrictEqual(tasks.filter((t) => !shown.has(t)), []);
  });

  describe('the complete multi-stage pipeline', () => {
    const pipeline = overviewBlocks.find((b) => stagesOf(b.value).length > 0 && taskIndex(steps(b.value), 'DataverseSaveFlowStates@1') >= 0);
    const stages = pipeline ? stagesOf(pipeline.value) : [];
    const deployStages = stages.filter((s) => steps(s).some((step) => taskReference(step.task)?.reference === 'DataverseActivateFlows@1'));
    const buildStage = stages.find((s) => !deployStages.includes(s));
    const published = [...walk(buildStage)]
      .filter(isObject)
      .filter((n) => typeof n['publish'] === 'string' || (typeof n['task'] === 'string' && /PublishPipelineArtifact@/.test(n['task'])))
      .map((n) => n['artifact'] ?? (isObject(n['inputs']) ? n['inputs']['artifact'] : undefined))
      .filter((a): a is string => typeof a === 'string' && a.length > 0);

    it('exists: a YAML block with stages that saves flow states', () => {
      assert.ok(pipeline, 'overview.md has a multi-stage pipeline with DataverseSaveFlowStates@1');
    });

    it('has a build stage that publishes a named artifact', () => {
      assert.ok(buildStage, 'a stage without deployment steps');
      assert.ok(published.length > 0, 'the build stage publishes a named artifact');
    });

    it('deploys to at least two environments, each in its own stage', () => {
      assert.ok(deployStages.length >= 2, `deployment stages: ${deployStages.map((s) => s.stage).join(', ')}`);
    });

    it('gives each deployment stage its own stage-scoped variable group', () => {
      const groups = deployStages.map((s) => (Array.isArray(s.variables) ? s.variables.filter(isObject).map((v) => v['group']).find((g) => typeof g === 'string') : undefined));
      assert.ok(groups.every(Boolean), `every deployment stage has variables: - group: (${groups.join(', ')})`);
      assert.strictEqual(new Set(groups).size, groups.length, 'the groups differ per stage');
    });

    it('runs each deployment in a deployment job, against an environment, that downloads the artifact', () => {
      for (const stage of deployStages) {
        const jobs = (stage.jobs ?? []).filter(isObject);
        const deployment = jobs.find((j) => typeof j['deployment'] === 'string');
        assert.ok(deployment, `stage ${stage.stage} has a deployment job`);
        assert.ok(deployment['environment'], `the deployment job of ${stage.stage} names an environment`);
        const download = [...walk(deployment)].filter(isObject).find((n) => typeof n['download'] === 'string');
        assert.ok(download, `the deployment job of ${stage.stage} has a download step`);
        assert.ok(published.includes(download['artifact'] as string), `${stage.stage} downloads the artifact the build stage publishes`);
      }
    });

    it('saves states, sets settings, checks connections, imports, binds and activates with the states file, in that order', () => {
      for (const stage of deployStages) {
        const list = steps(stage);
        const order = ['DataverseSaveFlowStates@1', 'DataverseDeploymentSettings@1', 'DataverseCheckConnections@1', 'PowerPlatformImportSolution@2', 'DataverseBindConnectionReferences@1', 'DataverseActivateFlows@1'];
        const indexes = order.map((reference) => taskIndex(list, reference));
        assert.ok(indexes.every((i) => i >= 0), `stage ${stage.stage} has every step: ${order.filter((_, n) => indexes[n]! < 0).join(', ')}`);
        assert.deepStrictEqual([...indexes].sort((a, b) => a - b), indexes, `stage ${stage.stage} runs them in order`);

        const save = list[indexes[0]!]!;
        const activate = list[indexes[5]!]!;
        assert.ok(save.name, 'the save step has a name');
        assert.strictEqual(activate.inputs?.['FlowStatesFile'], `$(${save.name}.FlowStatesFile)`);
        const settings = list[indexes[1]!]!;
        const importStep = list[indexes[3]!]!;
        assert.strictEqual(importStep.inputs?.['DeploymentSettingsFile'], `$(${settings.name}.DeploymentSettingsFile)`);
      }
    });
  });

  it('overview.md has the delegated deployment (stage run) and the scheduled connection check', () => {
    const all = overviewBlocks.map((b) => ({ block: b, list: steps(b.value) }));
    assert.ok(all.some(({ list }) => list.some((s) => taskReference(s.task)?.reference === 'DataverseDeploymentSettings@1' && s.inputs?.['Target'] === 'StageRun')));
    assert.ok(all.some(({ block, list }) => isObject(block.value) && Array.isArray(block.value['schedules']) && taskIndex(list, 'DataverseCheckConnections@1') >= 0));
  });

  it('overview.md keeps the troubleshooting table between the markers its generator replaces', () => {
    const overview = read('overview.md');
    const table = /^<!-- codes:start -->\n(\| Code \| Meaning \| What to do \|\n\|---\|---\|---\|\n(?:\|.*\|\n)+)<!-- codes:end -->$/m.exec(overview);
    assert.ok(table, 'a Code | Meaning | What to do table between <!-- codes:start --> and <!-- codes:end -->');
    assert.strictEqual(overview.split('<!-- codes:start -->').length, 2, 'one start marker');
  });

  it('README.md quick start still shows the demo and the tests', () => {
    const readme = read('README.md');
    assert.match(readme, /npm ci && npm run demo/);
    assert.match(readme, /npm ci && npm test/);
  });

  it('finds task references, inputs and output reads as the pipeline does', () => {
    const block: YamlBlock = {
      doc: 'example',
      line: 1,
      errors: [],
      value: {
        steps: [
          { task: 'DataverseActivateFlows@1', name: 'flows', inputs: { SolutionName: 'A', NoSuchInput: 'x' } },
          { task: 'DataverseNoSuchTask@1' },
          { task: 'microsoft-IsvExpTools.PowerPlatform-BuildTools.import-solution.PowerPlatformImportSolution@2', inputs: { Anything: 1 } },
          { script: 'echo $(flows.ActivatedCount) $(flows.Nope) $(Build.SourcesDirectory) $(nostep.X)' },
        ],
      },
    };
    const stepProblems = checkSteps(block);
    assert.strictEqual(stepProblems.length, 2, stepProblems.join('\n'));
    assert.match(stepProblems[0]!, /NoSuchInput/);
    assert.match(stepProblems[1]!, /DataverseNoSuchTaskV1/);
    const readProblems = checkOutputReads(block, []);
    assert.strictEqual(readProblems.length, 2, readProblems.join('\n'));
    assert.match(readProblems[0]!, /flows\.Nope/);
    assert.match(readProblems[1]!, /nostep/);
  });
});
