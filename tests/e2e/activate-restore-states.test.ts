import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { ScenarioFlow } from '../simulator/scenario';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { APP_ID, APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { ALICE, DAVE_DISABLED, flowId, plusDefinitionPages, readReport, runActivate } from '../helpers/activate-scenario';
import { flowClientData } from '../helpers/flow-definitions';

const CORE = 1;
const SALES = 2;

function flow(solution: string, solutionNumber: number, n: number, name: string, statecode: 0 | 1 | 2, children: string[] = []): ScenarioFlow {
  return { id: flowId(solutionNumber, n), name, solution, statecode, ownerObjectId: APP_OBJECT_ID, clientdata: flowClientData([], children) };
}

/** Core: a child, its caller, a flow deliberately kept off and a suspended one; Sales: a caller of Core's child. */
function scenario() {
  const base = baseScenario();
  return baseScenario({
    environmentId: 'contoso-restore-env',
    users: [...base.users, ALICE, DAVE_DISABLED],
    solutions: [{ uniqueName: 'ContosoCore' }, { uniqueName: 'ContosoSales' }],
    flows: [
      flow('ContosoCore', CORE, 1, 'Core child', 1),
      flow('ContosoCore', CORE, 2, 'Core caller', 1, [flowId(CORE, 1)]),
      flow('ContosoCore', CORE, 3, 'Kept off', 0),
      flow('ContosoCore', CORE, 4, 'Suspended by policy', 2),
      flow('ContosoSales', SALES, 1, 'Sales caller', 1, [flowId(CORE, 1)]),
    ],
  });
}

function runSave(sim: Simulator, solutions: string): Promise<AgentRunResult> {
  return runAgentTask({
    task: 'DataverseSaveFlowStatesV1',
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: solutions, OutputFile: '<sources>' },
    endpoint: clientSecretEndpoint(sim),
    variables: simulatorVariables(sim),
    caFile: sim.caFile,
  });
}

/** Saves the states, then has the import turn every flow on (as the importer does) and add a flow. */
async function saveThenImport(sim: Simulator): Promise<string> {
  const saved = await runSave(sim, 'ContosoCore, ContosoSales');
  assert.strictEqual(saved.result, 'Succeeded', describeRun(saved));
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'states-')), 'flow-states.json');
  fs.copyFileSync(saved.outputs.FlowStatesFile, copy);
  sim.state.simulateImport({
    turnOn: ['Kept off'],
    turnOff: ['Core child', 'Core caller', 'Sales caller'],
    addFlows: [flow('ContosoCore', CORE, 5, 'Brand new', 0)],
  });
  sim.clearLog();
  return copy;
}

const writes = (sim: Simulator) => sim.log.filter((e) => e.kind === 'write');
const stateOf = (sim: Simulator, name: string) => sim.state.snapshot().flows.find((f) => f.name === name)?.state;
const byName = (run: AgentRunResult) => new Map(readReport(run).items.map((item) => [item.name, item as typeof item & { reason: string; owner?: { from: string; to: string }; ownerKept?: unknown }]));

describe('DataverseActivateFlows: restores the flow states saved before the import', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ scenario: scenario() });
  });
  afterEach(async () => sim?.stop());

  it('turns the recorded flows back on, turns off the one kept off, and turns the new flow on; a re-run changes nothing', async () => {
    const file = await saveThenImport(sim);
    const run = await runActivate(sim, { SolutionName: 'ContosoCore\nContosoSales', FlowStatesFile: file });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    for (const name of ['Core child', 'Core caller', 'Sales caller', 'Brand new']) assert.strictEqual(stateOf(sim, name), 'on', name);
    assert.strictEqual(stateOf(sim, 'Kept off'), 'off', 'the flow deliberately kept off is off again');
    assert.strictEqual(stateOf(sim, 'Suspended by policy'), 'suspended', 'a suspended flow is left as it is');

    const items = byName(run);
    assert.strictEqual(items.get('Core child')?.reason, 'recordedOn');
    assert.strictEqual(items.get('Kept off')?.reason, 'recordedOff');
    assert.strictEqual(items.get('Kept off')?.outcome, 'deactivated');
    assert.strictEqual(items.get('Suspended by policy')?.reason, 'recordedOff');
    assert.strictEqual(items.get('Suspended by policy')?.outcome, 'alreadyInState');
    assert.strictEqual(items.get('Brand new')?.reason, 'new');
    const summary = run.summaries.join('\n');
    assert.match(summary, /recorded off/);
    assert.match(summary, /new \(NewFlows\)/);

    const turnedOn = writes(sim).map((e) => e.path);
    const child = turnedOn.indexOf(`/api/data/v9.2/workflows(${flowId(CORE, 1)})`);
    assert.ok(child >= 0 && child < turnedOn.indexOf(`/api/data/v9.2/workflows(${flowId(SALES, 1)})`), 'the child in ContosoCore goes before its caller in ContosoSales');

    sim.clearLog();
    const again = await runActivate(sim, { SolutionName: 'ContosoCore,ContosoSales', FlowStatesFile: file });
    assert.strictEqual(again.result, 'Succeeded', describeRun(again));
    assert.deepStrictEqual(writes(sim), [], 'a re-run makes no write');
  });

  it('lets Flows and FlowsToTurnOff override the file, and NewFlows Off leave the new flow off', async () => {
    const file = await saveThenImport(sim);
    const run = await runActivate(sim, { SolutionName: 'ContosoCore, ContosoSales', FlowStatesFile: file, NewFlows: 'Off', Flows: 'Kept off', FlowsToTurnOff: 'Sales caller' });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const items = byName(run);
    assert.strictEqual(stateOf(sim, 'Kept off'), 'on');
    assert.strictEqual(items.get('Kept off')?.reason, 'listed');
    assert.strictEqual(stateOf(sim, 'Sales caller'), 'off');
    assert.strictEqual(items.get('Sales caller')?.reason, 'listedOff');
    assert.strictEqual(stateOf(sim, 'Brand new'), 'off');
    assert.strictEqual(items.get('Brand new')?.reason, 'new');
    assert.strictEqual(stateOf(sim, 'Core caller'), 'on', 'the flows not listed follow the file');
  });

  it('refuses a states file taken in another environment, or one that does not parse, before any write', async () => {
    const file = await saveThenImport(sim);
    const other = JSON.parse(fs.readFileSync(file, 'utf8'));
    other.environment = 'https://fabrikam.crm.dynamics.com';
    fs.writeFileSync(file, JSON.stringify(other));
    const run = await runActivate(sim, { SolutionName: 'ContosoCore', FlowStatesFile: file });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.ok(run.resultMessage?.includes(file) && run.resultMessage.includes('fabrikam'), run.resultMessage);
    assert.deepStrictEqual(writes(sim), []);

    fs.writeFileSync(file, '{"schemaVersion": 1, "environment": ');
    const broken = await runActivate(sim, { SolutionName: 'ContosoCore', FlowStatesFile: file });
    assert.strictEqual(broken.result, 'Failed', describeRun(broken));
    assert.ok(broken.resultMessage?.includes(file), broken.resultMessage);
    assert.deepStrictEqual(writes(sim), []);
  });

  it('names a solution that does not exist', async () => {
    const run = await runActivate(sim, { SolutionName: 'ContosoCore, ContosoMissing' });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /ContosoMissing/);
    assert.deepStrictEqual(writes(sim), []);
  });
});

describe('DataverseActivateFlows: FlowOwner assigns flows before they are turned on', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ scenario: scenario() });
    sim.state.simulateImport({ turnOff: ['Core child', 'Core caller'] });
    sim.clearLog();
  });
  afterEach(async () => sim?.stop());

  it('assigns each flow that is off to the owner before turning it on, and leaves a flow that is on alone', async () => {
    const dry = await runActivate(sim, { SolutionName: 'ContosoCore', FlowsToTurnOff: 'Kept off', FlowOwner: ALICE.upn, DryRun: 'true' });
    assert.strictEqual(dry.result, 'Succeeded', describeRun(dry));
    assert.deepStrictEqual(byName(dry).get('Core child')?.owner, { from: `${APP_ID}@app`, to: ALICE.upn }, 'a dry run reports the assignment');
    assert.ok(dry.stdout.includes(`first assigned from ${APP_ID}@app to ${ALICE.upn}`), 'and logs it');
    assert.deepStrictEqual(writes(sim), []);

    const run = await runActivate(sim, { SolutionName: 'ContosoCore', FlowsToTurnOff: 'Kept off', FlowOwner: ALICE.objectId });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const items = byName(run);
    assert.deepStrictEqual(items.get('Core caller')?.owner, { from: `${APP_ID}@app`, to: ALICE.upn });
    for (const id of [flowId(CORE, 1), flowId(CORE, 2)]) {
      const events = sim.state.flowHistory.filter((e) => e.workflowId === id && e.by !== 'import').map((e) => `${e.kind}:${e.to}`);
      assert.deepStrictEqual(events, [`owner:${ALICE.objectId}`, 'state:on'], `owner first for ${id}`);
    }
    assert.ok(!sim.state.flowHistory.some((e) => e.workflowId === flowId(SALES, 1)), 'a flow of another solution is untouched');
    assert.strictEqual(items.get('Sales caller'), undefined);
    assert.strictEqual(items.get('Kept off')?.owner, undefined, 'a flow that stays off is not assigned');

    sim.clearLog();
    const again = await runActivate(sim, { SolutionName: 'ContosoCore', FlowsToTurnOff: 'Kept off', FlowOwner: ALICE.upn });
    assert.strictEqual(again.result, 'Succeeded', describeRun(again));
    assert.deepStrictEqual(writes(sim), [], 'a re-run makes no write');
  });

  it('keeps the owner of a flow that is already on, and says so', async () => {
    const run = await runActivate(sim, { SolutionName: 'ContosoSales', FlowOwner: ALICE.upn });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const item = byName(run).get('Sales caller');
    assert.strictEqual(item?.outcome, 'alreadyInState');
    assert.deepStrictEqual(item?.ownerKept, { owner: `${APP_ID}@app`, wanted: ALICE.upn });
    assert.strictEqual(item?.owner, undefined);
    assert.deepStrictEqual(writes(sim), []);
  });

  it('fails with no write when the owner is a disabled user', async () => {
    const run = await runActivate(sim, { SolutionName: 'ContosoCore', FlowOwner: DAVE_DISABLED.upn });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.ok(run.resultMessage?.includes(DAVE_DISABLED.upn as string) && run.resultMessage.includes('FlowOwner'), run.resultMessage);
    assert.deepStrictEqual(writes(sim), []);
  });

  it('fails a flow whose assignment fails, and blocks its callers', async () => {
    sim.addFault({ method: 'PATCH', pathIncludes: `workflows(${flowId(CORE, 1)})`, kind: '401', times: -1 });
    const run = await runActivate(sim, { SolutionName: 'ContosoCore', FlowsToTurnOff: 'Kept off', FlowOwner: ALICE.upn });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const items = byName(run);
    assert.strictEqual(items.get('Core child')?.outcome, 'failed');
    assert.strictEqual(items.get('Core child')?.owner, undefined, 'no owner change is reported where none was made');
    assert.strictEqual(items.get('Core caller')?.outcome, 'blocked');
    assert.ok(!sim.state.flowHistory.some((e) => e.workflowId === flowId(CORE, 2) && e.by !== 'import'), 'the caller is neither assigned nor turned on');
  });
});

describe('DataverseActivateFlows: with a states file, the number of reads does not grow with the number of flows', function () {
  let sim: Simulator;
  const many = (solution: string, number: number, count: number) =>
    Array.from({ length: count }, (_, i) => flow(solution, number, i + 1, `${solution} ${String(i + 1).padStart(3, '0')}`, i % 2 === 0 ? 1 : 0));
  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({ environmentId: 'contoso-states-scale-env', solutions: [{ uniqueName: 'Ten' }, { uniqueName: 'FiveHundred' }], flows: [...many('Ten', 8, 10), ...many('FiveHundred', 9, 500)] }),
    });
  });
  after(async () => sim?.stop());

  const reads = () =>
    sim.log
      .filter((e) => e.kind === 'read')
      .map((e) => `${e.method} ${e.path.replace(/\([0-9a-f-]{36}\)/, '(<id>)')}`)
      .sort();

  async function restore(solution: string): Promise<string[]> {
    const saved = await runSave(sim, solution);
    assert.strictEqual(saved.result, 'Succeeded', describeRun(saved));
    const names = sim.state.snapshot().flows.filter((f) => f.name.startsWith(`${solution} `)).map((f) => f.name);
    sim.state.simulateImport({ turnOn: names });
    sim.clearLog();
    const run = await runActivate(sim, { SolutionName: solution, FlowStatesFile: saved.outputs.FlowStatesFile, MaxParallel: '32' });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const items = readReport(run).items;
    assert.strictEqual(items.filter((i) => i.outcome === 'deactivated').length, names.length / 2, 'every flow recorded off is turned off again');
    return reads();
  }

  it('makes the same read requests for 10 flows as for 500, but one per extra page of definitions', async () => {
    const forTen = await restore('Ten');
    const forFiveHundred = await restore('FiveHundred');
    assert.deepStrictEqual(forFiveHundred, plusDefinitionPages(forTen, 500));
  });
});
