import * as fs from 'fs';
import { ScenarioConnection, ScenarioConnectionReference, ScenarioFlow, ScenarioUser } from '../simulator/scenario';
import type { SimulatorUrls } from '../simulator/routing';
import { AgentRunResult, EndpointSpec, runAgentTask } from './agent-runner';
import { APP_OBJECT_ID, SERVICE_CONNECTION_ID, clientSecretEndpoint, simulatorVariables } from './base-scenario';
import { FlowConnectionUse, flowClientData } from './flow-definitions';
import { DEFINITIONS_PER_PAGE } from '../../tasks/common/solution-queries';

/** Connection owners of the activation scenarios. */
export const ALICE: ScenarioUser = { objectId: 'a11ce000-0000-4000-8000-00000000a11c', upn: 'alice@contoso.com', fullName: 'Alice Ames' };
export const BOB: ScenarioUser = { objectId: 'b0b00000-0000-4000-8000-0000000000b0', upn: 'bob@contoso.com', fullName: 'Bob Berg' };
export const CAROL: ScenarioUser = { objectId: 'ca201000-0000-4000-8000-0000000ca201', upn: 'carol@contoso.com', fullName: 'Carol Cruz' };
export const DAVE_DISABLED: ScenarioUser = { objectId: 'da7e0000-0000-4000-8000-00000000da7e', upn: 'dave@contoso.com', fullName: 'Dave (left)', isDisabled: true };

export const DATAVERSE = 'shared_commondataserviceforapps';

/** A stable flow id per solution and number, so definitions can name their child flows. */
export function flowId(solutionNumber: number, n: number): string {
  return `f10${String(solutionNumber).padStart(5, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export interface FlowSpec {
  n: number;
  name: string;
  /** Logical names of the connection references it uses (each with its connector). */
  uses?: FlowConnectionUse[];
  children?: number[];
  on?: boolean;
}

export function solutionFlows(solution: string, solutionNumber: number, specs: FlowSpec[]): ScenarioFlow[] {
  return specs.map((spec) => ({
    id: flowId(solutionNumber, spec.n),
    name: spec.name,
    solution,
    statecode: spec.on ? 1 : 0,
    ownerObjectId: APP_OBJECT_ID,
    clientdata: flowClientData(spec.uses ?? [], (spec.children ?? []).map((child) => flowId(solutionNumber, child))),
  }));
}

export interface ReferenceSpec {
  logicalName: string;
  api: string;
  connection?: string;
}

export function references(solution: string, specs: ReferenceSpec[]): ScenarioConnectionReference[] {
  return specs.map((spec) => ({
    logicalName: spec.logicalName,
    displayName: spec.logicalName,
    connectorId: `/providers/Microsoft.PowerApps/apis/${spec.api}`,
    connectionId: spec.connection,
    solution,
  }));
}

export function connectionOf(name: string, connector: string, owner: ScenarioUser | string, sharedWith: string[] = []): ScenarioConnection {
  return { name, connector, createdBy: typeof owner === 'string' ? owner : owner.objectId, status: 'Connected', sharedWith };
}

/** Runs the bundled DataverseActivateFlows task against a simulator with the shared service connection. */
export function runActivate(
  sim: { urls: SimulatorUrls; caFile: string },
  inputs: Record<string, string>,
  options: { endpoint?: EndpointSpec; variables?: Record<string, string>; secretVariables?: Record<string, string>; env?: Record<string, string> } = {},
): Promise<AgentRunResult> {
  return runAgentTask({
    task: 'DataverseActivateFlowsV1',
    inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, ...inputs },
    endpoint: options.endpoint ?? clientSecretEndpoint(sim),
    variables: { ...simulatorVariables(sim), ...options.variables },
    secretVariables: options.secretVariables,
    env: options.env,
    caFile: sim.caFile,
  });
}

export interface ActivateReportItem {
  kind: string;
  name: string;
  id: string;
  outcome: string;
  actor: string | null;
  actorName: string | null;
  actorReason: string | null;
  action: string;
  order: number;
  level: number;
  children: string[];
  blockedBy?: string[];
  connectionsToShare?: Array<{ connectionId: string; ownerObjectId?: string }>;
  error: { code: string; message: string; hint?: string } | null;
  confirmedByRead?: boolean;
  waits?: Array<{ reason: string; durationMs: number; attempts: number }>;
  startedAt?: string;
  durationMs?: number;
}

export interface ActivateReport {
  task: string;
  environment: string;
  dryRun: boolean;
  items: ActivateReportItem[];
}

export function readReport(run: AgentRunResult): ActivateReport {
  return JSON.parse(fs.readFileSync(run.outputs.ReportFile, 'utf8')) as ActivateReport;
}

/** Sorted reads of a run over `flows` flows: only the definitions query grows, one read per extra page of DEFINITIONS_PER_PAGE. */
export function plusDefinitionPages(reads: readonly string[], flows: number): string[] {
  const extra = Math.ceil(flows / DEFINITIONS_PER_PAGE) - 1;
  return [...reads, ...Array.from({ length: extra }, () => 'GET /api/data/v9.2/workflows')].sort();
}
