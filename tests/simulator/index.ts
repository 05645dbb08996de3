import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AdminApi } from './admin';
import { BatchPartLog, batchMethods, runBatch } from './batch';
import { Dataverse, Principal } from './dataverse';
import { DataverseError } from './errors';
import { Identity, aadError } from './identity';
import { JwtSigner } from './jwt';
import { ApiName, FaultRule, Scenario } from './scenario';
import { SimulatorState } from './store';
import { createTlsMaterial } from './tls';
import { Headers, SimResponse, json, lowerKeys, sleep } from './util';

export * from './scenario';
export { SimulatorState } from './store';
export type { ActivationRecord, ApprovalRecord, Row, SimStateSnapshot } from './store';
export type { BatchPartLog } from './batch';

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** path without query, e.g. /api/data/v9.2/workflows(<id>) */
  path: string;
  query: string;
  api: ApiName;
  /** GET = read; other methods = write, except POST to token/oidc/imds and a `$batch` of GETs only */
  kind: 'read' | 'write';
  /** raw impersonation headers */
  callerObjectId?: string;
  mscrmCallerId?: string;
  /** object id (oid) of the token's principal */
  caller?: string;
  /** object id of the user the request acted as (impersonated or caller) */
  effectiveUser?: string;
  /** 0 when the connection was reset */
  status: number;
  /** ms since simulator start */
  start: number;
  end: number;
  /** parsed JSON body of writes */
  body?: unknown;
  /** Dataverse hex code, inner Flow code, AADSTS code or admin API code returned */
  errorCode?: string;
  /** the operations of a `$batch`, in order */
  batchParts?: BatchPartLog[];
}

export interface Simulator {
  /** https://127.0.0.1:<port>: the Dataverse environment URL, the authority host, the admin API and BAP host */
  url: string;
  /** PEM of the throwaway CA, for NODE_EXTRA_CA_CERTS */
  caFile: string;
  log: RequestLogEntry[];
  state: SimulatorState;
  addFault(fault: FaultRule): void;
  /** removes every fault rule, those of the scenario included */
  clearFaults(): void;
  clearLog(): void;
  stop(): Promise<void>;
}

interface FaultState {
  rule: FaultRule;
  count: number;
  fired: number;
}

function classify(path: string): ApiName {
  if (/^\/api\/data\/v9\.\d\//i.test(path)) return 'dataverse';
  if (/^\/[^/]+\/oauth2\/v2\.0\/token\/?$/i.test(path)) return 'token';
  if (/\/\.well-known\/openid-configuration$/i.test(path) || /\/discovery\/instance$/i.test(path) || /\/discovery\/v2\.0\/keys$/i.test(path)) return 'token';
  if (/\/oidctoken$/i.test(path)) return 'oidc';
  if (/^\/metadata\/identity\/oauth2\/token\/?$/i.test(path)) return 'imds';
  if (/^\/providers\/Microsoft\.PowerApps\//i.test(path)) return 'admin';
  if (/^\/providers\/Microsoft\.BusinessAppPlatform\//i.test(path)) return 'bap';
  return 'other';
}

function faultMatches(rule: FaultRule, method: string, path: string, query: string, api: ApiName): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.api && rule.api !== api) return false;
  if (rule.pathIncludes) {
    const full = query ? `${path}?${query}` : path;
    if (!full.includes(rule.pathIncludes) && !decodeURIComponent(full).includes(rule.pathIncludes)) return false;
  }
  return true;
}

function limitOf(times: number | null | undefined, fallback: number): number {
  if (times === undefined || times === null) return fallback;
  return times < 0 || !Number.isFinite(times) ? Infinity : times;
}

function fires(f: FaultState): boolean {
  const r = f.rule;
  if (r.every && r.every > 0) return f.count % r.every === 0 && f.fired < limitOf(r.times, Infinity);
  return f.count >= (r.nth ?? 1) && f.fired < limitOf(r.times, 1);
}

export async function startSimulator(options: { scenario: Scenario; port?: number }): Promise<Simulator> {
  const scenario = options.scenario;
  const t0 = Date.now();
  const tls = await createTlsMaterial();
  const signer = new JwtSigner();
  const state = new SimulatorState(scenario);
  const log: RequestLogEntry[] = [];
  const faults: FaultState[] = (scenario.faults ?? []).map((rule) => ({ rule, count: 0, fired: 0 }));
  const inFlight = new Map<string, number>();
  const concurrencyLimit = scenario.concurrencyLimit ?? 52;
  let seq = 0;
  let url = '';
  let dv: Dataverse;
  let identity: Identity;
  let admin: AdminApi;

  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: '0x80040216', message: `Simulator error: ${(e as Error).message}` } }));
      }
    });
  });

  const write = (res: http.ServerResponse, r: SimResponse) => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    let payload: string | undefined;
    if (r.body !== undefined) {
      if (typeof r.body === 'string') payload = r.body;
      else {
        payload = JSON.stringify(r.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json; charset=utf-8';
      }
    }
    res.writeHead(r.status, headers);
    res.end(payload);
  };

  const faultResponse = (rule: FaultRule, api: ApiName): SimResponse => {
    const retry = rule.retryAfterSeconds !== undefined ? { 'Retry-After': String(rule.retryAfterSeconds) } : undefined;
    if (rule.kind === '401') {
      if (api === 'dataverse') return dv.expired();
      return {
        ...json(401, { error: { code: 'ExpiredAuthenticationToken', message: 'The access token is expired.' } }, undefined, 'ExpiredAuthenticationToken'),
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is expired."' },
      };
    }
    if (rule.kind === '429') {
      const headers = { 'Retry-After': String(rule.retryAfterSeconds ?? 1) };
      if (api === 'token' || api === 'imds') {
        return { ...aadError(429, 'temporarily_unavailable', 50196, 'The server is temporarily throttling requests. Retry later.'), headers };
      }
      return new DataverseError(429, '0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.', undefined, headers).toResponse();
    }
    // guess: the documentation shows no 503 body
    return new DataverseError(503, '0x80040216', 'The service is temporarily unavailable. Please try again later.', undefined, retry).toResponse();
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const start = Date.now() - t0;
    const parsed = new URL(req.url ?? '/', url);
    const path = parsed.pathname;
    const query = parsed.search.replace(/^\?/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = lowerKeys(req.headers);

    if (path === '/_sim/log' && method === 'GET') return write(res, json(200, log));
    if (path === '/_sim/state' && method === 'GET') return write(res, json(200, state.snapshot()));

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bodyText = Buffer.concat(chunks).toString('utf8');

    const api = classify(path);
    let kind: 'read' | 'write' = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    if (method === 'POST' && (api === 'token' || api === 'oidc' || api === 'imds')) kind = 'read';
    const isBatch = api === 'dataverse' && method === 'POST' && /\/\$batch$/i.test(path);
    if (isBatch) {
      const methods = batchMethods(bodyText, headers['content-type']);
      if (methods.length > 0 && methods.every((m) => m.toUpperCase() === 'GET')) kind = 'read';
    }
    const entry: RequestLogEntry = {
      seq: ++seq, method, path, query, api, kind, status: 0, start, end: start,
      callerObjectId: headers.callerobjectid, mscrmCallerId: headers.mscrmcallerid,
    };
    if (kind === 'write' && !isBatch && bodyText && api !== 'token') {
      try {
        entry.body = JSON.parse(bodyText);
      } catch {
        entry.body = bodyText;
      }
    }
    const finish = (r: SimResponse | undefined) => {
      entry.end = Date.now() - t0;
      if (r) {
        entry.status = r.status;
        if (r.errorCode) entry.errorCode = r.errorCode;
      }
      log.push(entry);
    };

    for (const f of faults) if (faultMatches(f.rule, method, path, query, api)) f.count++;
    const fault = faults.find((f) => faultMatches(f.rule, method, path, query, api) && fires(f));
    // resetAfterApply: the request is handled (a write lands), then the answer is lost.
    const dropAnswer = fault?.rule.kind === 'resetAfterApply';
    if (fault && dropAnswer) fault.fired++;
    if (fault && !dropAnswer) {
      fault.fired++;
      if (fault.rule.kind === 'reset') {
        finish(undefined);
        req.socket.destroy();
        return;
      }
      const r = faultResponse(fault.rule, api);
      finish(r);
      return write(res, r);
    }

    let r: SimResponse;
    if (api === 'dataverse') {
      r = await handleDataverse(headers, path, query, method, bodyText, entry, isBatch);
    } else if (api === 'token') {
      const segs = path.split('/').filter(Boolean);
      if (/\/oauth2\/v2\.0\/token\/?$/i.test(path) && method === 'POST') {
        const t = identity.token(segs[0], bodyText);
        entry.caller = t.principal;
        r = t;
      } else if (/discovery\/instance$/i.test(path)) r = identity.instanceDiscovery();
      else if (/discovery\/v2\.0\/keys$/i.test(path)) r = identity.keys();
      else r = identity.openIdConfiguration(segs[0]);
    } else if (api === 'oidc') {
      r = method === 'POST' ? identity.oidcToken(headers, parsed.searchParams) : json(405, { message: 'Method not allowed' });
    } else if (api === 'imds') {
      const t = identity.imds(headers, parsed.searchParams);
      entry.caller = t.principal;
      r = t;
    } else if (api === 'admin' || api === 'bap') {
      const caller = admin.authenticate(headers);
      if ('status' in caller) r = caller;
      else {
        entry.caller = caller.oid;
        entry.effectiveUser = caller.oid;
        await sleep(method === 'GET' ? scenario.latency?.readMs ?? 0 : scenario.latency?.writeMs ?? 0);
        if (method !== 'GET') r = json(405, { error: { code: 'MethodNotAllowed', message: `The method '${method}' is not supported by the simulator.` } });
        else if (api === 'admin') r = admin.connections(caller, path, parsed.searchParams, query);
        else r = admin.environments(caller, path, parsed.searchParams, query);
      }
    } else {
      r = json(404, { error: { code: 'NotFound', message: `No simulated service at '${path}'.` } });
    }
    if (api === 'dataverse') r = { ...r, headers: { 'OData-Version': '4.0', REQ_ID: crypto.randomUUID(), ...(r.headers ?? {}) } };
    finish(r);
    if (dropAnswer) {
      req.socket.destroy();
      return;
    }
    write(res, r);
  }

  async function handleDataverse(
    headers: Headers, path: string, query: string, method: string, bodyText: string, entry: RequestLogEntry, isBatch: boolean,
  ): Promise<SimResponse> {
    const auth = dv.authenticate(headers);
    if ('status' in auth) return auth;
    const p: Principal = auth;
    entry.caller = p.oid;
    const busy = inFlight.get(p.oid) ?? 0;
    if (busy >= concurrencyLimit) {
      // dataverse-facts §2: exceeding the concurrency limit fails at once
      return new DataverseError(429, '0x80072326', `Number of concurrent requests exceeded the limit of ${concurrencyLimit}.`, undefined, {
        'Retry-After': String(Math.max(1, scenario.concurrencyRetryAfterSeconds ?? 1)),
      }).toResponse();
    }
    inFlight.set(p.oid, busy + 1);
    try {
      if (isBatch) {
        const parts: BatchPartLog[] = [];
        entry.batchParts = parts;
        const r = await runBatch(dv, state, p, headers, bodyText, parts);
        const users = new Set(parts.map((x) => x.effectiveUser).filter(Boolean));
        if (users.size === 1) entry.effectiveUser = [...users][0];
        return r;
      }
      const resource = path.replace(/^\/api\/data\/v9\.\d\//i, '');
      const r = await dv.execute(p, { method, resource, query, headers, bodyText: bodyText || undefined });
      entry.effectiveUser = r.effectiveUser;
      return r;
    } finally {
      const n = (inFlight.get(p.oid) ?? 1) - 1;
      if (n <= 0) inFlight.delete(p.oid);
      else inFlight.set(p.oid, n);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  url = `https://127.0.0.1:${port}`;
  dv = new Dataverse(state, signer, url, Math.min(scenario.maxPageSize ?? 5000, 5000), scenario.latency ?? {});
  identity = new Identity(scenario, state, signer, url);
  admin = new AdminApi(scenario, state, signer, url);

  return {
    url,
    caFile: tls.caFile,
    log,
    state,
    addFault(rule: FaultRule) {
      faults.push({ rule, count: 0, fired: 0 });
    },
    clearFaults() {
      faults.length = 0;
    },
    clearLog() {
      log.length = 0;
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => {
          fs.rmSync(tls.dir, { recursive: true, force: true });
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
