import * as fs from 'fs';
import * as https from 'https';
import axios, { AxiosInstance, AxiosResponse } from 'axios';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/** Helpers for tests that talk to the simulator in-process (NODE_EXTRA_CA_CERTS cannot be set after start-up). */

export function trustingAgent(caFile: string): https.Agent {
  return new https.Agent({ ca: fs.readFileSync(caFile), keepAlive: true, maxSockets: 256 });
}

/** An axios instance that trusts the simulator's CA and never throws on HTTP status. */
export function simClient(sim: { url: string; caFile: string }, agent = trustingAgent(sim.caFile)): AxiosInstance {
  return axios.create({ baseURL: sim.url, httpsAgent: agent, validateStatus: () => true, proxy: false });
}

function flatHeaders(r: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && v !== null) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** msal-node's INetworkModule over axios with the simulator's CA. */
export function msalNetworkClient(caFile: string): INetworkModule {
  const agent = trustingAgent(caFile);
  const http = axios.create({ httpsAgent: agent, validateStatus: () => true, proxy: false, responseType: 'text', transformResponse: (x: unknown) => x });
  const parse = (text: unknown): unknown => {
    try {
      return JSON.parse(String(text));
    } catch {
      return {};
    }
  };
  return {
    async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
      const r = await http.get(url, { headers: options?.headers });
      return { headers: flatHeaders(r), body: parse(r.data) as T, status: r.status };
    },
    async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
      const r = await http.post(url, options?.body ?? '', { headers: options?.headers });
      return { headers: flatHeaders(r), body: parse(r.data) as T, status: r.status };
    },
  };
}

/** Client-credentials token straight from the token endpoint. */
export async function fetchToken(
  sim: { url: string; caFile: string },
  tenantId: string,
  appId: string,
  secret: string,
  resource: string = sim.url,
  client: AxiosInstance = simClient(sim),
): Promise<string> {
  const r = await client.post(
    `/${tenantId}/oauth2/v2.0/token`,
    new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: secret, scope: `${resource}/.default` }).toString(),
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
  );
  if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${JSON.stringify(r.data)}`);
  return (r.data as { access_token: string }).access_token;
}
