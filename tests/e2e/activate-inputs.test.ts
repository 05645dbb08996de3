import * as assert from 'assert';
import { Simulator, startSimulator } from '../simulator';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, TENANT_ID, baseScenario } from '../helpers/base-scenario';
import { ALICE, DAVE_DISABLED, connectionOf, readReport, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

const outlook = { logicalName: 'plain_outlook', api: 'shared_office365' };
const daveOutlook = { logicalName: 'dave_outlook', api: 'shared_office365' };

/** An application registered in Entra ID but not as a Power Platform management app. */
const UNREGISTERED = { appId: '0a0a0a0a-1111-4222-8333-000000000001', objectId: '0a0a0a0a-1111-4222-8333-0000000000a1', secret: 'unregistered-app-secret-1' };
/** A management app whose application user lacks the act-on-behalf privilege. */
const NO_DELEGATE = { appId: '0b0b0b0b-1111-4222-8333-000000000002', objectId: '0b0b0b0b-1111-4222-8333-0000000000b2', secret: 'no-delegate-app-secret-2' };

function endpointFor(url: string, app: { appId: string; secret: string }) {
  return { id: SERVICE_CONNECTION_ID, url, scheme: 'None', parameters: { tenantId: TENANT_ID, applicationId: app.appId, clientSecret: app.secret } };
}

describe('DataverseActivateFlows: input mistakes and missing permissions fail before any write', function () {
  let sim: Simulator;

  before(async () => {
    const base = baseScenario();
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-inputs-env',
        // the platform before 2023 refused a service principal any flow with a user connection (BapListServicePlansFailed)
        legacyServicePrincipalRule: true,
        apps: [
          ...base.apps,
          { appId: UNREGISTERED.appId, secret: UNREGISTERED.secret, objectId: UNREGISTERED.objectId, managementApp: false },
          { appId: NO_DELEGATE.appId, secret: NO_DELEGATE.secret, objectId: NO_DELEGATE.objectId, managementApp: true },
        ],
        users: [
          ...base.users,
          ALICE,
          DAVE_DISABLED,
          { objectId: UNREGISTERED.objectId, upn: `${UNREGISTERED.appId}@app`, applicationId: UNREGISTERED.appId, canActOnBehalf: true },
          { objectId: NO_DELEGATE.objectId, upn: `${NO_DELEGATE.appId}@app`, applicationId: NO_DELEGATE.appId, canActOnBehalf: false },
        ],
        connections: [connectionOf('conn-outlook-alice', 'shared_office365', ALICE, [APP_OBJECT_ID]), connectionOf('conn-outlook-dave', 'shared_office365', DAVE_DISABLED)],
        solutions: [{ uniqueName: 'Cyclic' }, { uniqueName: 'Plain' }, { uniqueName: 'Departed' }],
        connectionReferences: [
          ...references('Plain', [{ ...outlook, connection: 'conn-outlook-alice' }]),
          ...references('Departed', [{ ...daveOutlook, connection: 'conn-outlook-dave' }]),
        ],
        flows: [
          ...solutionFlows('Cyclic', 2, [
            { n: 1, name: 'Ping', children: [2] },
            { n: 2, name: 'Pong', children: [3] },
            { n: 3, name: 'Pang', children: [1] },
            { n: 4, name: 'Innocent bystander' },
          ]),
          ...solutionFlows('Plain', 3, [{ n: 1, name: 'Send mail', uses: [outlook] }]),
          ...solutionFlows('Departed', 4, [{ n: 1, name: 'Dave mail', uses: [daveOutlook] }]),
        ],
      }),
    });
  });
  after(async () => sim?.stop());
  beforeEach(() => sim.clearLog());

  const noWrites = () => assert.deepStrictEqual(sim.log.filter((e) => e.kind === 'write'), [], 'nothing was written');

  it('a cycle of child flows fails with one message naming its flows', async () => {
    const run = await runActivate(sim, { SolutionName: 'Cyclic' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /cycle/);
    for (const name of ['Ping', 'Pong', 'Pang']) assert.ok(run.resultMessage?.includes(`'${name}'`), `names ${name}: ${run.resultMessage}`);
    assert.ok(!run.resultMessage?.includes('Innocent bystander'));
    assert.strictEqual(run.errors.length, 1, `one error: ${run.errors.join(' / ')}`);
    noWrites();
  });

  it('MaxParallel 0 fails with one message naming the input, before any request', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', MaxParallel: '0' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.strictEqual(run.resultMessage, "Input 'MaxParallel' is invalid: '0' is not a whole number from 1 to 32. Set MaxParallel to how many flows to turn on at once, e.g. 8.");
    assert.deepStrictEqual(sim.log, [], 'not even a token was requested');
  });

  it('a name in Flows that is not in the solution fails with one message naming it', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', Flows: 'Send mail\nSend fax\n' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.strictEqual(
      run.resultMessage,
      "Input 'Flows': 'Send fax' is not the display name or workflow id of any cloud flow of solution 'Plain'. Use the name or id of a cloud flow of that solution, one a line. Nothing was changed.",
    );
    noWrites();
  });

  it('an unknown solution fails naming SolutionName', async () => {
    const run = await runActivate(sim, { SolutionName: 'NoSuchSolution' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /^Input 'SolutionName': there is no solution with the unique name 'NoSuchSolution'/);
    noWrites();
  });

  it('an application that is not a management app is told how to register it', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain' }, { endpoint: endpointFor(sim.urls.dataverse, UNREGISTERED) });
    assertNoSecretsVisible(run, [CLIENT_SECRET, UNREGISTERED.secret]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.ok(run.resultMessage?.includes(`pac admin application register --application-id ${UNREGISTERED.appId}`), run.resultMessage);
    noWrites();
  });

  it('does not need a management app when no flow needs a connection owner', async () => {
    const run = await runActivate(sim, { SolutionName: 'Cyclic', Flows: 'Innocent bystander' }, { endpoint: endpointFor(sim.urls.dataverse, UNREGISTERED) });
    assertNoSecretsVisible(run, [CLIENT_SECRET, UNREGISTERED.secret]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    // The listing is read speculatively alongside the solution; its refusal does not matter here.
    assert.ok(sim.log.filter((e) => e.api === 'admin').every((e) => e.status === 403), 'the admin API refused, and the run did not need it');
    assert.strictEqual(run.outputs.ActivatedCount, '1');
  });

  it('without the act-on-behalf privilege, the flows fail before any write with the Delegate role hint', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain' }, { endpoint: endpointFor(sim.urls.dataverse, NO_DELEGATE) });
    assertNoSecretsVisible(run, [CLIENT_SECRET, NO_DELEGATE.secret]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    noWrites();
    const whoAmI = sim.log.filter((e) => e.path.endsWith('/WhoAmI') && e.callerObjectId);
    assert.deepStrictEqual(whoAmI.map((e) => [e.callerObjectId, e.status]), [[ALICE.objectId, 403]], 'one read-only check per identity');
    const [item] = readReport(run).items;
    assert.strictEqual(item.outcome, 'failed');
    assert.strictEqual(item.error?.code, '0x8004A110');
    assert.match(item.error?.hint ?? '', /Delegate security role/);
  });

  it('a disabled connection owner fails its flow before any write, with the code every task uses for an owner who cannot act (UserNotInEnvironment)', async () => {
    const run = await runActivate(sim, { SolutionName: 'Departed', ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'SucceededWithIssues', describeRun(run));
    noWrites();
    const [item] = readReport(run).items;
    assert.strictEqual(item.error?.code, 'UserNotInEnvironment');
    assert.match(item.error?.hint ?? '', /Enable 'dave@contoso.com'/);
  });

  it('Impersonation None under the pre-2023 rule: a flow with a user connection fails with the platform code and the hint to share or use Auto', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', Impersonation: 'None' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    const patch = sim.log.filter((e) => e.method === 'PATCH');
    assert.strictEqual(patch.length, 1);
    assert.strictEqual(patch[0].callerObjectId, undefined);
    const [item] = readReport(run).items;
    assert.strictEqual(item.actor, 'servicePrincipal');
    assert.strictEqual(item.error?.code, 'BapListServicePlansFailed');
    assert.match(item.error?.hint ?? '', /Share each of them with it \(Can use\), or use Impersonation Auto/);
  });

  it('Impersonation User with a user who is not in the environment fails naming ImpersonateUser', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', Impersonation: 'User', ImpersonateUser: 'nobody@contoso.com' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /^Input 'ImpersonateUser': 'nobody@contoso.com' is not a user of this environment/);
    noWrites();
  });

  it('Impersonation User turns every flow on as that user', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', Impersonation: 'User', ImpersonateUser: ALICE.upn, DryRun: 'false' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const patch = sim.log.filter((e) => e.method === 'PATCH');
    assert.deepStrictEqual(patch.map((e) => [e.callerObjectId, e.effectiveUser, e.status]), [[ALICE.objectId, ALICE.objectId, 204]]);
    assert.notStrictEqual(APP_OBJECT_ID, ALICE.objectId);
  });
});
