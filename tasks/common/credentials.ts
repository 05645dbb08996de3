import { UserError } from './errors';
import { TaskHost } from './task-host';

export type Credentials =
  | { scheme: 'ClientSecret'; tenantId: string; clientId: string; clientSecret: string }
  | { scheme: 'WorkloadIdentityFederation'; tenantId: string; clientId: string; serviceConnectionId: string; oidcRequestUrl: string; jobAccessToken: string }
  | { scheme: 'ManagedIdentity'; tenantId?: string; clientId?: string };

function param(parameters: Record<string, string>, ...names: string[]): string | undefined {
  const lower = new Map(Object.entries(parameters).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of names) {
    const value = lower.get(name.toLowerCase());
    if (value && value.trim()) return value.trim();
  }
  return undefined;
}

/**
 * Reads the `powerplatform-spn` service connection as the agent passes it (ENDPOINT_AUTH_<id>)
 * and registers every credential as a secret before anything else can print it.
 */
export function readCredentials(host: TaskHost, connectionId: string): Credentials {
  const auth = host.endpointAuthorization(connectionId);
  if (!auth) throw new UserError(host.loc('EndpointMissing', connectionId));
  const scheme = (auth.scheme ?? '').replace(/[-_\s]/g, '').toLowerCase();
  const p = auth.parameters ?? {};
  const missing = (name: string) => new UserError(host.loc('InputInvalid', 'PowerPlatformSPN', host.loc('ConnectionParameterMissing', name)));

  // A user name and password would be sent as if it were a client secret: refuse it by name.
  if (scheme === 'usernamepassword') {
    if (p.password) host.setSecret(p.password);
    throw new UserError(host.loc('UsernamePasswordUnsupported'));
  }
  if (scheme === 'none' || scheme === 'serviceprincipal') {
    const clientSecret = param(p, 'clientSecret', 'serviceprincipalkey');
    if (clientSecret) {
      host.setSecret(clientSecret);
      host.setSecret(Buffer.from(clientSecret).toString('base64'));
    }
    const tenantId = param(p, 'tenantId', 'tenantid');
    const clientId = param(p, 'applicationId', 'serviceprincipalid', 'clientId');
    if (!tenantId) throw missing('tenantId');
    if (!clientId) throw missing('applicationId');
    if (!clientSecret) throw missing('clientSecret');
    return { scheme: 'ClientSecret', tenantId, clientId, clientSecret };
  }

  if (scheme === 'workloadidentityfederation') {
    const tenantId = param(p, 'tenantid');
    const clientId = param(p, 'serviceprincipalid', 'applicationId');
    if (!tenantId) throw missing('tenantid');
    if (!clientId) throw missing('serviceprincipalid');
    const system = host.endpointAuthorization('SYSTEMVSSCONNECTION');
    const jobAccessToken = system ? param(system.parameters ?? {}, 'AccessToken') : undefined;
    if (!jobAccessToken) {
      throw new UserError(host.loc('InputInvalid', 'PowerPlatformSPN', host.loc('FederationJobTokenMissing')));
    }
    host.setSecret(jobAccessToken);
    return { scheme: 'WorkloadIdentityFederation', tenantId, clientId, serviceConnectionId: connectionId, oidcRequestUrl: oidcRequestUrl(host, connectionId), jobAccessToken };
  }

  if (scheme === 'managedserviceidentity' || scheme === 'managedidentity') {
    return { scheme: 'ManagedIdentity', tenantId: param(p, 'tenantid', 'tenantId'), clientId: param(p, 'clientid', 'serviceprincipalid') };
  }

  throw new UserError(host.loc('AuthSchemeUnsupported', auth.scheme));
}

/** System.OidcRequestUri when the agent sets it, else the job's oidctoken route under the collection URI. */
function oidcRequestUrl(host: TaskHost, connectionId: string): string {
  const direct = host.variable('System.OidcRequestUri');
  const base =
    direct ??
    (() => {
      const collection = host.variable('System.CollectionUri');
      const project = host.variable('System.TeamProjectId');
      const hub = host.variable('System.HostType') ?? 'build';
      const plan = host.variable('System.PlanId');
      const job = host.variable('System.JobId');
      if (!collection || !project || !plan || !job) {
        throw new UserError(host.loc('InputInvalid', 'PowerPlatformSPN', host.loc('FederationRequestUriMissing')));
      }
      return `${collection.replace(/\/+$/, '')}/${project}/_apis/distributedtask/hubs/${hub}/plans/${plan}/jobs/${job}/oidctoken`;
    })();
  const url = new URL(base);
  url.searchParams.set('api-version', '7.1');
  url.searchParams.set('serviceConnectionId', connectionId);
  return url.toString();
}
