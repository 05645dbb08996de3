import { DataverseError, platformMessage } from './errors';
import { Row, SimulatorState } from './store';

export const DATAVERSE_CONNECTOR = 'shared_commondataserviceforapps';

/** 0x80060467 FlowServiceClientError wrapping the Flow service's `{"error":{code,message}}` (dataverse-facts §1.5, §5). */
export function flowClientError(httpStatus: number, statusName: string, innerCode: string, innerMessage: string, language?: string): DataverseError {
  const details = JSON.stringify({ error: { code: innerCode, message: innerMessage } });
  return new DataverseError(httpStatus, '0x80060467', platformMessage(language, 'flowClientError', { status: statusName, details }), innerCode);
}

export function connectorName(connectorId: string): string {
  const parts = connectorId.split('/');
  return parts[parts.length - 1];
}

interface ClientDataReference {
  key: string;
  logicalName?: string;
  apiName?: string;
  runtimeSource?: string;
}

function parseClientData(flow: Row): { refs: ClientDataReference[]; definition: unknown } {
  let data: unknown;
  try {
    data = JSON.parse(String(flow.clientdata ?? ''));
  } catch {
    // guess: the documentation does not say what an unparsable clientdata gives
    throw flowClientError(400, 'BadRequest', 'InvalidOpenApiFlow', `The flow definition of workflow '${String(flow.workflowid)}' is not valid JSON.`);
  }
  const props = (data as { properties?: { connectionReferences?: Record<string, unknown>; definition?: unknown } }).properties ?? {};
  const refs: ClientDataReference[] = Object.entries(props.connectionReferences ?? {}).map(([key, v]) => {
    const ref = v as { runtimeSource?: string; connection?: { connectionReferenceLogicalName?: string }; api?: { name?: string } };
    return { key, logicalName: ref.connection?.connectionReferenceLogicalName, apiName: ref.api?.name, runtimeSource: ref.runtimeSource };
  });
  return { refs, definition: props.definition };
}

/** Child flows called through "Run a Child Flow" actions (type Workflow), at any nesting depth. */
export function childFlowIds(definition: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const inputs = obj.inputs as { host?: { workflowReferenceName?: unknown } } | undefined;
    if (obj.type === 'Workflow' && typeof inputs?.host?.workflowReferenceName === 'string') {
      found.push(inputs.host.workflowReferenceName.toLowerCase());
    }
    for (const v of Object.values(obj)) visit(v);
  };
  visit(definition);
  return [...new Set(found)];
}

export function canUseConnection(state: SimulatorState, connectionName: string, oid: string): boolean {
  const c = state.connection(connectionName);
  if (!c) return false;
  const me = oid.toLowerCase();
  return c.createdBy.toLowerCase() === me || (c.sharedWith ?? []).some((s) => s.toLowerCase() === me);
}

/**
 * The checks the platform makes when a cloud flow is turned on (dataverse-facts §5 and its
 * Corrections), in this order: references exist, references bound, every bound connection owned by
 * or shared with the effective user (users and service principals alike), [legacy: no application
 * user with non-Dataverse connectors], child flows on. Invoker (run-only) references are checked
 * unless the scenario says the platform skips them.
 */
export function checkActivation(state: SimulatorState, flow: Row, effectiveUser: Row): void {
  const scenario = state.scenario;
  const lang = scenario.language;
  const checkInvoker = scenario.checkInvokerReferencesAtActivation !== false;
  const { refs, definition } = parseClientData(flow);
  const named = refs.filter((r) => r.logicalName && (checkInvoker || r.runtimeSource?.toLowerCase() !== 'invoker'));
  const resolved = named.map((r) => ({ ref: r, row: state.connectionReference(r.logicalName as string) }));

  const missing = resolved.filter((x) => !x.row).map((x) => x.ref.logicalName as string);
  if (missing.length > 0) {
    // status is a guess; code and message are the documented ConnectionReferenceNotFound
    throw new DataverseError(400, '0x80095005', platformMessage(lang, 'connectionReferenceNotFound', { names: missing.join(',') }), 'ConnectionReferenceNotFound');
  }

  for (const { row } of resolved) {
    const cr = row as Row;
    if (!cr.connectionid) {
      const logicalName = String(cr.connectionreferencelogicalname);
      throw flowClientError(400, 'BadRequest', 'XrmConnectionReferenceMissingConnection', platformMessage(lang, 'missingConnection', { logicalName }), lang);
    }
  }

  const oid = String(effectiveUser.azureactivedirectoryobjectid);
  for (const { row } of resolved) {
    const cr = row as Row;
    const connectionId = String(cr.connectionid);
    if (!canUseConnection(state, connectionId, oid)) {
      const api = connectorName(String(cr.connectorid));
      const path = `/providers/Microsoft.PowerApps/apis/${api}/connections/${connectionId}`;
      const message = platformMessage(lang, 'connectionAuthorizationFailed', { oid, path, api });
      throw flowClientError(403, 'Forbidden', 'ConnectionAuthorizationFailed', message, lang);
    }
  }

  if (scenario.legacyServicePrincipalRule && effectiveUser.applicationid) {
    const apis = resolved.map(({ ref, row }) => connectorName(String((row as Row).connectorid ?? ref.apiName ?? '')));
    if (apis.some((a) => a.toLowerCase() !== DATAVERSE_CONNECTOR)) {
      const inner = JSON.stringify({
        error: { code: 'MissingUserDetails', message: `The user details for tenant id '${state.tenantId}' and principal id '${oid}' doesn't exist.` },
      });
      throw flowClientError(400, 'BadRequest', 'BapListServicePlansFailed', inner, lang);
    }
  }

  for (const childId of childFlowIds(definition)) {
    const child = state.table('workflow').get(childId);
    if (!child || child.statecode !== 1) {
      throw flowClientError(400, 'BadRequest', 'ChildFlowNeverPublished', platformMessage(lang, 'childFlowNeverPublished', { id: childId }), lang);
    }
  }
}

/**
 * Binding rule: the effective user must own the connection or have it shared, and it must be a
 * connection of the reference's connector in this environment. Refused the way the connection
 * reference plug-in (PreValidateConnectionReferenceCreate) refuses (dataverse-facts Corrections, "Binding refusals come from a plug-in"):
 * it reads the connection from the Power Apps API as the effective user, and a connection that is
 * missing, of another connector or not shared is `NotFound`/`ConnectionNotFound` there. The outer
 * status and code are not public: 400 `0x80040265` (a plug-in's InvalidPluginExecutionException) is
 * a guess. `legacyBindingRefusal` keeps the simulator's earlier answers.
 */
export function checkBinding(state: SimulatorState, cr: Row, connectionId: string, effectiveUser: Row): void {
  if (state.scenario.legacyBindingRefusal) {
    checkBindingLegacy(state, cr, connectionId, effectiveUser);
    return;
  }
  const c = state.connection(connectionId);
  const api = connectorName(String(cr.connectorid ?? ''));
  const oid = String(effectiveUser.azureactivedirectoryobjectid);
  const ofConnector = !!c && (!api || c.connector.toLowerCase() === api.toLowerCase());
  if (ofConnector && canUseConnection(state, connectionId, oid)) return;
  const lang = state.scenario.language;
  const details = JSON.stringify({ error: { code: 'ConnectionNotFound', message: platformMessage(lang, 'connectionNotFound', { id: connectionId, api }) } });
  const url =
    `https://api.powerapps.com/providers/Microsoft.PowerApps/scopes/service/apis/${api}/connections/${encodeURIComponent(connectionId)}` +
    `?api-version=2018-10-01&%24expand=permissions(%24filter%3dmaxAssignedTo('${oid}')&%24filter=environment+eq+'${state.environmentId}'`;
  // the message is the plug-in's InvalidPluginExecutionException text (the plug-in name is only in the trace)
  throw new DataverseError(400, '0x80040265', platformMessage(lang, 'pluginRequestFailed', { status: 'NotFound', details, url }), 'ConnectionNotFound');
}

/** The simulator's earlier binding answers (codes and messages were guesses). */
function checkBindingLegacy(state: SimulatorState, cr: Row, connectionId: string, effectiveUser: Row): void {
  const c = state.connection(connectionId);
  if (!c) {
    throw new DataverseError(400, '0x80040203', `Connection '${connectionId}' does not exist in environment '${state.environmentId}'.`);
  }
  const wanted = connectorName(String(cr.connectorid ?? '')).toLowerCase();
  if (wanted && c.connector.toLowerCase() !== wanted) {
    throw new DataverseError(
      400,
      '0x80040203',
      `Connection '${connectionId}' is a connection to '${c.connector}' and cannot be used for connection reference '${String(cr.connectionreferencelogicalname)}' of connector '${wanted}'.`,
    );
  }
  const oid = String(effectiveUser.azureactivedirectoryobjectid);
  if (!canUseConnection(state, connectionId, oid)) {
    throw new DataverseError(
      403,
      '0x80040220',
      `The user with object id '${oid}' does not have permission to use connection '${connectionId}'. Only the owner of the connection or a user it is shared with can bind connection reference '${String(cr.connectionreferencelogicalname)}' to it.`,
    );
  }
}
