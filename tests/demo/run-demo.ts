import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, runAgentTask, TaskFolder } from '../helpers/agent-runner';
import { CLIENT_SECRET, clientSecretEndpoint, SERVICE_CONNECTION_ID, simulatorVariables } from '../helpers/base-scenario';
import { DEMO_FLOWS, DEMO_SOLUTION, KEPT_OFF_FLOW, NEW_FLOW, SERVICE_ACCOUNT, demoScenario, writeDemoSolution } from './demo-scenario';

const PARTNER_API_KEY = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-rg/providers/Microsoft.KeyVault/vaults/contoso-kv/secrets/partner-api-key';

/**
 * Runs the tasks against the local simulator as a release pipeline would around the import step:
 * save the cloud flow states, (simulated) import, set deployment settings, bind connection
 * references, turn the cloud flows on with the saved states. Exits 0 only when every flow is back
 * in its recorded state, the new one on and the one kept off still off.
 */
async function main(): Promise<number> {
  const sim = await startSimulator({ scenario: demoScenario() });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dataverse-demo-'));
  const variables = {
    ...simulatorVariables(sim.url),
    'EnvironmentVariable.contoso_SiteUrl': 'https://contoso.sharepoint.com/sites/expenses',
    'EnvironmentVariable.contoso_ApprovalThreshold': '2500',
    'EnvironmentVariable.contoso_RoutingRules': '{"default":"finance@contoso.com"}',
  };
  const secretVariables = { 'EnvironmentVariable.contoso_ApiKey': PARTNER_API_KEY };
  const common = { endpoint: clientSecretEndpoint(sim.url), variables, secretVariables, caFile: sim.caFile, debug: false, workDirectory: work };
  console.log(`Simulated environment: ${sim.url} (solution ${DEMO_SOLUTION}, connections owned by ${SERVICE_ACCOUNT.upn})\n`);

  try {
    const save = await step('1. Save cloud flow states (before the import)', 'DataverseSaveFlowStatesV1', {
      ...common,
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: DEMO_SOLUTION, OutputFile: path.join(work, 'flow-states.json') },
    });

    // What PowerPlatformImportSolution@2 does to the flows: the upgrade leaves them off, its
    // "activate plugins and flows" switch turns on the one kept off, and the new version adds one.
    console.log('2. Import the new version of the solution (simulated)');
    sim.state.simulateImport({ turnOff: DEMO_FLOWS.filter((f) => f.name !== KEPT_OFF_FLOW).map((f) => f.name), turnOn: [KEPT_OFF_FLOW], addFlows: [{ ...NEW_FLOW }] });
    console.log(`   every flow off but '${KEPT_OFF_FLOW}', which the import turned on; '${NEW_FLOW.name}' added\n`);

    const settingsFile = path.join(work, 'deploymentsettings.json');
    const settings = await step('3. Set deployment settings', 'DataverseDeploymentSettingsV1', {
      ...common,
      inputs: {
        PowerPlatformSPN: SERVICE_CONNECTION_ID,
        SolutionInputFile: writeDemoSolution(path.join(work, 'solution')),
        OutputFile: settingsFile,
        ConnectionOwner: SERVICE_ACCOUNT.upn,
        Validate: 'true',
        Target: 'File',
      },
    });
    if (fs.existsSync(settingsFile)) {
      const shown = fs.readFileSync(settingsFile, 'utf8').split(PARTNER_API_KEY).join('*** (secret variable)');
      console.log(`   settings file:\n${indent(shown, 6)}`);
    }

    const bind = await step('4. Bind connection references', 'DataverseBindConnectionReferencesV1', {
      ...common,
      inputs: {
        PowerPlatformSPN: SERVICE_CONNECTION_ID,
        SolutionName: DEMO_SOLUTION,
        SettingsFile: fs.existsSync(settingsFile) ? settingsFile : '<sources>',
        ConnectionOwner: SERVICE_ACCOUNT.upn,
        Impersonation: 'ConnectionOwner',
      },
    });

    const activate = await step('5. Turn on cloud flows as recorded', 'DataverseActivateFlowsV1', {
      ...common,
      inputs: {
        PowerPlatformSPN: SERVICE_CONNECTION_ID,
        SolutionName: DEMO_SOLUTION,
        // Auto: the service principal where the connections are shared with it, else their owner.
        Impersonation: 'Auto',
        MaxParallel: '4',
        FlowStatesFile: save.outputs.FlowStatesFile ?? '<sources>',
        NewFlows: 'On',
      },
    });

    for (const run of [save, settings, bind, activate]) assertNoSecretsVisible(run, [CLIENT_SECRET, PARTNER_API_KEY]);

    const state = sim.state.snapshot();
    const users = new Map(sim.state.scenario.users.map((u) => [u.objectId.toLowerCase(), u.fullName ?? u.upn]));
    console.log('\nEnvironment state after the pipeline:');
    console.log('  Connection references:');
    for (const ref of state.connectionReferences) console.log(`    ${ref.logicalName.padEnd(38)} -> ${ref.connectionid ?? '(none)'}`);
    console.log('  Cloud flows:');
    for (const flow of state.flows) {
      const by = flow.activatedBy ? `turned on by ${users.get(flow.activatedBy.toLowerCase()) ?? flow.activatedBy}` : '';
      console.log(`    ${(flow.statecode === 1 ? 'On ' : 'Off')}  ${flow.name.padEnd(36)} ${by}`);
    }
    const wrong = state.flows.filter((f) => (f.statecode === 1) === (f.name === KEPT_OFF_FLOW));
    console.log(
      wrong.length === 0
        ? `\nEvery flow is as recorded before the import: ${state.flows.length - 1} on (the new one included), '${KEPT_OFF_FLOW}' kept off.`
        : `\n${wrong.length} of ${state.flows.length} flows are not in the state they should be in.`,
    );
    return wrong.length === 0 && [save, settings, bind, activate].every((r) => r.result === 'Succeeded') ? 0 : 1;
  } finally {
    await sim.stop();
  }
}

async function step(title: string, task: TaskFolder, options: Omit<Parameters<typeof runAgentTask>[0], 'task'>): Promise<AgentRunResult> {
  console.log(`${title} (${task})`);
  const started = Date.now();
  const run = await runAgentTask({ task, ...options });
  console.log(`   result: ${run.result ?? 'none'}${run.resultMessage ? ` - ${run.resultMessage}` : ''} (${Date.now() - started} ms)`);
  for (const [name, value] of Object.entries(run.outputs)) console.log(`   output ${name} = ${value}`);
  for (const error of run.errors) console.log(`   error: ${error}`);
  for (const warning of run.warnings) console.log(`   warning: ${warning}`);
  for (const summary of run.summaries) console.log(indent(summary.trim(), 3));
  console.log('');
  return run;
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
