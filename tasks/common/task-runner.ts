import * as fs from 'fs';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { AgentTaskHost, TaskDefinition, TaskHost } from './task-host';
import { PlatformError, UserError, errorMessage } from './errors';
import { neutraliseLine } from './remote-text';
import { TaskError, publishFailureReport } from './report';

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
    if (outcome.result === 'Failed') reportStopBeforePlan(host, { code: 'TaskFailed', message: outcome.message ?? host.loc('ResultFailed'), hint: null });
    if (outcome.result === 'Succeeded') tl.setResult(tl.TaskResult.Succeeded, outcome.message ?? '');
    else if (outcome.result === 'SucceededWithIssues') tl.setResult(tl.TaskResult.SucceededWithIssues, outcome.message ?? host.loc('ResultCompletedWithIssues'));
    else tl.setResult(tl.TaskResult.Failed, outcome.message ?? host.loc('ResultFailed'));
  } catch (error) {
    const message = failureMessage(host, error);
    reportStopBeforePlan(host, { code: errorCode(error), message, hint: null });
    tl.setResult(tl.TaskResult.Failed, message);
  }
}

/** A task that failed without writing its report still leaves one (items: [], the error) and zeroed counts. */
function reportStopBeforePlan(host: AgentTaskHost, error: TaskError): void {
  if (host.outputWasSet('ReportFile')) return;
  try {
    publishFailureReport(host, error);
  } catch (reportError) {
    host.warning(host.loc('ReportNotWritten', errorMessage(reportError)));
  }
}

/** The stable code of a task-level failure: the platform's code, or the kind of the task's own error. */
function errorCode(error: unknown): string {
  if (error instanceof PlatformError) return error.effectiveCode;
  if (error instanceof UserError) return 'InvalidConfiguration';
  return 'TaskFailed';
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

function readTaskDefinition(file: string): TaskDefinition {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TaskDefinition;
  } catch {
    return {};
  }
}
