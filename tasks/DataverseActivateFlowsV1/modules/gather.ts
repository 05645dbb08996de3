import { ConnectionInfo } from '../../common/connections';
import { DataverseClient, escapeXmlAttribute } from '../../common/dataverse';
import { UserError } from '../../common/errors';
import { listEnvironmentConnections, listEnvironmentConnectionsAndSharing } from '../../common/environment-connections';
import { Session } from '../../common/session';
import {
  CONNECTION_REFERENCE_COLUMNS,
  ConnectionReferenceRecord,
  SolutionRecord,
  SystemUserRecord,
  findSolution,
  findSystemUsers,
  getAllIn,
  listSolutionConnectionReferences,
  mapSolutionCloudFlows,
} from '../../common/solution-queries';
import { verifyImpersonation } from '../../common/impersonation-check';
import { settle, unwrap } from '../../common/concurrency';
import { isGuid } from '../../common/task-inputs';
import { findNamedUsers } from './flow-owners';
import { normaliseFlowId } from './definition';
import { ExternalFlowFacts, FlowFacts, Localize, ReferenceFacts, UserFacts, toFlowFacts } from './facts';
import { ActivateInputs } from './inputs';
import { PipelineVariable } from '../../common/alm-variables';
import { SettingsNotes, gatherFlowSettings, readStatesFile } from './gather-flow-settings';
import { PlanInput, needsConnectionListing, usersToLookUp } from './plan';

const IDENTITY_CHECKS_AT_ONCE = 8;

export interface SolutionState {
  solution: SolutionRecord;
  /** Every listed solution, in the order given (`solution` is the first). */
  solutions: SolutionRecord[];
  flows: FlowFacts[];
  references: ReferenceFacts[];
  externalFlows: ExternalFlowFacts[];
}

/**
 * The solution, its cloud flows (what their definitions say, and their state) and connection
 * references, plus the references and child flows outside the solution that its flows use. The
 * number of requests depends on the number of pages, never on the number of flows; each page of
 * definitions is read into FlowFacts as it arrives and its text dropped.
 */
export async function gatherSolution(dataverse: DataverseClient, solutionNames: string | readonly string[], environmentUrl: string, loc: Localize): Promise<SolutionState> {
  const names = typeof solutionNames === 'string' ? [solutionNames] : solutionNames;
  // The component queries filter on the unique name themselves, so they go out with the solution lookups.
  const perSolution = await Promise.all(
    names.map((name) =>
      Promise.all([
        findSolution(dataverse, name, (missing) => loc('SolutionNotFound', missing, environmentUrl)),
        mapSolutionCloudFlows(dataverse, name, toFlowFacts),
        listSolutionConnectionReferences(dataverse, name),
      ]),
    ),
  );
  // A flow or reference in several of the solutions is one.
  const flowsById = new Map<string, FlowFacts>();
  for (const flow of perSolution.flatMap(([, flowFacts]) => flowFacts)) {
    if (!flowsById.has(flow.id)) flowsById.set(flow.id, flow);
  }
  const flows = [...flowsById.values()];
  const referencesByName = new Map<string, ReferenceFacts>();
  for (const record of perSolution.flatMap(([, , referenceRecords]) => referenceRecords)) {
    const key = record.connectionreferencelogicalname.toLowerCase();
    if (!referencesByName.has(key)) referencesByName.set(key, toReferenceFacts(record));
  }
  const references = [...referencesByName.values()];
  const solutions = perSolution.map(([solution]) => solution);

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
  const holders = await solutionsHolding(dataverse, extraReferences.map((r) => r.connectionreferencelogicalname));
  const outside = extraReferences.map((record) => ({
    ...toReferenceFacts(record),
    outsideSolution: true,
    solutions: holders.get(record.connectionreferencelogicalname.toLowerCase()) ?? [],
  }));
  return {
    solution: solutions[0],
    solutions,
    flows,
    references: [...references, ...outside],
    externalFlows: externalFlows.map((f) => ({ id: normaliseFlowId(f.workflowid), name: f.name, statecode: Number(f.statecode ?? 0) })),
  };
}

const NAMES_PER_QUERY = 50;
/** Solutions every component belongs to, which say nothing about where a reference was deployed from. */
const SYSTEM_SOLUTIONS = ['Default', 'Active'];

/**
 * The solutions that hold each of these connection references (by lower-case logical name), so a
 * flow that uses one can name the solution to add to SolutionName. One query per 50 references;
 * none when the flows use only references of the listed solutions.
 */
async function solutionsHolding(dataverse: DataverseClient, logicalNames: readonly string[]): Promise<Map<string, string[]>> {
  const distinct = [...new Set(logicalNames)];
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += NAMES_PER_QUERY) chunks.push(distinct.slice(i, i + NAMES_PER_QUERY));
  const value = (v: string) => `<value>${escapeXmlAttribute(v)}</value>`;
  const rows = await Promise.all(
    chunks.map((chunk) =>
      dataverse.fetchAll<{ connectionreferencelogicalname: string; solutionuniquename?: string }>(
        'connectionreferences',
        [
          '<fetch distinct="true"><entity name="connectionreference">',
          '<attribute name="connectionreferencelogicalname"/><order attribute="connectionreferenceid"/>',
          `<filter><condition attribute="connectionreferencelogicalname" operator="in">${chunk.map(value).join('')}</condition></filter>`,
          '<link-entity name="solutioncomponent" from="objectid" to="connectionreferenceid" link-type="inner" alias="sc">',
          '<link-entity name="solution" from="solutionid" to="solutionid" link-type="inner" alias="s">',
          '<attribute name="uniquename" alias="solutionuniquename"/>',
          `<filter><condition attribute="uniquename" operator="not-in">${SYSTEM_SOLUTIONS.map(value).join('')}</condition></filter>`,
          '</link-entity></link-entity></entity></fetch>',
        ].join(''),
      ),
    ),
  );
  const holders = new Map<string, string[]>();
  for (const row of rows.flat()) {
    if (!row.solutionuniquename) continue;
    const key = row.connectionreferencelogicalname.toLowerCase();
    holders.set(key, [...new Set([...(holders.get(key) ?? []), row.solutionuniquename])]);
  }
  return holders;
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
  const record = (await findNamedUsers(dataverse, [raw])).get(raw);
  if (!record) throw new UserError(loc('ImpersonateUserNotFound', raw));
  if (record.isdisabled) throw new UserError(loc('ImpersonateUserDisabled', raw));
  return toUserFacts(record);
}

/**
 * Everything the plan is decided from, read in a fixed number of bulk reads whatever the number of
 * flows: the solution's flows and references, then (only where the plan needs them) the
 * environment's connections, then the owners' system users and a read-only WhoAmI as each user
 * the run will act as.
 */
export async function gatherPlanInput(
  session: Session,
  inputs: ActivateInputs,
  loc: Localize,
  context: { variables: readonly PipelineVariable[]; notes: SettingsNotes } = { variables: [], notes: { info: () => undefined, warning: () => undefined } },
): Promise<{ input: PlanInput; state: SolutionState }> {
  const environment = session.environment.url;
  const states = readStatesFile(inputs, environment, loc);
  // With ConnectionOwner or Auto the connection listing is nearly always needed: it is read alongside the solution.
  // Auto learns from the same single listing which connections are shared with the service principal.
  const listConnections = (): Promise<{ connections: ConnectionInfo[]; sharedWithServicePrincipal: string[] }> =>
    inputs.impersonation === 'Auto'
      ? listEnvironmentConnectionsAndSharing(
          session,
          (url) => loc('EnvironmentNotFound', url),
          (reason, applicationId) => loc('AdminApiRefused', reason, applicationId),
        ).then((listed) => ({ connections: listed.connections, sharedWithServicePrincipal: [...listed.sharedWithServicePrincipal] }))
      : gatherConnections(session, loc).then((connections) => ({ connections, sharedWithServicePrincipal: [] }));
  const listing = inputs.impersonation === 'ConnectionOwner' || inputs.impersonation === 'Auto' ? settle(listConnections()) : undefined;
  const state = await gatherSolution(session.dataverse, inputs.solutionNames, environment, loc);
  const [settings, impersonateUser] = await Promise.all([
    gatherFlowSettings(session.dataverse, inputs, states, state.flows, context.variables, toUserFacts, context.notes, loc),
    inputs.impersonation === 'User' && inputs.impersonateUser ? resolveImpersonateUser(session.dataverse, inputs.impersonateUser, loc) : undefined,
  ]);
  const input: PlanInput = {
    solution: state.solutions.map((s) => s.uniquename).join(', '),
    flows: state.flows,
    flowsToTurnOn: inputs.flows,
    flowsToTurnOff: inputs.flowsToTurnOff,
    references: state.references,
    impersonation: inputs.impersonation,
    impersonateUser,
    servicePrincipalObjectId: session.identity.objectId,
    externalFlows: state.externalFlows,
    ...settings,
  };
  if (needsConnectionListing(input, loc)) {
    const listed = await (listing ?? settle(listConnections())).then(unwrap);
    input.connections = listed.connections;
    input.sharedWithServicePrincipal = listed.sharedWithServicePrincipal;
  }
  const { ownerObjectIds, actingUsers } = usersToLookUp(input, loc);
  const owners = await gatherUsers(session.dataverse, ownerObjectIds);
  input.users = [...owners, ...settings.users.filter((u) => !owners.some((o) => o.objectId === u.objectId))];
  // Each user acted as is verified against its system user id: Dataverse may ignore a CallerObjectId.
  const known = new Map([...input.users, ...(impersonateUser ? [impersonateUser] : [])].map((u) => [u.objectId, u.systemUserId]));
  input.identityChecks = await verifyImpersonation(
    session.dataverse,
    actingUsers.map((objectId) => ({ objectId, systemUserId: known.get(objectId) })),
    IDENTITY_CHECKS_AT_ONCE,
  );
  return { input, state };
}
