import { ConfidentialClientApplication, ManagedIdentityApplication } from '@azure/msal-node';
import { PlatformError, UserError, errorMessage } from './errors';
import { Credentials } from './credentials';
import { CloudEndpoints, MICROSOFT_AUTHORITY_HOSTS } from './cloud';
import { HttpClient, TokenSource } from './http-client';

type SecretSink = (secret: string) => void;

/**
 * Tokens for the three `powerplatform-spn` schemes through msal-node, whose network module is the
 * extension's HTTP client (so the agent's proxy and CA apply). Every token is registered as a
 * secret the moment it exists.
 */
export class TokenProvider {
  private readonly confidential?: ConfidentialClientApplication;
  private readonly managed?: ManagedIdentityApplication;

  constructor(
    private readonly credentials: Credentials,
    endpoints: CloudEndpoints,
    private readonly http: HttpClient,
    private readonly registerSecret: SecretSink,
    private readonly describeFailure: (resource: string, reason: string) => string,
  ) {
    const networkClient = http.msalNetworkModule();
    if (credentials.scheme === 'ManagedIdentity') {
      this.managed = new ManagedIdentityApplication({
        managedIdentityIdParams: credentials.clientId ? { userAssignedClientId: credentials.clientId } : undefined,
        system: { networkClient },
      });
      return;
    }
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
    const scope = `${resource.replace(/\/+$/, '')}/.default`;
    try {
      const result = this.managed
        ? await this.managed.acquireToken({ resource: resource.replace(/\/+$/, ''), forceRefresh })
        : await this.confidential!.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('no access token was returned');
      this.registerSecret(result.accessToken);
      return result.accessToken;
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(this.describeFailure(resource, authFailureReason(error)));
    }
  }

  /** The job's OIDC token from Azure DevOps, used as the client assertion (workload identity federation). */
  private async federatedAssertion(): Promise<string> {
    if (this.credentials.scheme !== 'WorkloadIdentityFederation') throw new Error('not a federated credential');
    const response = await this.http.request<{ oidcToken?: string }>({
      method: 'POST',
      url: this.credentials.oidcRequestUrl,
      headers: { Authorization: `Bearer ${this.credentials.jobAccessToken}`, 'X-TFS-FedAuthRedirect': 'Suppress', 'Content-Type': 'application/json' },
      body: '{}',
    });
    const token = response.data?.oidcToken;
    if (!token) throw new UserError(this.describeFailure('the Azure DevOps OIDC token', 'the response had no oidcToken'));
    this.registerSecret(token);
    return token;
  }
}

function authFailureReason(error: unknown): string {
  if (error instanceof PlatformError) return `${error.code}: ${error.platformMessage}`;
  const e = error as { errorCode?: string; errorMessage?: string; subError?: string };
  const text = e?.errorMessage || errorMessage(error);
  const aad = /AADSTS\d+[^\r\n]*/.exec(text)?.[0];
  if (aad) return aad.replace(/\s*Trace ID:.*$/, '').trim();
  return e?.errorCode ? `${e.errorCode}: ${text.split(/\r?\n/)[0]}` : text.split(/\r?\n/)[0];
}
