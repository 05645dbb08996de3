import { ConnectionInfo } from '../../common/connections';
import { listEnvironmentConnections } from '../../common/environment-connections';
import { Session } from '../../common/session';
import { ConnectionReferenceRecord, SolutionRecord, findSolution, listSolutionConnectionReferences } from '../../common/solution-queries';
import { TaskHost } from '../../common/task-host';

export interface GatheredState {
  solution: SolutionRecord;
  references: ConnectionReferenceRecord[];
  connections: ConnectionInfo[];
}

/**
 * The solution, its connection references (one FetchXML query through solutioncomponent) and the
 * environment's connections (one paged admin listing): the count of requests does not follow the
 * number of references.
 */
export async function gatherState(host: TaskHost, session: Session, solutionName: string): Promise<GatheredState> {
  const solution = await findSolution(session.dataverse, solutionName, (name) => host.loc('SolutionNotFound', name, session.environment.url));
  const references = await listSolutionConnectionReferences(session.dataverse, solution.uniquename);
  if (references.length === 0) return { solution, references, connections: [] };
  const connections = await listEnvironmentConnections(
    session,
    (url) => host.loc('EnvironmentNotFound', url),
    (reason, applicationId) => host.loc('ConnectionsForbidden', reason, applicationId),
  );
  return { solution, references, connections };
}
