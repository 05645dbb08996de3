import { HttpClient, TokenSource } from './http-client';
import { PageWalk } from './paging';

export interface PowerAppsConnection {
  /** The connection id a connection reference stores. */
  name: string;
  id: string;
  properties: {
    apiId: string;
    displayName?: string;
    statuses?: Array<{ status: string; target?: string; error?: { code?: string; message?: string } }>;
    createdBy?: { id?: string; displayName?: string; email?: string; userPrincipalName?: string; type?: string };
    environment?: { name?: string };
    /** Only when the listing expands them: the role assignments (sharing) of the connection. */
    permissions?: ConnectionRoleAssignment[];
  };
}

/** One role assignment of a connection (who it is shared with, and how). */
export interface ConnectionRoleAssignment {
  name?: string;
  properties?: { roleName?: string; principal?: { id?: string; type?: string } };
}

/** Connection listings that also learn, in the same requests, the role one principal holds on each connection. */
export interface PermissionsOf {
  principalObjectId: string;
  /** Called with every connection listed (with its `permissions` for that principal). */
  onListed(connections: readonly PowerAppsConnection[]): void;
}

export interface BapEnvironment {
  name: string;
  properties?: { displayName?: string; linkedEnvironmentMetadata?: { instanceUrl?: string; resourceId?: string } };
}

const CONNECTIONS_API_VERSION = '2016-11-01';
const BAP_API_VERSION = '2020-10-01';

/** The Power Apps admin connections API and the BAP environments API (top-level `nextLink` paging, same origin only). */
export class PowerPlatformAdminClient {
  constructor(
    private readonly http: HttpClient,
    private readonly powerAppsApiUrl: string,
    private readonly bapApiUrl: string,
    private readonly token: TokenSource,
    private readonly permissionsOf?: PermissionsOf,
  ) {}

  /**
   * The environment's connections; with `withPermissionsOf`, each also carries that principal's
   * role assignment (`$expand=permissions($filter=maxAssignedTo('<object id>'))`, the form the
   * platform's own binding plug-in uses), so sharing is learnt without one request per connection.
   */
  async listConnections(environmentId: string): Promise<PowerAppsConnection[]> {
    const principal = this.permissionsOf?.principalObjectId;
    const expand = principal ? `&$expand=${encodeQueryValue(`permissions($filter=maxAssignedTo('${principal.replace(/'/g, "''")}'))`)}` : '';
    const connections = await this.getAll<PowerAppsConnection>(
      `${this.powerAppsApiUrl}/providers/Microsoft.PowerApps/scopes/admin/environments/${encodeURIComponent(environmentId)}/connections?api-version=${CONNECTIONS_API_VERSION}${expand}`,
    );
    this.permissionsOf?.onListed(connections);
    return connections;
  }

  /** The same client, whose connection listings also say how each connection is shared with this principal. */
  withPermissionsOf(permissionsOf: PermissionsOf): PowerPlatformAdminClient {
    return new PowerPlatformAdminClient(this.http, this.powerAppsApiUrl, this.bapApiUrl, this.token, permissionsOf);
  }

  listEnvironments(): Promise<BapEnvironment[]> {
    return this.getAll<BapEnvironment>(`${this.bapApiUrl}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=${BAP_API_VERSION}`);
  }

  private async getAll<T>(firstUrl: string): Promise<T[]> {
    const items: T[] = [];
    const walk = new PageWalk(firstUrl, this.http.loc);
    let url: string | undefined = firstUrl;
    while (url) {
      walk.countPage();
      const response: { data: { value?: T[]; nextLink?: string } } = await this.http.request<{ value?: T[]; nextLink?: string }>({
        method: 'GET',
        url,
        headers: { Accept: 'application/json' },
        token: this.token,
      });
      items.push(...(response.data.value ?? []));
      url = walk.next(url, response.data.nextLink);
    }
    return items;
  }
}

/** The connector name of a connector id: `/providers/Microsoft.PowerApps/apis/shared_office365` → `shared_office365`. */
export function connectorName(connectorId: string): string {
  const segments = connectorId.split('/').filter(Boolean);
  return (segments[segments.length - 1] ?? connectorId).toLowerCase();
}

export function isConnected(connection: PowerAppsConnection): boolean {
  const statuses = connection.properties.statuses ?? [];
  return statuses.length > 0 && statuses.every((s) => s.status === 'Connected');
}

/** How a principal may use a connection: it created it (`owner`), it is shared with it (`shared`), or neither. */
export type ConnectionAccess = 'owner' | 'shared' | undefined;

/** From a connection listed with `withPermissionsOf(principal)`: what that principal may do with it. */
export function connectionAccess(connection: PowerAppsConnection, principalObjectId: string): ConnectionAccess {
  const principal = principalObjectId.toLowerCase();
  if (connection.properties.createdBy?.id?.toLowerCase() === principal) return 'owner';
  const assignment = (connection.properties.permissions ?? []).find(
    (p) => (p.properties?.principal?.id ?? p.name ?? '').toLowerCase() === principal,
  );
  if (!assignment) return undefined;
  return (assignment.properties?.roleName ?? '').toLowerCase() === 'owner' ? 'owner' : 'shared';
}

/** Percent-encodes a query value completely (quotes and parentheses too), so the URL reads the same after any normalisation. */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
