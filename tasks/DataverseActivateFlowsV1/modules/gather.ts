import { ConnectionInfo, parseOwner } from '../../common/connections';
import { isGuid } from '../../common/task-inputs';
import { DataverseClient } from '../../common/dataverse';
import { UserError } from '../../common/errors';
import { listEnvironmentConnections } from '../../common/environment-connections';
import { Session } from '../../common/session';
import {
  CONNECTION_REFERENCE_COLUMNS,
  ConnectionReferenceRecord,
  SolutionRecord,
  SystemUserRecord,
  findSolution,
  findSystemUsers,
  getAllIn,
  listSolutionCloudFlows,
  listSolutionConnectionReferences,
} from '../../common/solution-queries';
import { normaliseFlowId, readFlowDefinition } from './definition';
import { ExternalFlowFacts, FlowFacts, Localize, ReferenceFacts, UserFacts } from './plan';

export interface SolutionState {
  solution: SolutionRecord;
  flows: FlowFacts[];
  references: ReferenceFacts[];
  externalFlows: ExternalFlowFacts[];
}

/**
 * The solution, its cloud flows (with definitions and state) and connection references, plus the
 * references and child flows outside the solution that its flows use. The number of requests
 * depends on the number of pages, never on the number of flows.
 */
export async function gatherSolution(dataverse: DataverseClient, solutionName: string, environmentUrl: string, loc: Localize): Promise<SolutionState> {
  // The component queries filter on the unique name themselves, so they go out with the solution lookup.
  const [solution, flowRecords, referenceRecords] = await Promise.all([
    findSolution(dataverse, solutionName, (name) => loc('SolutionNotFound', name, environmentUrl)),
    listSolutionCloudFlows(dataverse, solutionName),
    listSolutionConnectionReferences(dataverse, solutionName),
  ]);
  const flows: FlowFacts[] = flowRecords.map((record) => ({
    id: normaliseFlowId(record.workflowid),
    name: record.name,
    statecode: Number(record.statecode ?? 0),
    definition: readFlowDefinition(record.clientdata),
  }));
  const references = referenceRecords.map(toReferenceFacts);

  const known = new Set(references.map((r) => r.logicalName.toLowerCase()));
  const otherReferences = [...new Set(flows.flatMap((f) => f.definition.connectionReferences))].filter((name) => !known.has(name));
  const flowIds = new Set(flows.map((f) => f.id));
  const otherFlows = [...new Set(flows.flatMap((f) => f.definition.childFlowIds))].filter((id) => !flowIds.has(id) && isGuid(id));

  const [extraReferences, externalFlows] = await Promise.all([
    getAllIn<ConnectionReferenceRecord>(
      dataverse,
      `connectionreferences?$select=${CONNECTION_REFERENCE_COLUMNS.join(',')}`,
      'connectionreferencelogicalname',
      otherReferences,
    ),
    getAllIn<{ workflowid: string; name: string; statecode: number }>(dataverse, 'workflows?$select=workflowid,name,statecode', 'workflowid', otherFlows),
  ]);
  return {
    solution,
    flows,
    references: [...references, ...extraReferences.map(toReferenceFacts)],
    externalFlows: externalFlows.map((f) => ({ id: normaliseFlowId(f.workflowid), name: f.name, statecode: Number(f.statecode ?? 0) })),
  };
}

function toReferenceFacts(record: ConnectionReferenceRecord): ReferenceFacts {
  return {
    logicalName: record.connectionreferencelogicalname,
    displayName: record.connectionreferencedisplayname,
    connectorId: record.connectorid,
    connectionId: record.connectionid || undefined,
  };
}


/**
 * The environment's connections, to find who owns each. Listing them needs the application to be
 * registered as a Power Platform management app; a refusal is explained with the fix.
 */
export function gatherConnections(session: Session, loc: Localize): Promise<ConnectionInfo[]> {
  return listEnvironmentConnections(
    session,
    (url) => loc('EnvironmentNotFound', url),
    (reason, applicationId) => loc('AdminApiRefused', reason, applicationId),
  );
}

export function toUserFacts(record: SystemUserRecord): UserFacts {
  return {
    objectId: (record.azureactivedirectoryobjectid ?? '').toLowerCase(),
    systemUserId: record.systemuserid,
    name: record.fullname,
    upn: record.domainname,
    disabled: record.isdisabled === true,
  };
}

/** System users of the connection owners, one query per 50 owners. */
export async function gatherUsers(dataverse: DataverseClient, objectIds: string[]): Promise<UserFacts[]> {
  if (objectIds.length === 0) return [];
  const records = await findSystemUsers(dataverse, { objectIds });
  return records.filter((r) => r.azureactivedirectoryobjectid).map(toUserFacts);
}

/** The `ImpersonateUser` input (UPN or object id) as an enabled user of the environment. */
export async function resolveImpersonateUser(dataverse: DataverseClient, raw: string, loc: Localize): Promise<UserFacts> {
  const spec = parseOwner(raw);
  const records = await findSystemUsers(dataverse, spec?.objectId ? { objectIds: [spec.objectId] } : { upns: [spec?.upn ?? raw] });
  const record = records.find((r) =>
    spec?.objectId ? r.azureactivedirectoryobjectid?.toLowerCase() === spec.objectId : r.domainname?.toLowerCase() === spec?.upn,
  );
  if (!record || !record.azureactivedirectoryobjectid) throw new UserError(loc('ImpersonateUserNotFound', raw));
  if (record.isdisabled) throw new UserError(loc('ImpersonateUserDisabled', raw));
  return toUserFacts(record);
}
