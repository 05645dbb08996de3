import { ConnectionInfo } from '../../common/connections';
import { mapWithConcurrency } from '../../common/concurrency';
import { DataverseClient } from '../../common/dataverse';
import { PlatformError, UserError } from '../../common/errors';
import { listEnvironmentConnections } from '../../common/environment-connections';
import { Session } from '../../common/session';
import { ConnectionReferenceRecord, SolutionRecord, findSolution, listSolutionConnectionReferences } from '../../common/solution-queries';
import { TaskHost } from '../../common/task-host';
import { ActOnBehalfCheck } from './plan';

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
  try {
    const connections = await listEnvironmentConnections(session, (url) => host.loc('EnvironmentNotFound', url));
    return { solution, references, connections };
  } catch (error) {
    if (error instanceof PlatformError && error.status === 403) {
      throw new UserError(host.loc('ConnectionsForbidden', `${error.code}: ${error.platformMessage}`, session.identity.applicationId ?? session.tokens.clientId ?? '<application id>'));
    }
    throw error;
  }
}

const ACT_ON_BEHALF_CODES = new Set(['0x8004a110', 'cannotactonbehalfofanotheruser', '0x8004ed43', 'cannotaddoractonbehalfanotheruserprivilege']);

/**
 * Asks, for each owner the writes would act as, a read-only WhoAmI with that owner's CallerObjectId:
 * it fails the way the writes would if the service principal lacks the act-on-behalf privilege or
 * the owner cannot be acted as (disabled, unknown, no business unit). One read per distinct owner.
 */
export async function checkActOnBehalf(dataverse: DataverseClient, owners: readonly string[], concurrency: number): Promise<Map<string, ActOnBehalfCheck>> {
  const checks = await mapWithConcurrency(owners, concurrency, async (owner): Promise<[string, ActOnBehalfCheck]> => {
    try {
      await dataverse.whoAmI({ callerObjectId: owner });
      return [owner, { ok: true }];
    } catch (error) {
      if (!(error instanceof PlatformError) || ![400, 403, 404].includes(error.status)) throw error;
      const kind = ACT_ON_BEHALF_CODES.has(error.code.toLowerCase()) ? 'cannotActOnBehalf' : 'ownerCannotBeActedAs';
      return [owner, { ok: false, kind, code: error.code, message: error.platformMessage }];
    }
  });
  return new Map(checks);
}
