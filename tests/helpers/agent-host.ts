import * as fs from 'fs';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import * as taskInternal from 'azure-pipelines-task-lib/internal';
import { AgentTaskHost } from '../../tasks/common/task-host';
import { DIST_TASKS } from './agent-runner';

/**
 * The real agent host of a bundled task, in-process: inputs and variables reach task-lib through
 * the environment exactly as the agent passes them (INPUT_*, SECRET_*, plain variables), and the
 * messages come from the bundled task.json.
 */
export function agentHost(task: string, options: { inputs: Record<string, string>; variables?: Record<string, string>; secretVariables?: Record<string, string>; tempDirectory: string }): AgentTaskHost {
  for (const key of Object.keys(process.env)) if (/^(INPUT|SECRET)_/.test(key)) delete process.env[key];
  for (const [name, value] of Object.entries(options.inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  process.env.AGENT_TEMPDIRECTORY = options.tempDirectory;
  for (const [name, value] of Object.entries(options.variables ?? {})) process.env[name.replace(/\./g, '_').toUpperCase()] = value;
  for (const [name, value] of Object.entries(options.secretVariables ?? {})) process.env[`SECRET_${name.replace(/\./g, '_').toUpperCase()}`] = value;
  const taskJson = path.join(DIST_TASKS, task, 'task.json');
  quietly(() => {
    taskInternal._loadData();
    process.env.TASKLIB_INPROC_UNITS = '1';
    try {
      tl.setResourcePath(taskJson, true);
    } finally {
      delete process.env.TASKLIB_INPROC_UNITS;
    }
  });
  return new AgentTaskHost(JSON.parse(fs.readFileSync(taskJson, 'utf8')) as ConstructorParameters<typeof AgentTaskHost>[0]);
}

/** Runs `body` with task-lib's debug lines kept out of the test output. */
export function quietly<T>(body: () => T): T {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return body();
  } finally {
    process.stdout.write = write;
  }
}

/** Runs `body` and returns what it wrote to stdout (the agent's command lines included). */
export function capture<T>(body: () => T): { result: T; output: string } {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: body(), output: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}
