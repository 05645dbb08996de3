import * as assert from 'assert';
import * as fs from 'fs';
import { RequestLogEntry, Simulator, startSimulator } from '../simulator';
import type { ScenarioCustomizationLock } from '../simulator/transient';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';

const SOLUTION = 'ContosoLocked';
const API = '/providers/Microsoft.PowerApps/apis/';
const WANTED: Record<string, string> = { contoso_office: 'office-sp', contoso_sql: 'sql-sp' };

function start(customizationLock: ScenarioCustomizationLock): Promise<Simulator> {
  return startSimulator({
    scenario: baseScenario({
      connections: [
        { name: 'office-sp', connector: 'shared_office365', createdBy: APP_OBJECT_ID },
        { name: 'sql-sp', connector: 'shared_sql', createdBy: APP_OBJECT_ID },
      ],
      solutions: [{ uniqueName: SOLUTION }],
      connectionReferences: [
        { logicalName: 'contoso_office', connectorId: `${API}shared_office365`, solution: SOLUTION },
        { logicalName: 'contoso_sql', connectorId: `${API}shared_sql`, solution: SOLUTION },
      ],
      transient: { customizationLock },
    }),
  });
}

async function bind(sim: Simulator, variables: Record<string, string> = {}): Promise<AgentRunResult> {
  const run = await runAgentTask({
    task: 'DataverseBindConnectionReferencesV1',
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: SOLUTION, Impersonation: 'None' },
    endpoint: clientSecretEndpoint(sim),
    variables: {
      ...simulatorVariables(sim),
      'PowerPlatform.RetryBaseDelayMs': '20',
      ...Object.fromEntries(Object.entries(WANTED).map(([name, connection]) => [`ConnectionReference.${name}`, connection])),
      ...variables,
    },
    caFile: sim.caFile,
  });
  assertNoSecretsVisible(run, [CLIENT_SECRET]);
  return run;
}

const bindings = (sim: Simulator) => Object.fromEntries(sim.state.snapshot().connectionReferences.map((r) => [r.logicalName, r.connectionid]));
const patches = (sim: Simulator): RequestLogEntry[] => [...sim.log].sort((a, b) => a.seq - b.seq).filter((e) => e.method === 'PATCH' && /connectionreferences\(/.test(e.path));
const LOCKED = 'CustomizationLockException';

interface BindReport {
  items: Array<{ name: string; outcome: string; error?: { code: string } | null }>;
}
const reportOf = (run: AgentRunResult) => JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as BindReport;

describe('DataverseBindConnectionReferences: a customization lock', function () {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('waits out a lock that outlasts the first update and binds every reference', async () => {
    sim = await start({ durationMs: 2500, afterRequest: { method: 'GET', pathIncludes: 'WhoAmI' } });
    const run = await bind(sim);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.deepStrictEqual(bindings(sim), WANTED);
    const sent = patches(sim);
    assert.ok(sent.some((e) => e.errorCode === LOCKED), 'the lock refused an update');
    assert.strictEqual(sent.filter((e) => e.status === 204).length, 2, 'each reference was bound once');
    assert.match(run.stdout, /Dataverse is running another solution operation \(\[EntityCustomization\]\) and refused \[Update\]/);
    assert.match(run.stdout, /The solution operation \[EntityCustomization\] is over/);
  });

  it('keeps its rollback when a wait ends in failure: the lock outlasts the limit set by PowerPlatform.CustomizationLockWaitSeconds', async () => {
    // The lock starts with the first update (which goes through) and lasts longer than one request may wait;
    // the update refused gives up after 3 s, and putting the first reference back waits until the lock is over.
    sim = await start({ durationMs: 4500, afterRequest: { method: 'PATCH', pathIncludes: 'connectionreferences(' } });
    const run = await bind(sim, { 'PowerPlatform.CustomizationLockWaitSeconds': '3' });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.deepStrictEqual(bindings(sim), { contoso_office: null, contoso_sql: null }, 'every reference is as it was before the run');

    const items = reportOf(run).items;
    const failed = items.filter((i) => i.outcome === 'failed');
    assert.strictEqual(failed.length, 1);
    assert.strictEqual(failed[0].error?.code, '0x80071151');
    const rolledBack = items.filter((i) => i.outcome === 'rolledBack');
    assert.strictEqual(rolledBack.length, 1);

    // In order: the first update, the other one refused until it gave up, then the first put back (refused, then through).
    const sent = patches(sim);
    const bound = sent.filter((e) => (e.body as { connectionid: string | null }).connectionid !== null);
    const putBack = sent.filter((e) => (e.body as { connectionid: string | null }).connectionid === null);
    assert.strictEqual(bound[0].status, 204);
    assert.ok(bound.slice(1).every((e) => e.errorCode === LOCKED), 'the other update never went through');
    assert.ok(putBack.length >= 1 && putBack[putBack.length - 1].status === 204, 'the first reference was put back');
    assert.ok(putBack[0].seq > bound[bound.length - 1].seq, 'put back after the other update gave up');
    assert.match(run.stdout, /\[Update\] was still refused after waiting \d+\.\d s for the solution operation \[EntityCustomization\] to finish \(limit 3\.0 s/);
  });
});
