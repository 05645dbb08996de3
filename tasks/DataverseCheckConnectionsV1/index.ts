import { runTask } from '../common/task-runner';
import { run } from './modules/run';

void runTask(__dirname, run);
