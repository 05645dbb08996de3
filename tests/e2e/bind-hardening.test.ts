import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { CLIENT_SECRET } from '../helpers/base-scenario';
import { ALICE, bindings, FIVE_VARIABLES, fiveReferences, fiveSettingsFile, patches, runBindTask as runBindTaskUnchecked, WANTED } from '../helpers/bind-scenario';

async function runBindTask(...args: Parameters<typeof runBindTaskUnchecked>): Promise<AgentRunResult> {
  const run = await runBindTaskUnchecked(...args);
  assertNoSecretsVisible(run, [CLIENT_SECRET]);
  return run;
}

interface Item {
  name: string;
  outcome: string;
  connection?: string;
  error?: { code: string; message: string; hint?: string };
}

function itemsOf(run: AgentRunResult): Record<string, Item> {
  assert.ok(run.outputs.ReportFile, describeRun(run));
  const report = JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: Item[] };
  return Object.fromEntries(report.items.map((i) => [i.name, i]));
}

describe('DataverseBindConnectionReferences@1 hardening', function () {
  this.timeout(60_000);
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });
  const inputs = () => ({ SettingsFile: fiveSettingsFile(), ConnectionOwner: ALICE.upn });

  it('a secret ConnectionReference.* value appears in no report, summary, issue or output, and is registered as a secret', async () => {
    sim = await startSimulator({ scenario: fiveReferences() });
    const secretId = 'sql-bob';
    const { 'ConnectionReference.contoso_sql': _secret, ...others } = FIVE_VARIABLES;
    const run = await runBindTask(sim, inputs(), others, { 'ConnectionReference.contoso_sql': secretId });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(bindings(sim).contoso_sql, secretId, 'the secret value is used');
    assertNoSecretsVisible(run, [CLIENT_SECRET, secretId]);
    assert.ok(run.commands.some((c) => c.name === 'task.setsecret' && c.data === secretId), 'setSecret is issued for it');
    assert.strictEqual(itemsOf(run).contoso_sql.connection, '***');
  });

  it('a secret connection id that fails validation is still not shown', async () => {
    sim = await startSimulator({ scenario: fiveReferences() });
    const secretId = 'office-alice';
    const { 'ConnectionReference.contoso_sql': _secret, ...others } = FIVE_VARIABLES;
    const run = await runBindTask(sim, inputs(), others, { 'ConnectionReference.contoso_sql': secretId });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.strictEqual(itemsOf(run).contoso_sql.error?.code, 'ConnectionOfOtherConnector');
    // The id is also a connection the report names elsewhere (Connector.shared_office365): only the sql item is checked.
    assert.ok(!JSON.stringify(itemsOf(run).contoso_sql).includes(secretId));
    assert.ok(!run.errors.some((e) => e.includes('contoso_sql') && e.includes(secretId)), run.errors.join('\n'));
  });

  it('a write whose answer is lost is read back: reported bound, and counted from what is there', async () => {
    sim = await startSimulator({ scenario: fiveReferences() });
    const dataverseId = sim.state.connectionReference('contoso_dataverse')!.connectionreferenceid as string;
    sim.addFault({ method: 'PATCH', pathIncludes: dataverseId, kind: 'resetAfterApply', times: -1 });
    const run = await runBindTask(sim, inputs(), FIVE_VARIABLES);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(bindings(sim).contoso_dataverse, WANTED.contoso_dataverse);
    assert.strictEqual(itemsOf(run).contoso_dataverse.outcome, 'bound');
    assert.strictEqual(run.outputs.BoundCount, '5');
    assert.strictEqual(run.outputs.UnboundCount, '0');
  });

  it('after a failed write, a write whose answer was lost is rolled back too, from the state read back', async () => {
    sim = await startSimulator({ scenario: fiveReferences() });
    const before = bindings(sim);
    const dataverseId = sim.state.connectionReference('contoso_dataverse')!.connectionreferenceid as string;
    const sqlId = sim.state.connectionReference('contoso_sql')!.connectionreferenceid as string;
    sim.addFault({ method: 'PATCH', pathIncludes: dataverseId, kind: 'resetAfterApply', times: -1 });
    sim.addFault({ method: 'PATCH', pathIncludes: sqlId, kind: 'reset', times: -1 });
    const run = await runBindTask(sim, inputs(), FIVE_VARIABLES);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const items = itemsOf(run);
    assert.strictEqual(items.contoso_sql.outcome, 'failed');
    assert.strictEqual(items.contoso_dataverse.outcome, 'rolledBack', 'the landed write is undone');
    assert.deepStrictEqual(bindings(sim), before, 'every reference is back to its previous connection');
    const dataversePatches = patches(sim).filter((e) => e.path.includes(dataverseId));
    assert.ok(dataversePatches.some((e) => (e.body as { connectionid: string | null }).connectionid === null), 'the rollback was sent');
    assert.strictEqual(run.outputs.BoundCount, '1', 'only contoso_teams, left alone, is bound to its wanted connection');
    assert.strictEqual(run.outputs.UnboundCount, '3');
  });
});
