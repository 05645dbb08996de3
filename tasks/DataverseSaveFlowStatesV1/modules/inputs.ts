import * as fs from 'fs';
import * as path from 'path';
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
const MACRO = /\$\([^)]+\)/;

/** Reads and checks every input before anything is read from the environment. */
export function readInputs(host: TaskHost): SaveInputs {
  // The service connection is checked first (as the other tasks do), so a step with no inputs names it.
  const read = new InputReader(host);
  read.required('PowerPlatformSPN', 'SpnRequiredHint');
  const names = read.list('SolutionName');
  if (names.length === 0) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNamesHelp')));
  const solutionNames = names.filter((name, index) => names.findIndex((other) => other.toLowerCase() === name.toLowerCase()) === index);
  return { solutionNames, outputFile: outputFilePath(host) };
}

/** OutputFile, or the default when it is not given or still holds an unresolved `$(...)` macro. */
function outputFilePath(host: TaskHost): string {
  const given = host.filePathInput('OutputFile');
  if (!given || MACRO.test(given)) return path.join(host.tempDirectory(), DEFAULT_FILE_NAME);
  const resolved = path.resolve(given);
  if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
    throw new UserError(host.loc('InputInvalid', 'OutputFile', host.loc('OutputFileIsFolder', given, path.join(given, DEFAULT_FILE_NAME))));
  }
  return resolved;
}
