import { HttpClient, HttpMethod, HttpResponse, TokenSource } from './http-client';
import { PageWalk } from './paging';

export interface CallOptions {
  /** Entra object id of the user to act as (impersonation through the CallerObjectId header). */
  callerObjectId?: string;
  headers?: Record<string, string>;
  /** False for a write that must not be resent after a lost response (see HttpRequest). */
  retryOnLostResponse?: boolean;
}

export interface PagedCallOptions extends CallOptions {
  /** At most this many rows a page (never more than the client's page size). */
  maxPageSize?: number;
}

export interface WhoAmIResponse {
  UserId: string;
  BusinessUnitId: string;
  OrganizationId: string;
}

export interface OrganizationDetail {
  OrganizationId?: string;
  FriendlyName?: string;
  EnvironmentId?: string;
  TenantId?: string;
  UniqueName?: string;
  UrlName?: string;
  OrganizationVersion?: string;
}

export const DATAVERSE_API_VERSION = 'v9.2';

/** Dataverse Web API v9.2: OData headers, paging, FetchXML paging and impersonation. */
export class DataverseClient {
  readonly apiBase: string;

  constructor(
    private readonly http: HttpClient,
    readonly environmentUrl: string,
    private readonly token: TokenSource,
    private readonly pageSize = 5000,
  ) {
    this.apiBase = `${environmentUrl.replace(/\/+$/, '')}/api/data/${DATAVERSE_API_VERSION}/`;
  }

  async get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return (await this.send<T>('GET', path, undefined, options)).data;
  }

  /** Every row of a query, following @odata.nextLink on the environment's own origin. */
  async getAll<T>(path: string, options: CallOptions = {}): Promise<T[]> {
    const rows: T[] = [];
    await this.getPages<T>(path, (page) => void rows.push(...page), options);
    return rows;
  }

  /**
   * The pages of a query, each handed to `onPage` as it arrives, so a caller can keep only what it
   * needs of each row (same paging rules as getAll).
   */
  async getPages<T>(path: string, onPage: (rows: T[]) => void, options: CallOptions = {}): Promise<void> {
    const first = this.absolute(path);
    const walk = new PageWalk(first, this.http.loc);
    let next: string | undefined = first;
    while (next) {
      walk.countPage();
      const page: HttpResponse<{ value?: T[]; '@odata.nextLink'?: string }> = await this.send('GET', next, undefined, {
        ...options,
        headers: { Prefer: `odata.maxpagesize=${this.pageSize}`, ...options.headers },
      });
      onPage(page.data.value ?? []);
      next = walk.next(next, page.data['@odata.nextLink']);
    }
  }

  /** Every row of a FetchXML query, paging with the `page`, `count` and `paging-cookie` attributes. */
  async fetchAll<T>(entitySet: string, fetchXml: string, options: PagedCallOptions = {}): Promise<T[]> {
    const rows: T[] = [];
    await this.fetchPages<T>(entitySet, fetchXml, (page) => void rows.push(...page), options);
    return rows;
  }

  /**
   * The pages of a FetchXML query, each handed to `onPage` as it arrives (same paging rules as
   * fetchAll). With `maxPageSize` a query of large rows reads fewer of them at a time.
   */
  async fetchPages<T>(entitySet: string, fetchXml: string, onPage: (rows: T[]) => void, options: PagedCallOptions = {}): Promise<void> {
    const walk = new PageWalk(this.absolute(entitySet), this.http.loc);
    const count = Math.min(this.pageSize, options.maxPageSize ?? this.pageSize);
    let page = 1;
    let cookie: string | undefined;
    for (;;) {
      walk.countPage();
      const xml = withPaging(fetchXml, page, count, cookie);
      const response: HttpResponse<{ value?: T[]; '@Microsoft.Dynamics.CRM.morerecords'?: boolean; '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie'?: string }> =
        await this.send('GET', `${entitySet}?fetchXml=${encodeURIComponent(xml)}`, undefined, {
          ...options,
          headers: { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.*"', ...options.headers },
        });
      onPage(response.data.value ?? []);
      if (!response.data['@Microsoft.Dynamics.CRM.morerecords']) return;
      cookie = pagingCookie(response.data['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie']);
      if (cookie !== undefined) walk.repeatCheck(`cookie:${cookie}`);
      page++;
    }
  }

  async patch(path: string, body: unknown, options: CallOptions & { ifMatch?: string } = {}): Promise<void> {
    await this.send('PATCH', path, body, { ...options, headers: { 'If-Match': options.ifMatch ?? '*', ...options.headers } });
  }

  async post<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return (await this.send<T>('POST', path, body, options)).data;
  }

  async whoAmI(options: CallOptions = {}): Promise<WhoAmIResponse> {
    return this.get<WhoAmIResponse>('WhoAmI', options);
  }

  async currentOrganization(): Promise<OrganizationDetail> {
    const response = await this.get<{ Detail?: OrganizationDetail }>(
      "RetrieveCurrentOrganization(AccessType=@p)?@p=Microsoft.Dynamics.CRM.EndpointAccessType'Default'",
    );
    return response.Detail ?? {};
  }

  private send<T>(method: HttpMethod, path: string, body: unknown, options: CallOptions): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...ODATA_HEADERS, ...options.headers };
    if (options.callerObjectId) headers.CallerObjectId = options.callerObjectId;
    return this.http.request<T>({ method, url: this.absolute(path), headers, body, token: this.token, retryOnLostResponse: options.retryOnLostResponse });
  }

  private absolute(path: string): string {
    return /^https:\/\//i.test(path) ? path : `${this.apiBase}${path}`;
  }
}

const ODATA_HEADERS: Record<string, string> = {
  Accept: 'application/json',
  'OData-MaxVersion': '4.0',
  'OData-Version': '4.0',
};

export function withPaging(fetchXml: string, page: number, count: number, cookie?: string): string {
  const attributes = ` page="${page}" count="${count}"${cookie ? ` paging-cookie="${escapeXmlAttribute(cookie)}"` : ''}`;
  return fetchXml.replace(/<fetch\b([^>]*)>/, (_match, rest: string) => {
    const cleaned = rest.replace(/\s(page|count|paging-cookie)="[^"]*"/g, '');
    return `<fetch${cleaned}${attributes}>`;
  });
}

/** The paging cookie sits double-URL-encoded in the `pagingcookie` attribute of the annotation. */
function pagingCookie(annotation: string | undefined): string | undefined {
  if (!annotation) return undefined;
  const match = /pagingcookie="([^"]*)"/.exec(annotation);
  if (!match) return undefined;
  try {
    return decodeURIComponent(decodeURIComponent(match[1]));
  } catch {
    return undefined;
  }
}

export function escapeXmlAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * A string literal for a $filter in a URL: single quotes doubled (`'O''Bryan'`), then
 * percent-encoded, so `#` (guest UPNs), `&`, `+` and `%` stay part of the value.
 */
export function odataString(value: string): string {
  return encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
}
