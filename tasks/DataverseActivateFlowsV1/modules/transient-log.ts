import { TaskHost } from '../../common/task-host';
import { FlowResult, RetryReason } from './apply';
import { MISSING_CONNECTION_WAIT_MS } from './classify';
import { CHILD_PUBLICATION_WAIT_MS } from './child-publication';
import { Localize } from './facts';
import { PlannedFlow } from './plan';

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Says why a flow is sent again, and when. */
export function logRetry(host: TaskHost, flow: PlannedFlow, reason: RetryReason, delayMs: number, loc: Localize): void {
  if (reason === 'lostResponse') host.remoteInfo(loc('FlowResentAfterRead', flow.name));
  else if (reason === 'savedBinding') host.remoteInfo(loc('SavedBindingWait', flow.name, seconds(delayMs), seconds(MISSING_CONNECTION_WAIT_MS)));
  else host.remoteInfo(loc('ChildPublicationWait', flow.name, flow.children.length, seconds(delayMs), seconds(CHILD_PUBLICATION_WAIT_MS)));
}

/** Says what a flow waited for and how long, once it is settled. */
export function logWaits(host: TaskHost, flow: PlannedFlow, result: FlowResult, loc: Localize): void {
  for (const wait of result.waits ?? []) {
    host.remoteInfo(loc('FlowWaited', flow.name, seconds(wait.durationMs), wait.attempts, loc(`WaitReason${wait.reason}`)));
  }
}
