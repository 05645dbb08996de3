import axios, { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';
import { PlatformError } from './errors';
import { parseErrorBody } from './platform-errors';
import { Semaphore, sleep } from './concurrency';
import { AgentPool, NetworkSettings } from './network';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Supplies bearer tokens for one audience; `forceRefresh` after a 401. */
export interface TokenSource {
  getToken(forceRefresh: boolean): Promise<string>;
}

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
  token?: TokenSource;
  /** Parse the body as JSON (default) or return the text. */
  responseType?: 'json' | 'text';
  /** Statuses returned to the caller instead of thrown (e.g. 404 for a lookup). */
  acceptStatus?: number[];
  /** false: a dropped connection or 5xx is not retried, since the request may have been carried out; the caller reads the outcome. */
  idempotent?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface RetryPolicy {
  /** Attempts for 5xx and dropped connections, including the first. */
  maxAttempts: number;
  /** Attempts for 429 responses, including the first. */
  maxThrottledAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxThrottledAttempts: 10,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
};

export interface RequestEvent {
  method: HttpMethod;
  url: string;
  status: number;
  attempt: number;
  durationMs: number;
  retryInMs?: number;
  reason?: string;
}

export interface HttpClientOptions {
  network: NetworkSettings;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once across the whole task (Dataverse allows 52 per user). */
  maxConcurrency?: number;
  timeoutMs?: number;
  onEvent?: (event: RequestEvent) => void;
}

const TRANSIENT_STATUS = new Set([502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * The one HTTP client of the extension: Dataverse, Entra ID (through msal-node's network module),
 * the Power Apps admin API and BAP all go through it. It retries 429 after Retry-After (and holds
 * every other request back until then), retries 502/503/504 and dropped connections with
 * exponential backoff and jitter, refreshes the token once on 401, bounds concurrency, and turns
 * every failure into a PlatformError that keeps the platform's own code.
 */
export class HttpClient {
  private readonly pool: AgentPool;
  private readonly retry: RetryPolicy;
  private readonly gate: Semaphore;
  private readonly timeoutMs: number;
  private throttledUntil = 0;

  constructor(private readonly options: HttpClientOptions) {
    this.pool = new AgentPool(options.network);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.gate = new Semaphore(options.maxConcurrency ?? 48);
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
    let attempt = 0;
    let throttledAttempt = 0;
    let refreshed = false;
    for (;;) {
      attempt++;
      const token = request.token ? await request.token.getToken(false) : undefined;
      let started = Date.now();
      let response: AxiosResponse | undefined;
      let transportError: AxiosError | undefined;
      await this.gate.run(async () => {
        await this.waitForThrottle();
        started = Date.now();
        try {
          response = await axios.request(this.axiosConfig(request, token));
        } catch (error) {
          transportError = error as AxiosError;
        }
      });
      const durationMs = Date.now() - started;

      if (!response) {
        const code = transportError?.code ?? 'ERR_NETWORK';
        const retryable = request.idempotent !== false && (TRANSIENT_CODES.has(code) || /socket hang up/i.test(transportError?.message ?? ''));
        if (retryable && attempt < this.retry.maxAttempts) {
          const delay = this.backoff(attempt);
          this.emit({ method: request.method, url: request.url, status: 0, attempt, durationMs, retryInMs: delay, reason: code });
          await sleep(delay);
          continue;
        }
        this.emit({ method: request.method, url: request.url, status: 0, attempt, durationMs, reason: code });
        throw new PlatformError({
          status: 0,
          code,
          message: `the connection failed (${transportError?.message ?? code})`,
          method: request.method,
          url: request.url,
          transport: code,
        });
      }

      const status = response.status;
      if (status === 401 && request.token && !refreshed) {
        refreshed = true;
        attempt--;
        this.emit({ method: request.method, url: request.url, status, attempt, durationMs, retryInMs: 0, reason: 'token refresh' });
        await request.token.getToken(true);
        continue;
      }
      if (status === 429) {
        throttledAttempt++;
        attempt--;
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']) ?? this.backoff(throttledAttempt);
        if (throttledAttempt < this.retry.maxThrottledAttempts && retryAfterMs <= this.retry.maxRetryAfterMs) {
          this.throttledUntil = Math.max(this.throttledUntil, Date.now() + retryAfterMs);
          this.emit({ method: request.method, url: request.url, status, attempt: attempt + throttledAttempt, durationMs, retryInMs: retryAfterMs, reason: 'throttled' });
          continue;
        }
      } else if (TRANSIENT_STATUS.has(status) && request.idempotent !== false && attempt < this.retry.maxAttempts) {
        const delay = this.backoff(attempt);
        this.emit({ method: request.method, url: request.url, status, attempt, durationMs, retryInMs: delay, reason: 'transient' });
        await sleep(delay);
        continue;
      }

      this.emit({ method: request.method, url: request.url, status, attempt, durationMs });
      if ((status >= 200 && status < 300) || status === 304 || request.acceptStatus?.includes(status)) {
        return { status, headers: flattenHeaders(response.headers), data: response.data as T };
      }
      throw parseErrorBody(status, response.data, request.method, request.url);
    }
  }

  close(): void {
    this.pool.destroy();
  }

  /** The msal-node network module: token requests go through the same proxy, CA and retries. */
  msalNetworkModule() {
    const send = async (method: HttpMethod, url: string, options?: { headers?: Record<string, string>; body?: string }) => {
      const response = await this.request<unknown>({
        method,
        url,
        headers: options?.headers,
        body: options?.body,
        responseType: 'text',
        acceptStatus: Array.from({ length: 200 }, (_, i) => 300 + i).filter((s) => s !== 429 && !TRANSIENT_STATUS.has(s)),
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
      sendGetRequestAsync: <T>(url: string, options?: { headers?: Record<string, string> }) =>
        send('GET', url, options) as Promise<{ headers: Record<string, string>; body: T; status: number }>,
      sendPostRequestAsync: <T>(url: string, options?: { headers?: Record<string, string>; body?: string }) =>
        send('POST', url, options) as Promise<{ headers: Record<string, string>; body: T; status: number }>,
    };
  }

  private axiosConfig(request: HttpRequest, token: string | undefined): AxiosRequestConfig {
    const headers: Record<string, string> = { ...request.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    let data: unknown = undefined;
    if (request.body !== undefined) {
      data = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    const agent = this.pool.agentFor(request.url);
    return {
      method: request.method,
      url: request.url,
      headers,
      data,
      httpsAgent: agent,
      httpAgent: agent,
      proxy: false,
      timeout: this.timeoutMs,
      validateStatus: () => true,
      maxRedirects: 0,
      maxContentLength: 512 * 1024 * 1024,
      responseType: 'text',
      transformResponse: [(raw: unknown) => (request.responseType === 'text' ? raw : parseJson(raw))],
    };
  }

  private async waitForThrottle(): Promise<void> {
    while (Date.now() < this.throttledUntil) await sleep(this.throttledUntil - Date.now());
  }

  private backoff(attempt: number): number {
    const exponential = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }

  private emit(event: RequestEvent): void {
    this.options.onEvent?.(event);
  }
}

function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw.length === 0) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) result[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}
