import { ActingCheck, checkActingIdentities } from '../../common/acting-identity';
import { settle, unwrap } from '../../common/concurrency';
import { EnvironmentUser } from '../../common/connection-checks';
import { PresentValue } from '../../common/connection-references';
import { ConnectionInfo } from '../../common/connections';
import { listEnvironmentConnections, listEnvironmentConnectionsAndSharing } from '../../common/environment-connections';
import { UserError } from '../../common/errors';
import { neutraliseLine } from '../../common/remote-text';
import { Session } from '../../common/session';
import { SolutionRecord, findSystemUsers, getAllIn, listSolutionCloudFlows, listSolutionConnectionReferences } from '../../common/solution-queries';
import { TaskHost } from '../../common/task-host';
import { readFlowDefinition } from '../../DataverseActivateFlowsV1/modules/definition';
import { SolutionReadError, readSolution } from '../../DataverseDeploymentSettingsV1/modules/solution-reader';
import { CheckInputs } from './inputs';
import { readSolutionFlows } from './solution-flows';

/** A flow that uses a reference, and whether only as its run-only (invoker) connection. */
export interface FlowUse {
  name: string;
  invoker: boolean;
}

/** One connection reference to check, installed or from a solution file. */
export interface ReferenceFacts {
  solution: string;
  /** The record id when installed; null for a solution file. */
  id: string | null;
  logicalName: string;
  displayName?: string;
  connectorId: string;
  /** Installed: the current binding. From a file: the settings file's value (variables and ConnectionOwner come first). */
  present: PresentValue[];
  /** Installed references are checked as bound now; a file's as the deployment would bind them. */
  installed: boolean;
  flows: FlowUse[];
  /** The pipeline variables whose unset tokens left the settings file's connection id empty. */
  unsetVariables?: string[];
}

export interface GatheredState {
  solutions: string[];
  references: ReferenceFacts[];
  connections: ConnectionInfo[];
  /** The platform's error of each connection that is not Connected, by lower-case id. */
  statusErrors: Map<string, string>;
  /** Lower-case ids of the connections shared with the service principal (learnt only with Impersonation None or Auto). */
  sharedWithServicePrincipal: Set<string>;
}

/**
 * Everything the checks need, in bulk reads whatever the number of references: the solutions (one
 * lookup), their references and flows (one paged query each per solution) or the solution file, and
 * the environment's connections (one paged listing, with the service principal's role on each when
 * Impersonation is None or Auto).
 */
export async function gatherState(host: TaskHost, session: Session, inputs: CheckInputs, file: SolutionFileFacts | undefined): Promise<GatheredState> {
  const listing = settle(listConnections(host, session, inputs));
  const installed = await gatherInstalled(host, session, inputs.solutionNames);
  const listed = unwrap(await listing);
  host.info(host.loc('ConnectionsListed', listed.connections.length, session.environment.url));
  return {
    solutions: [...installed.solutions, ...(file ? [file.solution] : [])],
    references: [...installed.references, ...(file?.references ?? [])],
    ...listed,
  };
}

async function gatherInstalled(host: TaskHost, session: Session, names: readonly string[]): Promise<{ solutions: string[]; references: ReferenceFacts[] }> {
  if (names.length === 0) return { solutions: [], references: [] };
  const dataverse = session.dataverse;
  const [records, referenceLists, flowLists] = await Promise.all([
    getAllIn<SolutionRecord>(dataverse, 'solutions?$select=solutionid,uniquename', 'uniquename', names),
    Promise.all(names.map((name) => listSolutionConnectionReferences(dataverse, name))),
    Promise.all(names.map((name) => listSolutionCloudFlows(dataverse, name))),
  ]);
  const found = new Map(records.map((s) => [s.uniquename.toLowerCase(), s.uniquename]));
  const missing = names.find((name) => !found.has(name.toLowerCase()));
  if (missing) throw new UserError(host.loc('SolutionNotFound', missing, session.environment.url));
  const references = names.flatMap((name, index) => {
    const solution = found.get(name.toLowerCase())!;
    const uses = flowUses(flowLists[index].map((f) => ({ name: f.name, clientdata: f.clientdata })));
    host.remoteInfo(host.loc('SolutionChecked', solution, referenceLists[index].length, flowLists[index].length));
    return referenceLists[index].map(
      (r): ReferenceFacts => ({
        solution,
        id: r.connectionreferenceid,
        logicalName: r.connectionreferencelogicalname,
        displayName: r.connectionreferencedisplayname,
        connectorId: r.connectorid ?? '',
        present: [{ value: r.connectionid ?? undefined, source: 'currentBinding' }],
        installed: true,
        flows: uses.get(r.connectionreferencelogicalname.toLowerCase()) ?? [],
      }),
    );
  });
  return { solutions: names.map((name) => found.get(name.toLowerCase())!), references };
}

/** The references and flows of a solution file not yet imported, with the settings file's values. */
export interface SolutionFileFacts {
  solution: string;
  references: ReferenceFacts[];
}

/** Reads the solution file and the settings file, before anything is sent to the service. */
export function readSolutionFile(host: TaskHost, inputs: CheckInputs): SolutionFileFacts {
  const solutionPath = inputs.solutionPath!;
  let contents;
  let flows;
  try {
    contents = readSolution(solutionPath);
    flows = readSolutionFlows(solutionPath);
  } catch (error) {
    if (error instanceof SolutionReadError) throw new UserError(host.loc('SolutionUnreadable', solutionPath, error.message));
    throw error;
  }
  const tokens = inputs.settings;
  const fromSettings = new Map((tokens?.settings.ConnectionReferences ?? []).map((r) => [r.LogicalName.toLowerCase(), r]));
  const solution = contents.uniqueName ?? neutraliseLine(solutionPath, 200);
  const uses = flowUses(flows);
  host.info(host.loc('SolutionFileRead', solution, contents.connectionReferences.length, flows.length));
  const references = contents.connectionReferences.map((r): ReferenceFacts => {
    const entry = fromSettings.get(r.logicalName.toLowerCase());
    const value = entry?.ConnectionId;
    const unsetVariables = tokens?.unsetConnectionIds.get(r.logicalName.toLowerCase());
    return {
      solution,
      id: null,
      logicalName: r.logicalName,
      displayName: r.displayName,
      connectorId: r.connectorId || entry?.ConnectorId || '',
      present: [{ value, source: 'settingsFile', secret: !!value && !!tokens?.secrets.has(value) }],
      installed: false,
      flows: uses.get(r.logicalName.toLowerCase()) ?? [],
      ...(unsetVariables ? { unsetVariables } : {}),
    };
  });
  return { solution, references };
}

/** The flows using each reference (by lower-case logical name), from their definitions. */
function flowUses(flows: ReadonlyArray<{ name: string; clientdata?: string }>): Map<string, FlowUse[]> {
  const uses = new Map<string, FlowUse[]>();
  for (const flow of flows) {
    const definition = readFlowDefinition(flow.clientdata);
    const invoker = new Set(definition.invokerReferences ?? []);
    for (const reference of definition.connectionReferences) {
      if (!uses.has(reference)) uses.set(reference, []);
      uses.get(reference)!.push({ name: flow.name, invoker: invoker.has(reference) });
    }
  }
  for (const list of uses.values()) list.sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return uses;
}

/**
 * The one connection listing; with Impersonation None or Auto it also says which connections are
 * shared with the service principal. Each connection carries its status error.
 */
async function listConnections(host: TaskHost, session: Session, inputs: CheckInputs): Promise<Omit<GatheredState, 'solutions' | 'references'>> {
  const missing = (url: string) => host.loc('EnvironmentNotFound', url);
  const forbidden = (reason: string, applicationId: string) => host.loc('ConnectionsForbidden', reason, applicationId);
  const { connections, sharedWithServicePrincipal } =
    inputs.impersonation === 'ConnectionOwner'
      ? { connections: await listEnvironmentConnections(session, missing, forbidden), sharedWithServicePrincipal: new Set<string>() }
      : await listEnvironmentConnectionsAndSharing(session, missing, forbidden);
  const statusErrors = new Map(connections.flatMap((c) => (c.statusError ? [[c.id.toLowerCase(), c.statusError] as const] : [])));
  return { connections, statusErrors, sharedWithServicePrincipal };
}

/** The connections' owners as users of the environment: one query per 50 owners. */
export async function gatherUsers(session: Session, objectIds: readonly string[]): Promise<Map<string, EnvironmentUser>> {
  const users = new Map<string, EnvironmentUser>();
  if (objectIds.length === 0) return users;
  for (const record of await findSystemUsers(session.dataverse, { objectIds: [...objectIds] })) {
    const objectId = record.azureactivedirectoryobjectid?.toLowerCase();
    if (objectId) users.set(objectId, { objectId, disabled: record.isdisabled === true });
  }
  return users;
}

/** A read-only WhoAmI as each owner the service principal would act as: one per distinct owner. */
export function gatherActing(session: Session, objectIds: readonly string[]): Promise<Map<string, ActingCheck>> {
  if (objectIds.length === 0) return Promise.resolve(new Map());
  return checkActingIdentities(session.dataverse, objectIds, 8);
}
