import { UserError } from '../../common/errors';
import { InputReader } from '../../common/input-reader';
import { TaskHost } from '../../common/task-host';

export interface SaveInputs {
  /** Unique names, as given, each once (compared case-insensitively). */
  solutionNames: string[];
  /** Absolute path of the states file. */
  outputFile: string;
}

export const DEFAULT_FILE_NAME = 'flow-states.json';

/** Reads and checks every input before anything is read from the environment. */
export function readInputs(host: TaskHost): SaveInputs {
  // The service connection is checked first (as the other tasks do), so a step with no inputs names it.
  const read = new InputReader(host);
  read.required('PowerPlatformSPN', 'SpnRequiredHint');
  const solutionNames = read.distinctList('SolutionName');
  if (solutionNames.length === 0) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNamesHelp')));
  return { solutionNames, outputFile: read.outputFile('OutputFile', DEFAULT_FILE_NAME) };
}
