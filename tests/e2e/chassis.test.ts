import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSimulator, Simulator } from '../simulator';
import { assertNoSecretsVisible, describeRun, DIST_TASKS, runAgentTask, TaskFolder } from '../helpers/agent-runner';
import {
  APP_OBJECT_ID,
  baseScenario,
  CLIENT_SECRET,
  clientSecretEndpoint,
  federatedEndpoint,
  JOB_ACCESS_TOKEN,
  managedIdentityEndpoint,
  managedIdentityEnv,
  MANAGED_IDENTITY,
  SERVICE_CONNECTION_ID,
  simulatorVariables,
} from '../helpers/base-scenario';

const TASKS: TaskFolder[] = ['DataverseDeploymentSettingsV1', 'DataverseBindConnectionReferencesV1', 'DataverseActivateFlowsV1'];

const SOLUTION = 'ChassisEmptySolution';

/** The smallest valid inputs of each task: an empty solution, so the run only shows the connection. */
function minimalInputs(task: TaskFolder): Record<string, string> {
  if (task !== 'DataverseDeploymentSettingsV1') return { SolutionName: SOLUTION };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-solution-'));
  fs.mkdirSync(path.join(folder, 'Other'));
  fs.writeFileSync(
    path.join(folder, 'Other', 'Solution.xml'),
    `<ImportExportXml><SolutionManifest><UniqueName>${SOLUTION}</UniqueName><Version>1.0.0.0</Version><Managed>0</Managed></SolutionManifest></ImportExportXml>`,
  );
  fs.writeFileSync(path.join(folder, 'Other', 'Customizations.xml'), '<ImportExportXml><Entities /><Workflows /></ImportExportXml>');
  return { SolutionInputFile: folder };
}

/** A copy of a bundled task folder outside the repository, so no node_modules can be found from it. */
function isolatedTaskFolder(task: TaskFolder): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), `${task}-`));
  for (const file of fs.readdirSync(path.join(DIST_TASKS, task))) fs.copyFileSync(path.join(DIST_TASKS, task, file), path.join(target, file));
  return target;
}

describe('chassis: every bundled task authenticates and says who it is', function () {
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ scenario: baseScenario({ solutions: [{ uniqueName: SOLUTION }] }) });
  });
  after(async () => sim?.stop());
  beforeEach(() => sim.clearLog());

  for (const task of TASKS) {
    describe(task, () => {
      it('connects with a client secret from a folder without node_modules', async () => {
        const run = await runAgentTask({
          task,
          taskDirectory: isolatedTaskFolder(task),
          // The connection check only needs the service connection; task inputs are their own issues.
          inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, Environment: '$(BuildTools.EnvironmentUrl)', ...minimalInputs(task) },
          endpoint: clientSecretEndpoint(sim),
          variables: simulatorVariables(sim),
          caFile: sim.caFile,
        });
        assertNoSecretsVisible(run, [CLIENT_SECRET]);
        assert.strictEqual(run.result, 'Succeeded', describeRun(run));
        assert.ok(run.stdout.includes(`Connected to ${sim.urls.dataverse}`), describeRun(run));
        assert.ok(run.stdout.includes(APP_OBJECT_ID), 'names the identity it acts as');
        assert.ok(sim.log.some((entry) => entry.api === 'token' && entry.status === 200));
        assert.ok(sim.log.some((entry) => entry.path.endsWith('/WhoAmI') && entry.caller === APP_OBJECT_ID));
      });

      it('authenticates with workload identity federation through the job OIDC token', async () => {
        const run = await runAgentTask({
          task,
          taskDirectory: isolatedTaskFolder(task),
          inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...minimalInputs(task) },
          endpoint: federatedEndpoint(sim),
          variables: simulatorVariables(sim),
          jobAccessToken: JOB_ACCESS_TOKEN,
          caFile: sim.caFile,
        });
        assertNoSecretsVisible(run, [JOB_ACCESS_TOKEN]);
        assert.strictEqual(run.result, 'Succeeded', describeRun(run));
        assert.ok(run.stdout.includes(APP_OBJECT_ID), 'names the identity it acts as');
        const oidc = sim.log.findIndex((entry) => entry.api === 'oidc' && entry.status === 200);
        const token = sim.log.findIndex((entry) => entry.api === 'token' && entry.method === 'POST' && entry.status === 200);
        assert.ok(oidc >= 0 && token > oidc, 'the OIDC token is fetched, then exchanged');
        assert.strictEqual(sim.log.filter((entry) => entry.api === 'oidc').length, 1, 'one OIDC token serves the whole run');
        assert.ok(sim.log.some((entry) => entry.path.endsWith('/WhoAmI') && entry.caller === APP_OBJECT_ID));
      });

      it('fails with one clear message naming AADSTS7000215 for a wrong secret, and sends no Dataverse request', async () => {
        const wrongSecret = 'wrong-secret-value-123';
        const run = await runAgentTask({
          task,
          inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...minimalInputs(task) },
          endpoint: clientSecretEndpoint(sim, wrongSecret),
          variables: simulatorVariables(sim),
          caFile: sim.caFile,
        });
        assertNoSecretsVisible(run, [wrongSecret, CLIENT_SECRET]);
        assert.strictEqual(run.result, 'Failed', describeRun(run));
        assert.match(run.resultMessage ?? '', /AADSTS7000215/);
        assert.strictEqual(run.errors.length, 1, `one error issue: ${run.errors.join(' | ')}`);
        assert.ok(!/\bat .+\.js:\d+/.test(run.resultMessage ?? ''), 'no stack trace in the message');
        assert.strictEqual(sim.log.filter((entry) => entry.api === 'dataverse').length, 0);
      });
    });
  }

  it('authenticates with the agent host managed identity', async () => {
    const run = await runAgentTask({
      task: 'DataverseBindConnectionReferencesV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...minimalInputs('DataverseBindConnectionReferencesV1') },
      endpoint: managedIdentityEndpoint(sim),
      variables: simulatorVariables(sim),
      caFile: sim.caFile,
      env: managedIdentityEnv(sim),
    });
    assertNoSecretsVisible(run, []);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.ok(sim.log.some((entry) => entry.api === 'imds' && entry.status === 200));
    assert.ok(sim.log.some((entry) => entry.path.endsWith('/WhoAmI') && entry.caller === MANAGED_IDENTITY.objectId));
  });

  it('rejects an http:// environment URL before any request', async () => {
    const run = await runAgentTask({
      task: 'DataverseActivateFlowsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, Environment: sim.url.replace('https:', 'http:'), ...minimalInputs('DataverseActivateFlowsV1') },
      endpoint: clientSecretEndpoint(sim),
      variables: simulatorVariables(sim),
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /Environment.*https/);
    assert.strictEqual(sim.log.length, 0);
  });
});
