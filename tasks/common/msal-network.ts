import { HttpClient, HttpMethod, TRANSIENT_STATUS } from './http-client';

type MsalResponse<T> = Promise<{ headers: Record<string, string>; body: T; status: number }>;

/** Every status msal-node reads itself (its errors come as 4xx bodies); 429 and 5xx stay with the client's retries. */
const STATUSES_FOR_MSAL = Array.from({ length: 200 }, (_, i) => 300 + i).filter((s) => s !== 429 && !TRANSIENT_STATUS.has(s));

/**
 * msal-node's network module over the one HTTP client: token requests go through the same proxy,
 * CA and retries; `direct` keeps them off the proxy (managed identity: IMDS must never be proxied).
 */
export function msalNetworkModule(http: HttpClient, options: { direct?: boolean } = {}) {
  const send = async (method: HttpMethod, url: string, init?: { headers?: Record<string, string>; body?: string }) => {
    const response = await http.request<unknown>({
      method,
      url,
      direct: options.direct,
      headers: init?.headers,
      body: init?.body,
      responseType: 'text',
      acceptStatus: STATUSES_FOR_MSAL,
    });
    let body: unknown = response.data;
    if (typeof body === 'string' && body.length > 0) {
      try {
        body = JSON.parse(body);
      } catch {
        // msal-node reports a non-JSON body itself.
      }
    }
    return { headers: response.headers, body, status: response.status };
  };
  return {
    sendGetRequestAsync: <T>(url: string, init?: { headers?: Record<string, string> }) => send('GET', url, init) as MsalResponse<T>,
    sendPostRequestAsync: <T>(url: string, init?: { headers?: Record<string, string>; body?: string }) => send('POST', url, init) as MsalResponse<T>,
  };
}
