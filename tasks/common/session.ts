import { TaskHost } from './task-host';
import { UserError } from './errors';
import { readCredentials } from './credentials';
import { resolveEnvironment, TargetEnvironment } from './environment';
import { agentNetworkSettings } from './network';
import { HttpClient, RequestEvent } from './http-client';
import { TokenProvider } from './auth';
import { jwtClaims } from './jwt-claims';
import { isGuid } from './task-inputs';
import { DataverseClient } from './dataverse';
import { lockWaitOptions } from './customization-lock';
import { PowerPlatformAdminClient } from './admin';

export interface Identity {
  /** systemuserid of the service connection's principal in the environment. */
  userId: string;
  objectId?: string;
  name: string;
  applicationId?: string;
}

export interface Session {
  environment: TargetEnvironment;
  http: HttpClient;
  tokens: TokenProvider;
  dataverse: DataverseClient;
  admin: PowerPlatformAdminClient;
  identity: Identity;
  organizationName: string;
  /** BAP environment id, needed by the admin connections API. */
  environmentId?: string;
  close(): void;
}

export interface ConnectOptions {
  /** Requests in flight at once across the task. */
  maxConcurrency?: number;
  /** Also get the Power Apps admin API token while signing in, for a task that will list connections. */
  adminToken?: boolean;
}

/** Resolves the environment and credentials, authenticates, and reports who the task acts as. */
export async function connect(host: TaskHost, options: ConnectOptions = {}): Promise<Session> {
  const connectionId = host.input('PowerPlatformSPN');
  if (!connectionId) throw new UserError(host.loc('InputRequired', 'PowerPlatformSPN', host.loc('SpnRequiredHint')));
  const credentials = readCredentials(host, connectionId);
  const environment = resolveEnvironment(host, host.endpointUrl(connectionId));

  const retryBase = Number(host.variable('PowerPlatform.RetryBaseDelayMs'));
  const network = agentNetworkSettings((name) => host.variable(name));
  if (network.proxy?.password) {
    host.setSecret(network.proxy.password);
    host.setSecret(encodeURIComponent(network.proxy.password));
  }
  const http = new HttpClient({
    network,
    maxConcurrency: options.maxConcurrency ?? 48,
    retry: Number.isFinite(retryBase) && retryBase > 0 ? { baseDelayMs: retryBase } : undefined,
    onEvent: (host.variable('System.Debug') ?? '').toLowerCase() === 'true' ? (event) => host.debug(describeEvent(event)) : undefined,
    loc: (key, ...args) => host.loc(key, ...args),
    customizationLock: lockWaitOptions(host),
  });
  const tokens = new TokenProvider(credentials, environment.endpoints, http, (secret) => host.setSecret(secret), (resource, reason) =>
    host.loc('AuthFailed', resource, reason), host.loc('FederationTokenEmpty'),
  );
  const dataverse = new DataverseClient(http, environment.url, tokens.source(environment.url), pageSize(host));
  const admin = new PowerPlatformAdminClient(http, environment.endpoints.powerAppsApiUrl, environment.endpoints.bapApiUrl, tokens.source(environment.endpoints.powerAppsAudience));

  try {
    // The caller's object id is in its token, so its system user is looked up alongside WhoAmI.
    const [dataverseToken] = await Promise.all([
      tokens.getToken(environment.url),
      // A failure here is reported where the listing needs the token.
      options.adminToken ? tokens.getToken(environment.endpoints.powerAppsAudience).catch(() => undefined) : undefined,
    ]);
    const objectId = tokenObjectId(dataverseToken);
    const [whoAmI, organization, byObjectId] = await Promise.all([
      dataverse.whoAmI(),
      dataverse.currentOrganization(),
      objectId ? dataverse.getAll<CallerRecord>(`systemusers?$select=${CALLER_COLUMNS}&$filter=azureactivedirectoryobjectid eq ${objectId}`) : Promise.resolve([]),
    ]);
    const user = byObjectId.find((u) => u.systemuserid === whoAmI.UserId) ?? (await dataverse.get<CallerRecord>(`systemusers(${whoAmI.UserId})?$select=${CALLER_COLUMNS}`));
    const identity: Identity = {
      userId: whoAmI.UserId,
      objectId: user.azureactivedirectoryobjectid,
      name: user.fullname ?? whoAmI.UserId,
      applicationId: user.applicationid,
    };
    const organizationName = organization.FriendlyName ?? organization.UniqueName ?? environment.host;
    host.info(host.loc('Connected', environment.url, organizationName, identity.name, identity.objectId ?? identity.userId));
    return { environment, http, tokens, dataverse, admin, identity, organizationName, environmentId: organization.EnvironmentId, close: () => http.close() };
  } catch (error) {
    http.close();
    throw error;
  }
}

interface CallerRecord {
  systemuserid: string;
  fullname?: string;
  azureactivedirectoryobjectid?: string;
  applicationid?: string;
}

const CALLER_COLUMNS = 'systemuserid,fullname,azureactivedirectoryobjectid,applicationid';

/** The `oid` claim of an access token, when the token is a JWT that carries one. */
function tokenObjectId(token: string): string | undefined {
  const oid = jwtClaims(token)?.oid;
  return typeof oid === 'string' && isGuid(oid) ? oid : undefined;
}

function pageSize(host: TaskHost): number {
  const value = Number(host.variable('PowerPlatform.PageSize'));
  return Number.isInteger(value) && value > 0 && value <= 5000 ? value : 5000;
}

function describeEvent(event: RequestEvent): string {
  const url = new URL(event.url);
  const retry = event.retryInMs !== undefined ? ` retry in ${event.retryInMs} ms (${event.reason})` : event.reason ? ` (${event.reason})` : '';
  return `${event.method} ${url.origin}${url.pathname} -> ${event.status || 'no response'} in ${event.durationMs} ms, attempt ${event.attempt}${retry}`;
}
