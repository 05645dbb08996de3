import { DataverseClient, escapeXmlAttribute, odataString } from './dataverse';
import { UserError } from './errors';

export interface SolutionRecord {
  solutionid: string;
  uniquename: string;
  friendlyname?: string;
}

export interface ConnectionReferenceRecord {
  connectionreferenceid: string;
  connectionreferencelogicalname: string;
  connectionreferencedisplayname?: string;
  connectorid?: string;
  connectionid?: string;
}

export interface CloudFlowRecord {
  workflowid: string;
  name: string;
  statecode: number;
  statuscode?: number;
  clientdata?: string;
  _ownerid_value?: string;
}

export interface SystemUserRecord {
  systemuserid: string;
  azureactivedirectoryobjectid?: string;
  domainname?: string;
  fullname?: string;
  isdisabled?: boolean;
  applicationid?: string;
}

/** The solution by unique name; a name that matches nothing is the pipeline author's to fix. */
export async function findSolution(dataverse: DataverseClient, uniqueName: string, notFound: (name: string) => string): Promise<SolutionRecord> {
  const rows = await dataverse.getAll<SolutionRecord>(
    `solutions?$select=solutionid,uniquename,friendlyname&$filter=uniquename eq ${odataString(uniqueName)}`,
  );
  // Compared again here, so that no name can widen the filter into finding some other solution.
  const solution = rows.find((row) => row.uniquename?.toLowerCase() === uniqueName.toLowerCase());
  if (!solution) throw new UserError(notFound(uniqueName));
  return solution;
}

/** FetchXML joining an entity to the solution through solutioncomponent (objectid = primary id). */
function solutionFetchXml(entity: string, primaryId: string, attributes: string[], uniqueName: string, filter = ''): string {
  return [
    `<fetch distinct="true">`,
    `<entity name="${entity}">`,
    ...attributes.map((a) => `<attribute name="${a}"/>`),
    // Paging through a query with link-entities is stable only when ordered by the primary key.
    `<order attribute="${primaryId}"/>`,
    filter,
    `<link-entity name="solutioncomponent" from="objectid" to="${primaryId}" link-type="inner" alias="sc">`,
    `<link-entity name="solution" from="solutionid" to="solutionid" link-type="inner" alias="s">`,
    `<filter><condition attribute="uniquename" operator="eq" value="${escapeXmlAttribute(uniqueName)}"/></filter>`,
    `</link-entity>`,
    `</link-entity>`,
    `</entity>`,
    `</fetch>`,
  ].join('');
}

export const CONNECTION_REFERENCE_COLUMNS = ['connectionreferenceid', 'connectionreferencelogicalname', 'connectionreferencedisplayname', 'connectorid', 'connectionid'];

/** Every connection reference of a solution, in one paged query whatever their number. */
export function listSolutionConnectionReferences(dataverse: DataverseClient, uniqueName: string): Promise<ConnectionReferenceRecord[]> {
  return dataverse.fetchAll<ConnectionReferenceRecord>(
    'connectionreferences',
    solutionFetchXml(
      'connectionreference',
      'connectionreferenceid',
      CONNECTION_REFERENCE_COLUMNS,
      uniqueName,
    ),
  );
}

/**
 * Rows of the definitions query a page: a definition can be megabytes, so a page of them stays
 * small enough that the raw text of one page is all the task ever holds at once.
 */
export const DEFINITIONS_PER_PAGE = 100;

const FLOW_COLUMNS = ['workflowid', 'name', 'statecode', 'statuscode', 'ownerid'];

/**
 * Every cloud flow (category 5, definitions) of a solution with its state, in one paged query;
 * `withDefinitions: false` leaves out the clientdata, which is most of the bytes.
 */
export async function listSolutionCloudFlows(
  dataverse: DataverseClient,
  uniqueName: string,
  options: { withDefinitions?: boolean } = {},
): Promise<CloudFlowRecord[]> {
  const rows: CloudFlowRecord[] = [];
  await readSolutionCloudFlows<CloudFlowRecord>(dataverse, uniqueName, (record) => record, (page) => void rows.push(...page), options.withDefinitions ?? true);
  return rows;
}

/**
 * The solution's cloud flows with their definitions, each page turned by `toFacts` into what the
 * caller keeps as soon as it arrives, so no page's raw definitions outlive that page.
 */
export async function mapSolutionCloudFlows<F>(dataverse: DataverseClient, uniqueName: string, toFacts: (record: CloudFlowRecord) => F): Promise<F[]> {
  const facts: F[] = [];
  await readSolutionCloudFlows(dataverse, uniqueName, toFacts, (page) => void facts.push(...page), true);
  return facts;
}

function readSolutionCloudFlows<F>(
  dataverse: DataverseClient,
  uniqueName: string,
  toFacts: (record: CloudFlowRecord) => F,
  keep: (page: F[]) => void,
  withDefinitions: boolean,
): Promise<void> {
  return dataverse.fetchPages<CloudFlowRecord>(
    'workflows',
    solutionFetchXml(
      'workflow',
      'workflowid',
      withDefinitions ? [...FLOW_COLUMNS, 'clientdata'] : FLOW_COLUMNS,
      uniqueName,
      '<filter type="and"><condition attribute="category" operator="eq" value="5"/><condition attribute="type" operator="eq" value="1"/></filter>',
    ),
    (records) => keep(records.map(toFacts)),
    withDefinitions ? { maxPageSize: DEFINITIONS_PER_PAGE } : {},
  );
}

const USER_COLUMNS = 'systemuserid,azureactivedirectoryobjectid,domainname,fullname,isdisabled,applicationid';
const VALUES_PER_QUERY = 50;

/**
 * Every row of `entitySetAndSelect` (e.g. `systemusers?$select=...`) whose `property` is one of
 * `values`, with one query per 50 distinct values, sent together: the count follows the number of
 * distinct values, never the number of flows or references that mention them.
 */
export async function getAllIn<T>(dataverse: DataverseClient, entitySetAndSelect: string, property: string, values: readonly string[]): Promise<T[]> {
  const distinct = [...new Set(values)];
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += VALUES_PER_QUERY) chunks.push(distinct.slice(i, i + VALUES_PER_QUERY));
  const pages = await Promise.all(chunks.map((chunk) => dataverse.getAll<T>(`${entitySetAndSelect}&$filter=${inFilter(property, chunk)}`)));
  return pages.flat();
}

/** The system users with these Entra object ids or UPNs. */
export async function findSystemUsers(dataverse: DataverseClient, identities: { objectIds?: string[]; upns?: string[] }): Promise<SystemUserRecord[]> {
  const path = `systemusers?$select=${USER_COLUMNS}`;
  const results = await Promise.all([
    getAllIn<SystemUserRecord>(dataverse, path, 'azureactivedirectoryobjectid', (identities.objectIds ?? []).map((id) => id.toLowerCase())),
    getAllIn<SystemUserRecord>(dataverse, path, 'domainname', (identities.upns ?? []).map((upn) => upn.toLowerCase())),
  ]);
  const byId = new Map<string, SystemUserRecord>();
  for (const user of results.flat()) byId.set(user.systemuserid, user);
  return [...byId.values()];
}

function inFilter(property: string, values: string[]): string {
  return `Microsoft.Dynamics.CRM.In(PropertyName=${odataString(property)},PropertyValues=[${values.map(odataString).join(',')}])`;
}
