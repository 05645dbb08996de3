import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import * as taskInternal from 'azure-pipelines-task-lib/internal';
import { neutralise } from './remote-text';

export interface EndpointAuthorization {
  scheme: string;
  parameters: Record<string, string>;
}

export interface VariableEntry {
  name: string;
  value: string;
  secret: boolean;
}

/**
 * Everything a task needs from the agent, behind one small interface so that the task logic can
 * be exercised in-process with a fake host. The agent implementation goes through task-lib only.
 */
export interface TaskHost {
  input(name: string): string | undefined;
  /** A filePath input; undefined when not given (the agent passes the sources folder for an empty filePath). */
  filePathInput(name: string): string | undefined;
  variable(name: string): string | undefined;
  variables(): VariableEntry[];
  endpointUrl(id: string): string | undefined;
  endpointAuthorization(id: string): EndpointAuthorization | undefined;
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  info(message: string): void;
  /** Text that came from a remote service; command markers are neutralised. */
  remoteInfo(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  uploadSummary(filePath: string): void;
  loc(key: string, ...args: unknown[]): string;
  tempDirectory(): string;
  /** The options task.json declares for a pickList input; undefined when unknown. */
  inputOptions?(name: string): string[] | undefined;
  /** Name, version (major.minor.patch) and output variable names from the loaded task.json. */
  taskInfo?(): TaskInfo;
  /** Publishes a JUnit result file to the run's Tests tab. */
  publishJUnit?(file: string, runTitle: string): void;
  /** Whether an output variable has been set in this run. */
  outputWasSet?(name: string): boolean;
}

export interface TaskInfo {
  name: string;
  version: string;
  outputs: string[];
}

/** A `$(Name)` macro the agent could not resolve reaches the task literally. */
export function isUnresolvedMacro(value: string): boolean {
  return /^\$\([^)]+\)$/.test(value.trim());
}

export interface TaskDefinition {
  name?: string;
  version?: { Major: number; Minor: number; Patch: number };
  inputs?: Array<{ name: string; options?: Record<string, string> }>;
  outputVariables?: Array<{ name: string }>;
}

export class AgentTaskHost implements TaskHost {
  /** @param definition the task.json the task loaded its messages from */
  constructor(private readonly definition: TaskDefinition = {}) {}

  private readonly outputs = new Set<string>();

  taskInfo(): TaskInfo {
    const v = this.definition.version;
    return {
      name: this.definition.name ?? 'task',
      version: v ? `${v.Major}.${v.Minor}.${v.Patch}` : '0.0.0',
      outputs: (this.definition.outputVariables ?? []).map((output) => output.name),
    };
  }

  publishJUnit(file: string, runTitle: string): void {
    new tl.TestPublisher('JUnit').publish([file], 'false', '', '', runTitle, 'false');
  }

  outputWasSet(name: string): boolean {
    return this.outputs.has(name);
  }

  inputOptions(name: string): string[] | undefined {
    const input = this.definition.inputs?.find((candidate) => candidate.name === name);
    return input?.options ? Object.keys(input.options) : undefined;
  }

  input(name: string): string | undefined {
    // Read as task-lib's getInput does, without its debug line: an input can carry hostile text
    // from a variable, and everything printed goes through the neutralising writer.
    const value = taskInternal._vault.retrieveSecret(`INPUT_${taskInternal._getVariableKey(name)}`);
    if (value === undefined || value === null) return undefined;
    const trimmed = value.trim();
    if (trimmed === '' || isUnresolvedMacro(trimmed)) return undefined;
    return trimmed;
  }

  filePathInput(name: string): string | undefined {
    const value = this.input(name);
    if (value === undefined) return undefined;
    const defaults = ['System.DefaultWorkingDirectory', 'Build.SourcesDirectory']
      .map((variable) => tl.getVariable(variable))
      .filter((dir): dir is string => !!dir)
      .map((dir) => path.resolve(dir));
    if (defaults.includes(path.resolve(value))) return undefined;
    return value;
  }

  variable(name: string): string | undefined {
    const key = taskInternal._getVariableKey(name);
    const known = taskInternal._knownVariableMap[key];
    // task-lib's getVariable debug-logs the value, secret or not, unneutralised: read as it does, without that line.
    const value = known?.secret ? taskInternal._vault.retrieveSecret(`SECRET_${key}`) : process.env[key];
    if (value === undefined || value === null || value === '') return undefined;
    // Registered before any caller can print, report or output it.
    if (known?.secret) this.setSecret(value);
    return value;
  }

  variables(): VariableEntry[] {
    return Object.values(taskInternal._knownVariableMap).map((info) => ({
      name: info.name,
      value: this.variable(info.name) ?? '',
      secret: info.secret,
    }));
  }

  endpointUrl(id: string): string | undefined {
    return tl.getEndpointUrl(id, true);
  }

  endpointAuthorization(id: string): EndpointAuthorization | undefined {
    const auth = tl.getEndpointAuthorization(id, true);
    if (!auth) return undefined;
    return { scheme: auth.scheme, parameters: { ...(auth.parameters ?? {}) } };
  }

  private readonly secrets = new Set<string>();

  setSecret(value: string): void {
    if (!value || this.secrets.has(value)) return;
    this.secrets.add(value);
    for (const line of value.split(/\r?\n/)) {
      if (line.trim()) tl.setSecret(line);
    }
  }

  setOutput(name: string, value: string): void {
    this.outputs.add(name);
    tl.setVariable(name, value, false, true);
  }

  /** The one route to the log: every line is neutralised, whatever its source. */
  info(message: string): void {
    process.stdout.write(`${neutralise(message)}\n`);
  }

  remoteInfo(message: string): void {
    this.info(message);
  }

  debug(message: string): void {
    tl.debug(neutralise(message));
  }

  warning(message: string): void {
    tl.warning(neutralise(message));
  }

  error(message: string): void {
    tl.error(neutralise(message));
  }

  uploadSummary(filePath: string): void {
    tl.uploadSummary(filePath);
  }

  loc(key: string, ...args: unknown[]): string {
    return tl.loc(key, ...args);
  }

  tempDirectory(): string {
    const dir = tl.getVariable('Agent.TempDirectory') || os.tmpdir();
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
}
