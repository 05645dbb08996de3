import { DataverseClient } from '../../common/dataverse';
import { CloudFlowRecord, SolutionRecord, getAllIn, listSolutionCloudFlows } from '../../common/solution-queries';

export interface FlowStateFacts {
  workflowId: string;
  name: string;
  statecode: number;
}

export interface SolutionPresence {
  /** The unique name as the environment spells it, or as given when it is not installed. */
  name: string;
  installed: boolean;
}

export interface GatheredStates {
  /** In the order given. */
  solutions: SolutionPresence[];
  /** Every cloud flow of the installed solutions, each once. */
  flows: FlowStateFacts[];
}

/**
 * The solutions and their cloud flows with their state: one lookup for all the solutions and one
 * paged query per solution, sent together, without the definitions (only states are saved). The
 * count never depends on the number of flows.
 */
export async function gatherFlowStates(dataverse: DataverseClient, solutionNames: readonly string[]): Promise<GatheredStates> {
  const [solutions, ...flowLists] = await Promise.all([
    getAllIn<SolutionRecord>(dataverse, 'solutions?$select=solutionid,uniquename', 'uniquename', solutionNames),
    ...solutionNames.map((name) => listSolutionCloudFlows(dataverse, name, { withDefinitions: false })),
  ]);
  const found = new Map(solutions.map((s) => [s.uniquename.toLowerCase(), s.uniquename]));
  return {
    solutions: solutionNames.map((name) => {
      const spelled = found.get(name.toLowerCase());
      return { name: spelled ?? name, installed: spelled !== undefined };
    }),
    flows: uniqueFlows(flowLists.flat()),
  };
}

/** A flow in several of the solutions is one flow. */
function uniqueFlows(records: readonly CloudFlowRecord[]): FlowStateFacts[] {
  const byId = new Map<string, FlowStateFacts>();
  for (const record of records) {
    const workflowId = record.workflowid.toLowerCase();
    if (!byId.has(workflowId)) byId.set(workflowId, { workflowId, name: record.name, statecode: Number(record.statecode) });
  }
  return [...byId.values()];
}
