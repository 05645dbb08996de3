import { InputReader } from '../../common/input-reader';
import { TaskHost } from '../../common/task-host';
import { ImpersonationMode } from './plan';
import { StateInputs, readStateInputs } from './state-inputs';

export interface ActivateInputs extends StateInputs {
  solutionName: string;
  flows: string[];
  flowsToTurnOff: string[];
  impersonation: ImpersonationMode;
  impersonateUser?: string;
  maxParallel: number;
  errorHandling: 'Fail' | 'Warn';
  dryRun: boolean;
}

export const MAX_PARALLEL_LIMIT = 32;
const DEFAULT_MAX_PARALLEL = 8;

/** Reads and checks every input before anything is read from or written to the environment. */
export function readInputs(host: TaskHost): ActivateInputs {
  const read = new InputReader(host);
  const solutionName = read.required('SolutionName', 'SolutionNameHelp');
  const impersonation = read.pick('Impersonation', ['Auto', 'ConnectionOwner', 'User', 'None'] as const, 'Auto');
  const impersonateUser = impersonation === 'User' ? read.required('ImpersonateUser', 'ImpersonateUserHelp') : undefined;
  if (impersonateUser !== undefined) read.user('ImpersonateUser');
  const common = {
    solutionName,
    flows: read.lines('Flows'),
    flowsToTurnOff: read.lines('FlowsToTurnOff'),
    impersonation,
    impersonateUser,
    maxParallel: read.integer('MaxParallel', { min: 1, max: MAX_PARALLEL_LIMIT, fallback: DEFAULT_MAX_PARALLEL, hintKey: 'MaxParallelInvalid' }),
    errorHandling: read.pick('ErrorHandling', ['Fail', 'Warn'] as const, 'Fail'),
    dryRun: read.boolean('DryRun', false),
  };
  return { ...common, ...readStateInputs(host) };
}
