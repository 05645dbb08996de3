import * as assert from 'assert';
import { parseDeploymentSettings, serializeDeploymentSettings } from '../../tasks/common/settings-file';
import { indexConnections, parseOwner, pickOwnerConnection, ConnectionInfo } from '../../tasks/common/connections';
import { checkReferenceConnection } from '../../tasks/common/connection-checks';
import { connectorName } from '../../tasks/common/admin';

const describeProblem = (reason: string) => `SettingsFile: ${reason}`;

describe('pac deployment settings format', () => {
  it('parses tolerant of a BOM, casing and extra fields, and serialises in pac order', () => {
    const settings = parseDeploymentSettings(
      '\uFEFF{"connectionReferences":[{"logicalName":"cr_a","ConnectionId":null,"ConnectorId":"/providers/Microsoft.PowerApps/apis/shared_office365","Extra":1}],"EnvironmentVariables":[{"SchemaName":"env_x","Value":3}]}',
      describeProblem,
    );
    assert.deepStrictEqual(settings.ConnectionReferences, [{ LogicalName: 'cr_a', ConnectionId: '', ConnectorId: '/providers/Microsoft.PowerApps/apis/shared_office365' }]);
    assert.deepStrictEqual(settings.EnvironmentVariables, [{ SchemaName: 'env_x', Value: '3' }]);
    const text = serializeDeploymentSettings(settings);
    assert.ok(text.indexOf('EnvironmentVariables') < text.indexOf('ConnectionReferences'));
    assert.match(text, /^\{\n  "EnvironmentVariables": \[\n    \{\n      "SchemaName"/);
  });

  it('names the problem with malformed JSON', () => {
    assert.throws(() => parseDeploymentSettings('{"EnvironmentVariables": [', describeProblem), /SettingsFile: it is not valid JSON/);
    assert.throws(() => parseDeploymentSettings('[]', describeProblem), /must be a JSON object/);
    assert.throws(() => parseDeploymentSettings('{"ConnectionReferences": {}}', describeProblem), /'ConnectionReferences' must be an array/);
  });
});

describe('connections of the environment', () => {
  const connection = (id: string, connector: string, owner: string, connected = true): ConnectionInfo => ({
    id,
    connector,
    connected,
    status: connected ? 'Connected' : 'Error',
    ownerObjectId: owner,
    ownerUpn: `${owner}@contoso.com`,
  });
  const all = [
    connection('c1', 'shared_office365', 'aaaaaaaa-0000-0000-0000-000000000001'),
    connection('c2', 'shared_office365', 'aaaaaaaa-0000-0000-0000-000000000002'),
    connection('c3', 'shared_sharepointonline', 'aaaaaaaa-0000-0000-0000-000000000001', false),
    connection('c4', 'shared_teams', 'aaaaaaaa-0000-0000-0000-000000000001'),
    connection('c5', 'shared_teams', 'aaaaaaaa-0000-0000-0000-000000000001'),
  ];

  it('takes the connector name from a connector id', () => {
    assert.strictEqual(connectorName('/providers/Microsoft.PowerApps/apis/shared_Office365'), 'shared_office365');
    assert.strictEqual(connectorName('shared_teams'), 'shared_teams');
  });

  it("picks the owner's single Connected connection, by object id or UPN", () => {
    const byId = pickOwnerConnection(all, parseOwner('AAAAAAAA-0000-0000-0000-000000000001')!, '/providers/Microsoft.PowerApps/apis/shared_office365');
    assert.deepStrictEqual('connection' in byId && byId.connection.id, 'c1');
    const byUpn = pickOwnerConnection(all, parseOwner('aaaaaaaa-0000-0000-0000-000000000002@contoso.com')!, 'shared_office365');
    assert.deepStrictEqual('connection' in byUpn && byUpn.connection.id, 'c2');
  });

  it('reports several candidates and none (with the disconnected ones)', () => {
    const owner = parseOwner('aaaaaaaa-0000-0000-0000-000000000001')!;
    const several = pickOwnerConnection(all, owner, 'shared_teams');
    assert.ok('problem' in several && several.problem === 'several');
    assert.deepStrictEqual('problem' in several && several.candidates.map((c) => c.id), ['c4', 'c5']);
    const none = pickOwnerConnection(all, owner, 'shared_sharepointonline');
    assert.ok('problem' in none && none.problem === 'none');
    assert.deepStrictEqual('problem' in none && none.candidates.map((c) => c.id), ['c3']);
  });

  it('checks existence, connector and status', () => {
    const index = indexConnections(all);
    const check = (connectionId: string, connectorId: string) => checkReferenceConnection({ connectionsById: index, connectionId, connectorId })?.kind;
    assert.strictEqual(check('C1', 'shared_office365'), undefined);
    assert.strictEqual(check('nope', 'shared_office365'), 'ConnectionNotFound');
    assert.strictEqual(check('c1', 'shared_teams'), 'ConnectionOfOtherConnector');
    assert.strictEqual(check('c3', 'shared_sharepointonline'), 'ConnectionNotConnected');
  });
});

describe('pac deployment settings errors', () => {
  it('gives the position of a JSON error without quoting the text, which may hold secrets', () => {
    const text = '{\n  "EnvironmentVariables": [ {"SchemaName": "x", "Value": "s3cr3t-value"} ],\n  oops\n}';
    assert.throws(
      () => parseDeploymentSettings(text, describeProblem),
      (error: Error) => /line 3, column 3/.test(error.message) && !error.message.includes('s3cr3t'),
    );
  });
});
