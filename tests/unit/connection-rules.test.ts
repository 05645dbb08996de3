import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { ActingCheck } from '../../tasks/common/acting-identity';
import { EnvironmentUser, checkReferenceConnection } from '../../tasks/common/connection-checks';
import { ConnectionSources, ConventionValue, resolveConnection, resolveEnvironmentVariable } from '../../tasks/common/connection-references';
import { ConnectionInfo, indexConnections, parseOwner } from '../../tasks/common/connections';
import { CONNECTION_PROBLEMS, ConnectionProblemKind, describeConnectionProblem } from '../../tasks/common/problems/connection';
import { REPO_ROOT } from '../helpers/agent-runner';

const OFFICE = '/providers/Microsoft.PowerApps/apis/shared_office365';
const ALICE = 'a1111111-1111-4111-8111-111111111111';
const BOB = 'b2222222-2222-4222-8222-222222222222';
const SP = 'a0000000-0000-4000-8000-00000000000a';

const CONNECTIONS: ConnectionInfo[] = [
  { id: 'office-alice', connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: ALICE, ownerUpn: 'alice@contoso.com' },
  { id: 'office-alice-2', connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: ALICE, ownerUpn: 'alice@contoso.com' },
  { id: 'office-bob', connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: BOB, ownerUpn: 'bob@contoso.com' },
  { id: 'office-bob-broken', connector: 'shared_office365', connected: false, status: 'Error', ownerObjectId: BOB, ownerUpn: 'bob@contoso.com' },
  { id: 'sql-bob', connector: 'shared_sql', connected: true, status: 'Connected', ownerObjectId: BOB },
  { id: 'office-sp', connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: SP },
  { id: 'office-nobody', connector: 'shared_office365', connected: true, status: 'Connected' },
];

function sources(values: Record<string, string>, owner?: string, secret: string[] = []): ConnectionSources {
  const value = (name: string): ConventionValue | undefined => {
    const key = Object.keys(values).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : { name, value: values[key], secret: secret.includes(key) };
  };
  return { byLogicalName: (n) => value(`ConnectionReference.${n}`), byConnector: (c) => value(`Connector.${c}`), ownerFor: () => parseOwner(owner) };
}

const office = (present: string | undefined = 'office-sp') => ({ logicalName: 'cr_office', connectorId: OFFICE, present: [{ value: present, source: 'settingsFile' as const }] });

describe('connection rules: precedence of CONTRACT 2.3', () => {
  const all = { 'ConnectionReference.cr_office': 'office-alice', 'Connector.shared_office365': 'office-bob' };

  it('takes ConnectionReference.<logicalname>, then Connector.<connectorname>, then the owner, then the value present', () => {
    assert.deepStrictEqual(resolveConnection(office(), sources(all, BOB), CONNECTIONS), { connectionId: 'office-alice', source: 'variableByLogicalName', variable: 'ConnectionReference.cr_office', secret: false });
    assert.strictEqual(resolveConnection(office(), sources({ 'Connector.shared_office365': 'office-bob' }, BOB), CONNECTIONS).connectionId, 'office-bob');
    const byOwner = resolveConnection(office(), sources({}, BOB), CONNECTIONS);
    assert.strictEqual(byOwner.connectionId, 'office-bob');
    assert.strictEqual(byOwner.source, 'connectionOwner');
    assert.deepStrictEqual(resolveConnection(office(), sources({}), CONNECTIONS), { connectionId: 'office-sp', source: 'settingsFile', secret: false });
    assert.deepStrictEqual(resolveConnection(office(''), sources({}), CONNECTIONS), {});
  });

  it('treats a blank variable as not given and trims values', () => {
    const resolved = resolveConnection(office(), sources({ 'ConnectionReference.cr_office': '  ', 'Connector.shared_office365': ' office-bob ' }), CONNECTIONS);
    assert.strictEqual(resolved.connectionId, 'office-bob');
    assert.strictEqual(resolved.source, 'variableByConnector');
  });

  it('keeps the secrecy of the variable that gave the value', () => {
    const resolved = resolveConnection(office(), sources(all, undefined, ['ConnectionReference.cr_office']), CONNECTIONS);
    assert.strictEqual(resolved.connectionId !== undefined && resolved.secret, true);
  });

  it('an owner with several or no Connected connections is a problem naming the candidates, never the value present', () => {
    const several = resolveConnection(office(), sources({}, ALICE), CONNECTIONS);
    assert.strictEqual(several.problem, 'ConnectionOwnerHasSeveralConnections');
    assert.deepStrictEqual(several.problem && several.candidates.map((c) => c.id), ['office-alice', 'office-alice-2']);
    const none = resolveConnection({ ...office(), connectorId: '/providers/Microsoft.PowerApps/apis/shared_teams' }, sources({}, BOB), CONNECTIONS);
    assert.strictEqual(none.problem, 'ConnectionOwnerHasNoConnection');
    const unknownConnector = resolveConnection({ ...office(), connectorId: '' }, sources({}, BOB), CONNECTIONS);
    assert.strictEqual(unknownConnector.problem, 'ConnectorUnknown');
  });

  it('environment variables: EnvironmentVariable.<schemaname>, then the value present', () => {
    assert.deepStrictEqual(resolveEnvironmentVariable({ name: 'EnvironmentVariable.x', value: 'v', secret: true }, 'old'), { value: 'v', source: 'variableBySchemaName', variable: 'EnvironmentVariable.x', secret: true });
    assert.deepStrictEqual(resolveEnvironmentVariable(undefined, 'old'), { value: 'old', source: 'existingValue' });
    assert.strictEqual(resolveEnvironmentVariable(undefined, ''), undefined);
  });
});

describe('connection rules: the connection checks', () => {
  const byId = indexConnections(CONNECTIONS);
  const users = new Map<string, EnvironmentUser>([
    [ALICE, { objectId: ALICE, disabled: false }],
    [BOB, { objectId: BOB, disabled: true }],
  ]);
  const check = (connectionId: string, connectorId = OFFICE, withOwner = false, acting?: Map<string, ActingCheck>) =>
    checkReferenceConnection({ connectionsById: byId, connectionId, connectorId, owner: withOwner ? { users, acting, servicePrincipalObjectId: SP } : undefined })?.kind;

  it('exists, is of the connector, is Connected', () => {
    assert.strictEqual(check('nope'), 'ConnectionNotFound');
    assert.strictEqual(check('sql-bob'), 'ConnectionOfOtherConnector');
    assert.strictEqual(check('office-bob-broken'), 'ConnectionNotConnected');
    assert.strictEqual(check('OFFICE-ALICE'), undefined, 'ids compare case-insensitively');
    assert.strictEqual(check('sql-bob', ''), undefined, 'an unknown connector accepts any connection');
  });

  it('its owner: known, a user of the environment, enabled, and may be acted as', () => {
    assert.strictEqual(check('office-nobody', OFFICE, true), 'ConnectionOwnerUnknown');
    assert.strictEqual(check('office-bob', OFFICE, true), 'UserDisabled');
    assert.strictEqual(check('office-alice', OFFICE, true), undefined);
    assert.strictEqual(check('office-sp', OFFICE, true), undefined, 'the service principal itself needs no check');
    const refused = new Map<string, ActingCheck>([[ALICE, { ok: false, kind: 'cannotActOnBehalf', code: '0x8004a110', message: 'no' }]]);
    assert.strictEqual(check('office-alice', OFFICE, true, refused), 'CannotActOnBehalfOfAnotherUser');
    const stranger = checkReferenceConnection({ connectionsById: byId, connectionId: 'office-alice', connectorId: OFFICE, owner: { users: new Map() } });
    assert.strictEqual(stranger?.kind, 'UserNotInEnvironment');
  });
});

describe('connection rules: the problem catalogue', () => {
  const tasks = ['DataverseBindConnectionReferencesV1', 'DataverseDeploymentSettingsV1'];
  // The bundled task.json: the task's own messages with the shared ones merged in, as the agent reads it.
  const messages = tasks.map((task) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'tasks', task, 'task.json'), 'utf8')).messages as Record<string, string>);

  it('every message of the catalogue is in every task that reports it, with the same text', () => {
    const keys = Object.values(CONNECTION_PROBLEMS).flatMap((spec) => [spec.messageKey, spec.hintKey]);
    for (const key of [...keys, 'OwnerConnectionsNotConnected', 'SourceVariable', 'SourceConnectionOwner', 'SourceSettingsFile', 'SourceCurrentBinding']) {
      assert.ok(messages[0][key], `${key} in ${tasks[0]}`);
      assert.strictEqual(messages[1][key], messages[0][key], key);
    }
  });

  it('fills every placeholder of each message and hint from the facts, and keeps a platform code', () => {
    const loc = (key: string, ...args: unknown[]) => util.format(messages[0][key], ...args);
    for (const kind of Object.keys(CONNECTION_PROBLEMS) as ConnectionProblemKind[]) {
      const error = describeConnectionProblem(loc, kind, { reference: 'cr_office', connector: 'shared_office365', connection: 'c1', source: 'variable X', environment: 'https://e', owner: 'alice', ownerInput: 'svc', platformMessage: 'm' });
      assert.strictEqual(error.code, CONNECTION_PROBLEMS[kind].code);
      assert.ok(!/%[sd]/.test(`${error.message} ${error.hint}`), `${kind}: ${error.message} ${error.hint}`);
    }
    assert.strictEqual(describeConnectionProblem(loc, 'CannotActOnBehalfOfAnotherUser', { reference: 'r', connector: 'c' }, '0x8004a110').code, '0x8004a110');
  });
});
