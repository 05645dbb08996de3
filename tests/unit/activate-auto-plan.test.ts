import * as assert from 'assert';
import { ConnectionInfo } from '../../tasks/common/connections';
import { FlowFacts, PlanInput, ReferenceFacts, buildPlan, needsConnectionListing, usersToLookUp } from '../../tasks/DataverseActivateFlowsV1/modules/plan';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const SP = 'aaaaaaaa-0000-4000-8000-000000000000';
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const flow = (n: number, name: string, refs: string[], invoker: string[] = []): FlowFacts => ({
  id: id(n),
  name,
  statecode: 0,
  definition: { connectionReferences: refs, invokerReferences: invoker, connectors: {}, childFlowIds: [] },
});
const reference = (logicalName: string, connectionId?: string): ReferenceFacts => ({ logicalName, connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365', connectionId });
const connection = (name: string, owner: string, connected = true): ConnectionInfo => ({ id: name, connector: 'shared_office365', connected, status: connected ? 'Connected' : 'Error', ownerObjectId: owner });

function input(flows: FlowFacts[], overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    solution: 'Core',
    flows,
    flowsToTurnOn: [],
    flowsToTurnOff: [],
    references: [reference('r_shared', 'conn-shared'), reference('r_alice', 'conn-alice'), reference('r_sp', 'conn-sp'), reference('r_bob', 'conn-bob')],
    impersonation: 'Auto',
    servicePrincipalObjectId: SP,
    connections: [connection('conn-shared', BOB), connection('conn-alice', ALICE), connection('conn-sp', SP), connection('conn-bob', BOB)],
    sharedWithServicePrincipal: ['CONN-SHARED'],
    users: [
      { objectId: ALICE, upn: 'alice@contoso.com', systemUserId: 's-alice' },
      { objectId: BOB, upn: 'bob@contoso.com', systemUserId: 's-bob' },
    ],
    ...overrides,
  };
}

const summary = (plan: ReturnType<typeof buildPlan>) =>
  Object.fromEntries(plan.flows.map((f) => [f.name, [f.actor?.kind === 'user' ? f.actor.objectId : f.actor?.kind, f.actorReason]]));

describe('activate: plan — Impersonation Auto', () => {
  it('acts as the service principal where it may use every connection, else as the owner, and says why', () => {
    const flows = [
      flow(1, 'Shared', ['r_shared']),
      flow(2, 'Own and shared', ['r_sp', 'r_shared']),
      flow(3, 'Own', ['r_sp']),
      flow(4, 'Not shared', ['r_alice']),
      flow(5, 'Partly shared', ['r_shared', 'r_bob']),
      flow(6, 'No connections', []),
    ];
    const plan = buildPlan(input(flows), loc);
    assert.deepStrictEqual(summary(plan), {
      Shared: ['servicePrincipal', 'sharedWithServicePrincipal'],
      'Own and shared': ['servicePrincipal', 'sharedWithServicePrincipal'],
      Own: ['servicePrincipal', 'ownedByServicePrincipal'],
      'Not shared': [ALICE, 'connectionOwner'],
      'Partly shared': [BOB, 'connectionOwner'],
      'No connections': ['servicePrincipal', 'noConnections'],
    });
    assert.deepStrictEqual(plan.flows.find((f) => f.name === 'Shared')?.connectionsToShare, [], 'a shared connection needs no share');
    assert.deepStrictEqual(usersToLookUp(input(flows), loc).actingUsers, [ALICE, BOB]);
  });

  it('counts a run-only (invoker) connection: shared, the service principal; not shared, its owner', () => {
    const plan = buildPlan(input([flow(1, 'Invoker shared', ['r_shared'], ['r_shared']), flow(2, 'Invoker not shared', ['r_alice'], ['r_alice'])]), loc);
    assert.deepStrictEqual(summary(plan), {
      'Invoker shared': ['servicePrincipal', 'sharedWithServicePrincipal'],
      'Invoker not shared': [ALICE, 'invokerReference'],
    });
  });

  it('does not take the service principal path through a connection that is not Connected', () => {
    const plan = buildPlan(input([flow(1, 'Broken', ['r_shared'])], { connections: [connection('conn-shared', BOB, false)] }), loc);
    assert.strictEqual(plan.flows[0].error?.code, 'ConnectionNotConnected');
  });

  it('needs the connection listing for a flow with connections, not for one without', () => {
    assert.strictEqual(needsConnectionListing(input([flow(1, 'Shared', ['r_shared'])], { connections: undefined }), loc), true);
    assert.strictEqual(needsConnectionListing(input([flow(6, 'No connections', [])], { connections: undefined }), loc), false);
  });

  it('fails a flow whose owner the platform does not act as (WhoAmI answered as someone else) as ImpersonationIgnored', () => {
    const checks = new Map([[ALICE, { ok: false as const, kind: 'impersonationIgnored' as const, code: 'ImpersonationIgnored' as const, message: 'm', answeredAs: 's-sp', expected: 's-alice' }]]);
    const plan = buildPlan(input([flow(4, 'Not shared', ['r_alice']), flow(1, 'Shared', ['r_shared'])], { identityChecks: checks }), loc);
    const failed = plan.flows.find((f) => f.name === 'Not shared');
    assert.strictEqual(failed?.outcome, 'failed');
    assert.strictEqual(failed?.error?.code, 'ImpersonationIgnored');
    assert.strictEqual(failed?.error?.message, 'MsgImpersonationIgnoredCheck(alice@contoso.com|s-sp|s-alice)');
    assert.strictEqual(plan.flows.find((f) => f.name === 'Shared')?.outcome, 'pending');
  });
});
