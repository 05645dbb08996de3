import { UserError } from '../../common/errors';
import { TaskHost } from '../../common/task-host';
import { ImpersonationMode } from './plan';

export interface ActivateInputs {
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
  const solutionName = host.input('SolutionName');
  if (!solutionName) throw new UserError(host.loc('InputRequired', 'SolutionName', host.loc('SolutionNameHelp')));

  const impersonation = pick(host, 'Impersonation', ['Auto', 'ConnectionOwner', 'User', 'None'] as const, 'Auto');
  const impersonateUser = host.input('ImpersonateUser');
  if (impersonation === 'User' && !impersonateUser) throw new UserError(host.loc('InputRequired', 'ImpersonateUser', host.loc('ImpersonateUserHelp')));

  return {
    solutionName,
    flows: lines(host.input('Flows')),
    flowsToTurnOff: lines(host.input('FlowsToTurnOff')),
    impersonation,
    impersonateUser: impersonation === 'User' ? impersonateUser : undefined,
    maxParallel: parseMaxParallel(host),
    errorHandling: pick(host, 'ErrorHandling', ['Fail', 'Warn'] as const, 'Fail'),
    dryRun: parseBoolean(host, 'DryRun'),
  };
}

function lines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function parseMaxParallel(host: TaskHost): number {
  const raw = host.input('MaxParallel');
  if (raw === undefined) return DEFAULT_MAX_PARALLEL;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(value) || value < 1 || value > MAX_PARALLEL_LIMIT) {
    throw new UserError(host.loc('InputInvalid', 'MaxParallel', host.loc('MaxParallelInvalid', raw, MAX_PARALLEL_LIMIT)));
  }
  return value;
}

function pick<T extends string>(host: TaskHost, name: string, options: readonly T[], fallback: T): T {
  const raw = host.input(name);
  if (raw === undefined) return fallback;
  const match = options.find((option) => option.toLowerCase() === raw.toLowerCase());
  if (!match) throw new UserError(host.loc('InputInvalid', name, host.loc('OptionInvalid', raw, options.join(', '))));
  return match;
}

function parseBoolean(host: TaskHost, name: string): boolean {
  const raw = host.input(name);
  if (raw === undefined) return false;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new UserError(host.loc('InputInvalid', name, host.loc('OptionInvalid', raw, 'true, false')));
}
