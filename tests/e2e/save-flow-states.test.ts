import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { ScenarioFlow } from '../simulator/scenario';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { flowId } from '../helpers/activate-scenario';
import { flowClientData } from '../helpers/flow-definitions';
import { parseFlowStates } from '../../tasks/common/flow-states-file';

const REPORT_KEYS = ['kind', 'name', 'id', 'outcome', 'actor', 'error'];

function flow(solution: string, solutionNumber: number, n: number, name: string, statecode: 0 | 1 | 2): ScenarioFlow {
  return { id: flowId(solutionNumber, n), name, solution, statecode, clientdata: flowClientData([], []) };
}

function manyFlows(solution: string, solutionNumber: number, count: number): ScenarioFlow[] {
  return Array.from({ length: count }, (_, i) => flow(solution, solutionNumber, i + 1, `${solution} flow ${String(i + 1).padStart(3, '0')}`, i % 3 === 0 ? 0 : 1));
}

function runSave(sim: Simulator, inputs: Record<string, string>, variables: Record<string, string> = {}): Promise<AgentRunResult> {
  return runAgentTask({
    task: 'DataverseSaveFlowStatesV1',
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, OutputFile: '<sources>', ...inputs },
    endpoint: clientSecretEndpoint(sim),
    variables: { ...simulatorVariables(sim), ...variables },
    caFile: sim.caFile,
  });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writes = (sim: Simulator) => sim.log.filter((e) => e.kind === 'write');
const messages = { invalid: (reason: string) => reason, otherEnvironment: () => 'other environment' };

describe('DataverseSaveFlowStates: records the state of every cloud flow of several solutions', function () {
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-save-env',
        solutions: [{ uniqueName: 'ContosoCore' }, { uniqueName: 'ContosoSales' }],
        flows: [
          flow('ContosoCore', 1, 1, 'Core child', 1),
          flow('ContosoCore', 1, 2, 'Core kept off', 0),
          flow('ContosoCore', 1, 3, 'Core suspended', 2),
          flow('ContosoSales', 2, 1, 'SÆmpleØærligforsøk', 1),
          flow('ContosoSales', 2, 2, 'Sales ##vso[task.setvariable variable=Injected]x', 0),
        ],
      }),
    });
  });
  after(async () => sim?.stop());
  beforeEach(() => sim.clearLog());

  it('writes the states file of every solution given, with no write to the environment', async () => {
    const run = await runSave(sim, { SolutionName: 'ContosoCore,\ncontososales' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(writes(sim), [], 'the task only reads');
    assert.ok(!('Injected' in run.outputs), 'a flow name cannot set a variable');

    const file = run.outputs.FlowStatesFile;
    assert.strictEqual(file, path.join(run.workDirectory, '_temp', 'flow-states.json'), 'the default path when OutputFile is not given');
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^\{\n {2}"schemaVersion": 1,/);
    const states = parseFlowStates(text, sim.urls.dataverse, messages);
    assert.strictEqual(states.environment, sim.urls.dataverse);
    assert.deepStrictEqual(states.solutions, ['ContosoCore', 'ContosoSales'], 'the unique names as the environment spells them');
    assert.ok(!Number.isNaN(Date.parse(states.takenAt)));
    const byName = new Map(states.flows.map((f) => [f.name, f]));
    assert.strictEqual(states.flows.length, 5);
    assert.deepStrictEqual(byName.get('Core child'), { workflowId: flowId(1, 1), name: 'Core child', state: 'on' });
    assert.strictEqual(byName.get('Core kept off')?.state, 'off');
    assert.strictEqual(byName.get('Core suspended')?.state, 'suspended');
    assert.strictEqual(byName.get('SÆmpleØærligforsøk')?.state, 'on');

    const report = readJson(run.outputs.ReportFile);
    assert.strictEqual(report.task, 'DataverseSaveFlowStates');
    assert.strictEqual(report.dryRun, false);
    assert.strictEqual(report.items.length, 5);
    for (const item of report.items) {
      assert.deepStrictEqual(Object.keys(item).filter((k) => REPORT_KEYS.includes(k)).sort(), [...REPORT_KEYS].sort());
      assert.strictEqual(item.kind, 'flow');
      assert.strictEqual(item.outcome, 'recorded');
      assert.strictEqual(item.actor, null);
      assert.strictEqual(item.error, null);
    }
    assert.strictEqual(run.summaries.length, 1);
    assert.match(run.summaries[0], /Save cloud flow states: ContosoCore, ContosoSales in 127\.0\.0\.1/);
  });

  it('records an empty list for a solution not installed yet, says so, and succeeds', async () => {
    const out = path.join('states', 'first-deployment.json');
    const run = await runSave(sim, { SolutionName: 'ContosoNew', OutputFile: out });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(writes(sim), []);
    assert.match(run.stdout, /Solution 'ContosoNew' is not installed in .* yet/);
    const states = readJson(run.outputs.FlowStatesFile);
    assert.deepStrictEqual(states.flows, []);
    assert.deepStrictEqual(states.solutions, ['ContosoNew']);
    assert.deepStrictEqual(readJson(run.outputs.ReportFile).items, []);
    assert.strictEqual(run.outputs.FlowStatesFile, path.resolve(run.workDirectory, out), 'a relative OutputFile is resolved in the working folder');
  });

  it('records the installed solutions when another one is not installed yet', async () => {
    const run = await runSave(sim, { SolutionName: 'ContosoNew\nContosoSales' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const states = readJson(run.outputs.FlowStatesFile);
    assert.deepStrictEqual(states.solutions, ['ContosoNew', 'ContosoSales']);
    assert.deepStrictEqual(states.flows.map((f: { workflowId: string }) => f.workflowId).sort(), [flowId(2, 1), flowId(2, 2)]);
    assert.match(run.stdout, /Solution 'ContosoNew' is not installed/);
  });

  it('fails with one message, before any request, without SolutionName', async () => {
    const run = await runSave(sim, { SolutionName: ' , ' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /Input 'SolutionName' is required/);
    assert.deepStrictEqual(sim.log.filter((e) => e.api === 'dataverse'), []);
  });

  it('fails naming OutputFile when it is a folder', async () => {
    const run = await runSave(sim, { SolutionName: 'ContosoCore', OutputFile: '_temp' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /Input 'OutputFile' is invalid: '_temp' is a folder/);
  });
});

describe('DataverseSaveFlowStates: the number of reads does not grow with the number of flows', function () {
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-save-scale-env',
        solutions: [{ uniqueName: 'Ten' }, { uniqueName: 'FiveHundred' }],
        flows: [...manyFlows('Ten', 6, 10), ...manyFlows('FiveHundred', 7, 500)],
      }),
    });
  });
  after(async () => sim?.stop());
  beforeEach(() => sim.clearLog());

  const reads = () =>
    sim.log
      .filter((e) => e.kind === 'read')
      .map((e) => `${e.method} ${e.path}`)
      .sort();

  it('makes the same read requests for 10 flows as for 500', async () => {
    const small = await runSave(sim, { SolutionName: 'Ten' });
    assertNoSecretsVisible(small, [CLIENT_SECRET]);
    assert.strictEqual(small.result, 'Succeeded', describeRun(small));
    assert.strictEqual(readJson(small.outputs.FlowStatesFile).flows.length, 10);
    const readsForTen = reads();

    sim.clearLog();
    const large = await runSave(sim, { SolutionName: 'FiveHundred' });
    assertNoSecretsVisible(large, [CLIENT_SECRET]);
    assert.strictEqual(large.result, 'Succeeded', describeRun(large));
    const recorded = readJson(large.outputs.FlowStatesFile).flows;
    assert.strictEqual(recorded.length, 500);
    assert.strictEqual(recorded.filter((f: { state: string }) => f.state === 'off').length, 167);
    assert.deepStrictEqual(writes(sim), []);
    assert.deepStrictEqual(reads(), readsForTen);
  });

  it('records every flow of every page when the service pages the flows', async () => {
    const run = await runSave(sim, { SolutionName: 'FiveHundred' }, { 'PowerPlatform.PageSize': '50' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(readJson(run.outputs.FlowStatesFile).flows.length, 500);
    const flowPages = sim.log.filter((e) => e.method === 'GET' && e.path.endsWith('/workflows') && e.status === 200);
    assert.strictEqual(flowPages.length, 10, 'the FetchXML query was paged');
  });
});
