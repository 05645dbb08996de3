import { runTask } from '../common/task-runner';
import { bindConnectionReferences } from './modules/bind-task';

void runTask(__dirname, bindConnectionReferences);
