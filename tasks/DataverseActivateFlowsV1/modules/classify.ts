import { PlatformError, errorMessage } from '../../common/errors';
import { describeFlowProblem } from '../../common/problems/flow';
import { UnconfirmedChangeError } from './apply';
import { FlowError, Localize } from './facts';
import { identityHint } from './plan-identity';

export interface ClassifyContext {
  /** Display name of the identity the request was made as. */
  actorName: string;
  /** Name of a flow by id (lower case), for child flows named in errors. */
  flowName(id: string): string | undefined;
  /** Who owns a connection, by connection id (lower case). */
  connectionOwner(connectionId: string): string | undefined;
}

/**
 * An error of turning a flow on or off, with the platform's own code (the Flow service's code
 * when Dataverse wraps it) and a hint that says what to do about it.
 */
export function classifyFlowError(error: unknown, context: ClassifyContext, loc: Localize): FlowError {
  if (error instanceof UnconfirmedChangeError) {
    if (error.stateAfter === undefined) return describeFlowProblem(loc, 'ActivationOutcomeUnknown', [error.lost.code], []);
    return { code: error.lost.code, message: loc('MsgChangeNotMade', error.lost.code, error.stateAfter), hint: loc('HintRunAgain') };
  }
  if (!(error instanceof PlatformError)) return { code: 'Error', message: errorMessage(error) };
  const code = error.effectiveCode;
  const message = error.effectiveMessage;
  return { code, message, hint: hintFor(code, message, context, loc) };
}

export function hintFor(code: string, message: string, context: ClassifyContext, loc: Localize): string | undefined {
  switch (code.toLowerCase()) {
    case 'xrmconnectionreferencemissingconnection': {
      const reference = /logical name '([^']+)'/i.exec(message)?.[1] ?? '?';
      return loc('HintBindReference', reference, reference);
    }
    case '0x80095005':
    case 'connectionreferencenotfound': {
      const references = /logical name\(s\) '([^']+)'/i.exec(message)?.[1] ?? '?';
      return loc('HintReferenceNotFound', references);
    }
    case 'connectionauthorizationfailed': {
      const connection = /\/connections\/([^'/\s]+)'/i.exec(message)?.[1] ?? '?';
      const owner = context.connectionOwner(connection.toLowerCase()) ?? loc('UnknownOwner');
      return loc('HintShareConnection', connection, owner, context.actorName);
    }
    case 'baplistserviceplansfailed':
    case 'missinguserdetails':
      return loc('HintServicePrincipalCannotActivate');
    case 'childflowneverpublished': {
      const id = /workflow with id '([^']+)'/i.exec(message)?.[1];
      const name = id ? (context.flowName(id.replace(/[{}]/g, '').toLowerCase()) ?? id) : '?';
      return loc('HintChildNotOn', name);
    }
    case 'missingadequatequotapolicy':
      return loc('HintLicense', context.actorName);
    case '0x80040220':
    case '0x80040231':
    case 'privilegedenied':
      return loc('HintPrivilege', context.actorName);
    case 'multipleerrorsoccurred':
      return loc('HintMultipleErrors');
    case 'forbidden':
    case 'http403':
      return loc('HintForbidden', context.actorName);
    default:
      return identityHint(code, context.actorName, loc);
  }
}
