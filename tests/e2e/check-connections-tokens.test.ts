import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { ALICE, API, connection, reportOf, runCheck, solutionFiles, tempFolder, verdicts, writeSolutionZip } from '../helpers/check-scenario';

const SOLUTION = 'ContosoTokens';
const SECRET_SQL_CONNECTION = 'sql-app-7c41d09e2b6a4f13';

/** A tokenized settings file (ALM Accelerator layout): connection ids and owners from pipeline variables. */
function writeTokenizedSettings(): string {
  const file = path.join(tempFolder(), 'deploymentSettings.json');
  const entry = (logicalName: string, connector: string, connectionId: string, owner?: string) => ({
    LogicalName: logicalName,
    ConnectionId: connectionId,
    ConnectorId: `${API}${connector}`,
    ...(owner ? { ConnectionOwner: owner } : {}),
  });
  const settings = {
    EnvironmentVariables: [],
    ConnectionReferences: [
      entry('contoso_sql', 'shared_sql', '#{sql.connection}#'),
      entry('contoso_ok', 'shared_office365', '#{connectionreference.contoso_ok}#', '#{connectionreference.user.contoso_ok}#'),
      entry('contoso_unset', 'shared_teams', '#{teams.connection}#'),
      entry('contoso_approvals', 'shared_approvals', '', ALICE.upn),
    ],
  };
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

describe('DataverseCheckConnections: a tokenized settings file and per-reference owners, read as the other tasks read them', function () {
  this.timeout(60_000);
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('fills tokens from variables (a secret one masked), takes connectionreference.user.* and the entry ConnectionOwner, and names an unset variable', async () => {
    const base = baseScenario();
    sim = await startSimulator({
      scenario: baseScenario({
        users: [...base.users, ALICE],
        connections: [
          connection(SECRET_SQL_CONNECTION, 'shared_sql', APP_OBJECT_ID),
          connection('office-ok', 'shared_office365', ALICE.objectId, { sharedWith: [APP_OBJECT_ID] }),
          connection('approvals-alice', 'shared_approvals', ALICE.objectId),
        ],
      }),
    });
    const references = [
      { logicalName: 'contoso_sql', connector: 'shared_sql' },
      { logicalName: 'contoso_ok', connector: 'shared_office365' },
      { logicalName: 'contoso_unset', connector: 'shared_teams' },
      { logicalName: 'contoso_approvals', connector: 'shared_approvals' },
    ];
    const solution = writeSolutionZip(solutionFiles(SOLUTION, references, []));
    const run = await runCheck(
      sim,
      { SolutionInputFile: solution, SettingsFile: writeTokenizedSettings(), Impersonation: 'None' },
      { variables: { 'connectionreference.user.contoso_ok': ALICE.upn }, secretVariables: { 'sql.connection': SECRET_SQL_CONNECTION } },
    );
    assertNoSecretsVisible(run, [CLIENT_SECRET, SECRET_SQL_CONNECTION]);
    assert.ok(!fs.readFileSync(run.outputs.ReportFile, 'utf8').includes(SECRET_SQL_CONNECTION), 'the secret is not in the report');
    for (const value of Object.values(run.outputs)) assert.ok(!value.includes(SECRET_SQL_CONNECTION), 'no secret in an output variable');
    assert.ok(!run.summaries.some((s) => s.includes(SECRET_SQL_CONNECTION)), 'the secret is not in the summary');

    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.deepStrictEqual(verdicts(run), {
      contoso_approvals: 'unhealthy ConnectionNotSharedWithServicePrincipal',
      contoso_ok: 'healthy',
      contoso_sql: 'healthy',
      contoso_unset: 'unhealthy MissingValue',
    });
    const byName = new Map(reportOf(run).items.map((i) => [i.name, i]));
    assert.strictEqual(byName.get('contoso_sql')!.connection, '***', 'a connection id from a secret token is masked');
    assert.strictEqual(byName.get('contoso_ok')!.connection, 'office-ok', 'the owner of connectionreference.user.contoso_ok');
    assert.strictEqual(byName.get('contoso_approvals')!.connection, 'approvals-alice', "the settings entry's ConnectionOwner");
    assert.match(byName.get('contoso_unset')!.error!.message, /teams\.connection/, 'the unset variable is named');
    assert.ok(run.stdout.includes('teams.connection'), 'the unset variables are listed in the log');
  });
});
