import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator, Scenario } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { CLIENT_SECRET } from '../helpers/base-scenario';
import { ALICE, APP_OBJECT_ID, BOB, CONNECTIONS, FIVE_VARIABLES, bindings, fiveReferences, fiveSettingsFile, CONNECTOR_VARIABLES, manyReferences, patches, runBindTask, writeSettingsFile } from '../helpers/bind-scenario';

interface Item {
  name: string;
  outcome: string;
  actor: string | null;
  actorReason: string | null;
  error: { code: string; message: string; hint?: string } | null;
}

function itemsOf(run: AgentRunResult): Record<string, Item> {
  assert.ok(run.outputs.ReportFile, `no ReportFile output\n${describeRun(run)}`);
  const report = JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: Item[] };
  return Object.fromEntries(report.items.map((i) => [i.name, i]));
}

async function bind(sim: Simulator, inputs: Record<string, string>, variables: Record<string, string> = FIVE_VARIABLES): Promise<AgentRunResult> {
  const run = await runBindTask(sim, inputs, variables);
  assertNoSecretsVisible(run, [CLIENT_SECRET]);
  return run;
}

/** The PATCH that bound a reference to a connection, as the request log holds it. */
function patchTo(sim: Simulator, connectionId: string) {
  return patches(sim).find((e) => (e.body as { connectionid?: string } | undefined)?.connectionid === connectionId);
}

describe('DataverseBindConnectionReferences@1: Impersonation Auto and the platform refusals', function () {
  let sim: Simulator | undefined;
  async function start(scenario: Scenario): Promise<Simulator> {
    sim = await startSimulator({ scenario });
    return sim;
  }
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('binds a connection shared with the service principal as it, and an unshared one as its owner, learning the sharing in the one listing', async () => {
    const connections = CONNECTIONS.map((c) => (c.name === 'office-alice' ? { ...c, sharedWith: [APP_OBJECT_ID] } : c));
    const s = await start(fiveReferences({ connections }));
    const run = await bind(s, { Impersonation: 'Auto', SettingsFile: fiveSettingsFile(), ConnectionOwner: ALICE.upn });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));

    const shared = patchTo(s, 'office-alice');
    assert.ok(shared && !shared.callerObjectId && shared.effectiveUser === APP_OBJECT_ID, 'the shared connection is bound as the service principal');
    const unshared = patchTo(s, 'dataverse-alice');
    assert.ok(unshared && unshared.callerObjectId === ALICE.objectId && unshared.effectiveUser === ALICE.objectId, 'the unshared one as its owner');
    assert.strictEqual(patchTo(s, 'sql-bob')?.effectiveUser, BOB.objectId);

    const items = itemsOf(run);
    assert.deepStrictEqual([items.contoso_office.actor, items.contoso_office.actorReason], ['servicePrincipal', 'sharedWithServicePrincipal']);
    assert.deepStrictEqual([items.contoso_dataverse.actor, items.contoso_dataverse.actorReason], [ALICE.objectId, 'connectionOwner']);
    assert.strictEqual(items.contoso_teams.actorReason, null, 'nothing written, no reason');
    assert.match(run.stdout, /Bound 'contoso_office' to connection 'office-alice' .* as the service principal \(the connection is shared with it\)/);
    assert.match(run.stdout, /Bound 'contoso_dataverse' to connection 'dataverse-alice' .* as alice@contoso\.com \([0-9a-f-]+\) \(the connection's owner\)/);

    const listings = s.log.filter((e) => e.api === 'admin' && /\/connections$/.test(e.path));
    assert.strictEqual(listings.length, 1, 'one listing, whatever the number of references');
    assert.match(decodeURIComponent(listings[0].query), /\$expand=permissions\(\$filter=maxAssignedTo\('[^']+'\)\)/);
    assert.strictEqual(bindings(s).contoso_office, 'office-alice');
  });

  it('classifies a French binding refusal of the plug-in by its inner code, with the hint to share the connection', async () => {
    const s = await start(fiveReferences({ language: 'fr' }));
    const before = bindings(s);
    const run = await bind(s, { Impersonation: 'None', SettingsFile: fiveSettingsFile(), ConnectionOwner: ALICE.upn });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const failed = Object.values(itemsOf(run)).filter((i) => i.outcome === 'failed');
    assert.ok(failed.length > 0);
    for (const item of failed) {
      assert.strictEqual(item.error?.code, 'ConnectionNotFound');
      assert.match(item.error?.message ?? '', /introuvable/, 'the platform message is kept as it came');
      assert.match(item.error?.hint ?? '', /connection of the target environment.*shared with the service principal/);
    }
    assert.deepStrictEqual(bindings(s), before, 'nothing stays changed');
  });

  it('finds the connections of a UPN ConnectionOwner when the listing gives only createdBy.id', async () => {
    const s = await start(fiveReferences({ adminCreatedByIdOnly: true }));
    const run = await bind(s, { Impersonation: 'ConnectionOwner', SettingsFile: fiveSettingsFile(), ConnectionOwner: ALICE.upn });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(bindings(s).contoso_dataverse, 'dataverse-alice');
    assert.strictEqual(bindings(s).contoso_sharepoint, 'sharepoint-alice');
    const lookups = s.log.filter((e) => e.api === 'dataverse' && /systemusers$/.test(e.path) && /PropertyName='domainname'/.test(decodeURIComponent(e.query)));
    assert.strictEqual(lookups.length, 1, 'the UPN is resolved through the environment users once');
  });

  it('accepts a connection id in the connector/id form and binds the id itself', async () => {
    const s = await start(fiveReferences());
    const settings = writeSettingsFile([
      { LogicalName: 'contoso_sharepoint', ConnectionId: 'shared_sharepointonline/sharepoint-alice' },
      { LogicalName: 'contoso_teams', ConnectionId: 'teams-bob' },
    ]);
    // From the settings file (contoso_sharepoint) and from a variable (contoso_dataverse).
    const run = await bind(s, { Impersonation: 'ConnectionOwner', SettingsFile: settings }, { ...FIVE_VARIABLES, 'ConnectionReference.contoso_dataverse': 'shared_commondataserviceforapps/dataverse-alice' });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(bindings(s).contoso_dataverse, 'dataverse-alice');
    assert.strictEqual(bindings(s).contoso_sharepoint, 'sharepoint-alice');
    assert.ok(patches(s).every((e) => !String((e.body as { connectionid?: string }).connectionid).includes('/')), 'only bare ids are written');
  });

  it('with Auto, reads the same requests for 5 and for 500 references, shared and unshared connections mixed', async () => {
    const connections = CONNECTIONS.map((c) => (c.name === 'office-alice' || c.name === 'sql-bob' ? { ...c, sharedWith: [APP_OBJECT_ID] } : c));
    const s = await start(fiveReferences({ connections, solutions: [{ uniqueName: 'Small' }, { uniqueName: 'Large' }], connectionReferences: [...manyReferences('Small', 5), ...manyReferences('Large', 500)] }));
    const variables = CONNECTOR_VARIABLES;
    const reads: Record<string, number> = {};
    for (const [solution, size] of [['Small', 5], ['Large', 500]] as const) {
      s.clearLog();
      const run = await bind(s, { SolutionName: solution, Impersonation: 'Auto' }, variables);
      assert.strictEqual(run.result, 'Succeeded', describeRun(run));
      assert.strictEqual(run.outputs.BoundCount, String(size));
      assert.ok(patches(s).some((e) => !e.callerObjectId) && patches(s).some((e) => !!e.callerObjectId), 'both paths taken');
      reads[solution] = s.log.filter((e) => e.kind === 'read').length;
    }
    assert.strictEqual(reads.Large, reads.Small, JSON.stringify(reads));
  });
});
