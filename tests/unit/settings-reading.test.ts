import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { UserError } from '../../tasks/common/errors';
import { serializeDeploymentSettings } from '../../tasks/common/settings-file';
import { readSettingsFileWithTokens, settingsOwners } from '../../tasks/common/settings-reading';
import { EndpointAuthorization, TaskHost, VariableEntry } from '../../tasks/common/task-host';
import { conventionReader } from '../../tasks/common/variables';
import { planSettings } from '../../tasks/DataverseDeploymentSettingsV1/modules/plan';
import { buildReport } from '../../tasks/DataverseDeploymentSettingsV1/modules/report';
import { SettingsInputs } from '../../tasks/DataverseDeploymentSettingsV1/modules/inputs';
import { taskLoc } from '../helpers/deployment-settings';

const API = '/providers/Microsoft.PowerApps/apis/';
const SECRET_CONNECTION = '7f3e9c2a1b8d4e6f9a0b1c2d3e4f5a6b';
const SECRET_SQL = 'sql-2b7c4d9e-secret-connection';
const DB_PASSWORD = 'P@ss-w0rd!-not-real';
const text = taskLoc();

/** The agent's variables (names case-insensitive, `.` and `_` alike) and what the task printed. */
class VariablesHost implements TaskHost {
  readonly secrets: string[] = [];
  readonly lines: string[] = [];
  constructor(private readonly entries: VariableEntry[]) {}
  private find(name: string): VariableEntry | undefined {
    const key = name.replace(/[.\s]/g, '_').toUpperCase();
    return this.entries.find((e) => e.name.replace(/[.\s]/g, '_').toUpperCase() === key);
  }
  input() {
    return undefined;
  }
  filePathInput() {
    return undefined;
  }
  variable(name: string) {
    const found = this.find(name);
    if (!found || found.value === '') return undefined;
    if (found.secret) this.setSecret(found.value);
    return found.value;
  }
  variables(): VariableEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }
  endpointUrl() {
    return undefined;
  }
  endpointAuthorization(): EndpointAuthorization | undefined {
    return undefined;
  }
  setSecret(value: string) {
    this.secrets.push(value);
  }
  setOutput() {}
  info(message: string) {
    this.lines.push(message);
  }
  remoteInfo(message: string) {
    this.lines.push(message);
  }
  debug() {}
  warning(message: string) {
    this.lines.push(message);
  }
  error() {}
  uploadSummary() {}
  loc(key: string, ...args: unknown[]) {
    return text(key, ...args);
  }
  tempDirectory() {
    return os.tmpdir();
  }
}

const plain = (name: string, value: string): VariableEntry => ({ name, value, secret: false });

function writeFile(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-reading-'));
  const file = path.join(dir, 'deploymentSettings.json');
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

const describeFile = (reason: string) => `SettingsFile: ${reason}`;

describe('settings files with #{token}# values, as the tasks read them', () => {
  const file = writeFile({
    EnvironmentVariables: [
      { SchemaName: 'cat_Url', Value: 'https://#{api.host}#:#{api.port}#/v1' },
      { SchemaName: 'cat_Db', Value: 'server=sql;password=#{db.password}#' },
      { SchemaName: 'cat_Missing', Value: '#{environmentvariable.cat_Missing}#' },
      { SchemaName: 'cat_Literal', Value: '#{not a token' },
    ],
    ConnectionReferences: [
      {
        LogicalName: 'cat_CDS_Current',
        ConnectionId: '#{connectionreference.cat_CDS_Current}#',
        ConnectorId: `${API}shared_commondataserviceforapps`,
        ConnectionOwner: '#{connectionreference.user.cat_CDS_Current}#',
      },
      {
        LogicalName: 'cat_Teams',
        ConnectionId: '#{connectionreference.cat_Teams}#',
        ConnectorId: `${API}shared_teams`,
        ConnectionOwner: '#{connectionreference.user.cat_Teams}#',
        '#{api.host}#': '#{api.host}#',
      },
      { LogicalName: 'cat_Sql', ConnectionId: '#{sql.connection}#', ConnectorId: `${API}shared_sql` },
    ],
  });
  const variables: VariableEntry[] = [
    plain('api.host', 'api.contoso.example'),
    plain('API_PORT', '8443'),
    { name: 'db.password', value: DB_PASSWORD, secret: true },
    { name: 'connectionreference.cat_CDS_Current', value: SECRET_CONNECTION, secret: true },
    plain('connectionreference.user.cat_Teams', 'svc-teams@contoso.com'),
    { name: 'sql.connection', value: SECRET_SQL, secret: true },
  ];

  it('fills several tokens in one value, whatever the case and separators of the names', () => {
    const host = new VariablesHost(variables);
    const { settings } = readSettingsFileWithTokens(host, file, describeFile);
    assert.strictEqual(settings.EnvironmentVariables[0].Value, 'https://api.contoso.example:8443/v1');
    assert.strictEqual(settings.EnvironmentVariables[3].Value, '#{not a token', 'text that is not a whole token stays');
    assert.strictEqual(settings.ConnectionReferences[0].ConnectionId, SECRET_CONNECTION);
    assert.strictEqual(settings.ConnectionReferences[1].ConnectionOwner, 'svc-teams@contoso.com');
  });

  it('names every unset variable once, in one line, and leaves its values missing', () => {
    const host = new VariablesHost(variables);
    const read = readSettingsFileWithTokens(host, file, describeFile);
    assert.deepStrictEqual(read.unset, ['environmentvariable.cat_Missing', 'connectionreference.user.cat_CDS_Current', 'connectionreference.cat_Teams']);
    assert.strictEqual(read.settings.EnvironmentVariables[2].Value, '');
    assert.deepStrictEqual(read.unsetValues.get('cat_missing'), ['environmentvariable.cat_Missing']);
    assert.deepStrictEqual(read.unsetConnectionIds.get('cat_teams'), ['connectionreference.cat_Teams']);
    assert.strictEqual(read.settings.ConnectionReferences[0].ConnectionOwner, undefined, 'an owner whose token is unset is not given');
    assert.strictEqual(host.lines.filter((l) => l.includes('connectionreference.cat_Teams')).length, 1);
  });

  it('never replaces a token in a key, and writes pac format without the ConnectionOwner key', () => {
    const host = new VariablesHost(variables);
    const written = serializeDeploymentSettings(readSettingsFileWithTokens(host, file, describeFile).settings);
    assert.ok(!written.includes('ConnectionOwner'), written);
    assert.ok(!written.includes('#{api.host}#'), 'an unknown key is not carried to the output');
    const parsed = JSON.parse(written) as { ConnectionReferences: Array<Record<string, string>> };
    for (const entry of parsed.ConnectionReferences) assert.deepStrictEqual(Object.keys(entry), ['LogicalName', 'ConnectionId', 'ConnectorId']);
  });

  it('registers secret values, and every value they were put into, before printing anything', () => {
    const host = new VariablesHost(variables);
    const read = readSettingsFileWithTokens(host, file, describeFile);
    assert.ok(host.secrets.includes(DB_PASSWORD));
    assert.ok(host.secrets.includes(`server=sql;password=${DB_PASSWORD}`));
    assert.ok(host.secrets.includes(SECRET_CONNECTION));
    assert.ok(read.secrets.has(SECRET_CONNECTION));
    assert.ok(!host.lines.join('\n').includes(DB_PASSWORD));
  });

  it('masks secret values in the plan and the report, and reports an unset token as MissingValue naming the variable', () => {
    const host = new VariablesHost(variables);
    const read = readSettingsFileWithTokens(host, file, describeFile);
    const plan = planSettings({
      starting: read.settings,
      variables: conventionReader(host, undefined, settingsOwners(read.settings)),
      validate: false,
      failOnMissingValues: true,
      environmentUrl: 'https://contoso.crm.dynamics.com',
      tokens: read,
      text,
    });
    const teams = plan.references.find((r) => r.logicalName === 'cat_Teams')!;
    assert.strictEqual(teams.source, 'connectionOwner', 'the owner of the reference is asked, as no connection id is given');
    const missing = plan.variables.find((v) => v.schemaName === 'cat_Missing')!;
    assert.deepStrictEqual(missing.problems.map((p) => p.code), ['MissingValue']);
    assert.match(missing.problems[0].message, /environmentvariable\.cat_Missing/);
    const db = plan.variables.find((v) => v.schemaName === 'cat_Db')!;
    assert.strictEqual(db.secret, true);
    const sql = plan.references.find((r) => r.logicalName === 'cat_Sql')!;
    assert.deepStrictEqual([sql.value, sql.source, sql.secret], [SECRET_SQL, 'existingValue', true], 'a secret from a token of another name');
    assert.strictEqual(plan.settings.ConnectionReferences.find((r) => r.LogicalName === 'cat_Sql')?.ConnectionId, SECRET_SQL, 'the written settings hold the value');
    const inputs = { target: 'File', outputFile: 'out.json', validate: false, failOnMissingValues: true, updateApproval: false } as SettingsInputs;
    const report = JSON.stringify(buildReport(plan, { inputs, environmentUrl: 'https://contoso.crm.dynamics.com', written: false, text }));
    assert.ok(!report.includes(DB_PASSWORD), report);
    assert.ok(!report.includes(SECRET_CONNECTION), report);
    assert.ok(!report.includes(SECRET_SQL), report);
  });
});

describe('connectionreference.user.<logicalname>', () => {
  it('is not mistaken for a reference named user.<logicalname>, in either spelling', () => {
    const host = new VariablesHost([
      plain('connectionreference.user.cat_Teams', 'svc@contoso.com'),
      plain('CONNECTIONREFERENCE_USER_CAT_SQL', 'svc@contoso.com'),
      plain('ConnectionReference.cat_Teams', 'teams-1'),
    ]);
    assert.deepStrictEqual(
      conventionReader(host).list().map((v) => [v.prefix, v.key]),
      [['ConnectionReference', 'cat_Teams']],
    );
  });

  it('is the owner of that one reference, over the settings entry and the ConnectionOwner input', () => {
    const host = new VariablesHost([plain('connectionreference.user.cat_Teams', 'AaAaAaAa-0000-4000-8000-000000000001')]);
    const input = { raw: 'svc@contoso.com', upn: 'svc@contoso.com' };
    const reader = conventionReader(host, input, new Map([['cat_teams', 'file@contoso.com'], ['cat_sql', 'file@contoso.com']]));
    assert.deepStrictEqual(reader.ownerFor('CAT_TEAMS'), { raw: 'AaAaAaAa-0000-4000-8000-000000000001', objectId: 'aaaaaaaa-0000-4000-8000-000000000001' });
    assert.deepStrictEqual(reader.ownerFor('cat_Sql'), { raw: 'file@contoso.com', upn: 'file@contoso.com' });
    assert.deepStrictEqual(reader.ownerFor('cat_Other'), input);
  });

  it('naming no reference is a warning with the likely intended name', () => {
    const host = new VariablesHost([plain('connectionreference.user.cat_Teamz', 'svc@contoso.com'), plain('connectionreference.user.cat_Teams', 'svc@contoso.com')]);
    const plan = planSettings({
      starting: { EnvironmentVariables: [], ConnectionReferences: [{ LogicalName: 'cat_Teams', ConnectionId: 'teams-1', ConnectorId: `${API}shared_teams` }] },
      variables: conventionReader(host),
      validate: false,
      failOnMissingValues: true,
      environmentUrl: 'https://contoso.crm.dynamics.com',
      text,
    });
    assert.deepStrictEqual(plan.warnings.map((w) => w.code), ['UnknownVariable']);
    assert.match(plan.warnings[0].message, /^Variable 'connectionreference\.user\.cat_Teamz' .*connectionreference\.user\.cat_Teams/);
  });

  it('a settings entry that gives a connection id gives no owner', () => {
    const owners = settingsOwners({
      EnvironmentVariables: [],
      ConnectionReferences: [
        { LogicalName: 'cat_A', ConnectionId: 'conn-a', ConnectorId: '', ConnectionOwner: 'a@contoso.com' },
        { LogicalName: 'cat_B', ConnectionId: ' ', ConnectorId: '', ConnectionOwner: 'b@contoso.com' },
      ],
    });
    assert.deepStrictEqual([...owners], [['cat_b', 'b@contoso.com']]);
  });

  it('an owner that is neither an object id nor a UPN is an input error naming the variable', () => {
    const host = new VariablesHost([plain('connectionreference.user.cat_Teams', 'not a user')]);
    assert.throws(
      () => conventionReader(host),
      (error: unknown) => error instanceof UserError && error.message === util.format(text('ReferenceOwnerInvalid'), 'cat_Teams', 'connectionreference.user.cat_Teams', util.format(text('UserInvalid'), 'not a user')),
    );
  });
});
