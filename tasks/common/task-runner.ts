import * as fs from 'fs';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { AgentTaskHost, TaskHost } from './task-host';
import { PlatformError, UserError, errorMessage } from './errors';
import { neutraliseLine } from './remote-text';

export type TaskResultKind = 'Succeeded' | 'SucceededWithIssues' | 'Failed';

export interface TaskOutcome {
  result: TaskResultKind;
  message?: string;
}

/**
 * The entry of every task: loads the task's messages, runs its body, and turns whatever happens
 * into exactly one result with one clear message, never an unhandled exception.
 */
export async function runTask(taskDirectory: string, body: (host: TaskHost) => Promise<TaskOutcome>): Promise<void> {
  const taskJson = path.join(taskDirectory, 'task.json');
  tl.setResourcePath(taskJson, true);
  const host = new AgentTaskHost(readTaskDefinition(taskJson));
  try {
    const outcome = await body(host);
    if (outcome.result === 'Succeeded') tl.setResult(tl.TaskResult.Succeeded, outcome.message ?? '');
    else if (outcome.result === 'SucceededWithIssues') tl.setResult(tl.TaskResult.SucceededWithIssues, outcome.message ?? 'Completed with issues.');
    else tl.setResult(tl.TaskResult.Failed, outcome.message ?? 'Failed.');
  } catch (error) {
    tl.setResult(tl.TaskResult.Failed, failureMessage(host, error));
  }
}

export function failureMessage(host: TaskHost, error: unknown): string {
  if (error instanceof UserError) return neutraliseLine(error.message);
  if (error instanceof PlatformError) {
    return neutraliseLine(host.loc('RequestFailed', error.method, redactUrl(error.url), `${error.effectiveCode}: ${error.effectiveMessage}`));
  }
  if (error instanceof Error && error.stack) host.debug(error.stack);
  return neutraliseLine(host.loc('TaskFailed', errorMessage(error)));
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

function readTaskDefinition(file: string): ConstructorParameters<typeof AgentTaskHost>[0] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ConstructorParameters<typeof AgentTaskHost>[0];
  } catch {
    return {};
  }
}
