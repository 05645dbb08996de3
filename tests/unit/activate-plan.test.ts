import * as assert from 'assert';
import { ConnectionInfo } from '../../tasks/common/connections';
import { UserError } from '../../tasks/common/errors';
import { FlowDefinitionFacts } from '../../tasks/DataverseActivateFlowsV1/modules/definition';
import { FlowFacts, PlanInput, PlannedFlow, ReferenceFacts, UserFacts, buildPlan, needsConnectionListing, usersToLookUp } from '../../tasks/DataverseActivateFlowsV1/modules/plan';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;

const SP = 'aaaaaaaa-0000-4000-8000-000000000000';
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function flow(n: number, name: string, options: { refs?: string[]; children?: number[]; on?: boolean; definition?: Partial<FlowDefinitionFacts> } = {}): FlowFacts {
  return {
    id: id(n),
    name,
    statecode: options.on ? 1 : 0,
    definition: { connectionReferences: options.refs ?? [], connectors: {}, childFlowIds: (options.children ?? []).map(id), ...options.definition },
  };
}

const references: ReferenceFacts[] = [
  { logicalName: 'c_outlook_alice', connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365', connectionId: 'conn-outlook-alice' },
  { logicalName: 'c_sharepoint_alice', connectorId: '/providers/Microsoft.PowerApps/apis/shared_sharepointonline', connectionId: 'conn-sp-alice' },
  { logicalName: 'c_teams_bob', connectorId: '/providers/Microsoft.PowerApps/apis/shared_teams', connectionId: 'conn-teams-bob' },
  { logicalName: 'c_dataverse_bob', connectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps', connectionId: 'conn-dv-bob' },
  { logicalName: 'c_dataverse_sp', connectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps', connectionId: 'conn-dv-sp' },
  { logicalName: 'c_unbound', connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365' },
];

function connection(name: string, connector: string, owner: string): ConnectionInfo {
  return { id: name, connector, connected: true, status: 'Connected', ownerObjectId: owner };
}

const connections: ConnectionInfo[] = [
  connection('conn-outlook-alice', 'shared_office365', ALICE),
  connection('conn-sp-alice', 'shared_sharepointonline', ALICE),
  connection('conn-teams-bob', 'shared_teams', BOB),
  connection('conn-dv-bob', 'shared_commondataserviceforapps', BOB),
  connection('conn-dv-sp', 'shared_commondataserviceforapps', SP),
];

const users: UserFacts[] = [
  { objectId: ALICE, upn: 'alice@contoso.com', name: 'Alice' },
  { objectId: BOB, upn: 'bob@contoso.com', name: 'Bob' },
];

function input(flows: FlowFacts[], overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    solution: 'ContosoCore',
    flows,
    flowsToTurnOn: [],
    flowsToTurnOff: [],
    references,
    impersonation: 'ConnectionOwner',
    servicePrincipalObjectId: SP,
    connections,
    users,
    ...overrides,
  };
}

const byName = (flows: PlannedFlow[]) => new Map(flows.map((f) => [f.name, f]));

function throwsUserError(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `'${error.message}' mentions '${fragment}'`);
    return true;
  });
}

describe('activate: plan — dependency graph', () => {
  it('orders child flows before their callers, with levels', () => {
    const plan = buildPlan(
      input([flow(1, 'Parent', { children: [2] }), flow(2, 'Child', { children: [3] }), flow(3, 'Grandchild'), flow(4, 'Alone')]),
      loc,
    );
    const names = plan.flows.map((f) => f.name);
    assert.ok(names.indexOf('Grandchild') < names.indexOf('Child'));
    assert.ok(names.indexOf('Child') < names.indexOf('Parent'));
    const flows = byName(plan.flows);
    assert.deepStrictEqual(
      ['Grandchild', 'Alone', 'Child', 'Parent'].map((n) => flows.get(n)?.level),
      [0, 0, 1, 2],
    );
    assert.deepStrictEqual(flows.get('Parent')?.dependsOn, [id(2)]);
    assert.deepStrictEqual(plan.flows.map((f) => f.order), [1, 2, 3, 4]);
  });

  it('does not wait for a child that is already on', () => {
    const plan = buildPlan(input([flow(1, 'Parent', { children: [2] }), flow(2, 'Child', { on: true })]), loc);
    const flows = byName(plan.flows);
    assert.deepStrictEqual(flows.get('Parent')?.dependsOn, []);
    assert.strictEqual(flows.get('Child')?.outcome, 'alreadyInState');
    assert.strictEqual(flows.get('Parent')?.outcome, 'pending');
  });

  it('rejects a cycle, naming its flows', () => {
    throwsUserError(
      () => buildPlan(input([flow(1, 'Ping', { children: [2] }), flow(2, 'Pong', { children: [3] }), flow(3, 'Pang', { children: [1] }), flow(4, 'Fine')]), loc),
      'FlowCycle',
      "'Ping'",
      "'Pong'",
      "'Pang'",
    );
  });

  it('rejects a flow that calls itself', () => {
    throwsUserError(() => buildPlan(input([flow(1, 'Narcissus', { children: [1] })]), loc), 'FlowCycle', "'Narcissus'");
  });

  it('blocks a caller whose child is off and outside the selection, with a hint to turn the child on', () => {
    const plan = buildPlan(input([flow(1, 'Parent', { children: [2] }), flow(2, 'Child'), flow(3, 'Top', { children: [1] })], { flowsToTurnOn: ['Parent', 'Top'] }), loc);
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Child'), undefined, 'the child is not part of the run');
    assert.strictEqual(flows.get('Parent')?.outcome, 'blocked');
    assert.strictEqual(flows.get('Parent')?.error?.code, 'ChildFlowNotOn');
    assert.match(flows.get('Parent')?.error?.hint ?? '', /HintChildNotOn\(Child\)/);
    assert.strictEqual(flows.get('Top')?.outcome, 'blocked');
    assert.strictEqual(flows.get('Top')?.error?.code, 'BlockedByChildFlow');
    assert.deepStrictEqual(flows.get('Top')?.blockedBy, [id(1)]);
  });

  it('blocks a caller whose child is to be turned off', () => {
    const plan = buildPlan(input([flow(1, 'Parent', { children: [2] }), flow(2, 'Child', { on: true })], { flowsToTurnOff: ['Child'] }), loc);
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Child')?.action, 'turnOff');
    assert.strictEqual(flows.get('Child')?.outcome, 'pending');
    assert.strictEqual(flows.get('Parent')?.error?.code, 'ChildFlowTurnedOff');
  });

  it('looks at child flows outside the solution: on is fine, off or missing blocks', () => {
    const external = [
      { id: id(90), name: 'Shared helper (on)', statecode: 1 },
      { id: id(91), name: 'Shared helper (off)', statecode: 0 },
    ];
    const plan = buildPlan(
      input([flow(1, 'Uses on', { children: [90] }), flow(2, 'Uses off', { children: [91] }), flow(3, 'Uses missing', { children: [92] })], { externalFlows: external }),
      loc,
    );
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Uses on')?.outcome, 'pending');
    assert.strictEqual(flows.get('Uses off')?.error?.code, 'ChildFlowNotOn');
    assert.match(flows.get('Uses off')?.error?.message ?? '', /Shared helper \(off\)/);
    assert.strictEqual(flows.get('Uses missing')?.error?.code, 'ChildFlowNotFound');
  });
});

describe('activate: plan — problems found before any write', () => {
  it('fails a flow with an unbound reference and blocks its callers up the chain', () => {
    const plan = buildPlan(
      input([flow(1, 'Unbound', { refs: ['c_unbound'] }), flow(2, 'Caller', { children: [1] }), flow(3, 'Caller of caller', { children: [2] }), flow(4, 'Other')]),
      loc,
    );
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Unbound')?.outcome, 'failed');
    assert.strictEqual(flows.get('Unbound')?.error?.code, 'XrmConnectionReferenceMissingConnection');
    assert.match(flows.get('Unbound')?.error?.hint ?? '', /HintBindReference\(c_unbound/);
    assert.strictEqual(flows.get('Caller')?.outcome, 'blocked');
    assert.deepStrictEqual(flows.get('Caller')?.blockedBy, [id(1)]);
    assert.strictEqual(flows.get('Caller of caller')?.outcome, 'blocked');
    assert.deepStrictEqual(flows.get('Caller of caller')?.blockedBy, [id(2)]);
    assert.strictEqual(flows.get('Other')?.outcome, 'pending');
  });

  it('fails a flow whose reference is not in the environment, or whose connection is gone', () => {
    const plan = buildPlan(
      input([flow(1, 'Ghost reference', { refs: ['c_nowhere'] }), flow(2, 'Ghost connection', { refs: ['c_gone'] })], {
        references: [...references, { logicalName: 'c_gone', connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365', connectionId: 'deleted-conn' }],
      }),
      loc,
    );
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Ghost reference')?.error?.code, '0x80095005');
    assert.strictEqual(flows.get('Ghost connection')?.error?.code, 'ConnectionNotFound');
  });

  it('fails flows whose owner cannot be acted as, with the hint for the platform code', () => {
    const checks = new Map([
      [ALICE, { ok: false as const, kind: 'cannotActOnBehalf' as const, code: '0x8004A110', message: 'User does not have the privilege to act on behalf another user.' }],
      [BOB, { ok: true as const }],
    ]);
    const plan = buildPlan(
      input([flow(1, 'Alice flow', { refs: ['c_outlook_alice'] }), flow(2, 'Bob flow', { refs: ['c_teams_bob'] }), flow(3, 'Calls Alice', { children: [1] })], {
        identityChecks: checks,
      }),
      loc,
    );
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Alice flow')?.outcome, 'failed');
    assert.strictEqual(flows.get('Alice flow')?.error?.code, '0x8004A110');
    assert.strictEqual(flows.get('Alice flow')?.error?.hint, 'HintActOnBehalf()');
    assert.strictEqual(flows.get('Bob flow')?.outcome, 'pending');
    assert.strictEqual(flows.get('Calls Alice')?.outcome, 'blocked');
  });

  it('fails flows whose owner is disabled or not a user of the environment, with one code for both', () => {
    const plan = buildPlan(
      input([flow(1, 'Alice flow', { refs: ['c_outlook_alice'] }), flow(2, 'Bob flow', { refs: ['c_teams_bob'] })], {
        users: [{ objectId: ALICE, upn: 'alice@contoso.com', disabled: true }],
      }),
      loc,
    );
    const flows = byName(plan.flows);
    assert.strictEqual(flows.get('Alice flow')?.error?.code, 'UserNotInEnvironment');
    assert.match(flows.get('Alice flow')?.error?.hint ?? '', /HintUserDisabled\(alice@contoso.com\)/);
    assert.strictEqual(flows.get('Bob flow')?.error?.code, 'UserNotInEnvironment');
  });
});

describe('activate: plan — identity', () => {
  it('acts as the owner of most of the flow connections and lists the others to share with that owner', () => {
    const plan = buildPlan(input([flow(1, 'Mixed', { refs: ['c_outlook_alice', 'c_sharepoint_alice', 'c_teams_bob'] })]), loc);
    const mixed = plan.flows[0];
    assert.deepStrictEqual(mixed.actor, { kind: 'user', objectId: ALICE, reason: 'connectionOwner' });
    assert.strictEqual(mixed.actorName, 'alice@contoso.com');
    assert.deepStrictEqual(
      mixed.connectionsToShare.map((c) => [c.connectionId, c.ownerName]),
      [['conn-teams-bob', 'bob@contoso.com']],
    );
    const flows = [flow(1, 'Mixed', { refs: ['c_outlook_alice', 'c_sharepoint_alice', 'c_teams_bob'] })];
    assert.deepStrictEqual(usersToLookUp(input(flows), loc), { actingUsers: [ALICE], ownerObjectIds: [ALICE, BOB] });
  });

  it('on a tie, prefers the owner of the connections that sign in as a user over a Dataverse connection owner', () => {
    const plan = buildPlan(input([flow(1, 'Tie', { refs: ['c_dataverse_bob', 'c_outlook_alice'] })]), loc);
    assert.strictEqual(plan.flows[0].actor?.kind === 'user' && plan.flows[0].actor.objectId, ALICE);
  });

  it('turns on a flow without connections as the service principal without listing connections', () => {
    const flows = [flow(2, 'No connections')];
    assert.strictEqual(needsConnectionListing(input(flows, { connections: undefined }), loc), false);
    const plan = buildPlan(input(flows, { connections: undefined, users: undefined }), loc);
    assert.deepStrictEqual(plan.flows[0].actor, { kind: 'servicePrincipal' });
    assert.deepStrictEqual(usersToLookUp(input(flows, { connections: undefined }), loc).actingUsers, []);
  });

  it("turns on a Dataverse-only flow as the service principal on its own connection, and as the owner on a user's", () => {
    const plan = buildPlan(
      input([flow(1, 'Dataverse on SP connection', { refs: ['c_dataverse_sp'] }), flow(3, 'Dataverse on Alice connection', { refs: ['c_dataverse_alice'] })], {
        references: [
          { logicalName: 'c_dataverse_sp', connectorId: 'shared_commondataserviceforapps', connectionId: 'conn-dataverse-sp' },
          { logicalName: 'c_dataverse_alice', connectorId: 'shared_commondataserviceforapps', connectionId: 'conn-dataverse-alice' },
        ],
        connections: [connection('conn-dataverse-sp', 'shared_commondataserviceforapps', SP), connection('conn-dataverse-alice', 'shared_commondataserviceforapps', ALICE)],
      }),
      loc,
    );
    const flows = byName(plan.flows);
    assert.deepStrictEqual(flows.get('Dataverse on SP connection')?.actor, { kind: 'servicePrincipal' });
    assert.strictEqual(flows.get('Dataverse on Alice connection')?.actor?.kind, 'user');
    assert.strictEqual((flows.get('Dataverse on Alice connection')?.actor as { objectId: string }).objectId, ALICE);
  });

  it('needs the connections before it can pick owners, and is never built without them', () => {
    const flows = [flow(1, 'Outlook', { refs: ['c_outlook_alice'] }), flow(2, 'Already on', { refs: ['c_teams_bob'], on: true })];
    assert.strictEqual(needsConnectionListing(input(flows, { connections: undefined }), loc), true);
    assert.strictEqual(needsConnectionListing(input(flows, { connections: undefined, flowsToTurnOn: ['Already on'] }), loc), false);
    assert.throws(() => buildPlan(input(flows, { connections: undefined, users: undefined }), loc), /connections were not gathered/);
  });

  it('acts as the service principal for connections it owns itself', () => {
    const plan = buildPlan(
      input([flow(1, 'SP outlook', { refs: ['c_sp_outlook'] })], {
        references: [{ logicalName: 'c_sp_outlook', connectorId: 'shared_office365', connectionId: 'conn-sp-outlook' }],
        connections: [connection('conn-sp-outlook', 'shared_office365', SP)],
      }),
      loc,
    );
    assert.deepStrictEqual(plan.flows[0].actor, { kind: 'servicePrincipal' });
  });

  it('Impersonation User acts as that user for every flow; None as the service principal', () => {
    const flows = [flow(1, 'Outlook', { refs: ['c_outlook_alice'] }), flow(2, 'Dataverse', { refs: ['c_dataverse_sp'] })];
    const asUser = buildPlan(input(flows, { impersonation: 'User', impersonateUser: { objectId: BOB, upn: 'bob@contoso.com' }, connections: undefined }), loc);
    for (const item of asUser.flows) assert.deepStrictEqual(item.actor, { kind: 'user', objectId: BOB, reason: 'impersonateUser' });
    assert.strictEqual(needsConnectionListing(input(flows, { impersonation: 'User', connections: undefined }), loc), false);
    const asSp = buildPlan(input(flows, { impersonation: 'None', connections: undefined }), loc);
    for (const item of asSp.flows) assert.deepStrictEqual(item.actor, { kind: 'servicePrincipal' });
  });

  it('still fails an unbound reference of a Dataverse-only flow', () => {
    const plan = buildPlan(
      input([flow(1, 'Dataverse unbound', { refs: ['c_dv_unbound'] })], {
        references: [{ logicalName: 'c_dv_unbound', connectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps' }],
      }),
      loc,
    );
    assert.strictEqual(plan.flows[0].error?.code, 'XrmConnectionReferenceMissingConnection');
  });
});

describe('activate: plan — selection', () => {
  const flows = [flow(1, 'Alpha'), flow(2, 'Beta', { on: true }), flow(3, 'Gamma')];

  it('takes every cloud flow of the solution when Flows is empty, except the ones to turn off', () => {
    const plan = buildPlan(input(flows, { flowsToTurnOff: ['gamma'] }), loc);
    const items = byName(plan.flows);
    assert.strictEqual(items.get('Alpha')?.action, 'turnOn');
    assert.strictEqual(items.get('Beta')?.outcome, 'alreadyInState');
    assert.strictEqual(items.get('Gamma')?.action, 'turnOff');
    assert.strictEqual(items.get('Gamma')?.outcome, 'alreadyInState');
    assert.strictEqual(plan.flows[0].name, 'Gamma', 'flows to turn off come first');
  });

  it('accepts display names (any case) and workflow ids (any case, with braces)', () => {
    const plan = buildPlan(input(flows, { flowsToTurnOn: ['  alpha ', `{${id(3).toUpperCase()}}`, ''] }), loc);
    assert.deepStrictEqual(plan.flows.map((f) => f.name).sort(), ['Alpha', 'Gamma']);
  });

  it('rejects names that are not flows of the solution, all in one message', () => {
    throwsUserError(() => buildPlan(input(flows, { flowsToTurnOn: ['Alpha', 'Delta', 'Epsilon'] }), loc), 'FlowsNotInSolution(Flows', "'Delta'", "'Epsilon'", 'ContosoCore');
    throwsUserError(() => buildPlan(input(flows, { flowsToTurnOff: ['Zeta'] }), loc), 'FlowsNotInSolution(FlowsToTurnOff', "'Zeta'");
  });

  it('rejects a name shared by two flows, and a flow listed to turn both on and off', () => {
    throwsUserError(() => buildPlan(input([...flows, flow(4, 'Alpha')], { flowsToTurnOn: ['Alpha'] }), loc), 'FlowNameAmbiguous', id(1), id(4));
    throwsUserError(() => buildPlan(input(flows, { flowsToTurnOn: ['Alpha'], flowsToTurnOff: ['alpha'] }), loc), 'FlowsInBothInputs', "'Alpha'");
  });

  it('leaves flows already in the wanted state alone and plans to turn off flows that are on', () => {
    const plan = buildPlan(input([flow(1, 'On', { on: true }), flow(2, 'Off')], { flowsToTurnOff: ['On'], flowsToTurnOn: ['Off'] }), loc);
    const items = byName(plan.flows);
    assert.strictEqual(items.get('On')?.outcome, 'pending');
    assert.strictEqual(items.get('On')?.action, 'turnOff');
    assert.deepStrictEqual(items.get('On')?.actor, { kind: 'servicePrincipal' });
    assert.strictEqual(items.get('Off')?.action, 'turnOn');
  });
});

describe('activate: plan — connection status', () => {
  it('fails a flow whose connection is not Connected before any write, naming the connection', () => {
    const plan = buildPlan(
      input([flow(1, 'Broken outlook', { refs: ['c_outlook_alice'] })], {
        connections: [{ ...connection('conn-outlook-alice', 'shared_office365', ALICE), connected: false, status: 'Error' }, ...connections.slice(1)],
      }),
      loc,
    );
    assert.strictEqual(plan.flows[0].outcome, 'failed');
    assert.strictEqual(plan.flows[0].error?.code, 'ConnectionNotConnected');
    assert.match(plan.flows[0].error?.message ?? '', /conn-outlook-alice/);
  });
});

describe('activate: plan — run-only (invoker) references', () => {
  const invokerFlow = (n: number, name: string, refs: string[], invoker: string[]) => flow(n, name, { refs, definition: { invokerReferences: invoker } });

  it("turns a flow whose only reference is run-only on as that connection's owner, saying why", () => {
    const plan = buildPlan(input([invokerFlow(1, 'Weather', ['c_outlook_alice'], ['c_outlook_alice'])]), loc);
    assert.deepStrictEqual(plan.flows[0].actor, { kind: 'user', objectId: ALICE, reason: 'invokerReference' });
    assert.strictEqual(plan.flows[0].outcome, 'pending');
    assert.strictEqual(needsConnectionListing(input([invokerFlow(1, 'Weather', ['c_outlook_alice'], ['c_outlook_alice'])], { connections: undefined }), loc), true);
  });

  it('gives the reason connectionOwner when the owner also owns an embedded connection of the flow', () => {
    const plan = buildPlan(input([invokerFlow(1, 'Both', ['c_outlook_alice', 'c_sharepoint_alice'], ['c_sharepoint_alice'])]), loc);
    assert.deepStrictEqual(plan.flows[0].actor, { kind: 'user', objectId: ALICE, reason: 'connectionOwner' });
  });

  it('does not fail a flow whose run-only reference is unbound or absent (the platform may not check it)', () => {
    const plan = buildPlan(input([invokerFlow(1, 'Loose', ['c_unbound', 'c_nowhere'], ['c_unbound', 'c_nowhere'])]), loc);
    assert.strictEqual(plan.flows[0].outcome, 'pending');
    assert.deepStrictEqual(plan.flows[0].actor, { kind: 'servicePrincipal' });
  });

  it('counts a run-only connection the service principal cannot use among the connections to share under None and User', () => {
    const flows = [invokerFlow(1, 'Weather', ['c_outlook_alice'], ['c_outlook_alice'])];
    const asSp = buildPlan(input(flows, { impersonation: 'None' }), loc);
    assert.deepStrictEqual(asSp.flows[0].actor, { kind: 'servicePrincipal' });
    assert.deepStrictEqual(asSp.flows[0].connectionsToShare.map((c) => c.connectionId), ['conn-outlook-alice']);
    const asBob = buildPlan(input(flows, { impersonation: 'User', impersonateUser: { objectId: BOB, upn: 'bob@contoso.com' } }), loc);
    assert.deepStrictEqual(asBob.flows[0].connectionsToShare.map((c) => c.connectionId), ['conn-outlook-alice']);
  });
});

describe('activate: plan — impersonation stays inside the deployment', () => {
  const outside: ReferenceFacts[] = [
    ...references,
    { logicalName: 'other_teams_bob', connectorId: '/providers/Microsoft.PowerApps/apis/shared_teams', connectionId: 'conn-teams-bob', outsideSolution: true },
    {
      logicalName: 'other_outlook_carol',
      connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365',
      connectionId: 'conn-outlook-carol',
      outsideSolution: true,
      solutions: ['ContosoOther'],
    },
    { logicalName: 'other_dataverse_sp', connectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps', connectionId: 'conn-dv-sp', outsideSolution: true },
  ];
  const CAROL = 'ca201000-0000-4000-8000-000000000003';
  const withOutside = (flows: FlowFacts[]) =>
    input(flows, { references: outside, connections: [...connections, connection('conn-outlook-carol', 'shared_office365', CAROL)] });

  it("fails a flow that would be turned on as the owner of another solution's reference, with the hint to add that solution", () => {
    const plan = buildPlan(withOutside([flow(1, 'Borrower', { refs: ['other_outlook_carol'] })]), loc);
    assert.strictEqual(plan.flows[0].outcome, 'failed');
    assert.strictEqual(plan.flows[0].actor, undefined);
    assert.strictEqual(plan.flows[0].error?.code, 'ConnectionReferenceOutsideSolution');
    assert.match(plan.flows[0].error?.hint ?? '', /HintReferenceOutsideSolution\(other_outlook_carol\|ContosoOther\)/);
    assert.deepStrictEqual(usersToLookUp(withOutside([flow(1, 'Borrower', { refs: ['other_outlook_carol'] })]), loc).actingUsers, []);
  });

  it("may act as an owner whose connection is bound to a reference of the solution, even if another solution's reference uses it too", () => {
    const plan = buildPlan(withOutside([flow(1, 'Shared bob', { refs: ['other_teams_bob', 'c_teams_bob'] })]), loc);
    assert.deepStrictEqual(plan.flows[0].actor, { kind: 'user', objectId: BOB, reason: 'connectionOwner' });
  });

  it("never picks the outside owner over an inside one, and a service principal's own outside connection needs no impersonation", () => {
    const mixed = buildPlan(withOutside([flow(1, 'Mixed', { refs: ['other_outlook_carol', 'c_outlook_alice'] })]), loc);
    assert.deepStrictEqual(mixed.flows[0].actor, { kind: 'user', objectId: ALICE, reason: 'connectionOwner' });
    assert.deepStrictEqual(mixed.flows[0].connectionsToShare.map((c) => c.connectionId), ['conn-outlook-carol']);
    const own = buildPlan(withOutside([flow(1, 'Own', { refs: ['other_dataverse_sp'] })]), loc);
    assert.deepStrictEqual(own.flows[0].actor, { kind: 'servicePrincipal' });
  });
});
