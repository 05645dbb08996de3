import * as assert from 'assert';
import { RequestLogEntry, Simulator, startSimulator } from '../simulator';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { DATAVERSE, FlowSpec, connectionOf, flowId, readReport, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

const SOLUTION = 'ContosoSavedBinding';
const bound = { logicalName: 'contoso_dataverse', api: DATAVERSE };
const unbound = { logicalName: 'contoso_unbound', api: DATAVERSE };
const FLOWS: FlowSpec[] = [
  { n: 1, name: 'Uses a reference bound a moment ago', uses: [bound] },
  { n: 2, name: 'Uses an unbound reference', uses: [unbound] },
];

/** The platform's refusal of a flow whose reference has no connection, as Dataverse wraps it. */
function missingConnection(logicalName: string) {
  const inner = JSON.stringify({ error: { code: 'XrmConnectionReferenceMissingConnection', message: `Connection Id missing for connection reference logical name '${logicalName}'.` } });
  return { status: 400, body: { error: { code: '0x80060467', message: `Flow client error returned with status code "BadRequest" and details "${inner}".` } } };
}

const patchesOf = (log: RequestLogEntry[], n: number) => log.filter((e) => e.method === 'PATCH' && e.path.includes(`workflows(${flowId(1, n)})`));

describe('DataverseActivateFlows: a binding still being saved (connection references are saved asynchronously)', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        connections: [connectionOf('conn-dataverse-sp', DATAVERSE, APP_OBJECT_ID)],
        solutions: [{ uniqueName: SOLUTION }],
        connectionReferences: references(SOLUTION, [{ ...bound, connection: 'conn-dataverse-sp' }, unbound]),
        flows: solutionFlows(SOLUTION, 1, FLOWS),
      }),
    });
  });
  afterEach(async () => sim?.stop());

  it('retries a flow refused for a reference that reads as bound, and fails at once one whose reference is unbound', async () => {
    let refusals = 0;
    // The first two activations of the bound flow are answered as if its binding were not saved yet.
    sim.setResponseHook((request, response) => {
      if (request.method !== 'PATCH' || !request.path.includes(`workflows(${flowId(1, 1)})`) || refusals >= 2) return undefined;
      refusals++;
      return { ...response, ...missingConnection(bound.logicalName) };
    });
    const run = await runActivate(sim, { SolutionName: SOLUTION, ErrorHandling: 'Warn' }, { variables: { 'PowerPlatform.RetryBaseDelayMs': '20' } });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    const items = readReport(run).items;
    const retried = items.find((i) => i.name === FLOWS[0].name);
    assert.strictEqual(retried?.outcome, 'activated', describeRun(run));
    assert.deepStrictEqual(retried?.waits?.map((w) => [w.reason, w.attempts]), [['savedBinding', 3]]);
    assert.strictEqual(patchesOf(sim.log, 1).length, 3, 'sent twice more after the two refusals');
    assert.ok(run.stdout.includes('saved asynchronously'), 'the log says what is waited for');

    const unboundItem = items.find((i) => i.name === FLOWS[1].name);
    assert.deepStrictEqual([unboundItem?.outcome, unboundItem?.error?.code], ['failed', 'XrmConnectionReferenceMissingConnection']);
    assert.ok(patchesOf(sim.log, 2).length <= 1, 'a reference that is really unbound is not retried');
  });
});
