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
 * Dataverse wraps Flow service failures as FlowServiceClientError (0x80060467) with the Flow error
 * JSON inside the message; the inner code is what tells the user what to do, so it is unwrapped.
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
  if (body) {
    if (typeof body.error === 'object' && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    } else if (typeof body.error === 'string') {
      const aadCode = /AADSTS\d+/.exec(body.error_description ?? '')?.[0];
      code = aadCode ?? body.error;
      message = firstLine(body.error_description ?? body.error);
    } else if (body.message) {
      code = body.code || code;
      message = body.message;
    }
  }

  const inner = code.toLowerCase() === FLOW_SERVICE_CLIENT_ERROR ? unwrapFlowError(message) : undefined;
  return new PlatformError({ status, code, message, method, url, innerCode: inner?.code, innerMessage: inner?.message });
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].trim();
}

/** `Flow client error returned with status code "X" and details "{json}".` → the inner code and message. */
export function unwrapFlowError(message: string): { code: string; message: string } | undefined {
  const start = message.indexOf('details "');
  if (start < 0) return undefined;
  let details = message.slice(start + 'details "'.length);
  details = details.replace(/"\.?\s*$/, '');
  const parsed = tryParse(details) ?? tryParse(details.replace(/\\"/g, '"'));
  const error = parsed?.error;
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    let innerMessage = typeof error.message === 'string' ? error.message : '';
    const nested = tryParse(innerMessage)?.error;
    if (nested && typeof nested === 'object' && typeof nested.code === 'string') {
      innerMessage = `${nested.code}: ${nested.message ?? ''}`.trim();
    }
    const details = Array.isArray((error as { details?: unknown }).details) ? ((error as { details: Array<{ code?: string; message?: string }> }).details) : [];
    if (details.length) innerMessage += ` ${details.map((d) => `${d.code ?? ''}: ${d.message ?? ''}`).join(' ')}`;
    return { code: error.code, message: innerMessage.trim() };
  }
  const codeMatch = /"code"\s*:\s*"([A-Za-z0-9]+)"/.exec(details);
  return codeMatch ? { code: codeMatch[1], message: details } : undefined;
}

function tryParse(text: string): { error?: { code?: unknown; message?: unknown } } | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as { error?: { code?: unknown; message?: unknown } }) : undefined;
  } catch {
    return undefined;
  }
}
