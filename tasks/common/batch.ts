import { randomUUID } from 'crypto';

export interface BatchOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the Web API root, e.g. `workflows(<id>)`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  callerObjectId?: string;
}

export interface BatchResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  contentId?: string;
}

/** Builds a multipart/mixed $batch body; every write group becomes an atomic change set. */
export function buildBatch(changeSets: BatchOperation[][], apiBase: string): { boundary: string; body: string } {
  const boundary = `batch_${randomUUID()}`;
  const lines: string[] = [];
  for (const set of changeSets) {
    const reads = set.every((op) => op.method === 'GET');
    if (reads) {
      for (const op of set) {
        lines.push(`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', ...requestLines(op, apiBase));
      }
      continue;
    }
    const changeset = `changeset_${randomUUID()}`;
    lines.push(`--${boundary}`, `Content-Type: multipart/mixed; boundary=${changeset}`, '');
    set.forEach((op, index) => {
      lines.push(`--${changeset}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', `Content-ID: ${index + 1}`, '', ...requestLines(op, apiBase));
    });
    lines.push(`--${changeset}--`, '');
  }
  lines.push(`--${boundary}--`, '');
  return { boundary, body: lines.join('\r\n') };
}

function requestLines(op: BatchOperation, apiBase: string): string[] {
  const headers: Record<string, string> = { Accept: 'application/json', ...op.headers };
  if (op.callerObjectId) headers.CallerObjectId = op.callerObjectId;
  if (op.method === 'PATCH' && !Object.keys(headers).some((h) => h.toLowerCase() === 'if-match')) headers['If-Match'] = '*';
  const lines = [`${op.method} ${apiBase}${op.path} HTTP/1.1`];
  if (op.body !== undefined) headers['Content-Type'] = 'application/json; type=entry';
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push('');
  lines.push(op.body !== undefined ? JSON.stringify(op.body) : '');
  return lines;
}

/** Parses a multipart/mixed $batch response, flattening change sets, in request order. */
export function parseBatchResponse(body: string, contentType: string): BatchResult[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1] ?? /^--([^\r\n]+)/.exec(body.trimStart())?.[1];
  if (!boundary) return [];
  const results: BatchResult[] = [];
  for (const part of splitParts(body, boundary)) {
    const { headers, content } = splitHeaders(part);
    const partType = headers['content-type'] ?? '';
    if (/multipart\/mixed/i.test(partType)) {
      results.push(...parseBatchResponse(content, partType));
    } else {
      const parsed = parseHttpMessage(content);
      if (parsed) results.push({ ...parsed, contentId: headers['content-id'] ?? parsed.headers['content-id'] });
    }
  }
  return results;
}

function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  return body
    .split(delimiter)
    .slice(1)
    .filter((part) => !part.startsWith('--'))
    .map((part) => part.replace(/^\r?\n/, ''));
}

function splitHeaders(part: string): { headers: Record<string, string>; content: string } {
  const match = /\r?\n\r?\n/.exec(part);
  const head = match ? part.slice(0, match.index) : part;
  const content = match ? part.slice(match.index + match[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, content };
}

function parseHttpMessage(content: string): Omit<BatchResult, 'contentId'> | undefined {
  const statusLine = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r?\n/.exec(content);
  if (!statusLine) return undefined;
  const { headers, content: rawBody } = splitHeaders(content.slice(statusLine[0].length));
  const text = rawBody.trim();
  let body: unknown = text;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else {
    body = undefined;
  }
  return { status: Number(statusLine[1]), headers, body };
}
