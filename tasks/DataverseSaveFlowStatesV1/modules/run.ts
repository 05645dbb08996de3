import { newReport, publishReport } from '../../common/report';
import { connect } from '../../common/session';
import { TaskHost } from '../../common/task-host';
import { TaskOutcome } from '../../common/task-runner';
import { writeFlowStates } from './apply';
import { gatherFlowStates } from './gather';
import { readInputs } from './inputs';
import { planFlowStates } from './plan';
import { FlowStateItem, Localize, markdownSummary, reportItems } from './report';

export const TASK_NAME = 'DataverseSaveFlowStates';
const REPORT_FILE_BASE = 'dataverse-save-flow-states';

/**
 * DataverseSaveFlowStates@1: reads the state of every cloud flow of the solution(s) and writes it
 * to the states file. It changes nothing in the environment.
 */
export async function run(host: TaskHost): Promise<TaskOutcome> {
  const inputs = readInputs(host);
  const loc: Localize = (key, ...args) => host.loc(key, ...args);
  const session = await connect(host);
  try {
    const environment = session.environment.url;
    const takenAt = new Date().toISOString();
    const gathered = await gatherFlowStates(session.dataverse, inputs.solutionNames);
    const notInstalled = gathered.solutions.filter((s) => !s.installed).map((s) => s.name);
    for (const name of notInstalled) host.remoteInfo(loc('SolutionNotInstalled', name, environment));

    const solutions = gathered.solutions.map((s) => s.name);
    const plan = planFlowStates({ environment, solutions, takenAt, flows: gathered.flows });
    const { counts } = plan;
    host.remoteInfo(loc('FlowStatesGathered', plan.states.flows.length, solutions.join(', '), counts.on, counts.off, counts.suspended));
    for (const flow of plan.unknown) host.warning(loc('FlowStateUnknown', flow.name, flow.workflowId, flow.statecode));

    writeFlowStates(inputs.outputFile, plan.states);
    host.setOutput('FlowStatesFile', inputs.outputFile);
    host.info(loc('FlowStatesWritten', inputs.outputFile));

    const report = newReport<FlowStateItem>(TASK_NAME, environment, false);
    report.identity = { objectId: session.identity.objectId, name: session.identity.name, userId: session.identity.userId };
    report.solutions = solutions;
    report.notInstalled = notInstalled;
    report.takenAt = takenAt;
    report.flowStatesFile = inputs.outputFile;
    report.counts = counts;
    const items = reportItems(plan.states);
    report.items = items;
    const markdown = markdownSummary(items, { solutions, notInstalled, environmentHost: session.environment.host, takenAt, counts }, loc);
    publishReport(host, report, { fileBase: REPORT_FILE_BASE, markdown });
    return { result: 'Succeeded', message: loc('ResultRecorded', items.length, counts.on, counts.off, counts.suspended, inputs.outputFile) };
  } finally {
    session.close();
  }
}
