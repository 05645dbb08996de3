import { ConfidentialClientApplication, ManagedIdentityApplication } from '@azure/msal-node';
import { PlatformError, UserError, errorMessage } from './errors';
import { Credentials } from './credentials';
import { jwtClaims } from './jwt-claims';
import { CloudEndpoints, MICROSOFT_AUTHORITY_HOSTS } from './cloud';
import { HttpClient, TokenSource } from './http-client';
import { msalNetworkModule } from './msal-network';

type SecretSink = (secret: string) => void;

/**
 * Tokens for the three `powerplatform-spn` schemes through msal-node, whose network module is the
 * extension's HTTP client (so the agent's proxy and CA apply; managed identity requests never use
 * the proxy). Every token is registered as a secret the moment it exists.
 */
export class TokenProvider {
  private readonly confidential?: ConfidentialClientApplication;
  private readonly managed?: ManagedIdentityApplication;
  /** Tokens by resource, so a request does not cost a token-cache lookup (or a federated assertion) each time. */
  private readonly cache = new Map<string, { token: string; expiresOn: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  private assertion?: { token: string; expiresOn: number };
  private pendingAssertion?: Promise<string>;
  /** msal-node serves cached tokens: each is registered once, not once per request. */
  private readonly registered = new Set<string>();

  constructor(
    private readonly credentials: Credentials,
    endpoints: CloudEndpoints,
    private readonly http: HttpClient,
    private readonly registerSecret: SecretSink,
    private readonly describeFailure: (resource: string, reason: string) => string,
    private readonly emptyFederationTokenReason = 'the OIDC token response had no token',
  ) {
    if (credentials.scheme === 'ManagedIdentity') {
      this.managed = new ManagedIdentityApplication({
        managedIdentityIdParams: credentials.clientId ? { userAssignedClientId: credentials.clientId } : undefined,
        // IMDS and the other managed identity endpoints are on the machine: never through the proxy.
        system: { networkClient: msalNetworkModule(http, { direct: true }) },
      });
      return;
    }
    const networkClient = msalNetworkModule(http);
    const authorityUrl = new URL(endpoints.authorityHost);
    const knownAuthorities = MICROSOFT_AUTHORITY_HOSTS.has(authorityUrl.hostname) ? [] : [authorityUrl.host];
    this.confidential = new ConfidentialClientApplication({
      auth: {
        clientId: credentials.clientId,
        authority: `${endpoints.authorityHost}/${credentials.tenantId}`,
        knownAuthorities,
        ...(credentials.scheme === 'ClientSecret'
          ? { clientSecret: credentials.clientSecret }
          : { clientAssertion: async () => this.federatedAssertion() }),
      },
      system: { networkClient },
    });
  }

  /** A token source for one resource, e.g. the environment URL or the Power Apps service audience. */
  source(resource: string): TokenSource {
    return { getToken: (forceRefresh: boolean) => this.getToken(resource, forceRefresh) };
  }

  get clientId(): string | undefined {
    return this.credentials.clientId;
  }

  async getToken(resource: string, forceRefresh = false): Promise<string> {
    const key = resource.replace(/\/+$/, '');
    const cached = this.cache.get(key);
    if (!forceRefresh && cached && cached.expiresOn - Date.now() > TOKEN_REFRESH_MARGIN_MS) return cached.token;
    // Concurrent requests that find no token share one acquisition.
    const inFlight = this.pending.get(key);
    if (inFlight && !forceRefresh) return inFlight;
    const acquisition = this.acquire(key, forceRefresh).finally(() => this.pending.delete(key));
    this.pending.set(key, acquisition);
    return acquisition;
  }

  private async acquire(resource: string, forceRefresh: boolean): Promise<string> {
    try {
      const result = this.managed
        ? await this.managed.acquireToken({ resource, forceRefresh })
        : await this.confidential!.acquireTokenByClientCredential({ scopes: [`${resource}/.default`], skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('no access token was returned');
      if (!this.registered.has(result.accessToken)) {
        this.registered.add(result.accessToken);
        this.registerSecret(result.accessToken);
      }
      const expiresOn = result.expiresOn ? result.expiresOn.getTime() : Date.now() + 5 * 60_000;
      this.cache.set(resource, { token: result.accessToken, expiresOn });
      return result.accessToken;
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(this.describeFailure(resource, authFailureReason(error)));
    }
  }

  /** The job's OIDC token from Azure DevOps, used as the client assertion (workload identity federation). */
  private federatedAssertion(): Promise<string> {
    if (this.assertion && this.assertion.expiresOn - Date.now() > 60_000) return Promise.resolve(this.assertion.token);
    // Token requests for several resources at once share one OIDC token request.
    this.pendingAssertion ??= this.requestFederatedAssertion().finally(() => (this.pendingAssertion = undefined));
    return this.pendingAssertion;
  }

  private async requestFederatedAssertion(): Promise<string> {
    if (this.credentials.scheme !== 'WorkloadIdentityFederation') throw new Error('not a federated credential');
    const response = await this.http.request<{ oidcToken?: string }>({
      method: 'POST',
      url: this.credentials.oidcRequestUrl,
      headers: { Authorization: `Bearer ${this.credentials.jobAccessToken}`, 'X-TFS-FedAuthRedirect': 'Suppress', 'Content-Type': 'application/json' },
      body: '{}',
    });
    const token = response.data?.oidcToken;
    if (!token) throw new UserError(this.describeFailure(this.credentials.oidcRequestUrl.split('?')[0], this.emptyFederationTokenReason));
    this.registerSecret(token);
    this.assertion = { token, expiresOn: jwtExpiry(token) ?? Date.now() + 5 * 60_000 };
    return token;
  }
}

const TOKEN_REFRESH_MARGIN_MS = 2 * 60_000;

function jwtExpiry(token: string): number | undefined {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

function authFailureReason(error: unknown): string {
  if (error instanceof PlatformError) return `${error.code}: ${error.platformMessage}`;
  const e = error as { errorCode?: string; errorMessage?: string; subError?: string };
  const text = e?.errorMessage || errorMessage(error);
  const aad = /AADSTS\d+[^\r\n]*/.exec(text)?.[0];
  if (aad) return aad.replace(/\s*Trace ID:.*$/, '').trim();
  return e?.errorCode ? `${e.errorCode}: ${text.split(/\r?\n/)[0]}` : text.split(/\r?\n/)[0];
}
