import * as crypto from 'crypto';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_RE.test(value);
}

/** Name-based GUID so that scenarios without ids still get stable ids across runs. */
export function stableGuid(...parts: string[]): string {
  const h = crypto.createHash('sha1').update(parts.join('\u0000')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

export function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export type Headers = Record<string, string>;

/** The answer of one handler before it is written to the socket. */
export interface SimResponse {
  status: number;
  headers?: Headers;
  /** object = JSON; string = raw text */
  body?: unknown;
  /** Dataverse hex code, inner Flow code, AADSTS code or API error code. */
  errorCode?: string;
}

export function json(status: number, body: unknown, headers?: Headers, errorCode?: string): SimResponse {
  return { status, body, headers, errorCode };
}

/** Dataverse error shape `{"error":{"code","message"}}` (dataverse-facts §1.4). */
export function dvError(status: number, code: string, message: string, headers?: Headers, logCode?: string): SimResponse {
  return { status, body: { error: { code, message } }, headers, errorCode: logCode ?? code };
}

export function lowerKeys(h: Record<string, string | string[] | undefined>): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Percent-escapes in lower case, as Dataverse writes them in paging cookies. */
export function lowerHex(s: string): string {
  return s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}
