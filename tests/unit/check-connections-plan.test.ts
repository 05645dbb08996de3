// The checks of DataverseCheckConnections@1 as a pure function: every check, the Impersonation
// modes, run-only references, duplicates, and which owners need a user lookup or a WhoAmI.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { ActingCheck } from '../../tasks/common/acting-identity';
import { ConnectionSources } from '../../tasks/common/connection-references';
import { ConnectionInfo } from '../../tasks/common/connections';
import { ReferenceFacts } from '../../tasks/DataverseCheckConnectionsV1/modules/gather';
import { PlanInput, ownersToActAs, ownersToLookUp, planChecks } from '../../tasks/DataverseCheckConnectionsV1/modules/plan';
import { REPO_ROOT } from '../helpers/agent-runner';

const messages = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'tasks', 'DataverseCheckConnectionsV1', 'task.json'), 'utf8')).messages as Record<string, string>;
const loc = (key: string, ...args: unknown[]) => {
  assert.ok(messages[key], `message ${key}`);
  return util.format(messages[key], ...args);
};

const SP = '66666666-7777-4888-8999-000000000000';
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';
const BOB = 'b0b00000-0000-4000-8000-0000000000b0';
const API = '/providers/Microsoft.PowerApps/apis/';

const conn = (id: string, connector: string, owner: string | undefined, connected = true): ConnectionInfo => ({
  id,
  connector,
  connected,
  status: connected ? 'Connected' : 'Error',
  ownerObjectId: owner,
  ownerName: owner === ALICE ? 'Alice' : undefined,
});

const CONNECTIONS = [conn('office-alice', 'shared_office365', ALICE), conn('office-sp', 'shared_office365', SP), conn('sql-bob', 'shared_sql', BOB), conn('teams-alice', 'shared_teams', ALICE, false)];

function reference(logicalName: string, connector: string, bound?: string, extra: Partial<ReferenceFacts> = {}): ReferenceFacts {
  return { solution: 'Core', id: `id-${logicalName}`, logicalName, connectorId: `${API}${connector}`, present: [{ value: bound, source: 'currentBinding' }], installed: true, flows: [], ...extra };
}

const noSources: ConnectionSources = { byLogicalName: () => undefined, byConnector: () => undefined, ownerFor: () => undefined };

function input(references: ReferenceFacts[], extra: Partial<PlanInput> = {}): PlanInput {
  return {
    references,
    sources: noSources,
    connections: CONNECTIONS,
    statusErrors: new Map([['teams-alice', 'Unauthorized: AADSTS700082 expired']]),
    sharedWithServicePrincipal: new Set(['sql-bob']),
    users: new Map([
      [ALICE, { objectId: ALICE, disabled: false }],
      [BOB, { objectId: BOB, disabled: false }],
    ]),
    acting: new Map<string, ActingCheck>([
      [ALICE, { ok: true }],
      [BOB, { ok: true }],
    ]),
    impersonation: 'Auto',
    servicePrincipalObjectId: SP,
    environmentUrl: 'https://contoso.crm.dynamics.com',
    loc,
    ...extra,
  };
}

const verdict = (plan: ReturnType<typeof planChecks>) => Object.fromEntries(plan.map((c) => [c.facts.logicalName, `${c.health}${c.error ? ` ${c.error.code}` : ''}`]));

describe('DataverseCheckConnections plan', () => {
  it('gives each failing check its own code, in the order a user fixes them', () => {
    const plan = planChecks(
      input([
        reference('cr_unbound', 'shared_office365'),
        reference('cr_gone', 'shared_sql', 'nope'),
        reference('cr_wrong', 'shared_teams', 'sql-bob'),
        reference('cr_expired', 'shared_teams', 'teams-alice'),
      ]),
    );
    assert.deepStrictEqual(verdict(plan), {
      cr_expired: 'unhealthy ConnectionNotConnected',
      cr_gone: 'unhealthy ConnectionNotFound',
      cr_unbound: 'unhealthy MissingValue',
      cr_wrong: 'unhealthy ConnectionOfOtherConnector',
    });
    assert.match(plan.find((c) => c.facts.logicalName === 'cr_expired')!.error!.message, /AADSTS700082 expired/);
  });

  it('judges who will use the connection by Impersonation', () => {
    const refs = [reference('cr_office', 'shared_office365', 'office-alice'), reference('cr_sql', 'shared_sql', 'sql-bob'), reference('cr_own', 'shared_office365', 'office-sp', { solution: 'Other' })];
    assert.deepStrictEqual(verdict(planChecks(input(refs, { impersonation: 'None' }))), {
      cr_office: 'unhealthy ConnectionNotSharedWithServicePrincipal',
      cr_sql: 'healthy',
      cr_own: 'healthy',
    });
    assert.deepStrictEqual(verdict(planChecks(input(refs, { impersonation: 'Auto' }))), { cr_office: 'warning ImpersonationOnly', cr_sql: 'healthy', cr_own: 'healthy' });
    assert.deepStrictEqual(verdict(planChecks(input(refs, { impersonation: 'ConnectionOwner' }))), { cr_office: 'healthy', cr_sql: 'healthy', cr_own: 'healthy' });
    const refused = new Map<string, ActingCheck>([[ALICE, { ok: false, kind: 'cannotActOnBehalf', code: '0x8004A110', message: 'no privilege' }]]);
    assert.deepStrictEqual(verdict(planChecks(input(refs, { impersonation: 'ConnectionOwner', acting: refused }))).cr_office, 'unhealthy 0x8004A110');
    const auto = planChecks(input(refs, { impersonation: 'Auto', acting: refused })).find((c) => c.facts.logicalName === 'cr_office')!;
    assert.strictEqual(auto.error!.code, 'ConnectionNotSharedWithServicePrincipal');
    assert.match(auto.error!.message, /no privilege/);
  });

  it('asks for users and WhoAmI only where they decide something, once per owner', () => {
    const refs = [reference('cr_a', 'shared_office365', 'office-alice'), reference('cr_b', 'shared_office365', 'office-alice', { solution: 'Other' }), reference('cr_sql', 'shared_sql', 'sql-bob'), reference('cr_sp', 'shared_office365', 'office-sp', { solution: 'Third' })];
    assert.deepStrictEqual(ownersToLookUp(planChecks(input(refs, { users: undefined, acting: undefined })), SP), [ALICE, BOB].sort());
    assert.deepStrictEqual(ownersToActAs(planChecks(input(refs, { acting: undefined }))), [ALICE], 'Auto: only the owner of the connection not shared');
    assert.deepStrictEqual(ownersToActAs(planChecks(input(refs, { acting: undefined, impersonation: 'ConnectionOwner' }))), [ALICE, BOB].sort());
    const disabled = new Map([[ALICE, { objectId: ALICE, disabled: true }]]);
    const plan = planChecks(input(refs, { acting: undefined, users: disabled, impersonation: 'ConnectionOwner' }));
    assert.deepStrictEqual(ownersToActAs(plan), [], 'a disabled owner or one not in the environment is not acted as');
    assert.strictEqual(plan.find((c) => c.facts.logicalName === 'cr_a')!.error!.code, '0x80040225');
    assert.strictEqual(plan.find((c) => c.facts.logicalName === 'cr_sql')!.error!.code, 'UserNotInEnvironment');
  });

  it('marks run-only references and warns about two references to one connector in a solution', () => {
    const flows = (name: string, invoker: boolean) => [{ name, invoker }];
    const plan = planChecks(
      input([
        reference('cr_b', 'shared_office365', 'office-sp', { flows: flows('Invoice', false) }),
        reference('cr_a', 'shared_office365', 'nope', { flows: flows('Digest', true) }),
        reference('cr_c', 'shared_office365', 'office-sp', { solution: 'Other' }),
      ]),
    );
    assert.deepStrictEqual(verdict(plan), { cr_a: 'unhealthy ConnectionNotFound', cr_b: 'warning DuplicateConnectorReference', cr_c: 'healthy' });
    const [a, b] = plan;
    assert.strictEqual(a.runOnly, true);
    assert.strictEqual(b.runOnly, false);
    assert.strictEqual(a.warnings[0].code, 'DuplicateConnectorReference', 'an unhealthy duplicate keeps its problem and gets the warning');
    assert.match(b.error!.message, /cr_a \(Digest\); cr_b \(Invoice\)/);
  });

  it('a solution file takes variables and ConnectionOwner first; a secret connection id is never shown', () => {
    const sources: ConnectionSources = {
      byLogicalName: (name) => (name === 'cr_secret' ? { name: 'ConnectionReference.cr_secret', value: 'office-sp', secret: true } : undefined),
      byConnector: () => undefined,
      ownerFor: () => undefined,
    };
    const file = (name: string, value?: string): ReferenceFacts => ({ ...reference(name, 'shared_office365'), id: null, installed: false, present: [{ value, source: 'settingsFile' }] });
    const plan = planChecks(input([file('cr_secret', 'nope'), file('cr_settings', 'nope')], { sources }));
    assert.deepStrictEqual(verdict(plan), { cr_secret: 'warning DuplicateConnectorReference', cr_settings: 'unhealthy ConnectionNotFound' });
    assert.strictEqual(plan[0].connectionShown, '***');
    assert.strictEqual(plan[0].connection, undefined);
    assert.match(plan[1].error!.message, /from the settings/);
  });
});
