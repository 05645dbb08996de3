import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scenario, ScenarioConnection, ScenarioConnectionReference, ScenarioUser } from '../simulator/scenario';
import { RequestLogEntry, Simulator } from '../simulator';
import { APP_OBJECT_ID, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from './base-scenario';
import { AgentRunResult, runAgentTask } from './agent-runner';

/** The two owners of the connections the references are bound to, and a disabled user. */
export const ALICE: ScenarioUser = { objectId: 'a1a1a1a1-0000-4000-8000-00000000a11c', upn: 'alice@contoso.com', fullName: 'Alice Svc' };
export const BOB: ScenarioUser = { objectId: 'b0b0b0b0-0000-4000-8000-0000000000b0', upn: 'bob@contoso.com', fullName: 'Bob Svc' };
export const DORA: ScenarioUser = { objectId: 'd0d0d0d0-0000-4000-8000-0000000000d0', upn: 'dora@contoso.com', fullName: 'Dora Left', isDisabled: true };

export const SOLUTION = 'ContosoCore';
const API = '/providers/Microsoft.PowerApps/apis/';

export const CONNECTIONS: ScenarioConnection[] = [
  { name: 'dataverse-alice', connector: 'shared_commondataserviceforapps', createdBy: ALICE.objectId },
  { name: 'office-alice', connector: 'shared_office365', createdBy: ALICE.objectId },
  { name: 'sharepoint-alice', connector: 'shared_sharepointonline', createdBy: ALICE.objectId },
  { name: 'sharepoint-old-bob', connector: 'shared_sharepointonline', createdBy: BOB.objectId },
  { name: 'sql-bob', connector: 'shared_sql', createdBy: BOB.objectId },
  { name: 'teams-bob', connector: 'shared_teams', createdBy: BOB.objectId },
  { name: 'office-dora', connector: 'shared_office365', createdBy: DORA.objectId },
];

export function reference(logicalName: string, connector: string, connectionId?: string, solution = SOLUTION): ScenarioConnectionReference {
  return { logicalName, connectorId: `${API}${connector}`, connectionId, solution };
}

/**
 * Five references of ContosoCore whose connections belong to Alice and Bob:
 * - contoso_dataverse, unbound → Alice's connection (ConnectionOwner: Alice)
 * - contoso_office, unbound → office-alice (variable Connector.shared_office365)
 * - contoso_sharepoint, bound to Bob's old connection → Alice's (ConnectionOwner: Alice, over the settings file)
 * - contoso_sql, unbound → sql-bob (variable ConnectionReference.contoso_sql)
 * - contoso_teams, already bound to teams-bob, which the variable Connector.shared_teams names: left alone
 */
export function fiveReferences(overrides: Partial<Scenario> = {}): Scenario {
  return baseScenario({
    users: [...baseScenario().users, ALICE, BOB, DORA],
    connections: CONNECTIONS,
    solutions: [{ uniqueName: SOLUTION }, { uniqueName: 'OtherSolution' }],
    connectionReferences: [
      reference('contoso_dataverse', 'shared_commondataserviceforapps'),
      reference('contoso_office', 'shared_office365'),
      reference('contoso_sharepoint', 'shared_sharepointonline', 'sharepoint-old-bob'),
      reference('contoso_sql', 'shared_sql'),
      reference('contoso_teams', 'shared_teams', 'teams-bob'),
      reference('other_office', 'shared_office365', undefined, 'OtherSolution'),
    ],
    ...overrides,
  });
}

const LOAD_CONNECTORS = ['shared_commondataserviceforapps', 'shared_office365', 'shared_sharepointonline', 'shared_sql', 'shared_teams'];

/** `count` references of `solution`, unbound, over the five connectors in turn (for read-count tests). */
export function manyReferences(solution: string, count: number): ScenarioConnectionReference[] {
  return Array.from({ length: count }, (_, i) => reference(`${solution.toLowerCase()}_ref${String(i).padStart(3, '0')}`, LOAD_CONNECTORS[i % LOAD_CONNECTORS.length], undefined, solution));
}

/** One `Connector.*` variable per connector of `manyReferences`. */
export const CONNECTOR_VARIABLES: Record<string, string> = {
  'Connector.shared_commondataserviceforapps': 'dataverse-alice',
  'Connector.shared_office365': 'office-alice',
  'Connector.shared_sharepointonline': 'sharepoint-alice',
  'Connector.shared_sql': 'sql-bob',
  'Connector.shared_teams': 'teams-bob',
};

/** The wanted connection of each of the five references. */
export const WANTED: Record<string, string> = {
  contoso_dataverse: 'dataverse-alice',
  contoso_office: 'office-alice',
  contoso_sharepoint: 'sharepoint-alice',
  contoso_sql: 'sql-bob',
  contoso_teams: 'teams-bob',
};

export const FIVE_VARIABLES: Record<string, string> = {
  'Connector.shared_office365': 'office-alice',
  'ConnectionReference.contoso_sql': 'sql-bob',
  // Alice (the ConnectionOwner) has no Teams connection, so the reference is named by a variable.
  'Connector.shared_teams': 'teams-bob',
};

/** A pac-format settings file in a fresh folder. */
export function writeSettingsFile(entries: Array<{ LogicalName: string; ConnectionId: string; ConnectorId?: string }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bind-settings-'));
  const file = path.join(dir, 'deploymentsettings.json');
  const settings = { EnvironmentVariables: [], ConnectionReferences: entries.map((e) => ({ ConnectorId: '', ...e })) };
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

export function fiveSettingsFile(): string {
  return writeSettingsFile([
    { LogicalName: 'contoso_sharepoint', ConnectionId: 'sharepoint-old-bob' },
    { LogicalName: 'contoso_teams', ConnectionId: 'teams-bob' },
  ]);
}

/** Connection id of each reference of the simulator, by logical name. */
export function bindings(sim: Simulator): Record<string, string | null> {
  return Object.fromEntries(sim.state.snapshot().connectionReferences.map((r) => [r.logicalName, r.connectionid]));
}

export function patches(sim: Simulator): RequestLogEntry[] {
  return sim.log.filter((e) => e.method === 'PATCH' && /connectionreferences\(/i.test(e.path));
}

export function ownerOf(connectionId: string): string | undefined {
  return CONNECTIONS.find((c) => c.name === connectionId)?.createdBy;
}

export { APP_OBJECT_ID };

/** Runs the bundled bind task against the simulator, with the given secret variables kept apart. */
export async function runBindTask(sim: Simulator, inputs: Record<string, string>, variables: Record<string, string>, secretVariables: Record<string, string> = {}): Promise<AgentRunResult> {
  return runAgentTask({
    task: 'DataverseBindConnectionReferencesV1',
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, SolutionName: SOLUTION, SettingsFile: '<sources>', Impersonation: 'ConnectionOwner', FailOnUnbound: 'true', DryRun: 'false', ...inputs },
    endpoint: clientSecretEndpoint(sim),
    variables: { ...simulatorVariables(sim), ...variables },
    secretVariables,
    caFile: sim.caFile,
  });
}
