import { FLOW_STATES_SCHEMA_VERSION, FlowState, FlowStates, RecordedFlowState, flowStateOf } from '../../common/flow-states-file';
import { FlowStateFacts } from './gather';

export interface StatesPlanInput {
  environment: string;
  solutions: readonly string[];
  takenAt: string;
  flows: readonly FlowStateFacts[];
}

export type StateCounts = Record<FlowState, number>;

export interface StatesPlan {
  states: FlowStates;
  counts: StateCounts;
  /** Flows whose state code is none of the three states: left out of the file. */
  unknown: FlowStateFacts[];
}

/** The file content: every flow with a known state, sorted by name then id so the file is stable. */
export function planFlowStates(input: StatesPlanInput): StatesPlan {
  const recorded: RecordedFlowState[] = [];
  const unknown: FlowStateFacts[] = [];
  for (const flow of input.flows) {
    const state = flowStateOf(flow.statecode);
    if (state) recorded.push({ workflowId: flow.workflowId.toLowerCase(), name: flow.name, state });
    else unknown.push(flow);
  }
  recorded.sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
  const counts: StateCounts = { on: 0, off: 0, suspended: 0 };
  for (const flow of recorded) counts[flow.state]++;
  return {
    states: { schemaVersion: FLOW_STATES_SCHEMA_VERSION, environment: input.environment, solutions: [...input.solutions], takenAt: input.takenAt, flows: recorded },
    counts,
    unknown,
  };
}
