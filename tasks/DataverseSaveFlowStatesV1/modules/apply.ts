import { writeFileAtomic } from '../../common/files';
import { FlowStates, serializeFlowStates } from '../../common/flow-states-file';

/** The only write of the task, and it is local: the file appears whole or not at all. */
export function writeFlowStates(filePath: string, states: FlowStates): void {
  writeFileAtomic(filePath, serializeFlowStates(states));
}
