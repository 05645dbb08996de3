import * as crypto from 'crypto';
import { Claims, JwtSigner, nowSeconds } from './jwt';
import { Scenario, ScenarioApp } from './scenario';
import { SimulatorState } from './store';
import { Headers, SimResponse, json } from './util';

const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';
const ADO_ISSUER_PREFIX = 'https://vstoken.dev.azure.com/';

function aadTimestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** The Entra ID error body (dataverse-facts §8.1). */
export function aadError(status: number, error: string, code: number, text: string): SimResponse {
  const now = new Date();
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  return json(
    status,
    {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${aadTimestamp(now)}`,
      error_codes: [code],
      timestamp: aadTimestamp(now),
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
    { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    `AADSTS${code}`,
  );
}

export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

/** The resource of `<resource>/.default`, as it goes into `aud` (no `/.default`, no trailing slash). */
export function audienceOf(resource: string): string {
  return resource.replace(/\/\.default$/i, '').replace(/\/+$/, '');
}

export class Identity {
  constructor(
    private readonly scenario: Scenario,
    private readonly state: SimulatorState,
    private readonly signer: JwtSigner,
    private readonly url: string,
  ) {}

  private get lifetime(): number {
    return this.scenario.tokenLifetimeSeconds ?? 3600;
  }

  private tenantKnown(tenant: string): boolean {
    return tenant.toLowerCase() === this.state.tenantId;
  }

  private tenantNotFound(tenant: string): SimResponse {
    return aadError(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    );
  }

  accessToken(aud: string, oid: string, appid: string, extra: Claims = {}): { token: string; exp: number } {
    const iat = nowSeconds();
    const exp = iat + this.lifetime;
    const token = this.signer.sign({
      aud,
      iss: `https://sts.windows.net/${this.state.tenantId}/`,
      iat,
      nbf: iat,
      exp,
      appid,
      appidacr: '1',
      idp: `https://sts.windows.net/${this.state.tenantId}/`,
      idtyp: 'app',
      oid,
      sub: oid,
      tid: this.state.tenantId,
      ver: '1.0',
      uti: crypto.randomBytes(16).toString('base64url'),
      ...extra,
    });
    return { token, exp };
  }

  /** `POST /{tenant}/oauth2/v2.0/token`, client credentials (dataverse-facts §8). */
  token(tenant: string, bodyText: string): SimResponse & { principal?: string } {
    if (!this.tenantKnown(tenant)) return this.tenantNotFound(tenant);
    const form = parseForm(bodyText);
    if (form.grant_type !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type ?? ''}'.`);
    }
    const clientId = (form.client_id ?? '').toLowerCase();
    const app = this.scenario.apps.find((a) => a.appId.toLowerCase() === clientId);
    if (!app) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id ?? ''}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const scopes = (form.scope ?? '').split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
    if (scopes.length !== 1 || !/\/\.default$/i.test(scopes[0])) {
      return aadError(
        400,
        'invalid_scope',
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${form.scope ?? ''} is not valid.`,
      );
    }
    const authFailure = this.checkClientAuth(app, form);
    if (authFailure) return authFailure;
    const { token } = this.accessToken(audienceOf(scopes[0]), app.objectId.toLowerCase(), app.appId.toLowerCase());
    return {
      ...json(200, { token_type: 'Bearer', expires_in: this.lifetime, ext_expires_in: this.lifetime, access_token: token }, { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }),
      principal: app.objectId.toLowerCase(),
    };
  }

  private checkClientAuth(app: ScenarioApp, form: Record<string, string>): SimResponse | undefined {
    if (form.client_secret !== undefined) {
      if (app.secret !== undefined && form.client_secret === app.secret) return undefined;
      return aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
      );
    }
    if (form.client_assertion !== undefined) {
      if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        return aadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed: unsupported client_assertion_type.');
      }
      const claims = this.signer.verify(form.client_assertion);
      if (!claims) return aadError(401, 'invalid_client', 50013, 'Assertion failed signature validation.');
      const now = nowSeconds();
      if (typeof claims.exp !== 'number' || claims.exp <= now) {
        return aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      }
      if (claims.aud !== FEDERATED_AUDIENCE || typeof claims.iss !== 'string' || !claims.iss.startsWith(ADO_ISSUER_PREFIX)) {
        return aadError(401, 'invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${String(claims.iss)}'.`);
      }
      const sub = String(claims.sub ?? '');
      if (!app.federatedSubject || (app.federatedSubject !== '*' && app.federatedSubject !== sub)) {
        return aadError(
          400,
          'invalid_client',
          700213,
          `No matching federated identity record found for presented assertion subject '${sub}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
        );
      }
      return undefined;
    }
    return aadError(401, 'invalid_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  }

  openIdConfiguration(tenant: string): SimResponse {
    if (!this.tenantKnown(tenant)) return this.tenantNotFound(tenant);
    const base = `${this.url}/${tenant}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.url}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: new URL(this.url).host,
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  }

  instanceDiscovery(): SimResponse {
    const host = new URL(this.url).host;
    return json(200, {
      tenant_discovery_endpoint: `${this.url}/${this.state.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  keys(): SimResponse {
    return json(200, { keys: [] });
  }

  /** Azure DevOps job OIDC token endpoint (CONTRACT §2.1, workload identity federation). */
  oidcToken(headers: Headers, query: URLSearchParams): SimResponse {
    const ado = this.scenario.azureDevOps;
    const auth = headers.authorization ?? '';
    let presented: string | undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(auth);
    const basic = /^Basic\s+(.+)$/i.exec(auth);
    if (bearer) presented = bearer[1].trim();
    else if (basic) presented = Buffer.from(basic[1], 'base64').toString('utf8').split(':').slice(1).join(':');
    if (!ado || !presented || presented !== ado.jobAccessToken) {
      return json(401, { message: 'TF400813: The user is not authorized to access this resource.', typeKey: 'UnauthorizedRequestException' }, undefined, 'TF400813');
    }
    const serviceConnectionId = query.get('serviceConnectionId');
    if (!serviceConnectionId) {
      return json(400, { message: 'The serviceConnectionId query parameter is required.', typeKey: 'ArgumentException' }, undefined, 'ArgumentException');
    }
    const now = nowSeconds();
    const orgId = crypto.createHash('sha1').update(ado.organization ?? 'org').digest('hex');
    const guid = `${orgId.slice(0, 8)}-${orgId.slice(8, 12)}-${orgId.slice(12, 16)}-${orgId.slice(16, 20)}-${orgId.slice(20, 32)}`;
    const oidcToken = this.signer.sign({
      iss: `${ADO_ISSUER_PREFIX}${guid}`,
      sub: `sc://${ado.organization ?? 'org'}/${ado.project ?? 'project'}/${serviceConnectionId}`,
      aud: FEDERATED_AUDIENCE,
      iat: now,
      nbf: now,
      exp: now + 600,
    });
    return json(200, { oidcToken });
  }

  /** IMDS-shaped managed identity endpoint. */
  imds(headers: Headers, query: URLSearchParams): SimResponse & { principal?: string } {
    if ((headers.metadata ?? '').toLowerCase() !== 'true') {
      return json(400, { error: 'invalid_request', error_description: 'Required metadata header not specified' }, undefined, 'invalid_request');
    }
    const resource = query.get('resource');
    if (!resource) return json(400, { error: 'invalid_request', error_description: 'Required query variable \'resource\' is missing' }, undefined, 'invalid_request');
    const mi = this.scenario.managedIdentity;
    const wanted = query.get('client_id') ?? query.get('object_id') ?? query.get('msi_res_id');
    if (!mi || (wanted && wanted.toLowerCase() !== mi.clientId.toLowerCase() && wanted.toLowerCase() !== mi.objectId.toLowerCase())) {
      return json(400, { error: 'invalid_request', error_description: 'Identity not found' }, undefined, 'invalid_request');
    }
    const { token, exp } = this.accessToken(audienceOf(resource), mi.objectId.toLowerCase(), mi.clientId.toLowerCase(), { idtyp: 'app' });
    const lifetime = this.lifetime;
    return {
      ...json(200, {
        access_token: token,
        client_id: mi.clientId,
        expires_in: String(lifetime),
        expires_on: String(exp),
        ext_expires_in: String(lifetime),
        not_before: String(exp - lifetime),
        resource,
        token_type: 'Bearer',
      }),
      principal: mi.objectId.toLowerCase(),
    };
  }
}
