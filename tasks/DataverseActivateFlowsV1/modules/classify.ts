import { guidsIn } from '../../common/task-inputs';
import { PlatformError, errorMessage } from '../../common/errors';
import { IMPERSONATION_IGNORED } from '../../common/impersonation-check';
import { describeFlowProblem } from '../../common/problems/flow';
import { UnconfirmedChangeError } from './apply';
import { FlowError, Localize, ReferenceFacts } from './facts';
import type { PlanInput, PlannedFlow } from './plan';
import { identityHint } from './identity-problems';

export interface ClassifyContext {
  /** Display name of the identity the request was made as. */
  actorName: string;
  /** Entra object id of the user the request was made as (CallerObjectId); undefined: as the service principal. */
  actingUserObjectId?: string;
  servicePrincipalObjectId?: string;
  /** Display name of the service principal, for hints that say to share with it. */
  servicePrincipalName?: string;
  /** Logical names (lower case) of the connection references the flow uses. */
  referenceNames?: readonly string[];
  /** Name of a flow by id (lower case), for child flows named in errors. */
  flowName(id: string): string | undefined;
  /** Who owns a connection, by connection id (lower case). */
  connectionOwner(connectionId: string): string | undefined;
}

/** A classified error; `rawMessage` keeps the platform's whole (possibly translated) text when the message is an inner one. */
export interface ClassifiedError extends FlowError {
  rawMessage?: string;
}


/** `/providers/Microsoft.PowerApps/apis/<api>/connections/<id>` in any language's sentence. */
const CONNECTION_PATH = /\/apis\/([^/'"\s«»]+)\/connections\/([^/'"\s«»?,)]+)/i;

/** The connection a platform message names by its path, if any. */
export function connectionIn(text: string): { connector: string; connectionId: string } | undefined {
  const match = CONNECTION_PATH.exec(text);
  return match ? { connector: match[1].toLowerCase(), connectionId: match[2] } : undefined;
}

/** The connection references of the flow that a message names (matched on the logical names, not on the words around them). */
export function referencesIn(text: string, referenceNames: readonly string[]): string[] {
  const lower = text.toLowerCase();
  const named = referenceNames.filter((name) => lower.includes(name.toLowerCase()));
  if (named.length) return named;
  const quoted = /['‘’«"]\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)\s*['‘’»"]/.exec(text)?.[1];
  return quoted ? quoted.split(',').map((s) => s.trim()) : [];
}

/**
 * An error of turning a flow on or off, with the platform's own code (the inner service's code
 * when Dataverse wraps it) and a hint that says what to do about it. Codes, GUIDs and paths decide,
 * never the words: the platform answers in the environment's language.
 */
export function classifyFlowError(error: unknown, context: ClassifyContext, loc: Localize): ClassifiedError {
  if (error instanceof UnconfirmedChangeError) {
    if (error.stateAfter === undefined) return describeFlowProblem(loc, 'ActivationOutcomeUnknown', [error.lost.code], []);
    return { code: error.lost.code, message: loc('MsgChangeNotMade', error.lost.code, error.stateAfter), hint: loc('HintRunAgain') };
  }
  if (!(error instanceof PlatformError)) return { code: 'Error', message: errorMessage(error) };
  const code = error.effectiveCode;
  const message = error.effectiveMessage;
  const raw = error.innerCode ? { rawMessage: error.platformMessage } : {};
  const ignored = impersonationIgnored(code, message, context, loc);
  if (ignored) return { ...ignored, ...raw };
  return { code, message, hint: hintFor(code, message, context, loc), ...raw };
}

const CALLER_NAMING_CODES = new Set(['baplistserviceplansfailed', 'missinguserdetails']);

/**
 * A request made as a user (CallerObjectId) that the platform answered naming the service
 * principal as the caller: the impersonation was ignored, so the flow was not turned on as that
 * user. The fix is to share the connection with the service principal.
 */
function impersonationIgnored(code: string, message: string, context: ClassifyContext, loc: Localize): FlowError | undefined {
  const user = context.actingUserObjectId?.toLowerCase();
  const sp = context.servicePrincipalObjectId?.toLowerCase();
  if (!user || !sp || user === sp) return undefined;
  // Only refusals that name the caller of the activation itself: connection permission, the pre-2023 user details.
  if (!connectionIn(message) && !CALLER_NAMING_CODES.has(code.toLowerCase())) return undefined;
  const callers = guidsIn(message);
  if (!callers.includes(sp) || callers.includes(user)) return undefined;
  const connection = connectionIn(message)?.connectionId ?? '?';
  const owner = context.connectionOwner(connection.toLowerCase()) ?? loc('UnknownOwner');
  const spName = context.servicePrincipalName ?? sp;
  return {
    code: IMPERSONATION_IGNORED,
    message: loc('MsgImpersonationIgnored', context.actorName, spName, connection, message),
    hint: loc('HintImpersonationIgnored', connection, owner, spName),
  };
}

export function hintFor(code: string, message: string, context: ClassifyContext, loc: Localize): string | undefined {
  const references = () => referencesIn(message, context.referenceNames ?? []);
  switch (code.toLowerCase()) {
    case 'xrmconnectionreferencemissingconnection': {
      const reference = references()[0] ?? '?';
      return loc('HintBindReference', reference, reference);
    }
    case '0x80095005':
    case 'connectionreferencenotfound':
      return loc('HintReferenceNotFound', references().join(', ') || '?');
    case 'connectionauthorizationfailed':
      return shareHint(message, context, loc);
    case 'baplistserviceplansfailed':
    case 'missinguserdetails':
      return loc('HintShareOrImpersonate', context.servicePrincipalName ?? context.actorName);
    case 'childflowneverpublished': {
      const ids = guidsIn(message);
      const id = ids.find((candidate) => context.flowName(candidate)) ?? ids[0];
      return loc('HintChildNotOn', id ? (context.flowName(id) ?? id) : '?');
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
      return connectionIn(message) ? shareHint(message, context, loc) : loc('HintForbidden', context.actorName);
    default:
      return identityHint(code, context.actorName, loc);
  }
}

/**
 * The connection the actor may not use. Made as the service principal: share it with the service
 * principal. Made as a user: share it with the service principal and use Auto (the supported path),
 * or with that user.
 */
function shareHint(message: string, context: ClassifyContext, loc: Localize): string {
  const connection = connectionIn(message)?.connectionId ?? '?';
  const owner = context.connectionOwner(connection.toLowerCase()) ?? loc('UnknownOwner');
  if (!context.actingUserObjectId) return loc('HintShareConnection', connection, owner, context.actorName);
  return loc('HintShareWithServicePrincipal', connection, owner, context.servicePrincipalName ?? loc('TheServicePrincipal'), context.actorName);
}

/** How long a reference that reads back as bound may still be seen unbound by activation (references are saved asynchronously). */
export const MISSING_CONNECTION_WAIT_MS = 30_000;

/**
 * `XrmConnectionReferenceMissingConnection` for a connection reference that the task read as bound:
 * connection references are saved asynchronously, so an activation right after binding can still
 * see the old binding. Such a refusal is transient and worth retrying with backoff for up to
 * `MISSING_CONNECTION_WAIT_MS`; for a reference that is really unbound it is not.
 */
export function isTransientMissingConnection(error: unknown, facts: { references: readonly ReferenceFacts[] }): boolean {
  if (!(error instanceof PlatformError) || error.effectiveCode.toLowerCase() !== 'xrmconnectionreferencemissingconnection') return false;
  const byName = new Map(facts.references.map((r) => [r.logicalName.toLowerCase(), r]));
  const named = referencesIn(error.effectiveMessage, [...byName.keys()]).map((name) => byName.get(name.toLowerCase()));
  return named.length > 0 && named.every((reference) => reference?.connectionId !== undefined && reference.connectionId !== '');
}

/**
 * What classifying a flow's activation error needs to know, from the gathered facts: who the
 * request was made as, the service principal (to recognise ignored impersonation), the flow's
 * references, and who owns each connection (a system user's UPN where the listing gives only ids).
 */
export function activationErrorContext(
  session: { identity: { objectId?: string; name: string } },
  input: Pick<PlanInput, 'flows' | 'connections' | 'users'>,
  nameOf: (id: string) => string,
): (flow: PlannedFlow, actorName: string) => ClassifyContext {
  const users = new Map((input.users ?? []).map((u) => [u.objectId.toLowerCase(), u]));
  const owners = new Map(
    (input.connections ?? []).map((c) => {
      const user = c.ownerObjectId ? users.get(c.ownerObjectId.toLowerCase()) : undefined;
      return [c.id.toLowerCase(), user?.upn ?? c.ownerUpn ?? c.ownerName ?? c.ownerObjectId ?? ''];
    }),
  );
  const references = new Map(input.flows.map((f) => [f.id, f.definition.connectionReferences]));
  return (flow, actorName) => ({
    actorName,
    actingUserObjectId: flow.actor?.kind === 'user' ? flow.actor.objectId : undefined,
    servicePrincipalObjectId: session.identity.objectId,
    servicePrincipalName: session.identity.name,
    referenceNames: references.get(flow.id) ?? [],
    flowName: (id) => nameOf(id),
    connectionOwner: (id) => owners.get(id) || undefined,
  });
}
