import { runTask } from '../common/task-runner';
import { runDeploymentSettings } from './modules/run';

void runTask(__dirname, runDeploymentSettings);
