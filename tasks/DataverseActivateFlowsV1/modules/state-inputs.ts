import { UserError } from '../../common/errors';
import { InputReader } from '../../common/input-reader';
import { TaskHost } from '../../common/task-host';

export type NewFlowsMode = 'On' | 'Off';

/** The inputs that restore recorded states, set owners and name several solutions. */
export interface StateInputs {
  /** Unique names, each once (compared case-insensitively), in the order given. */
  solutionNames: string[];
  /** Absolute path of the states file, when given. */
  flowStatesFile?: string;
  newFlows: NewFlowsMode;
  /** UPN or Entra object id. */
  flowOwner?: string;
}

const MACRO = /\$\([^)]+\)/;

export function readStateInputs(host: TaskHost): StateInputs {
  const read = new InputReader(host);
  const solutionNames = read.distinctList('SolutionName');
  if (solutionNames.length === 0) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNameHelp')));
  const file = host.filePathInput('FlowStatesFile');
  const newFlows = read.pick('NewFlows', ['On', 'Off'] as const, 'On');
  const owner = host.input('FlowOwner')?.trim();
  // The save step's output macro left unresolved means that step did not run: say so, since every flow would then be turned on.
  if (file && MACRO.test(file)) host.warning(host.loc('FlowStatesFileUnresolved', file));
  return {
    solutionNames,
    flowStatesFile: file && !MACRO.test(file) ? file : undefined,
    newFlows,
    flowOwner: owner && !MACRO.test(owner) ? owner : undefined,
  };
}
