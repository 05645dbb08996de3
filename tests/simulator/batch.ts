import * as crypto from 'crypto';
import { Dataverse, OpRequest, OpResult, Principal } from './dataverse';
import { DataverseError, QUERY_ERROR } from './errors';
import { parsePrefer } from './odata-query';
import { SimulatorState } from './store';
import { Headers, SimResponse } from './util';

interface MimePart {
  headers: Headers;
  body: string;
}

interface InnerRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  contentId?: string;
}

type BatchItem = { kind: 'request'; req: InnerRequest } | { kind: 'changeset'; reqs: InnerRequest[] };

export interface BatchPartLog {
  method: string;
  path: string;
  status: number;
  contentId?: string;
  callerObjectId?: string;
  mscrmCallerId?: string;
  effectiveUser?: string;
  errorCode?: string;
  body?: unknown;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error',
};

function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  return m ? m[2] : undefined;
}

function splitHeaders(text: string): { headers: Headers; rest: string; first?: string } {
  const norm = text.replace(/\r\n/g, '\n');
  const idx = norm.indexOf('\n\n');
  const head = idx < 0 ? norm : norm.slice(0, idx);
  const rest = idx < 0 ? '' : norm.slice(idx + 2);
  const headers: Headers = {};
  for (const line of head.split('\n')) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return { headers, rest };
}

function parseMultipart(body: string, boundary: string): MimePart[] {
  const norm = body.replace(/\r\n/g, '\n');
  const delim = `--${boundary}`;
  const parts: MimePart[] = [];
  const segments = norm.split(delim);
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.startsWith('--')) break;
    const content = seg.replace(/^[ \t]*\n/, '');
    const { headers, rest } = splitHeaders(content);
    parts.push({ headers, body: rest.replace(/\n+$/, '') });
  }
  return parts;
}

function parseInnerRequest(part: MimePart): InnerRequest {
  const text = part.body.replace(/^\n+/, '');
  const nl = text.indexOf('\n');
  const line = (nl < 0 ? text : text.slice(0, nl)).trim();
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/1\.[01])?$/.exec(line);
  if (!m) throw new DataverseError(400, QUERY_ERROR, `The batch part request line '${line}' is not valid.`);
  const { headers, rest } = splitHeaders(nl < 0 ? '' : text.slice(nl + 1));
  return { method: m[1], url: m[2], headers, body: rest.trim(), contentId: part.headers['content-id'] ?? headers['content-id'] };
}

function parseBatch(body: string, contentType: string | undefined): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new DataverseError(400, QUERY_ERROR, 'The batch request must have a multipart/mixed Content-Type with a boundary.');
  return parseMultipart(body, boundary).map((part): BatchItem => {
    const ct = part.headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(ct)) {
      const inner = boundaryOf(ct);
      if (!inner) throw new DataverseError(400, QUERY_ERROR, 'A change set must have a boundary.');
      return { kind: 'changeset', reqs: parseMultipart(part.body, inner).map(parseInnerRequest) };
    }
    return { kind: 'request', req: parseInnerRequest(part) };
  });
}

/** Methods of every request in a batch body, to classify the batch as a read or a write. */
export function batchMethods(body: string, contentType: string | undefined): string[] {
  try {
    return parseBatch(body, contentType).flatMap((i) => (i.kind === 'request' ? [i.req.method] : i.reqs.map((r) => r.method)));
  } catch {
    return [];
  }
}

function resourceOf(url: string): { resource: string; query: string } {
  let u = url;
  const abs = /^https?:\/\/[^/]+(\/.*)$/i.exec(u);
  if (abs) u = abs[1];
  u = u.replace(/^\/?api\/data\/v9\.\d\//i, '').replace(/^\//, '');
  const q = u.indexOf('?');
  return q < 0 ? { resource: u, query: '' } : { resource: u.slice(0, q), query: u.slice(q + 1) };
}

function formatResponse(r: OpResult, contentId?: string): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status] ?? ''}`.trimEnd());
  const headers: Headers = { 'REQ_ID': crypto.randomUUID(), ...(r.headers ?? {}) };
  if (r.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json; odata.metadata=minimal';
  }
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push('');
  if (r.body !== undefined) lines.push(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  lines.push('');
  return lines.join('\r\n');
}

function changesetBlock(parts: string[]): string {
  const boundary = `changesetresponse_${crypto.randomUUID()}`;
  const body = parts.map((p) => `--${boundary}\r\n${p}`).join('') + `--${boundary}--\r\n`;
  return `Content-Type: multipart/mixed; boundary=${boundary}\r\n\r\n${body}`;
}

function wrapBatch(blocks: string[]): { contentType: string; body: string } {
  const boundary = `batchresponse_${crypto.randomUUID()}`;
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: blocks.map((b) => `--${boundary}\r\n${b}`).join('') + `--${boundary}--\r\n`,
  };
}

/** dataverse-facts §1.9 */
export async function runBatch(
  dv: Dataverse,
  state: SimulatorState,
  p: Principal,
  outerHeaders: Headers,
  bodyText: string,
  parts: BatchPartLog[],
): Promise<SimResponse> {
  let items: BatchItem[];
  try {
    items = parseBatch(bodyText, outerHeaders['content-type']);
  } catch (e) {
    if (e instanceof DataverseError) return e.toResponse();
    throw e;
  }
  const total = items.reduce((n, i) => n + (i.kind === 'request' ? 1 : i.reqs.length), 0);
  if (total > 1000) {
    // guess: code and wording of the 1000-request limit
    return new DataverseError(400, QUERY_ERROR, `The number of requests in a batch (${total}) exceeds the limit of 1000.`).toResponse();
  }
  const continueOnError = parsePrefer(outerHeaders.prefer).continueOnError;
  const blocks: string[] = [];

  const exec = async (req: InnerRequest, contentIds?: Map<string, string>): Promise<OpResult> => {
    const headers: Headers = { ...req.headers };
    // guess: impersonation headers on the outer request apply to parts that do not set their own
    for (const h of ['callerobjectid', 'mscrmcallerid']) if (outerHeaders[h] && !headers[h]) headers[h] = outerHeaders[h];
    const { resource, query } = resourceOf(req.url);
    let body = req.body;
    if (contentIds && body) {
      body = body.replace(/"\$(\w+)"/g, (whole, id: string) => (contentIds.has(id) ? JSON.stringify(`/${contentIds.get(id)}`) : whole));
    }
    const op: OpRequest = { method: req.method.toUpperCase(), resource, query, headers, bodyText: body || undefined };
    let r: OpResult;
    if (resource === '$batch') {
      r = new DataverseError(400, QUERY_ERROR, 'Nested batch requests are not supported.').toResponse();
    } else {
      r = await dv.execute(p, op, contentIds);
    }
    let parsedBody: unknown;
    try {
      parsedBody = body ? JSON.parse(body) : undefined;
    } catch {
      parsedBody = body;
    }
    parts.push({
      method: op.method,
      path: resource,
      status: r.status,
      contentId: req.contentId,
      callerObjectId: req.headers.callerobjectid,
      mscrmCallerId: req.headers.mscrmcallerid,
      effectiveUser: r.effectiveUser,
      errorCode: r.errorCode,
      body: op.method === 'GET' ? undefined : parsedBody,
    });
    return r;
  };

  for (const item of items) {
    if (item.kind === 'request') {
      const r = await exec(item.req);
      if (r.status >= 400 && !continueOnError) return failed(r, item.req.contentId);
      blocks.push(formatResponse(r, item.req.contentId));
      continue;
    }
    const restore = state.checkpoint();
    const contentIds = new Map<string, string>();
    const done: string[] = [];
    let failure: { r: OpResult; contentId?: string } | undefined;
    for (const req of item.reqs) {
      let r: OpResult;
      if (req.method.toUpperCase() === 'GET') {
        r = new DataverseError(400, QUERY_ERROR, 'GET requests are not allowed inside a change set.').toResponse();
      } else {
        r = await exec(req, contentIds);
      }
      if (r.status >= 400) {
        failure = { r, contentId: req.contentId };
        break;
      }
      const entityId = r.headers?.['OData-EntityId'];
      if (req.contentId !== undefined && entityId) contentIds.set(req.contentId, entityId.replace(/^.*\/api\/data\/v9\.\d\//, ''));
      done.push(formatResponse(r, req.contentId));
    }
    if (failure) {
      // dataverse-facts §1.9: a change set is atomic
      restore();
      if (!continueOnError) return failed(failure.r, failure.contentId);
      blocks.push(changesetBlock([formatResponse(failure.r, failure.contentId)]));
      continue;
    }
    blocks.push(changesetBlock(done));
  }
  const out = wrapBatch(blocks);
  return { status: 200, headers: { 'Content-Type': out.contentType, 'OData-Version': '4.0' }, body: out.body };
}

function failed(r: OpResult, contentId?: string): SimResponse {
  const out = wrapBatch([formatResponse(r, contentId)]);
  return { status: 400, headers: { 'Content-Type': out.contentType, 'OData-Version': '4.0' }, body: out.body, errorCode: r.errorCode };
}
