/** A problem the pipeline author fixes in the pipeline: the message names the input and the fix. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export interface PlatformErrorDetails {
  status: number;
  code: string;
  message: string;
  method: string;
  url: string;
  /** The Flow service's own code when Dataverse wraps it in FlowServiceClientError (0x80060467). */
  innerCode?: string;
  innerMessage?: string;
  /** Transport-level failure (no HTTP response), e.g. ECONNRESET or a timeout. */
  transport?: string;
}

export const FLOW_SERVICE_CLIENT_ERROR = '0x80060467';

/** An error answered by Dataverse, Entra ID or the Power Platform APIs, keeping the platform's own code. */
export class PlatformError extends Error {
  readonly status: number;
  readonly code: string;
  readonly platformMessage: string;
  readonly method: string;
  readonly url: string;
  readonly innerCode?: string;
  readonly innerMessage?: string;
  readonly transport?: string;

  constructor(details: PlatformErrorDetails) {
    super(details.innerCode ? `${details.innerCode}: ${details.innerMessage ?? details.message}` : `${details.code}: ${details.message}`);
    this.name = 'PlatformError';
    this.status = details.status;
    this.code = details.code;
    this.platformMessage = details.message;
    this.method = details.method;
    this.url = details.url;
    this.innerCode = details.innerCode;
    this.innerMessage = details.innerMessage;
    this.transport = details.transport;
  }

  /** The most specific code: the Flow error code when wrapped, else the platform code. */
  get effectiveCode(): string {
    return this.innerCode ?? this.code;
  }

  get effectiveMessage(): string {
    return this.innerMessage ?? this.platformMessage;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
