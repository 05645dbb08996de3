import { runTask } from '../common/task-runner';
import { reportConnection } from '../common/connection-check';

void runTask(__dirname, (host) => reportConnection(host, 'DataverseActivateFlows', 'dataverse-activate-flows'));
