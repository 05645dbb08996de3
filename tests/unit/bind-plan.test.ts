import * as assert from 'assert';
import { ConnectionInfo, parseOwner } from '../../tasks/common/connections';
import { ConnectionReferenceRecord, SystemUserRecord } from '../../tasks/common/solution-queries';
import { ActingCheck as ActOnBehalfCheck, Actor, SERVICE_PRINCIPAL, actorId } from '../../tasks/common/acting-identity';
import { OwnerSpec } from '../../tasks/common/connections';
import { ConnectionProblemKind as ProblemKind } from '../../tasks/common/problems/connection';
import { ownersToCheck, PlanInput, planBindings } from '../../tasks/DataverseBindConnectionReferencesV1/modules/plan';

function actorOf(actor: Actor | undefined): string | undefined {
  return actor ? actorId(actor) : undefined;
}

const SP = 'a0000000-0000-4000-8000-00000000000a';
const ALICE = 'a1111111-1111-4111-8111-111111111111';
const BOB = 'b2222222-2222-4222-8222-222222222222';
const CAROL = 'c3333333-3333-4333-8333-333333333333';
const STRANGER = 'd4444444-4444-4444-8444-444444444444';

const OFFICE = '/providers/Microsoft.PowerApps/apis/shared_office365';
const SQL = '/providers/Microsoft.PowerApps/apis/shared_sql';

function connection(id: string, connector: string, owner: string | undefined, connected = true, upn?: string): ConnectionInfo {
  return { id, connector, connected, status: connected ? 'Connected' : 'Error', ownerObjectId: owner, ownerUpn: upn };
}

function reference(logicalName: string, connectorId = OFFICE, connectionid?: string): ConnectionReferenceRecord {
  return { connectionreferenceid: `id-${logicalName}`, connectionreferencelogicalname: logicalName, connectorid: connectorId, connectionid };
}

function user(objectId: string, isdisabled = false): SystemUserRecord {
  return { systemuserid: `su-${objectId}`, azureactivedirectoryobjectid: objectId, isdisabled };
}

const CONNECTIONS: ConnectionInfo[] = [
  connection('office-alice', 'shared_office365', ALICE, true, 'alice@contoso.com'),
  connection('office-bob', 'shared_office365', BOB, true, 'bob@contoso.com'),
  connection('office-bob-broken', 'shared_office365', BOB, false, 'bob@contoso.com'),
  connection('sql-alice', 'shared_sql', ALICE, true, 'alice@contoso.com'),
  connection('sql-carol', 'shared_sql', CAROL, true),
  connection('office-sp', 'shared_office365', SP),
  connection('office-stranger', 'shared_office365', STRANGER),
  connection('office-nobody', 'shared_office365', undefined),
];

function input(overrides: Partial<PlanInput> & { vars?: Record<string, string>; settingsFile?: Record<string, string>; connectionOwner?: OwnerSpec } = {}): PlanInput {
  const vars = Object.fromEntries(Object.entries(overrides.vars ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const { vars: _v, settingsFile, connectionOwner, ...rest } = overrides;
  const value = (name: string) => (vars[name.toLowerCase()] === undefined ? undefined : { name, value: vars[name.toLowerCase()], secret: false });
  return {
    references: [reference('contoso_office')],
    settings: new Map(Object.entries(settingsFile ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    sources: {
      byLogicalName: (name) => value(`ConnectionReference.${name}`),
      byConnector: (connector) => value(`Connector.${connector}`),
      ownerFor: () => connectionOwner,
    },
    connections: CONNECTIONS,
    users: [user(ALICE), user(BOB), user(CAROL, true), user(SP)],
    impersonation: 'ConnectionOwner',
    servicePrincipalObjectId: SP,
    failOnUnbound: true,
    ...rest,
  };
}

function only(planInput: PlanInput) {
  const plan = planBindings(planInput);
  assert.strictEqual(plan.items.length, 1);
  return plan.items[0];
}

function problemOf(planInput: PlanInput): ProblemKind | undefined {
  const item = only(planInput);
  assert.strictEqual(item.action, 'problem', `expected a problem, got ${item.action}`);
  return item.problem?.kind;
}

describe('bind connection references: plan', () => {
  describe('precedence of the wanted connection (CONTRACT 2.3)', () => {
    const all = {
      vars: { 'ConnectionReference.contoso_office': 'office-alice', 'Connector.shared_office365': 'office-bob' },
      connectionOwner: parseOwner(BOB),
      settingsFile: { contoso_office: 'office-sp' },
      references: [reference('contoso_office', OFFICE, 'office-stranger')],
    };

    it('takes ConnectionReference.<logicalname> first', () => {
      const item = only(input(all));
      assert.strictEqual(item.source, 'variableByLogicalName');
      assert.strictEqual(item.wantedConnectionId, 'office-alice');
    });

    it('then Connector.<connectorname>', () => {
      const item = only(input({ ...all, vars: { 'Connector.shared_office365': 'office-bob' } }));
      assert.strictEqual(item.source, 'variableByConnector');
      assert.strictEqual(item.wantedConnectionId, 'office-bob');
    });

    it("then the ConnectionOwner's only Connected connection of the connector", () => {
      const item = only(input({ ...all, vars: {}, connectionOwner: parseOwner('Bob@Contoso.com') }));
      assert.strictEqual(item.source, 'connectionOwner');
      assert.strictEqual(item.wantedConnectionId, 'office-bob', 'the broken one of Bob is not a candidate');
    });

    it('then the value in the settings file', () => {
      const item = only(input({ ...all, vars: {}, connectionOwner: undefined }));
      assert.strictEqual(item.source, 'settingsFile');
      assert.strictEqual(item.wantedConnectionId, 'office-sp');
    });

    it('and a ConnectionOwner without a connection for the connector is a problem naming the owner, even with a settings value', () => {
      const item = only(input({ ...all, vars: {}, connectionOwner: parseOwner(CAROL) }));
      assert.strictEqual(item.action, 'problem');
      assert.strictEqual(item.problem?.kind, 'ConnectionOwnerHasNoConnection');
    });

    it('finally keeps the current binding', () => {
      const item = only(input({ ...all, vars: {}, connectionOwner: undefined, settingsFile: {} }));
      assert.strictEqual(item.source, 'currentBinding');
      assert.strictEqual(item.action, 'unchanged');
    });

    it('ignores blank values', () => {
      const item = only(input({ ...all, vars: { 'ConnectionReference.contoso_office': '  ', 'Connector.shared_office365': '' }, connectionOwner: undefined }));
      assert.strictEqual(item.source, 'settingsFile');
    });

    it('matches the settings file and the connection id case-insensitively', () => {
      const item = only(input({ references: [reference('Contoso_Office', OFFICE, 'OFFICE-ALICE')], settingsFile: { CONTOSO_OFFICE: 'Office-Alice' } }));
      assert.strictEqual(item.action, 'unchanged');
      assert.strictEqual(item.wantedConnectionId, 'office-alice', 'the id as the environment spells it');
    });
  });

  describe('actions', () => {
    it('leaves a reference already bound to the wanted connection alone, whoever owns it', () => {
      const item = only(input({ references: [reference('r', OFFICE, 'office-stranger')], vars: { 'Connector.shared_office365': 'office-stranger' } }));
      assert.strictEqual(item.action, 'unchanged');
      assert.strictEqual(actorOf(item.actor), undefined);
    });

    it('binds as the owner of the connection, and puts back as the owner of the previous one', () => {
      const item = only(input({ references: [reference('r', OFFICE, 'office-bob')], vars: { 'Connector.shared_office365': 'office-alice' } }));
      assert.strictEqual(item.action, 'bind');
      assert.strictEqual(actorOf(item.actor), ALICE);
      assert.deepStrictEqual(item.owner, { objectId: ALICE, upn: 'alice@contoso.com', name: undefined });
      assert.strictEqual(actorOf(item.rollbackActor), BOB);
    });

    it('binds a connection of the service principal as the service principal', () => {
      const item = only(input({ vars: { 'Connector.shared_office365': 'office-sp' } }));
      assert.strictEqual(actorOf(item.actor), SERVICE_PRINCIPAL);
      assert.strictEqual(actorOf(item.rollbackActor), SERVICE_PRINCIPAL, 'an unbound reference is put back by the service principal');
    });

    it('puts back as the service principal when the previous owner cannot be acted as', () => {
      const disabledPrevious = only(input({ references: [reference('r', SQL, 'sql-carol')], vars: { 'Connector.shared_sql': 'sql-alice' } }));
      assert.strictEqual(actorOf(disabledPrevious.rollbackActor), SERVICE_PRINCIPAL);
      const missingPrevious = only(input({ references: [reference('r', OFFICE, 'deleted-connection')], vars: { 'Connector.shared_office365': 'office-alice' } }));
      assert.strictEqual(actorOf(missingPrevious.rollbackActor), SERVICE_PRINCIPAL);
      const refusedPrevious = only(
        input({
          references: [reference('r', OFFICE, 'office-bob')],
          vars: { 'Connector.shared_office365': 'office-alice' },
          actOnBehalf: new Map<string, ActOnBehalfCheck>([[ALICE, { ok: true }], [BOB, { ok: false, kind: 'ownerCannotBeActedAs', code: '0x80040225', message: 'disabled' }]]),
        }),
      );
      assert.strictEqual(refusedPrevious.action, 'bind');
      assert.strictEqual(actorOf(refusedPrevious.rollbackActor), SERVICE_PRINCIPAL);
    });

    it('with Impersonation None binds as the service principal and does not judge owners', () => {
      const item = only(input({ impersonation: 'None', vars: { 'Connector.shared_office365': 'office-stranger' } }));
      assert.strictEqual(item.action, 'bind');
      assert.strictEqual(actorOf(item.actor), SERVICE_PRINCIPAL);
      assert.strictEqual(actorOf(item.rollbackActor), SERVICE_PRINCIPAL);
    });

    it('leaves a reference without any value unbound when FailOnUnbound is false', () => {
      const item = only(input({ failOnUnbound: false }));
      assert.strictEqual(item.action, 'unbound');
      assert.strictEqual(item.problem, undefined);
      const ownerWithout = only(input({ failOnUnbound: false, connectionOwner: parseOwner(CAROL) }));
      assert.strictEqual(ownerWithout.action, 'problem', 'a ConnectionOwner that cannot be honoured is an error, not a silent unbound');
    });

    it('orders the items by logical name and splits them into problems and binds', () => {
      const plan = planBindings(
        input({
          references: [reference('zeta', OFFICE, 'office-alice'), reference('alpha'), reference('Mid', SQL)],
          vars: { 'Connector.shared_office365': 'office-alice', 'ConnectionReference.mid': 'missing' },
        }),
      );
      assert.deepStrictEqual(plan.items.map((i) => i.logicalName), ['alpha', 'Mid', 'zeta']);
      assert.deepStrictEqual(plan.items.map((i) => i.action), ['bind', 'problem', 'unchanged']);
      assert.deepStrictEqual(plan.toBind.map((i) => i.logicalName), ['alpha']);
      assert.deepStrictEqual(plan.problems.map((i) => i.logicalName), ['Mid']);
    });
  });

  describe('problems, all found before the first write', () => {
    it('no value at all (FailOnUnbound true)', () => assert.strictEqual(problemOf(input()), 'MissingValue'));

    it('the ConnectionOwner has no Connected connection for the connector and nothing else gives one', () => {
      const item = only(input({ connectionOwner: parseOwner('bob@contoso.com'), references: [reference('r', SQL)] }));
      assert.strictEqual(item.problem?.kind, 'ConnectionOwnerHasNoConnection');
    });

    it('the ConnectionOwner has several Connected connections for the connector, naming them', () => {
      const twoConnections = [...CONNECTIONS, connection('office-alice-2', 'shared_office365', ALICE)];
      const item = only(input({ connections: twoConnections, connectionOwner: parseOwner(ALICE), settingsFile: { contoso_office: 'office-alice' } }));
      assert.strictEqual(item.problem?.kind, 'ConnectionOwnerHasSeveralConnections');
      assert.deepStrictEqual(item.problem?.candidates?.map((c) => c.id), ['office-alice', 'office-alice-2']);
    });

    it('the connection does not exist', () => assert.strictEqual(problemOf(input({ vars: { 'Connector.shared_office365': 'nope' } })), 'ConnectionNotFound'));

    it('the connection is not Connected', () => assert.strictEqual(problemOf(input({ vars: { 'Connector.shared_office365': 'office-bob-broken' } })), 'ConnectionNotConnected'));

    it('the connection is of another connector', () => assert.strictEqual(problemOf(input({ vars: { 'ConnectionReference.contoso_office': 'sql-alice' } })), 'ConnectionOfOtherConnector'));

    it('a broken current binding is a problem too', () => {
      assert.strictEqual(problemOf(input({ references: [reference('r', OFFICE, 'office-bob-broken')] })), 'ConnectionNotConnected');
    });

    it('the connection has no known owner', () => assert.strictEqual(problemOf(input({ vars: { 'Connector.shared_office365': 'office-nobody' } })), 'ConnectionOwnerUnknown'));

    it('the owner is not a user of the environment', () => {
      assert.strictEqual(problemOf(input({ vars: { 'Connector.shared_office365': 'office-stranger' } })), 'UserNotInEnvironment');
    });

    it('the owner is a disabled user', () => assert.strictEqual(problemOf(input({ references: [reference('r', SQL)], vars: { 'Connector.shared_sql': 'sql-carol' } })), 'UserDisabled'));

    it('the service principal lacks the act-on-behalf privilege', () => {
      const actOnBehalf = new Map<string, ActOnBehalfCheck>([[ALICE, { ok: false, kind: 'cannotActOnBehalf', code: '0x8004A110', message: 'User does not have the privilege to act on behalf another user.' }]]);
      const item = only(input({ vars: { 'Connector.shared_office365': 'office-alice' }, actOnBehalf }));
      assert.strictEqual(item.problem?.kind, 'CannotActOnBehalfOfAnotherUser');
      assert.strictEqual(item.problem?.platformCode, '0x8004A110');
    });

    it('the owner cannot be acted as', () => {
      const actOnBehalf = new Map<string, ActOnBehalfCheck>([[ALICE, { ok: false, kind: 'ownerCannotBeActedAs', code: '0x80040225', message: 'disabled' }]]);
      assert.strictEqual(problemOf(input({ vars: { 'Connector.shared_office365': 'office-alice' }, actOnBehalf })), 'OwnerCannotBeActedAs');
    });

    it('owners are not judged before the users are known', () => {
      const item = only(input({ users: undefined, vars: { 'Connector.shared_office365': 'office-stranger' } }));
      assert.strictEqual(item.action, 'bind');
      assert.strictEqual(actorOf(item.actor), STRANGER);
    });

    it('reports every problem of the solution together', () => {
      const plan = planBindings(
        input({
          references: [reference('a'), reference('b', SQL), reference('c'), reference('d', OFFICE, 'office-alice')],
          vars: { 'ConnectionReference.b': 'sql-carol', 'ConnectionReference.c': 'office-bob-broken', 'ConnectionReference.d': 'office-alice' },
        }),
      );
      assert.deepStrictEqual(plan.problems.map((p) => [p.logicalName, p.problem?.kind]), [['a', 'MissingValue'], ['b', 'UserDisabled'], ['c', 'ConnectionNotConnected']]);
      assert.strictEqual(plan.toBind.length, 0);
    });
  });

  describe('owners to look up and check', () => {
    it('lists each owner a write would act as once, without the service principal', () => {
      const plan = planBindings(
        input({
          users: undefined,
          references: [reference('a', OFFICE, 'office-bob'), reference('b', OFFICE), reference('c', SQL), reference('d', OFFICE, 'office-sp'), reference('e', OFFICE, 'office-alice')],
          vars: {
            'ConnectionReference.a': 'office-alice',
            'ConnectionReference.b': 'office-alice',
            'ConnectionReference.c': 'sql-carol',
            'ConnectionReference.d': 'office-bob',
            'ConnectionReference.e': 'office-alice',
          },
        }),
      );
      assert.deepStrictEqual(ownersToCheck(plan), [ALICE, BOB, CAROL].sort());
    });

    it('lists none with Impersonation None', () => {
      const plan = planBindings(input({ impersonation: 'None', vars: { 'Connector.shared_office365': 'office-alice' } }));
      assert.deepStrictEqual(ownersToCheck(plan), []);
    });
  });
});
