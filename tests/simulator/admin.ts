import { JwtSigner, nowSeconds } from './jwt';
import { Scenario } from './scenario';
import { ConnectionState, SimulatorState } from './store';
import { Headers, SimResponse, json, stableGuid } from './util';

export const POWERAPPS_AUDIENCE = 'https://service.powerapps.com';

interface AdminCaller {
  oid: string;
  appid: string;
  managementApp: boolean;
}

interface PermissionsExpand {
  /** from `maxAssignedTo('<object id>')` */
  principalId?: string;
}

/** `$expand=permissions` or `$expand=permissions($filter=maxAssignedTo('<object id>'))` (the plug-in's form). */
function parsePermissionsExpand(expand: string | null): PermissionsExpand | undefined {
  if (!expand) return undefined;
  const item = expand.split(',').map((x) => x.trim()).find((x) => /^permissions\b/i.test(x));
  if (!item) return undefined;
  const m = /maxAssignedTo\(\s*'([^']*)'\s*\)/i.exec(item);
  return { principalId: m ? m[1] : undefined };
}

function apiError(status: number, code: string, message: string, extra?: Record<string, unknown>): SimResponse {
  return json(status, { error: { code, message, ...extra } }, undefined, code);
}

/** Power Apps admin connections API and BAP environments (dataverse-facts §6). */
export class AdminApi {
  constructor(
    private readonly scenario: Scenario,
    private readonly state: SimulatorState,
    private readonly signer: JwtSigner,
    private readonly url: string,
  ) {}

  authenticate(headers: Headers): AdminCaller | SimResponse {
    const m = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
    if (!m) return apiError(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.');
    const claims = this.signer.verify(m[1].trim());
    if (!claims) return apiError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds()) {
      return { ...apiError(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.'), headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is expired."' } };
    }
    const aud = String(claims.aud ?? '').replace(/\/+$/, '');
    if (aud.toLowerCase() !== POWERAPPS_AUDIENCE) {
      return apiError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained from wrong audience or resource '${String(claims.aud)}'. It should exactly match with one of the allowed audiences '${POWERAPPS_AUDIENCE}/','${POWERAPPS_AUDIENCE}'.`,
      );
    }
    const oid = String(claims.oid ?? '').toLowerCase();
    const appid = String(claims.appid ?? '').toLowerCase();
    const app = this.scenario.apps.find((a) => a.objectId.toLowerCase() === oid);
    const mi = this.scenario.managedIdentity;
    const managementApp = app ? app.managementApp === true : !!mi && mi.objectId.toLowerCase() === oid && mi.managementApp === true;
    return { oid, appid, managementApp };
  }

  private forbidden(caller: AdminCaller, path: string, query: string): SimResponse {
    return apiError(
      403,
      'Forbidden',
      `The service principal with id '${caller.oid}' for application ${caller.appid} does not have permission to access the path 'https://10.0.1.12:20277${path}${query ? `?${query}` : ''}' in tenant ${this.state.tenantId}.`,
    );
  }

  private envNotFound(env: string): SimResponse {
    return apiError(404, 'EnvironmentNotFound', `The environment '${env}' could not be found in the tenant.`, { detailUrlType: 'NotSpecified' });
  }

  private userInfo(oid: string) {
    const u = this.state.scenarioUser(oid);
    const base = { id: oid, displayName: u?.fullName ?? u?.upn ?? oid, type: 'User', tenantId: this.state.tenantId };
    // dataverse-facts Corrections, "Admin connections listing": UPN and email may be missing
    if (this.scenario.adminCreatedByIdOnly) return base;
    return { ...base, email: u?.upn, userPrincipalName: u?.upn };
  }

  /** `properties.statuses`: Connected, or the status with its `target` and `error` (dataverse-facts §6.1; error object a guess). */
  private statuses(c: ConnectionState): Record<string, unknown>[] {
    const status = c.status ?? 'Connected';
    if (status === 'Connected') return [{ status }];
    const service = c.connector.replace(/^shared_/, '');
    const error = c.statusError ?? {
      code: 'Unauthorized',
      message:
        `Failed to refresh access token for service: ${service}. Correlation Id=${stableGuid('connection-status', c.name)}, UTC TimeStamp=2026-01-01 00:00:00Z, ` +
        'Error: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-09-01T00:00:00Z and was inactive for 90.00:00:00.',
    };
    return [{ status, target: c.statusTarget ?? 'token', error }];
  }

  /**
   * Role assignments of a connection in the shape of the admin module's
   * Get-AdminPowerAppConnectionRoleAssignment and the Terraform provider's connection shares: the
   * creator as `Owner`, each `sharedWith` principal as `CanView` ("Can use"), principal type
   * `ServicePrincipal` for an application user. `principalId` keeps only the assignment
   * `maxAssignedTo` would return for that principal (guess: the highest role it holds).
   */
  private roleAssignments(c: ConnectionState, principalId?: string): Record<string, unknown>[] {
    const owner = c.createdBy.toLowerCase();
    const principals = [owner, ...(c.sharedWith ?? []).map((x) => x.toLowerCase()).filter((x) => x !== owner)];
    const wanted = principalId?.toLowerCase();
    return principals
      .filter((oid) => !wanted || oid === wanted)
      .map((oid) => {
        const u = this.state.scenarioUser(oid);
        const app = !!u?.applicationId || this.scenario.apps.some((a) => a.objectId.toLowerCase() === oid);
        const principal: Record<string, unknown> = { id: oid, displayName: u?.fullName ?? u?.upn ?? oid, type: app ? 'ServicePrincipal' : 'User', tenantId: this.state.tenantId };
        if (!app && u?.upn) principal.email = u.upn;
        return {
          name: oid,
          id: `/providers/Microsoft.PowerApps/apis/${c.connector}/connections/${c.name}/permissions/${oid}`,
          type: 'Microsoft.PowerApps/apis/connections/permissions',
          properties: { roleName: oid === owner ? 'Owner' : 'CanView', principal, notifyShareTargetOption: 'NotSpecified', inviteGuestToTenant: false },
        };
      });
  }

  private connectionJson(c: ConnectionState, expand?: PermissionsExpand, env = this.state.environmentId): Record<string, unknown> {
    const apiId = `/providers/Microsoft.PowerApps/apis/${c.connector}`;
    return {
      name: c.name,
      id: `/providers/Microsoft.PowerApps/scopes/admin/environments/${env}/apis/${c.connector}/connections/${c.name}`,
      type: 'Microsoft.PowerApps/scopes/admin/environments/apis/connections',
      properties: {
        apiId,
        displayName: c.displayName ?? c.name,
        iconUri: `https://connectoricons-prod.azureedge.net/${c.connector}/icon.png`,
        statuses: this.statuses(c),
        connectionParametersSet: { name: 'oauth', values: {} },
        createdBy: this.userInfo(c.createdBy),
        createdTime: c.createdTime,
        lastModifiedTime: c.createdTime,
        environment: { id: `/providers/Microsoft.PowerApps/environments/${env}`, name: env },
        ...(expand ? { permissions: this.roleAssignments(c, expand.principalId) } : {}),
        allowSharing: false,
      },
    };
  }

  /**
   * `GET /providers/Microsoft.PowerApps/scopes/admin/environments/{env}[/apis/{api}]/connections`,
   * `.../apis/{api}/connections/{name}` and `.../apis/{api}/connections/{name}/permissions`.
   */
  connections(caller: AdminCaller, path: string, query: URLSearchParams, rawQuery: string): SimResponse {
    const m = /^\/providers\/Microsoft\.PowerApps\/scopes\/admin\/environments\/([^/]+)(?:\/apis\/([^/]+))?\/connections(?:\/([^/]+)(\/permissions)?)?\/?$/i.exec(path);
    if (!m || (m[3] && !m[2])) return apiError(404, 'ResourceNotFound', `The resource '${path}' was not found.`);
    if (!query.get('api-version')) {
      return apiError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    if (!caller.managementApp) return this.forbidden(caller, path, rawQuery);
    const env = decodeURIComponent(m[1]);
    const own = env.toLowerCase() === this.state.environmentId.toLowerCase();
    const other = own ? undefined : this.state.connectionsOfEnvironment(env);
    if (!own && !other) return this.envNotFound(env);
    const api = m[2] ? decodeURIComponent(m[2]).toLowerCase() : undefined;
    const expand = parsePermissionsExpand(query.get('$expand'));
    if (m[3]) {
      const name = decodeURIComponent(m[3]);
      const c = this.state.connection(name);
      if (!c || c.connector.toLowerCase() !== api) {
        // wording from the connection reference plug-in's answer (dataverse-facts Corrections)
        return apiError(404, 'ConnectionNotFound', `Could not find connection '${name}' for API '${m[2]}'.`);
      }
      if (m[4]) {
        const filter = parsePermissionsExpand(query.get('$filter') ? `permissions($filter=${query.get('$filter')})` : 'permissions');
        return json(200, { value: this.roleAssignments(c, filter?.principalId) });
      }
      return json(200, this.connectionJson(c, expand));
    }
    const all = (other ?? this.state.connections).filter((c) => !api || c.connector.toLowerCase() === api);
    const pageSize = this.scenario.adminPageSize ?? 100;
    const skip = Number(query.get('$skiptoken') ? Buffer.from(query.get('$skiptoken') as string, 'base64url').toString() : '0') || 0;
    const page = all.slice(skip, skip + pageSize);
    const body: Record<string, unknown> = { value: page.map((c) => this.connectionJson(c, expand, own ? undefined : env)) };
    if (skip + pageSize < all.length) {
      const next = new URLSearchParams(query);
      next.set('$skiptoken', Buffer.from(String(skip + pageSize)).toString('base64url'));
      body.nextLink = `${this.url}${path}?${next.toString()}`;
    }
    return json(200, body);
  }

  private environmentJson(): Record<string, unknown> {
    const env = this.state.environmentId;
    return {
      id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${env}`,
      type: 'Microsoft.BusinessAppPlatform/scopes/environments',
      location: 'unitedstates',
      name: env,
      properties: {
        tenantId: this.state.tenantId,
        azureRegion: 'westus',
        displayName: this.state.environmentDisplayName,
        createdTime: '2024-01-01T00:00:00Z',
        environmentSku: 'Sandbox',
        isDefault: false,
        provisioningState: 'Succeeded',
        states: { management: { id: 'Ready' }, runtime: { id: 'Enabled' } },
        linkedEnvironmentMetadata: {
          resourceId: this.state.organizationId,
          friendlyName: this.state.environmentDisplayName,
          uniqueName: `unq${this.state.organizationId.replace(/-/g, '').slice(0, 24)}`,
          domainName: 'simulator',
          version: '9.2.25021.188',
          instanceUrl: `${this.url}/`,
          instanceApiUrl: `${this.url}/`,
          baseLanguage: 1033,
          instanceState: 'Ready',
          createdTime: '2024-01-01T00:00:00Z',
          platformSku: 'Standard',
        },
      },
    };
  }

  /** `GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments[/{env}]` */
  environments(caller: AdminCaller, path: string, query: URLSearchParams, rawQuery: string): SimResponse {
    const m = /^\/providers\/Microsoft\.BusinessAppPlatform\/scopes\/admin\/environments(?:\/([^/]+))?\/?$/i.exec(path);
    if (!m) return apiError(404, 'ResourceNotFound', `The resource '${path}' was not found.`);
    if (!query.get('api-version')) {
      return apiError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    if (m[1]) {
      if (!caller.managementApp) return this.forbidden(caller, path, rawQuery);
      const env = decodeURIComponent(m[1]);
      if (env.toLowerCase() !== this.state.environmentId.toLowerCase()) return this.envNotFound(env);
      return json(200, this.environmentJson());
    }
    // dataverse-facts §6.3: an unregistered service principal may just see no environments
    return json(200, { value: caller.managementApp ? [this.environmentJson()] : [] });
  }
}
