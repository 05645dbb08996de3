import { settle, unwrap } from '../../common/concurrency';
import { ConnectionInfo } from '../../common/connections';
import { ConnectionsAndSharing, listEnvironmentConnections, listEnvironmentConnectionsAndSharing } from '../../common/environment-connections';
import { Session } from '../../common/session';
import { ConnectionReferenceRecord, SolutionRecord, findSolution, listSolutionConnectionReferences } from '../../common/solution-queries';
import { TaskHost } from '../../common/task-host';

export interface GatheredState {
  solution: SolutionRecord;
  references: ConnectionReferenceRecord[];
  connections: ConnectionInfo[];
  /** Ids (lower case) of the connections shared with the service principal (Impersonation Auto only). */
  sharedWithServicePrincipal: Set<string>;
}

/**
 * The solution, its connection references (one FetchXML query through solutioncomponent) and the
 * environment's connections (one paged admin listing): the count of requests does not follow the
 * number of references.
 */
export async function gatherState(host: TaskHost, session: Session, solutionName: string, learnSharing: boolean): Promise<GatheredState> {
  // One round: the reference query filters on the unique name itself, and the connection listing is
  // needed whenever the solution has references; a refusal of the listing only matters then.
  const missing = (url: string) => host.loc('EnvironmentNotFound', url);
  const forbidden = (reason: string, applicationId: string) => host.loc('ConnectionsForbidden', reason, applicationId);
  const listing = settle(
    learnSharing
      ? listEnvironmentConnectionsAndSharing(session, missing, forbidden)
      : listEnvironmentConnections(session, missing, forbidden).then((connections): ConnectionsAndSharing => ({ connections, sharedWithServicePrincipal: new Set() })),
  );
  const [solution, references] = await Promise.all([
    findSolution(session.dataverse, solutionName, (name) => host.loc('SolutionNotFound', name, session.environment.url)),
    listSolutionConnectionReferences(session.dataverse, solutionName),
  ]);
  const listed = await listing;
  if (references.length === 0) return { solution, references, connections: [], sharedWithServicePrincipal: new Set() };
  return { solution, references, ...unwrap(listed) };
}
