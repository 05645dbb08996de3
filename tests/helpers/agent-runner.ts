import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DIST_TASKS = path.join(REPO_ROOT, 'dist', 'tasks');

export type TaskFolder = 'DataverseDeploymentSettingsV1' | 'DataverseBindConnectionReferencesV1' | 'DataverseActivateFlowsV1' | 'DataverseSaveFlowStatesV1' | 'DataverseCheckConnectionsV1';

export interface EndpointSpec {
  id: string;
  url: string;
  scheme: string;
  parameters: Record<string, string>;
}

export interface AgentRunOptions {
  task: TaskFolder;
  /** Task folder to run from; defaults to the bundled dist/tasks/<task>. */
  taskDirectory?: string;
  inputs: Record<string, string>;
  endpoint?: EndpointSpec;
  variables?: Record<string, string>;
  secretVariables?: Record<string, string>;
  /** The job access token (SYSTEMVSSCONNECTION), for workload identity federation. */
  jobAccessToken?: string;
  caFile?: string;
  debug?: boolean;
  env?: Record<string, string>;
  workDirectory?: string;
  timeoutMs?: number;
}

export interface VsoCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
}

export interface AgentRunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  commands: VsoCommand[];
  result?: string;
  resultMessage?: string;
  errors: string[];
  warnings: string[];
  outputs: Record<string, string>;
  summaries: string[];
  /** Everything a pipeline user could read: the log (without setsecret commands), reports, summaries. */
  visibleText: string;
  workDirectory: string;
}

/** The agent's variable-to-environment mapping: `.` and space become `_`, upper case. */
export function envName(name: string): string {
  return name.replace(/[.\s]/g, '_').toUpperCase();
}

/**
 * Runs a task the way the agent does: a fresh `node index.js` with INPUT_*, ENDPOINT_*, variable
 * and SECRET_* environment, then parses the ##vso commands it printed.
 */
export async function runAgentTask(options: AgentRunOptions): Promise<AgentRunResult> {
  const taskDirectory = options.taskDirectory ?? path.join(DIST_TASKS, options.task);
  const workDirectory = options.workDirectory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'agent-'));
  const tempDirectory = path.join(workDirectory, '_temp');
  const sources = path.join(workDirectory, 's');
  fs.mkdirSync(tempDirectory, { recursive: true });
  fs.mkdirSync(sources, { recursive: true });

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? workDirectory,
    ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
  };
  const publicVariables: Record<string, string> = {
    'Agent.TempDirectory': tempDirectory,
    'Agent.WorkFolder': workDirectory,
    'System.DefaultWorkingDirectory': sources,
    'Build.SourcesDirectory': sources,
    'Agent.Version': '4.260.0',
    'System.Debug': options.debug === false ? 'false' : 'true',
    ...options.variables,
  };
  for (const [name, value] of Object.entries(publicVariables)) env[envName(name)] = value;
  env.VSTS_PUBLIC_VARIABLES = JSON.stringify(Object.keys(publicVariables));
  const secrets = options.secretVariables ?? {};
  for (const [name, value] of Object.entries(secrets)) env[`SECRET_${envName(name)}`] = value;
  env.VSTS_SECRET_VARIABLES = JSON.stringify(Object.keys(secrets));

  for (const [name, value] of Object.entries(options.inputs)) {
    // An unset filePath input reaches a task as the sources folder, as on a real agent.
    env[`INPUT_${envName(name)}`] = value === '<sources>' ? sources : value;
  }
  if (options.endpoint) {
    const { id, url, scheme, parameters } = options.endpoint;
    env[`ENDPOINT_URL_${id}`] = url;
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ scheme, parameters });
    env[`ENDPOINT_AUTH_SCHEME_${id}`] = scheme;
    for (const [key, value] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`] = value;
  }
  if (options.jobAccessToken) {
    env.ENDPOINT_URL_SYSTEMVSSCONNECTION = 'https://dev.azure.com/contoso/';
    env.ENDPOINT_AUTH_SYSTEMVSSCONNECTION = JSON.stringify({ scheme: 'OAuth', parameters: { AccessToken: options.jobAccessToken } });
    env.ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION = 'OAuth';
    env.ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN = options.jobAccessToken;
  }
  if (options.caFile) env.NODE_EXTRA_CA_CERTS = options.caFile;
  Object.assign(env, options.env);

  const { exitCode, stdout, stderr } = await spawnNode(path.join(taskDirectory, 'index.js'), env, workDirectory, options.timeoutMs ?? 120_000);
  const commands = parseCommands(stdout);
  const outputs: Record<string, string> = {};
  const errors: string[] = [];
  const warnings: string[] = [];
  const summaries: string[] = [];
  let result: string | undefined;
  let resultMessage: string | undefined;
  for (const command of commands) {
    if (command.name === 'task.setvariable') outputs[command.properties.variable] = command.data;
    if (command.name === 'task.issue' || command.name === 'task.logissue') {
      (command.properties.type === 'error' ? errors : warnings).push(command.data);
    }
    if (command.name === 'task.uploadsummary') summaries.push(fs.existsSync(command.data) ? fs.readFileSync(command.data, 'utf8') : '');
    if (command.name === 'task.complete') {
      result = command.properties.result;
      resultMessage = command.data;
    }
  }
  const reportText = outputs.ReportFile && fs.existsSync(outputs.ReportFile) ? fs.readFileSync(outputs.ReportFile, 'utf8') : '';
  const logWithoutSecretCommands = `${stdout}\n${stderr}`
    .split(/\r?\n/)
    .filter((line) => !line.includes('##vso[task.setsecret]'))
    .join('\n');
  const visibleText = [logWithoutSecretCommands, reportText, ...summaries].join('\n');
  return { exitCode, stdout, stderr, commands, result, resultMessage, errors, warnings, outputs, summaries, visibleText, workDirectory };
}

function spawnNode(script: string, env: Record<string, string>, cwd: string, timeoutMs: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`task did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

function unescapeValue(value: string): string {
  return value.replace(/%AZP25/g, '%').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%5D/g, ']').replace(/%3B/g, ';');
}

export function parseCommands(stdout: string): VsoCommand[] {
  const commands: VsoCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /##vso\[([\w.]+)([^\]]*)\](.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of match[2].trim().split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeValue(pair.slice(eq + 1));
    }
    commands.push({ name: match[1], properties, data: unescapeValue(match[3]) });
  }
  return commands;
}

const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/** Fails when a secret, or anything shaped like a token, is visible in the log, the report or the summary. */
export function assertNoSecretsVisible(run: AgentRunResult, secrets: Array<string | undefined>): void {
  for (const secret of secrets) {
    if (!secret) continue;
    if (run.visibleText.includes(secret)) throw new Error(`a secret is visible in the task output: ${secret.slice(0, 3)}…`);
  }
  const token = JWT_SHAPE.exec(run.visibleText);
  if (token) throw new Error(`a token is visible in the task output: ${token[0].slice(0, 12)}…`);
}

export function describeRun(run: AgentRunResult): string {
  return `result=${run.result} message=${run.resultMessage}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}
