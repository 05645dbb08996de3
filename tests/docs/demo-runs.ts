import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scenario, startSimulator } from '../simulator';
import { AgentRunResult, DIST_TASKS, REPO_ROOT, TaskFolder, assertNoSecretsVisible, runAgentTask } from '../helpers/agent-runner';
import { CLIENT_SECRET, SERVICE_CONNECTION_ID, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { DEMO_SOLUTION, SERVICE_ACCOUNT, demoScenario, writeDemoSolution } from '../demo/demo-scenario';

export const CHECK_CONNECTIONS_TASK = 'DataverseCheckConnectionsV1';

/** One task's run summary, to be rendered as `images/summary-<name>.png`. */
export interface DemoSummary {
  name: string;
  task: string;
  markdown: string;
  result: string;
}

const VARIABLES = {
  'EnvironmentVariable.contoso_SiteUrl': 'https://contoso.sharepoint.com/sites/expenses',
  'EnvironmentVariable.contoso_RoutingRules': '{"default":"finance@contoso.com"}',
  'EnvironmentVariable.contoso_ApprovalThreshold': '2500',
};
const SECRET_VARIABLES = {
  'EnvironmentVariable.contoso_ApiKey': '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-rg/providers/Microsoft.KeyVault/vaults/contoso-kv/secrets/partner-api-key',
};

/**
 * The pictures show what a user sees on a Microsoft-hosted agent against their environment: the
 * agent's work folder and an environment address in place of the temporary folder and the
 * simulator's loopback address.
 */
const AGENT_WORK = '/agent/_work/1/s';
const ENVIRONMENT_URL = 'https://contoso-test.crm.dynamics.com';

/** The Teams connection whose sign-in expired in the failing variant. */
const EXPIRED_CONNECTION = 'shared-teams-5e7a1c00d3a0';

/**
 * The demo environment right after the import (every flow off) with one problem: the service account's Teams connection
 * has an expired sign-in. Its references are already bound to the service account's connections,
 * so turning the flows on fails for the Teams child flow and blocks the flows that call it.
 */
export function failingScenario(): Scenario {
  const scenario = demoScenario();
  const byConnector = new Map(scenario.connections.filter((c) => c.createdBy === SERVICE_ACCOUNT.objectId).map((c) => [c.connector, c.name]));
  return {
    ...scenario,
    connections: scenario.connections.map((c) => (c.name === EXPIRED_CONNECTION ? { ...c, status: 'Error' } : c)),
    connectionReferences: scenario.connectionReferences.map((r) => ({ ...r, connectionId: byConnector.get(r.connectorId.split('/').pop()!) })),
    // Right after the import every flow is off.
    flows: scenario.flows.map((f) => ({ ...f, statecode: 0 })),
  };
}

async function withSimulator(scenario: Scenario, body: (run: (task: string, inputs: Record<string, string>) => Promise<AgentRunResult>, work: string) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ scenario });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dataverse-docs-'));
  const run = async (task: string, inputs: Record<string, string>): Promise<AgentRunResult> => {
    const result = await runAgentTask({
      task: task as TaskFolder,
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
      endpoint: clientSecretEndpoint(sim.url),
      variables: { ...simulatorVariables(sim.url), ...VARIABLES },
      secretVariables: SECRET_VARIABLES,
      caFile: sim.caFile,
      workDirectory: work,
    });
    assertNoSecretsVisible(result, [CLIENT_SECRET, ...Object.values(SECRET_VARIABLES)]);
    result.summaries = result.summaries.map((summary) =>
      summary.split(work).join(AGENT_WORK).split(sim.url).join(ENVIRONMENT_URL).split(new URL(sim.url).host).join(new URL(ENVIRONMENT_URL).host),
    );
    console.log(`  ${task}: ${result.result ?? 'no result'}${result.resultMessage ? ` - ${result.resultMessage}` : ''}`);
    return result;
  };
  try {
    await body(run, work);
  } finally {
    await sim.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}


const summaryOf = (name: string, task: string, run: AgentRunResult): DemoSummary => {
  const markdown = run.summaries.join('\n\n').trim();
  if (!markdown) throw new Error(`${task} attached no summary (result ${run.result ?? 'none'}): ${run.errors.join('; ')}`);
  return { name, task, markdown, result: run.result ?? '' };
};

/**
 * The demo pipeline against the simulator: settings and bind (pictured) on the healthy demo environment, then
 * the activation (a failed and blocked flows) and, when the task exists, the connection check on
 * the failing variant.
 */
export async function runDemoSummaries(): Promise<DemoSummary[]> {
  const summaries: DemoSummary[] = [];
  console.log('Demo environment (healthy):');
  await withSimulator(demoScenario(), async (run, work) => {
    const settingsFile = path.join(work, 'deploymentsettings.json');
    // The settings task makes the settings file the bind uses; its summary is not pictured, to keep the package small.
    await run('DataverseDeploymentSettingsV1', {
      SolutionInputFile: writeDemoSolution(path.join(work, 'solution')),
      OutputFile: settingsFile,
      ConnectionOwner: SERVICE_ACCOUNT.upn,
    });
    const bind = await run('DataverseBindConnectionReferencesV1', { SolutionName: DEMO_SOLUTION, SettingsFile: settingsFile, Impersonation: 'ConnectionOwner' });
    summaries.push(summaryOf('bind', 'DataverseBindConnectionReferencesV1', bind));
  });

  console.log(`Demo environment (connection ${EXPIRED_CONNECTION} with an expired sign-in):`);
  await withSimulator(failingScenario(), async (run) => {
    if (fs.existsSync(path.join(DIST_TASKS, CHECK_CONNECTIONS_TASK, 'task.json'))) {
      const check = await run(CHECK_CONNECTIONS_TASK, { SolutionName: DEMO_SOLUTION, Impersonation: 'Auto', ErrorHandling: 'Warn' });
      summaries.push(summaryOf('check-connections', CHECK_CONNECTIONS_TASK, check));
    } else {
      const where = path.relative(REPO_ROOT, path.join(DIST_TASKS, CHECK_CONNECTIONS_TASK));
      console.log(`  ${CHECK_CONNECTIONS_TASK}: skipped, the task is not built (${where} does not exist); images/summary-check-connections.png is left as it is`);
    }
    const activate = await run('DataverseActivateFlowsV1', { SolutionName: DEMO_SOLUTION, Impersonation: 'ConnectionOwner', MaxParallel: '4' });
    summaries.push(summaryOf('activate', 'DataverseActivateFlowsV1', activate));
  });
  return summaries;
}
