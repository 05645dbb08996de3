import { randomUUID } from 'crypto';
import { Scenario } from '../simulator/scenario';
import type { SimulatorUrls } from '../simulator/routing';
import { EndpointSpec } from './agent-runner';

/** The tenant, app registration and application user every scenario starts from. */
export const TENANT_ID = '72f988bf-0000-4000-8000-000000000001';
export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const APP_OBJECT_ID = '66666666-7777-4888-8999-000000000000';
export const CLIENT_SECRET = 'sim-client-secret-Qx7~not-a-real-one';
export const JOB_ACCESS_TOKEN = 'job-access-token-for-the-simulated-pipeline';
export const SERVICE_CONNECTION_ID = 'c0ffee00-1111-4222-8333-444455556666';
export const MANAGED_IDENTITY = { clientId: '99999999-8888-4777-8666-555544443333', objectId: '12121212-3434-4565-8787-909090909090' };

export function baseScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    tenantId: TENANT_ID,
    apps: [{ appId: APP_ID, secret: CLIENT_SECRET, objectId: APP_OBJECT_ID, displayName: 'ALM pipeline', managementApp: true, federatedSubject: '*' }],
    managedIdentity: { ...MANAGED_IDENTITY, managementApp: true },
    azureDevOps: { jobAccessToken: JOB_ACCESS_TOKEN },
    users: [
      { objectId: APP_OBJECT_ID, upn: `${APP_ID}@app`, fullName: '# ALM pipeline', applicationId: APP_ID, canActOnBehalf: true },
      { objectId: MANAGED_IDENTITY.objectId, upn: `${MANAGED_IDENTITY.clientId}@app`, fullName: '# Agent identity', applicationId: MANAGED_IDENTITY.clientId, canActOnBehalf: true },
    ],
    connections: [],
    solutions: [],
    connectionReferences: [],
    flows: [],
    ...overrides,
  };
}

/**
 * Where a task finds the simulator: a started simulator, whose services then each have their own
 * address (a task calling the wrong base URL fails), or one URL serving everything (the demo).
 */
export type SimulatorTarget = string | { urls: SimulatorUrls };

export function simulatorUrls(target: SimulatorTarget): SimulatorUrls {
  if (typeof target !== 'string') return target.urls;
  return { authority: target, dataverse: target, admin: target, bap: target, oidc: target, imds: target };
}

/** The `powerplatform-spn` service connection as the agent passes it, for each scheme; its URL is the Dataverse address. */
export function clientSecretEndpoint(target: SimulatorTarget, secret = CLIENT_SECRET): EndpointSpec {
  return { id: SERVICE_CONNECTION_ID, url: simulatorUrls(target).dataverse, scheme: 'None', parameters: { tenantId: TENANT_ID, applicationId: APP_ID, clientSecret: secret } };
}

export function federatedEndpoint(target: SimulatorTarget): EndpointSpec {
  return { id: SERVICE_CONNECTION_ID, url: simulatorUrls(target).dataverse, scheme: 'WorkloadIdentityFederation', parameters: { tenantid: TENANT_ID, serviceprincipalid: APP_ID } };
}

export function managedIdentityEndpoint(target: SimulatorTarget): EndpointSpec {
  return { id: SERVICE_CONNECTION_ID, url: simulatorUrls(target).dataverse, scheme: 'ManagedServiceIdentity', parameters: { tenantid: TENANT_ID } };
}

/** The process environment that sends msal-node's managed identity requests to the simulated IMDS. */
export function managedIdentityEnv(target: SimulatorTarget): Record<string, string> {
  return { AZURE_POD_IDENTITY_AUTHORITY_HOST: simulatorUrls(target).imds };
}

/** Pipeline variables that point the task's cloud endpoints at the simulator. */
export function simulatorVariables(target: SimulatorTarget): Record<string, string> {
  const urls = simulatorUrls(target);
  return {
    'PowerPlatform.AuthorityHost': urls.authority,
    'PowerPlatform.PowerAppsApiUrl': urls.admin,
    'PowerPlatform.BapApiUrl': urls.bap,
    'PowerPlatform.RetryBaseDelayMs': '20',
    'System.OidcRequestUri': `${urls.oidc}/contoso/${randomUUID()}/_apis/distributedtask/hubs/build/plans/${randomUUID()}/jobs/${randomUUID()}/oidctoken`,
  };
}
