import { TaskHost } from './task-host';
import { connect } from './session';
import { markdownTable, newReport, publishReport } from './report';
import { TaskOutcome } from './task-runner';

/** Connects with the service connection and reports the environment, organisation and identity. */
export async function reportConnection(host: TaskHost, taskName: string, fileBase: string): Promise<TaskOutcome> {
  const session = await connect(host);
  try {
    const report = newReport(taskName, session.environment.url, true);
    report.identity = { objectId: session.identity.objectId, name: session.identity.name, userId: session.identity.userId };
    report.organization = session.organizationName;
    const markdown = [
      `## ${taskName}`,
      '',
      markdownTable(['Environment', 'Organisation', 'Acting as', 'Object id'], [[session.environment.url, session.organizationName, session.identity.name, session.identity.objectId]]),
      '',
    ].join('\n');
    publishReport(host, report, { fileBase, markdown });
    return { result: 'Succeeded' };
  } finally {
    session.close();
  }
}
