import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { zipSync } from 'fflate';
import { ScenarioConnection, ScenarioUser } from '../simulator/scenario';
import type { SimulatorUrls } from '../simulator/routing';
import { AgentRunResult, runAgentTask } from './agent-runner';
import { SERVICE_CONNECTION_ID, clientSecretEndpoint, simulatorVariables } from './base-scenario';
import { FlowConnectionUse, flowClientData } from './flow-definitions';

/** Connection owners of the check scenarios: an enabled user, a disabled one, and one who is no user of the environment. */
export const ALICE: ScenarioUser = { objectId: 'a11ce000-0000-4000-8000-00000000a11c', upn: 'alice@contoso.com', fullName: 'Alice Ames' };
export const DAVE_DISABLED: ScenarioUser = { objectId: 'da7e0000-0000-4000-8000-00000000da7e', upn: 'dave@contoso.com', fullName: 'Dave (left)', isDisabled: true };
export const STRANGER = '57a2e000-0000-4000-8000-0000057a2e00';

export const API = '/providers/Microsoft.PowerApps/apis/';

export function connection(name: string, connector: string, owner: string, extra: Partial<ScenarioConnection> = {}): ScenarioConnection {
  return { name, connector, createdBy: owner, status: 'Connected', ...extra };
}

export interface CheckReference {
  logicalName: string;
  connector: string;
}

export interface CheckFlow {
  name: string;
  uses: FlowConnectionUse[];
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The files of an exported solution: solution.xml, customizations.xml with the references, Workflows/<name>-<id>.json. */
export function solutionFiles(uniqueName: string, references: readonly CheckReference[], flows: readonly CheckFlow[]): Record<string, string> {
  const files: Record<string, string> = {
    'solution.xml': `<?xml version="1.0" encoding="utf-8"?><ImportExportXml version="9.2.0.0"><SolutionManifest><UniqueName>${xmlText(uniqueName)}</UniqueName><Version>1.0.0.0</Version><Managed>1</Managed></SolutionManifest></ImportExportXml>`,
    'customizations.xml': [
      '<?xml version="1.0" encoding="utf-8"?><ImportExportXml><Workflows /><connectionreferences>',
      ...references.map(
        (r) =>
          `<connectionreference connectionreferencelogicalname="${xmlText(r.logicalName)}"><connectionreferencedisplayname>${xmlText(r.logicalName)}</connectionreferencedisplayname><connectorid>${API}${r.connector}</connectorid></connectionreference>`,
      ),
      '</connectionreferences></ImportExportXml>',
    ].join(''),
  };
  flows.forEach((flow, index) => {
    files[`Workflows/${flow.name.replace(/\s/g, '')}-0f10${String(index).padStart(4, '0')}-0000-4000-8000-000000000000.json`] = JSON.stringify(flowClientData(flow.uses));
  });
  return files;
}

export function tempFolder(prefix = 'check-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The solution as a `.zip` export. */
export function writeSolutionZip(files: Record<string, string>): string {
  const file = path.join(tempFolder(), 'solution_managed.zip');
  fs.writeFileSync(file, zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, new TextEncoder().encode(text)]))));
  return file;
}

/** The solution unpacked (the SolutionPackager layout: Other/Solution.xml, Other/Customizations.xml). */
export function writeSolutionFolder(files: Record<string, string>): string {
  const root = tempFolder();
  for (const [name, text] of Object.entries(files)) {
    const relative = name === 'solution.xml' ? 'Other/Solution.xml' : name === 'customizations.xml' ? 'Other/Customizations.xml' : name;
    const full = path.join(root, ...relative.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return root;
}

export function writeSettings(references: Array<{ LogicalName: string; ConnectionId: string; ConnectorId: string }>): string {
  const file = path.join(tempFolder(), 'deploymentsettings.json');
  fs.writeFileSync(file, JSON.stringify({ EnvironmentVariables: [], ConnectionReferences: references }, null, 2));
  return file;
}

/** Runs the bundled DataverseCheckConnections task against a simulator. */
export function runCheck(
  sim: { urls: SimulatorUrls; caFile: string },
  inputs: Record<string, string>,
  options: { variables?: Record<string, string>; secretVariables?: Record<string, string> } = {},
): Promise<AgentRunResult> {
  return runAgentTask({
    task: 'DataverseCheckConnectionsV1',
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionInputFile: '<sources>', SettingsFile: '<sources>', ...inputs },
    endpoint: clientSecretEndpoint(sim),
    variables: { ...simulatorVariables(sim), ...options.variables },
    secretVariables: options.secretVariables,
    caFile: sim.caFile,
  });
}

export interface CheckItem {
  kind: string;
  name: string;
  id: string | null;
  outcome: string;
  actor: null;
  error: { code: string; message: string; hint?: string } | null;
  solution: string;
  connection: string | null;
  flows: string[];
  runOnly: boolean;
  warnings: Array<{ code: string; message: string }>;
}

export function reportOf(run: AgentRunResult): { items: CheckItem[]; [key: string]: unknown } {
  return JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as { items: CheckItem[] };
}

/** Outcome and code of each item, by reference name. */
export function verdicts(run: AgentRunResult): Record<string, string> {
  return Object.fromEntries(reportOf(run).items.map((i) => [i.name, `${i.outcome}${i.error ? ` ${i.error.code}` : ''}`]));
}
