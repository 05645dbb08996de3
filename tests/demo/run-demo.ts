import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, runAgentTask, TaskFolder } from '../helpers/agent-runner';
import { CLIENT_SECRET, clientSecretEndpoint, SERVICE_CONNECTION_ID, simulatorVariables } from '../helpers/base-scenario';
import { DEMO_SOLUTION, SERVICE_ACCOUNT, demoScenario, writeDemoSolution } from './demo-scenario';

const PARTNER_API_KEY = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-rg/providers/Microsoft.KeyVault/vaults/contoso-kv/secrets/partner-api-key';

/**
 * Runs the three tasks against the local simulator as a release pipeline would after the import
 * step: set deployment settings, bind connection references, turn on cloud flows. Exits 0 only
 * when every flow of the demo solution is on.
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
    const settingsFile = path.join(work, 'deploymentsettings.json');
    const settings = await step('1. Set deployment settings', 'DataverseDeploymentSettingsV1', {
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

    const bind = await step('2. Bind connection references', 'DataverseBindConnectionReferencesV1', {
      ...common,
      inputs: {
        PowerPlatformSPN: SERVICE_CONNECTION_ID,
        SolutionName: DEMO_SOLUTION,
        SettingsFile: fs.existsSync(settingsFile) ? settingsFile : '<sources>',
        ConnectionOwner: SERVICE_ACCOUNT.upn,
        Impersonation: 'ConnectionOwner',
      },
    });

    const activate = await step('3. Turn on cloud flows', 'DataverseActivateFlowsV1', {
      ...common,
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: DEMO_SOLUTION, Impersonation: 'ConnectionOwner', MaxParallel: '4' },
    });

    for (const run of [settings, bind, activate]) assertNoSecretsVisible(run, [CLIENT_SECRET, PARTNER_API_KEY]);

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
    const off = state.flows.filter((f) => f.statecode !== 1);
    console.log(off.length === 0 ? `\nAll ${state.flows.length} flows are on.` : `\n${off.length} of ${state.flows.length} flows are still off.`);
    return off.length === 0 && [settings, bind, activate].every((r) => r.result === 'Succeeded') ? 0 : 1;
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
