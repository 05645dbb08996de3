// CONTRACT §3: a report and zeroed counts also when a task stops before its plan, and the JUnit
// results on the Tests tab when PublishTestResults is true.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { AgentRunResult, DIST_TASKS, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { ALICE, connectionOf, references, runActivate, solutionFlows } from '../helpers/activate-scenario';

interface Report {
  schemaVersion: number;
  taskVersion: string;
  task: string;
  items: Array<Record<string, unknown>>;
  error?: { code: string; message: string; hint: string | null };
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

function taskVersion(folder: string): string {
  const v = readJson<{ version: { Major: number; Minor: number; Patch: number } }>(path.join(DIST_TASKS, folder, 'task.json')).version;
  return `${v.Major}.${v.Minor}.${v.Patch}`;
}

function report(run: AgentRunResult): Report {
  assert.ok(run.outputs.ReportFile, `ReportFile output set: ${describeRun(run)}`);
  return readJson<Report>(run.outputs.ReportFile);
}

const outlook = { logicalName: 'plain_outlook', api: 'shared_office365' };
const teams = { logicalName: 'plain_teams', api: 'shared_teams' };

describe('report and results (CONTRACT §3)', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-report-env',
        users: [...baseScenario().users, ALICE],
        connections: [connectionOf('conn-outlook-alice', 'shared_office365', ALICE, [APP_OBJECT_ID])],
        solutions: [{ uniqueName: 'Plain' }],
        connectionReferences: references('Plain', [{ ...outlook, connection: 'conn-outlook-alice' }, teams]),
        flows: solutionFlows('Plain', 3, [
          { n: 1, name: 'Send mail', uses: [outlook] },
          { n: 2, name: 'Post to Teams', uses: [teams] },
        ]),
      }),
    });
  });
  afterEach(async () => sim?.stop());

  const cases: Array<{ folder: 'DataverseActivateFlowsV1' | 'DataverseBindConnectionReferencesV1' | 'DataverseDeploymentSettingsV1'; inputs: Record<string, string>; counts: string[] }> = [
    { folder: 'DataverseActivateFlowsV1', inputs: { SolutionName: 'Plain', MaxParallel: '0' }, counts: ['ActivatedCount', 'FailedCount'] },
    { folder: 'DataverseBindConnectionReferencesV1', inputs: { SolutionName: 'Plain', DryRun: 'maybe' }, counts: ['BoundCount', 'UnboundCount'] },
    { folder: 'DataverseDeploymentSettingsV1', inputs: { SolutionInputFile: '/drop/s.zip', Target: 'Folder' }, counts: [] },
  ];
  for (const { folder, inputs, counts } of cases) {
    it(`${folder}: a bad input still leaves a report with no items, the error, and zeroed counts`, async () => {
      const run = await runAgentTask({
        task: folder,
        inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
        endpoint: clientSecretEndpoint(sim.url),
        variables: simulatorVariables(sim.url),
        caFile: sim.caFile,
      });
      assertNoSecretsVisible(run, [CLIENT_SECRET]);
      assert.strictEqual(run.result, 'Failed', describeRun(run));
      assert.deepStrictEqual(sim.log, [], 'nothing was requested');
      const written = report(run);
      assert.strictEqual(written.schemaVersion, 1);
      assert.strictEqual(written.taskVersion, taskVersion(folder));
      assert.deepStrictEqual(written.items, []);
      assert.strictEqual(written.error?.code, 'InvalidConfiguration');
      assert.strictEqual(written.error?.message, run.resultMessage);
      for (const name of counts) assert.strictEqual(run.outputs[name], '0', `${name} is 0`);
      assert.strictEqual(run.summaries.length, 1, 'a summary is attached');
    });
  }

  it('a Username/password service connection is refused by name before any request, with a report', async () => {
    const run = await runAgentTask({
      task: 'DataverseBindConnectionReferencesV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: 'Plain' },
      endpoint: { id: SERVICE_CONNECTION_ID, url: sim.url, scheme: 'UsernamePassword', parameters: { username: 'admin@contoso.com', password: 'user-password-9!' } },
      variables: simulatorVariables(sim.url),
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(run, ['user-password-9!']);
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /'Username\/password' authentication, which these tasks do not support/);
    assert.deepStrictEqual(sim.log, [], 'the password was sent nowhere');
    assert.strictEqual(report(run).error?.message, run.resultMessage);
    assert.strictEqual(run.outputs.BoundCount, '0');
  });

  it('publishes one JUnit test case per report item, failed items as failures with code, message and hint', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', PublishTestResults: 'true', ErrorHandling: 'Warn' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    const written = report(run);
    assert.strictEqual(written.items.length, 2, describeRun(run));
    for (const item of written.items) assert.deepStrictEqual(Object.keys(item).filter((k) => ['kind', 'name', 'id', 'outcome', 'actor', 'error'].includes(k)).sort(), ['actor', 'error', 'id', 'kind', 'name', 'outcome']);
    const publish = run.commands.filter((c) => c.name === 'results.publish');
    assert.strictEqual(publish.length, 1, 'results published once');
    assert.strictEqual(publish[0].properties.type, 'JUnit');
    const xml = fs.readFileSync(publish[0].properties.resultFiles, 'utf8');
    const testCases = xml.match(/<testcase /g) ?? [];
    assert.strictEqual(testCases.length, 2);
    const failed = written.items.filter((item) => item.outcome === 'failed');
    assert.ok(failed.length >= 1, 'the flow on an unbound reference fails');
    const failures = xml.match(/<failure [^>]*>[^<]*<\/failure>/g) ?? [];
    assert.strictEqual(failures.length, failed.length);
    const error = failed[0].error as { code: string; message: string; hint?: string };
    const first = failures[0] ?? '';
    assert.ok(first.includes(`type="${error.code}"`), first);
    if (error.hint) assert.ok(first.includes(error.hint.slice(0, 20).replace(/'/g, '&apos;')), first);
  });

  it('publishes no results when PublishTestResults is not set', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', ErrorHandling: 'Warn' });
    assert.deepStrictEqual(run.commands.filter((c) => c.name === 'results.publish'), []);
  });
});
