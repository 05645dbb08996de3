import { runTask } from '../common/task-runner';
import { activateFlows } from './modules/activate';

void runTask(__dirname, activateFlows);
