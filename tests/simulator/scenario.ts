import * as fs from 'fs';
import type { ScenarioTransient } from './transient';

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
  /** `Connected` (default), `Error`, or any other status the admin API reports */
  status?: string;
  /** the `error` object of a status other than Connected; default an expired sign-in (see README) */
  statusError?: { code: string; message: string };
  /** the `target` of a status other than Connected, default `token` */
  statusTarget?: string;
  /** Entra object id of the creator. */
  createdBy: string;
  /** Entra object ids the connection is shared with ("Can use", role CanView in the admin API). */
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
  /** 0 off (Draft), 1 on (Activated), 2 suspended (statuscode 3, CompanyDLPViolation) */
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
  /** `deploymentenvironmentid` of the stage's target (a `deploymentEnvironments` entry) */
  targetDeploymentEnvironmentId?: string;
}

/** A `deploymentenvironments` row of the pipelines host, and the connections of that environment. */
export interface ScenarioDeploymentEnvironment {
  id: string;
  name?: string;
  /** BAP environment id of the target environment */
  environmentId: string;
  /** connections the admin listing returns for `environmentId` (when it is not the host's own) */
  connections?: ScenarioConnection[];
}

export interface ScenarioLatency {
  readMs?: number;
  writeMs?: number;
  activationMs?: number;
}

/** `resetAfterApply`: the request is carried out, then the socket is destroyed instead of answering. */
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
  /** target environments of the pipelines host (`deploymentenvironments`) */
  deploymentEnvironments?: ScenarioDeploymentEnvironment[];
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
  /**
   * The platform before 2023: an application user cannot turn on a flow that uses any connector but
   * Dataverse (BapListServicePlansFailed wrapping MissingUserDetails), even with shared connections.
   */
  legacyServicePrincipalRule?: boolean;
  /** Binding refusals as the simulator answered before the plug-in shape was sourced: 403/400 with Dataverse codes. */
  legacyBindingRefusal?: boolean;
  /** Dataverse ignores `CallerObjectId`/`MSCRMCallerID` on a request that turns a flow on: it acts as the caller. */
  ignoreCallerObjectIdForActivation?: boolean;
  /** whether references with `runtimeSource: "invoker"` are checked when a flow is turned on; default true */
  checkInvokerReferencesAtActivation?: boolean;
  /** language of platform error messages (codes unchanged); default `en` */
  language?: ScenarioLanguage;
  /** the admin connections listing leaves out `createdBy.userPrincipalName` and `createdBy.email` */
  adminCreatedByIdOnly?: boolean;
  /** scripted transient states (transient.ts) */
  transient?: ScenarioTransient;
}

export type ScenarioLanguage = 'en' | 'fr' | 'es' | 'de' | 'nb';

export function loadScenarioFile(file: string): Scenario {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Scenario;
  if (!parsed || typeof parsed.tenantId !== 'string') {
    throw new Error(`${file}: a scenario needs at least "tenantId"`);
  }
  return parsed;
}
