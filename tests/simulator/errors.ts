import { SimResponse, dvError } from './util';

/** Thrown inside Dataverse handlers; turned into the `{"error":{code,message}}` body. */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** inner Flow code for FlowServiceClientError, logged instead of the hex code */
    readonly logCode?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toResponse(): SimResponse {
    return dvError(this.status, this.code, this.message, this.headers, this.logCode ?? this.code);
  }
}

/** Code used for malformed queries and payloads (guess: the Web API's generic OData error code). */
export const QUERY_ERROR = '0x80060888';

export function badQuery(message: string): DataverseError {
  return new DataverseError(400, QUERY_ERROR, message);
}

export function notFound(entity: string, id: string): DataverseError {
  return new DataverseError(404, '0x80040217', `Entity '${entity}' With Id = ${id} Does Not Exist`);
}
