import * as assert from 'assert';
import { RequestLogEntry, Simulator, startSimulator } from '../simulator';
import { Scenario } from '../simulator/scenario';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { ALICE, BOB, connectionOf, flowId, FlowSpec, plusDefinitionPages, readReport, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

const SOLUTION = 'ContosoAuto';
const shared = { logicalName: 'auto_outlook_shared', api: 'shared_office365' };
const unshared = { logicalName: 'auto_outlook_alice', api: 'shared_office365' };
const runOnly = { logicalName: 'auto_weather_alice', api: 'shared_msnweather', runtimeSource: 'invoker' as const };
const runOnlyShared = { logicalName: 'auto_weather_shared', api: 'shared_msnweather', runtimeSource: 'invoker' as const };

const FLOWS: FlowSpec[] = [
  { n: 1, name: 'Uses a shared connection', uses: [shared] },
  { n: 2, name: 'Uses an unshared connection', uses: [unshared] },
  { n: 3, name: 'Run-only, not shared', uses: [runOnly] },
  { n: 4, name: 'Run-only, shared', uses: [runOnlyShared] },
  { n: 5, name: 'Two owners', uses: [shared, unshared] },
];
const id = (n: number) => flowId(1, n);

/** Bob's connections are shared with the service principal (Can use); Alice's are not. */
function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return baseScenario({
    environmentId: 'contoso-auto-env',
    users: [...baseScenario().users, ALICE, BOB],
    connections: [
      connectionOf('conn-outlook-bob', 'shared_office365', BOB, [APP_OBJECT_ID]),
      connectionOf('conn-outlook-alice', 'shared_office365', ALICE),
      connectionOf('conn-weather-alice', 'shared_msnweather', ALICE),
      connectionOf('conn-weather-bob', 'shared_msnweather', BOB, [APP_OBJECT_ID]),
    ],
    solutions: [{ uniqueName: SOLUTION }],
    connectionReferences: references(SOLUTION, [
      { ...shared, connection: 'conn-outlook-bob' },
      { ...unshared, connection: 'conn-outlook-alice' },
      { ...runOnly, connection: 'conn-weather-alice' },
      { ...runOnlyShared, connection: 'conn-weather-bob' },
    ]),
    flows: solutionFlows(SOLUTION, 1, FLOWS),
    ...overrides,
  });
}

const activationOf = (log: RequestLogEntry[], n: number) => log.find((e) => e.method === 'PATCH' && e.path.includes(`workflows(${id(n)})`));
const itemNamed = (run: Parameters<typeof readReport>[0], name: string) => readReport(run).items.find((item) => item.name === name);

describe('DataverseActivateFlows: Impersonation Auto', function () {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('turns a flow whose connections are shared with the service principal on as it, and one whose connection is not as its owner', async () => {
    sim = await startSimulator({ scenario: scenario() });
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses a shared connection\nUses an unshared connection' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));

    const asSp = itemNamed(run, 'Uses a shared connection');
    assert.deepStrictEqual([asSp?.outcome, asSp?.actor, asSp?.actorReason], ['activated', 'servicePrincipal', 'sharedWithServicePrincipal']);
    const asOwner = itemNamed(run, 'Uses an unshared connection');
    assert.deepStrictEqual([asOwner?.outcome, asOwner?.actor, asOwner?.actorReason], ['activated', ALICE.objectId, 'connectionOwner']);

    // The request log shows both identities.
    const first = activationOf(sim.log, 1);
    const second = activationOf(sim.log, 2);
    assert.deepStrictEqual([first?.callerObjectId, first?.effectiveUser], [undefined, APP_OBJECT_ID]);
    assert.deepStrictEqual([second?.callerObjectId, second?.effectiveUser], [ALICE.objectId, ALICE.objectId]);
    const flows = sim.state.snapshot().flows;
    assert.strictEqual(flows.find((f) => f.id === id(1))?.activatedBy, APP_OBJECT_ID);
    assert.strictEqual(flows.find((f) => f.id === id(2))?.activatedBy, ALICE.objectId);

    // Sharing was learnt from the one connection listing, asking for the service principal's role assignments.
    const listings = sim.log.filter((e) => e.api === 'admin' && /\/connections$/.test(e.path));
    assert.strictEqual(listings.length, 1);
    assert.ok(decodeURIComponent(listings[0].query).includes(`$expand=permissions($filter=maxAssignedTo('${APP_OBJECT_ID}'))`), listings[0].query);
    // The owner acted as was verified first: WhoAmI as Alice, answered as Alice.
    assert.deepStrictEqual(
      sim.log.filter((e) => e.path.endsWith('/WhoAmI') && e.callerObjectId).map((e) => [e.callerObjectId, e.effectiveUser]),
      [[ALICE.objectId, ALICE.objectId]],
    );
  });

  it('when Dataverse ignores CallerObjectId for activation, the unshared flow fails as "impersonation ignored" naming the connection, and none is reported on as an owner', async () => {
    sim = await startSimulator({ scenario: scenario({ ignoreCallerObjectIdForActivation: true }) });
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses a shared connection\nUses an unshared connection', ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    const failed = itemNamed(run, 'Uses an unshared connection');
    assert.strictEqual(failed?.outcome, 'failed');
    assert.strictEqual(failed?.error?.code, 'ImpersonationIgnored');
    assert.match(failed?.error?.message ?? '', /impersonation was ignored.*'conn-outlook-alice'/);
    assert.match(failed?.error?.hint ?? '', /Share the connection 'conn-outlook-alice' \(owned by alice@contoso\.com\) with the service principal/);
    assert.strictEqual(itemNamed(run, 'Uses a shared connection')?.outcome, 'activated');
    const activated = readReport(run).items.filter((item) => item.outcome === 'activated');
    const flows = sim.state.snapshot().flows;
    for (const item of activated) {
      const flow = flows.find((f) => f.id === item.id);
      assert.strictEqual(item.actor === 'servicePrincipal' ? APP_OBJECT_ID : item.actor, flow?.activatedBy, `${item.name} is reported on as whom it was turned on as`);
    }
  });

  it('verifies the owner is really acted as: WhoAmI answering as the service principal fails the flow as "impersonation ignored" before any write for it', async () => {
    sim = await startSimulator({ scenario: scenario() });
    const aliceUserId = String(sim.state.userByObjectId(ALICE.objectId)?.systemuserid);
    const spUserId = String(sim.state.userByObjectId(APP_OBJECT_ID)?.systemuserid);
    // Dataverse answers a CallerObjectId it does not honour as the caller.
    sim.setResponseHook((request, response) => {
      const body = response.body as { UserId?: string } | undefined;
      if (!request.path.endsWith('/WhoAmI') || body?.UserId !== aliceUserId) return undefined;
      return { ...response, body: { ...body, UserId: spUserId } };
    });
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses a shared connection\nUses an unshared connection', ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    const failed = itemNamed(run, 'Uses an unshared connection');
    assert.deepStrictEqual([failed?.outcome, failed?.error?.code], ['failed', 'ImpersonationIgnored']);
    assert.match(failed?.error?.hint ?? '', /with the service principal/);
    assert.strictEqual(activationOf(sim.log, 2), undefined, 'nothing was sent as the owner');
    assert.strictEqual(itemNamed(run, 'Uses a shared connection')?.outcome, 'activated');
  });

  it('with ConnectionOwner, a change the platform ran as the service principal instead of the owner is reported as made by the service principal', async () => {
    sim = await startSimulator({ scenario: scenario({ ignoreCallerObjectIdForActivation: true }) });
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses a shared connection', Impersonation: 'ConnectionOwner' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.strictEqual(activationOf(sim.log, 1)?.callerObjectId, BOB.objectId, 'requested as the owner');
    assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === id(1))?.activatedBy, APP_OBJECT_ID, 'turned on as the service principal');
    const item = itemNamed(run, 'Uses a shared connection');
    assert.deepStrictEqual([item?.outcome, item?.actor, item?.actorReason], ['activated', 'servicePrincipal', 'impersonationIgnored']);
    assert.ok(run.warnings.some((warning) => /impersonation was ignored/.test(warning)), describeRun(run));
  });

  it('classifies a French refusal of ignored impersonation, and a Spanish refusal of an impersonated activation, by their codes', async () => {
    sim = await startSimulator({ scenario: scenario({ language: 'fr', ignoreCallerObjectIdForActivation: true }) });
    const french = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses an unshared connection' });
    assertNoSecretsVisible(french, [CLIENT_SECRET]);
    assert.strictEqual(french.result, 'Failed', describeRun(french));
    const ignored = itemNamed(french, 'Uses an unshared connection');
    assert.strictEqual(ignored?.error?.code, 'ImpersonationIgnored');
    assert.match(ignored?.error?.hint ?? '', /'conn-outlook-alice'/);
    await sim.stop();

    sim = await startSimulator({ scenario: scenario({ language: 'es' }) });
    const spanish = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Two owners' });
    assertNoSecretsVisible(spanish, [CLIENT_SECRET]);
    assert.strictEqual(spanish.result, 'Failed', describeRun(spanish));
    const refused = itemNamed(spanish, 'Two owners') as NonNullable<ReturnType<typeof itemNamed>> & { error: { rawMessage?: string } };
    assert.strictEqual(refused.error?.code, 'ConnectionAuthorizationFailed');
    assert.match(refused.error?.hint ?? '', /Share the connection 'conn-outlook-alice' \(owned by alice@contoso\.com\) with the service principal .* Impersonation Auto/);
    assert.match(refused.error?.rawMessage ?? '', /^Se devolvió el error del cliente de flujo/, 'the raw platform message is kept');
  });

  it('finds a UPN owner whose connections the listing gives without userPrincipalName', async () => {
    sim = await startSimulator({ scenario: scenario({ adminCreatedByIdOnly: true }) });
    const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses an unshared connection\nUses a shared connection', Impersonation: 'User', ImpersonateUser: BOB.upn, ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(itemNamed(run, 'Uses a shared connection')?.actor, BOB.objectId, describeRun(run));
    assert.strictEqual(itemNamed(run, 'Uses a shared connection')?.outcome, 'activated');
    const refused = itemNamed(run, 'Uses an unshared connection');
    assert.deepStrictEqual([refused?.outcome, refused?.actor], ['failed', BOB.objectId]);
    assert.match(refused?.error?.hint ?? '', /Share the connection 'conn-outlook-alice'/);

    const auto = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Uses an unshared connection' });
    assertNoSecretsVisible(auto, [CLIENT_SECRET]);
    assert.strictEqual(auto.result, 'Succeeded', describeRun(auto));
    const item = itemNamed(auto, 'Uses an unshared connection');
    assert.deepStrictEqual([item?.actor, item?.actorName], [ALICE.objectId, ALICE.upn]);
  });
});

for (const checked of [true, false]) {
  describe(`DataverseActivateFlows: run-only (invoker) references, the platform ${checked ? 'checking' : 'not checking'} them at activation`, function () {
    let sim: Simulator | undefined;
    afterEach(async () => {
      await sim?.stop();
      sim = undefined;
    });

    it("turns a flow whose only reference is run-only on as that connection's owner when it is not shared, and as the service principal when it is", async () => {
      sim = await startSimulator({ scenario: scenario({ checkInvokerReferencesAtActivation: checked }) });
      const run = await runActivate(sim, { SolutionName: SOLUTION, Flows: 'Run-only, not shared\nRun-only, shared' });
      assertNoSecretsVisible(run, [CLIENT_SECRET]);
      assert.strictEqual(run.result, 'Succeeded', describeRun(run));
      const owner = itemNamed(run, 'Run-only, not shared');
      assert.deepStrictEqual([owner?.outcome, owner?.actor, owner?.actorReason], ['activated', ALICE.objectId, 'invokerReference']);
      const sp = itemNamed(run, 'Run-only, shared');
      assert.deepStrictEqual([sp?.outcome, sp?.actor, sp?.actorReason], ['activated', 'servicePrincipal', 'sharedWithServicePrincipal']);
      const flows = sim.state.snapshot().flows;
      assert.strictEqual(flows.find((f) => f.id === id(3))?.activatedBy, ALICE.objectId);
      assert.strictEqual(flows.find((f) => f.id === id(4))?.activatedBy, APP_OBJECT_ID);
    });
  });
}

describe('DataverseActivateFlows: with Impersonation Auto the number of reads does not grow with the number of flows', function () {
  let sim: Simulator | undefined;
  after(async () => sim?.stop());

  /** `count` flows, alternating between a connection shared with the service principal and one that is not. */
  const flowsOf = (count: number): FlowSpec[] => Array.from({ length: count }, (_, i) => ({ n: i + 1, name: `Flow ${String(i + 1).padStart(3, '0')}`, uses: [i % 2 ? unshared : shared] }));
  const solution = (name: string) =>
    references(name, [
      { ...shared, logicalName: `${name.toLowerCase()}_shared`, connection: 'conn-outlook-bob' },
      { ...unshared, logicalName: `${name.toLowerCase()}_alice`, connection: 'conn-outlook-alice' },
    ]);
  const uses = (name: string, specs: FlowSpec[]) =>
    specs.map((spec) => ({ ...spec, uses: spec.uses?.map((u) => ({ ...u, logicalName: `${name.toLowerCase()}_${u === shared ? 'shared' : 'alice'}` })) }));

  it('makes the same read requests for 6 flows as for 120, but one per extra page of definitions', async () => {
    sim = await startSimulator({
      scenario: scenario({
        solutions: [{ uniqueName: 'Small' }, { uniqueName: 'Large' }],
        connectionReferences: [...solution('Small'), ...solution('Large')],
        flows: [...solutionFlows('Small', 2, uses('Small', flowsOf(6))), ...solutionFlows('Large', 3, uses('Large', flowsOf(120)))],
      }),
    });
    const reads = () =>
      (sim as Simulator).log
        .filter((e) => e.kind === 'read')
        .map((e) => `${e.method} ${e.path.replace(/\([0-9a-f-]{36}\)/, '(<id>)')}`)
        .sort();
    const small = await runActivate(sim, { SolutionName: 'Small', MaxParallel: '16' });
    assert.strictEqual(small.result, 'Succeeded', describeRun(small));
    const readsForSmall = reads();
    sim.clearLog();
    const large = await runActivate(sim, { SolutionName: 'Large', MaxParallel: '16' });
    assertNoSecretsVisible(large, [CLIENT_SECRET]);
    assert.strictEqual(large.result, 'Succeeded', describeRun(large));
    const items = readReport(large).items;
    assert.strictEqual(items.filter((i) => i.actor === 'servicePrincipal').length, 60);
    assert.strictEqual(items.filter((i) => i.actor === ALICE.objectId).length, 60);
    assert.deepStrictEqual(reads(), plusDefinitionPages(readsForSmall, 120));
  });
});
