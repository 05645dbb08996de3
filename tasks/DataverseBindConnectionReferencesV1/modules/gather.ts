import { settle, unwrap } from '../../common/concurrency';
import { ConnectionInfo } from '../../common/connections';
import { ConnectionsAndSharing, listEnvironmentConnections, listEnvironmentConnectionsAndSharing } from '../../common/environment-connections';
import { Session } from '../../common/session';
import { ConnectionReferenceRecord, SolutionRecord, findSolution, listSolutionConnectionReferences } from '../../common/solution-queries';
import { TaskHost } from '../../common/task-host';

export interface GatheredState {
  /** The solutions, in the order given. */
  solutions: SolutionRecord[];
  /** The connection references of all the solutions, each once. */
  references: ConnectionReferenceRecord[];
  connections: ConnectionInfo[];
  /** Ids (lower case) of the connections shared with the service principal (Impersonation Auto only). */
  sharedWithServicePrincipal: Set<string>;
}

/**
 * The solutions, their connection references (one FetchXML query per solution through
 * solutioncomponent) and the environment's connections (one paged admin listing): the count of
 * requests does not follow the number of references.
 */
export async function gatherState(host: TaskHost, session: Session, solutionNames: readonly string[], learnSharing: boolean): Promise<GatheredState> {
  // One round: the reference queries filter on the unique names themselves, and the connection
  // listing is needed whenever the solutions have references; a refusal of the listing only matters then.
  const missing = (url: string) => host.loc('EnvironmentNotFound', url);
  const forbidden = (reason: string, applicationId: string) => host.loc('ConnectionsForbidden', reason, applicationId);
  const listing = settle(
    learnSharing
      ? listEnvironmentConnectionsAndSharing(session, missing, forbidden)
      : listEnvironmentConnections(session, missing, forbidden).then((connections): ConnectionsAndSharing => ({ connections, sharedWithServicePrincipal: new Set() })),
  );
  const perSolution = await Promise.all(
    solutionNames.map((name) =>
      settle(
        Promise.all([
          findSolution(session.dataverse, name, (missing) => host.loc('SolutionNotFound', missing, session.environment.url)),
          listSolutionConnectionReferences(session.dataverse, name),
        ]),
      ),
    ),
  );
  // The first name (in the order given) that matches no solution is the error.
  const found = perSolution.map(unwrap);
  const byId = new Map<string, ConnectionReferenceRecord>();
  for (const [, records] of found) for (const record of records) if (!byId.has(record.connectionreferenceid)) byId.set(record.connectionreferenceid, record);
  const solutions = found.map(([solution]) => solution);
  const references = [...byId.values()];
  const listed = await listing;
  if (references.length === 0) return { solutions, references, connections: [], sharedWithServicePrincipal: new Set() };
  return { solutions, references, ...unwrap(listed) };
}
