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
  };
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
  ) {}

  listConnections(environmentId: string): Promise<PowerAppsConnection[]> {
    return this.getAll<PowerAppsConnection>(
      `${this.powerAppsApiUrl}/providers/Microsoft.PowerApps/scopes/admin/environments/${encodeURIComponent(environmentId)}/connections?api-version=${CONNECTIONS_API_VERSION}`,
    );
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
