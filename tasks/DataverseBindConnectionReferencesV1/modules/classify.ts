import { PlatformError, errorMessage } from '../../common/errors';
import { ItemError } from '../../common/report';
import { TaskHost } from '../../common/task-host';
import { describeActor, shownConnection } from './report';
import { PlanItem } from './plan';

export function platformCode(error: unknown): string {
  return error instanceof PlatformError ? error.effectiveCode : 'Error';
}

export function platformMessage(error: unknown): string {
  return error instanceof PlatformError ? error.effectiveMessage : errorMessage(error);
}

/** Codes of the Power Apps API that the connection reference plug-in passes on when it cannot read the connection as the binding identity. */
const CONNECTION_REFUSED_CODES = new Set(['connectionnotfound', 'connectionauthorizationfailed', 'forbidden']);

/**
 * A write the platform refused or that failed for good after the shared client's retries. Binding
 * refusals come from the connection reference plug-in, which wraps the Power Apps API's answer
 * (`Request failed with: NotFound and error: {json}`, translated): the hint follows the inner code,
 * never the outer words or status. The platform's message is kept as it came.
 */
export function describeWriteFailure(host: TaskHost, item: PlanItem, error: unknown): ItemError {
  const connection = shownConnection(item);
  const code = platformCode(error);
  let hint: string;
  if (CONNECTION_REFUSED_CODES.has(code.toLowerCase())) {
    const actor = describeActor(host, item, item.actor);
    hint = item.actor?.kind === 'user' ? host.loc('HintBindRefusedOwner', connection, actor) : host.loc('HintBindRefusedServicePrincipal', connection);
  } else if (error instanceof PlatformError && error.status === 403) {
    hint = item.actor?.kind === 'user' ? host.loc('HintWriteForbiddenOwner', describeActor(host, item, item.actor), connection) : host.loc('HintWriteForbiddenNone', connection);
  } else if (error instanceof PlatformError && (error.status === 0 || error.status >= 500 || error.status === 429)) {
    hint = host.loc('HintWriteTransient');
  } else {
    hint = host.loc('HintWriteOther');
  }
  return { code, message: platformMessage(error), hint };
}
