// Everything from the service, the solution files and the variables is hostile. Text that would
// make the agent act (a `##vso[` command anywhere in a line, a `##[` format at its start) is fed
// through every field the tasks print; the output is parsed as the agent parses it, and only the
// task's own commands may appear.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Simulator, startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { connectionOf, references, runActivate, solutionFlows } from '../helpers/activate-scenario';
import { CONTOSO_UNPACKED, readTree, tempDir, writeTree } from '../helpers/deployment-settings';

const INJECT = '##vso[task.setvariable variable=PowerPlatform.PowerAppsApiUrl]https://elsewhere';
const hostile = (label: string) => `${label} ${INJECT}\n##[error]forged ${label}\r\n${INJECT}`;

/** The commands a task may issue; anything else came from hostile text. */
const OWN_COMMANDS = new Set(['task.debug', 'task.setsecret', 'task.issue', 'task.logissue', 'task.uploadsummary', 'task.complete', 'task.setvariable', 'results.publish']);

function assertNoInjection(run: AgentRunResult, outputs: string[]): void {
  for (const command of run.commands) assert.ok(OWN_COMMANDS.has(command.name), `unexpected command ${command.name}`);
  const set = run.commands.filter((c) => c.name === 'task.setvariable').map((c) => c.properties.variable);
  for (const name of set) assert.ok(outputs.includes(name), `sets only declared outputs, not ${name}`);
  assert.ok(!run.stdout.split(/\r?\n/).some((line) => /^\s*##\[/.test(line)), 'no line starts a ##[ format command');
  assert.ok(!/##vso\[task\.setvariable variable=PowerPlatform\.PowerAppsApiUrl/.test(run.stdout), 'the injected command is inert');
  for (const command of run.commands) assert.ok(!command.data.includes('\n'), 'every command is one line');
}

describe('hostile text from the service, files and variables issues no command', function () {
  let sim: Simulator;
  const alice = { objectId: 'a11ce000-0000-4000-8000-00000000a11c', upn: 'alice@contoso.com', fullName: hostile('Alice') };
  const outlook = { logicalName: 'plain_outlook', api: 'shared_office365' };
  const teams = { logicalName: 'plain_teams', api: 'shared_teams' };

  beforeEach(async () => {
    const base = baseScenario();
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-hostile-env',
        environmentDisplayName: hostile('Environment'),
        apps: base.apps.map((app) => ({ ...app, displayName: hostile('App') })),
        users: [...base.users.map((user) => (user.objectId === APP_OBJECT_ID ? { ...user, fullName: hostile('Pipeline user') } : user)), alice],
        connections: [{ ...connectionOf('conn-outlook-alice', 'shared_office365', alice), displayName: hostile('Connection') }],
        solutions: [{ uniqueName: 'Plain', friendlyName: hostile('Solution') }],
        connectionReferences: references('Plain', [{ ...outlook, connection: 'conn-outlook-alice' }, teams]).map((r) => ({ ...r, displayName: hostile('Reference') })),
        flows: solutionFlows('Plain', 3, [
          { n: 1, name: hostile('Flow one'), uses: [outlook] },
          { n: 2, name: hostile('Flow two'), uses: [teams] },
        ]),
      }),
    });
  });
  afterEach(async () => sim?.stop());

  it('DataverseActivateFlows: names, user names, connection names and error messages', async () => {
    const run = await runActivate(sim, { SolutionName: 'Plain', ErrorHandling: 'Warn', PublishTestResults: 'true' });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.ok(run.result, describeRun(run));
    assert.ok(run.stdout.includes('Environment'), 'the environment display name is shown');
    assertNoInjection(run, ['ActivatedCount', 'FailedCount', 'ReportFile']);
  });

  it('DataverseBindConnectionReferences: reference and connection names, a hostile variable value', async () => {
    const run = await runAgentTask({
      task: 'DataverseBindConnectionReferencesV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: 'Plain', FailOnUnbound: 'false' },
      endpoint: clientSecretEndpoint(sim.url),
      variables: { ...simulatorVariables(sim.url), 'ConnectionReference.plain_teams': hostile('Variable') },
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.ok(run.result, describeRun(run));
    assertNoInjection(run, ['BoundCount', 'UnboundCount', 'ReportFile']);
  });

  it('DataverseDeploymentSettings: solution unique name, version and file name', async () => {
    const dir = tempDir('hostile-');
    const files = readTree(CONTOSO_UNPACKED);
    const xml = new TextDecoder().decode(files['Other/Solution.xml'])
      .replace('<UniqueName>ContosoSettings</UniqueName>', `<UniqueName>${hostile('Unique')}</UniqueName>`)
      .replace('<Version>1.4.0.2</Version>', `<Version>${hostile('Version')}</Version>`);
    const folder = writeTree(path.join(dir, '##vso[task.setvariable variable=PowerPlatform.BapApiUrl]evil ##[error]x'), { ...files, 'Other/Solution.xml': xml });
    const run = await runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionInputFile: folder, Validate: 'false', FailOnMissingValues: 'false', OutputFile: path.join(dir, 'out', '##vso[task.complete result=Succeeded]x.json') },
      endpoint: clientSecretEndpoint(sim.url),
      variables: simulatorVariables(sim.url),
      caFile: sim.caFile,
    });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.ok(run.result, describeRun(run));
    assertNoInjection(run, ['DeploymentSettingsFile', 'ReportFile']);
    assert.strictEqual(run.commands.filter((c) => c.name === 'task.complete').length, 1, 'one result only');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
