import { DataverseError } from './errors';
import { Row, SimulatorState } from './store';

export const DATAVERSE_CONNECTOR = 'shared_commondataserviceforapps';

/** 0x80060467 FlowServiceClientError wrapping the Flow service's `{"error":{code,message}}` (dataverse-facts §1.5, §5). */
export function flowClientError(httpStatus: number, statusName: string, innerCode: string, innerMessage: string): DataverseError {
  const details = JSON.stringify({ error: { code: innerCode, message: innerMessage } });
  return new DataverseError(
    httpStatus,
    '0x80060467',
    `Flow client error returned with status code "${statusName}" and details "${details}".`,
    innerCode,
  );
}

export function connectorName(connectorId: string): string {
  const parts = connectorId.split('/');
  return parts[parts.length - 1];
}

interface ClientDataReference {
  key: string;
  logicalName?: string;
  apiName?: string;
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
    const ref = v as { connection?: { connectionReferenceLogicalName?: string }; api?: { name?: string } };
    return { key, logicalName: ref.connection?.connectionReferenceLogicalName, apiName: ref.api?.name };
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

function canUseConnection(state: SimulatorState, connectionName: string, oid: string): boolean {
  const c = state.connection(connectionName);
  if (!c) return false;
  const me = oid.toLowerCase();
  return c.createdBy.toLowerCase() === me || (c.sharedWith ?? []).some((s) => s.toLowerCase() === me);
}

/**
 * The checks the platform makes when a cloud flow is turned on (dataverse-facts §5), in this order:
 * references exist, references bound, connections usable by the effective user, no application
 * user with non-Dataverse connectors, child flows on.
 */
export function checkActivation(state: SimulatorState, flow: Row, effectiveUser: Row): void {
  const { refs, definition } = parseClientData(flow);
  const named = refs.filter((r) => r.logicalName);
  const resolved = named.map((r) => ({ ref: r, row: state.connectionReference(r.logicalName as string) }));

  const missing = resolved.filter((x) => !x.row).map((x) => x.ref.logicalName as string);
  if (missing.length > 0) {
    // status is a guess; code and message are the documented ConnectionReferenceNotFound
    throw new DataverseError(
      400,
      '0x80095005',
      `Failed to find connection references with logical name(s) '${missing.join(',')}'. Please check if connection references exists.`,
      'ConnectionReferenceNotFound',
    );
  }

  for (const { row } of resolved) {
    const cr = row as Row;
    if (!cr.connectionid) {
      throw flowClientError(
        400,
        'BadRequest',
        'XrmConnectionReferenceMissingConnection',
        `Connection Id missing for connection reference logical name '${String(cr.connectionreferencelogicalname)}'.`,
      );
    }
  }

  const oid = String(effectiveUser.azureactivedirectoryobjectid);
  for (const { row } of resolved) {
    const cr = row as Row;
    const connectionId = String(cr.connectionid);
    if (!canUseConnection(state, connectionId, oid)) {
      const api = connectorName(String(cr.connectorid));
      throw flowClientError(
        403,
        'Forbidden',
        'ConnectionAuthorizationFailed',
        `The caller object id is '${oid}'. Connection '/providers/Microsoft.PowerApps/apis/${api}/connections/${connectionId}' to '${api}' cannot be used to activate this flow, either because this is not a valid connection or because it is not a connection you have access permission for. Either replace the connection with a valid connection you can access or have the connection owner activate the flow, so the connection is shared with you in the context of this flow.`,
      );
    }
  }

  if (effectiveUser.applicationid) {
    const apis = resolved.map(({ ref, row }) => connectorName(String((row as Row).connectorid ?? ref.apiName ?? '')));
    if (apis.some((a) => a.toLowerCase() !== DATAVERSE_CONNECTOR)) {
      const inner = JSON.stringify({
        error: { code: 'MissingUserDetails', message: `The user details for tenant id '${state.tenantId}' and principal id '${oid}' doesn't exist.` },
      });
      throw flowClientError(400, 'BadRequest', 'BapListServicePlansFailed', inner);
    }
  }

  for (const childId of childFlowIds(definition)) {
    const child = state.table('workflow').get(childId);
    if (!child || child.statecode !== 1) {
      throw flowClientError(
        400,
        'BadRequest',
        'ChildFlowNeverPublished',
        `The workflow with id '${childId}' cannot be used as a child workflow because it has never been published. Child workflows need to be published at least once before they can be included in a published parent workflow.`,
      );
    }
  }
}

/** Binding rule: the effective user must own the connection or have it shared (guesses for codes, see README). */
export function checkBinding(state: SimulatorState, cr: Row, connectionId: string, effectiveUser: Row): void {
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
