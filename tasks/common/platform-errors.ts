import { FLOW_SERVICE_CLIENT_ERROR, PlatformError } from './errors';

interface ODataErrorBody {
  error?: { code?: string; message?: string } | string;
  error_description?: string;
  error_codes?: number[];
  message?: string;
  code?: string;
}

/**
 * Turns an error response of Dataverse, Entra ID or the Power Platform APIs into a PlatformError.
 * Dataverse wraps the answers of other services in its own message: the Flow service's
 * (FlowServiceClientError 0x80060467) and the Power Apps API's, read by the connection reference
 * plug-in ("Request failed with: NotFound and error: {json}"). The inner code is what tells the user
 * what to do, so it is unwrapped; the outer text is translated, so only the JSON is relied on.
 */
export function parseErrorBody(status: number, data: unknown, method: string, url: string): PlatformError {
  let body: ODataErrorBody | undefined;
  if (typeof data === 'string') {
    try {
      body = JSON.parse(data) as ODataErrorBody;
    } catch {
      body = data.trim() ? { message: data.trim().slice(0, 500) } : undefined;
    }
  } else if (data && typeof data === 'object') {
    body = data as ODataErrorBody;
  }

  let code = `HTTP${status}`;
  let message = `HTTP ${status}`;
  let wrapped = false;
  if (body) {
    if (typeof body.error === 'object' && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      wrapped = true;
    } else if (typeof body.error === 'string') {
      const aadCode = /AADSTS\d+/.exec(body.error_description ?? '')?.[0];
      code = aadCode ?? body.error;
      message = firstLine(body.error_description ?? body.error);
    } else if (body.message) {
      code = body.code || code;
      message = body.message;
    }
  }

  const inner = wrapped || code.toLowerCase() === FLOW_SERVICE_CLIENT_ERROR ? unwrapNestedError(message) : undefined;
  return new PlatformError({ status, code, message, method, url, innerCode: inner?.code, innerMessage: inner?.message });
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].trim();
}

/** An error of another service that a platform message carries as JSON. */
export interface NestedError {
  code: string;
  message: string;
}

interface ErrorJson {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/**
 * The error of another service embedded in a platform message, found by its JSON (`{"error"`, raw
 * or with escaped quotes) and never by the words around it, which come back translated:
 * `Flow client error returned with status code "X" and details "{json}".`, its Spanish, French,
 * German or Norwegian forms, and `Request failed with: <status> and error: {json} ...` of the
 * connection reference plug-in. A message of the inner error that is itself an error JSON
 * (BapListServicePlansFailed wrapping MissingUserDetails) reads `<code>: <message>`; the details of
 * MultipleErrorsOccurred are appended.
 */
export function unwrapNestedError(message: string): NestedError | undefined {
  const json = embeddedErrorJson(message);
  if (!json) return undefined;
  const error = tryParse(json)?.error as ErrorJson | undefined;
  if (!error || typeof error !== 'object' || typeof error.code !== 'string') {
    const codeMatch = /"code"\s*:\s*"([A-Za-z0-9_.]+)"/.exec(json);
    return codeMatch ? { code: codeMatch[1], message: json } : undefined;
  }
  let innerMessage = typeof error.message === 'string' ? error.message : '';
  const nested = tryParse(innerMessage)?.error as ErrorJson | undefined;
  if (nested && typeof nested === 'object' && typeof nested.code === 'string') {
    innerMessage = `${nested.code}: ${typeof nested.message === 'string' ? nested.message : ''}`.trim();
  }
  const details = Array.isArray(error.details) ? (error.details as Array<{ code?: string; message?: string }>) : [];
  if (details.length) innerMessage += ` ${details.map((d) => `${d.code ?? ''}: ${d.message ?? ''}`).join(' ')}`;
  return { code: error.code, message: innerMessage.trim() };
}

const ERROR_START = /\{\s*(\\*)"error\\*"\s*:/;

/** The balanced JSON object that starts at the first `{"error":` of the text, its quotes unescaped. */
function embeddedErrorJson(text: string): string | undefined {
  const match = ERROR_START.exec(text);
  if (!match) return undefined;
  let candidate = text.slice(match.index);
  const escapes = match[1].length;
  if (escapes > 0) candidate = unescapeLevels(candidate, escapes);
  return balancedObject(candidate);
}

/** Undoes `levels` rounds of JSON string escaping (`\"` → `"`, `\\` → `\`). */
function unescapeLevels(text: string, levels: number): string {
  let result = text;
  for (let i = 0; i < levels; i++) result = result.replace(/\\(["\\/])/g, '$1');
  return result;
}

/** The text of the JSON object at the start of `text`, up to its closing brace (strings respected). */
function balancedObject(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(0, i + 1);
  }
  return undefined;
}

function tryParse(text: string): { error?: unknown } | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as { error?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}
