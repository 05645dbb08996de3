import axios, { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';
import { PlatformError } from './errors';
import { parseErrorBody } from './platform-errors';
import { Semaphore, sleep } from './concurrency';
import { AgentPool, NetworkSettings } from './network';
import { MessageLookup, keyAndArguments } from './paging';
import { flattenHeaders, parseJson, parseRetryAfter } from './http-responses';
import { jitteredBackoff } from './backoff';
import { CustomizationLockGate, DEFAULT_LOCK_WAIT_MS, LockWaitEvent, LockedRequest, customizationLock } from './customization-lock';

export { parseRetryAfter } from './http-responses';

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
  /**
   * False for a write that must not be sent twice: a response lost after the request went out
   * (reset, timeout, 502/504) is thrown at once, so the caller can read what happened first.
   */
  retryOnLostResponse?: boolean;
  /** Never through the agent proxy (managed identity endpoints are link-local or on the machine). */
  direct?: boolean;
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
  /** The task's messages, for failures the clients built on this one report (e.g. paging). */
  loc?: MessageLookup;
  /** Waiting out a customization lock: the longest wait of one request (default 10 minutes), and what to log. */
  customizationLock?: { maxWaitMs?: number; onEvent?: (event: LockWaitEvent) => void };
}

/** Transport failures where the request never reached the server: safe to resend any write. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
/** Statuses retried with backoff. */
export const TRANSIENT_STATUS: ReadonlySet<number> = new Set([502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * The one HTTP client of the extension: Dataverse, Entra ID (through msal-node's network module),
 * the Power Apps admin API and BAP all go through it. It retries 429 after Retry-After (and holds
 * every other request back until then), waits out a customization lock the same way (every request
 * held, probing with backoff), retries 502/503/504 and dropped connections with
 * exponential backoff and jitter, refreshes the token once on 401, bounds concurrency, and turns
 * every failure into a PlatformError that keeps the platform's own code.
 */
export class HttpClient {
  private readonly pool: AgentPool;
  private readonly retry: RetryPolicy;
  private readonly gate: Semaphore;
  private readonly timeoutMs: number;
  private throttledUntil = 0;
  private readonly lock: CustomizationLockGate;
  readonly loc: MessageLookup;

  constructor(private readonly options: HttpClientOptions) {
    this.loc = options.loc ?? keyAndArguments;
    this.pool = new AgentPool(options.network);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.gate = new Semaphore(options.maxConcurrency ?? 48);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    const { maxWaitMs = DEFAULT_LOCK_WAIT_MS, onEvent } = options.customizationLock ?? {};
    this.lock = new CustomizationLockGate({ maxWaitMs, baseDelayMs: this.retry.baseDelayMs, maxDelayMs: this.retry.maxDelayMs, onEvent });
  }

  /** The backoff settings in force (e.g. for a task's own retries of a flow). */
  get retryPolicy(): Readonly<RetryPolicy> {
    return this.retry;
  }

  async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
    const locked: LockedRequest = { refusals: 0 };
    try {
      return await this.send<T>(request, locked);
    } finally {
      this.lock.release(locked);
    }
  }

  private async send<T>(request: HttpRequest, locked: LockedRequest): Promise<HttpResponse<T>> {
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
        await this.lock.admit(locked);
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
        const retryable =
          (TRANSIENT_CODES.has(code) || /socket hang up/i.test(transportError?.message ?? '')) &&
          (request.retryOnLostResponse !== false || NEVER_SENT_CODES.has(code));
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
      } else if (TRANSIENT_STATUS.has(status) && attempt < this.retry.maxAttempts && (request.retryOnLostResponse !== false || status === 503)) {
        const delay = this.backoff(attempt);
        this.emit({ method: request.method, url: request.url, status, attempt, durationMs, retryInMs: delay, reason: 'transient' });
        await sleep(delay);
        continue;
      }

      if ((status >= 200 && status < 300) || status === 304 || request.acceptStatus?.includes(status)) {
        this.emit({ method: request.method, url: request.url, status, attempt, durationMs });
        this.lock.passed(locked);
        return { status, headers: flattenHeaders(response.headers), data: response.data as T };
      }
      const error = parseErrorBody(status, response.data, request.method, request.url);
      const operations = customizationLock(error);
      // A request refused by the lock changed nothing: it is sent again once the hold is over.
      if (operations && this.lock.refused(locked, operations)) {
        attempt--;
        this.emit({ method: request.method, url: request.url, status, attempt, durationMs, retryInMs: Math.max(0, this.lock.heldUntil - Date.now()), reason: 'customization lock' });
        continue;
      }
      this.emit({ method: request.method, url: request.url, status, attempt, durationMs });
      if (!operations) this.lock.passed(locked);
      throw error;
    }
  }

  close(): void {
    this.pool.destroy();
  }

  private axiosConfig(request: HttpRequest, token: string | undefined): AxiosRequestConfig {
    const headers: Record<string, string> = { ...request.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    let data: unknown = undefined;
    if (request.body !== undefined) {
      data = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    const agent = this.pool.agentFor(request.url, request.direct);
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
    return jitteredBackoff(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs);
  }

  private emit(event: RequestEvent): void {
    this.options.onEvent?.(event);
  }
}
