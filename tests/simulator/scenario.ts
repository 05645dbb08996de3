import * as fs from 'fs';

export type ApiName = 'dataverse' | 'token' | 'oidc' | 'imds' | 'admin' | 'bap' | 'other';

export interface ScenarioApp {
  appId: string;
  secret?: string;
  objectId: string;
  displayName?: string;
  /** Registered as a Power Platform management app; otherwise the admin API answers 403. */
  managementApp?: boolean;
  /** Accept workload identity federation assertions whose `sub` equals this ('*' = any). */
  federatedSubject?: string;
}

export interface ScenarioManagedIdentity {
  clientId: string;
  objectId: string;
  managementApp?: boolean;
}

export interface ScenarioAzureDevOps {
  jobAccessToken: string;
  organization?: string;
  project?: string;
}

export interface ScenarioUser {
  systemuserid?: string;
  objectId: string;
  upn: string;
  fullName?: string;
  isDisabled?: boolean;
  /** Set for an application user. */
  applicationId?: string;
  /** Holds prvActOnBehalfOfAnotherUser. */
  canActOnBehalf?: boolean;
}

export interface ScenarioConnection {
  name: string;
  /** API name, e.g. shared_office365. */
  connector: string;
  displayName?: string;
  status?: 'Connected' | 'Error';
  /** Entra object id of the creator. */
  createdBy: string;
  /** Entra object ids the connection is shared with. */
  sharedWith?: string[];
}

export interface ScenarioSolution {
  uniqueName: string;
  solutionId?: string;
  friendlyName?: string;
}

export interface ScenarioConnectionReference {
  id?: string;
  logicalName: string;
  displayName?: string;
  /** e.g. /providers/Microsoft.PowerApps/apis/shared_office365 */
  connectorId: string;
  connectionId?: string;
  /** unique name of the solution */
  solution: string;
}

export interface ScenarioFlow {
  id?: string;
  name: string;
  solution: string;
  statecode?: 0 | 1 | 2;
  ownerObjectId?: string;
  clientdata: object | string;
}

export interface ScenarioEnvironmentVariableDefinition {
  id?: string;
  schemaName: string;
  displayName?: string;
  type: number;
  defaultValue?: string;
  isRequired?: boolean;
  solution?: string;
  /** current value (an environmentvariablevalue row) */
  value?: string;
}

export interface ScenarioStageRun {
  id: string;
  deploymentsettingsjson: string;
  /** default true */
  pendingApproval?: boolean;
  /** only this app's service principal may approve */
  approverAppId?: string;
  artifactName?: string;
}

export interface ScenarioLatency {
  readMs?: number;
  writeMs?: number;
  activationMs?: number;
}

/** `resetAfterApply`: the request is carried out, then the connection is dropped before the answer. */
export type FaultKind = '429' | '503' | 'reset' | '401' | 'resetAfterApply';

export interface FaultRule {
  method?: string;
  pathIncludes?: string;
  api?: ApiName;
  /** 1-based among matching requests */
  nth?: number;
  every?: number;
  /** how many requests are faulted once triggered; default 1; Infinity or -1 = persistent */
  times?: number;
  kind: FaultKind;
  retryAfterSeconds?: number;
}

export interface Scenario {
  tenantId: string;
  organizationId?: string;
  /** BAP environment name (not the organization id) */
  environmentId?: string;
  environmentDisplayName?: string;
  /** default 3600 */
  tokenLifetimeSeconds?: number;
  apps: ScenarioApp[];
  managedIdentity?: ScenarioManagedIdentity;
  azureDevOps?: ScenarioAzureDevOps;
  users: ScenarioUser[];
  connections: ScenarioConnection[];
  solutions: ScenarioSolution[];
  connectionReferences: ScenarioConnectionReference[];
  flows: ScenarioFlow[];
  environmentVariableDefinitions?: ScenarioEnvironmentVariableDefinition[];
  stageRuns?: ScenarioStageRun[];
  latency?: ScenarioLatency;
  /** per caller, default 52 */
  concurrencyLimit?: number;
  /** Retry-After sent with the concurrency 429, default 1 */
  concurrencyRetryAfterSeconds?: number;
  /** server-side cap on page size, default 5000 */
  maxPageSize?: number;
  /** page size of the admin connections API, default 100 */
  adminPageSize?: number;
  /** ObjectTypeCode of the connectionreference table (its solution component type), default derived from the organization id (>= 10000) */
  connectionReferenceObjectTypeCode?: number;
  faults?: FaultRule[];
}

export function loadScenarioFile(file: string): Scenario {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Scenario;
  if (!parsed || typeof parsed.tenantId !== 'string') {
    throw new Error(`${file}: a scenario needs at least "tenantId"`);
  }
  return parsed;
}
