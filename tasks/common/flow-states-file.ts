import * as fs from 'fs';
import { decodeText } from './text-encoding';
import { UserError } from './errors';
import { isGuid } from './task-inputs';

/**
 * The flow states file: what `DataverseSaveFlowStates@1` writes before an import and the
 * activation reads after it. Version 1:
 * `{"schemaVersion": 1, "environment", "solutions", "takenAt", "flows": [{"workflowId", "name", "state"}]}`.
 */
export const FLOW_STATES_SCHEMA_VERSION = 1;
export const FLOW_STATES = ['on', 'off', 'suspended'] as const;
export type FlowState = (typeof FLOW_STATES)[number];

/** A larger file is not a states file: it is refused before it is read. */
export const MAX_FLOW_STATES_FILE_BYTES = 16 * 1024 * 1024;

export interface RecordedFlowState {
  workflowId: string;
  name: string;
  state: FlowState;
}

export interface FlowStates {
  schemaVersion: typeof FLOW_STATES_SCHEMA_VERSION;
  environment: string;
  solutions: string[];
  takenAt: string;
  flows: RecordedFlowState[];
}

/** Workflow `statecode`: 0 Draft (off), 1 Activated (on), 2 Suspended. Anything else is unknown. */
export function flowStateOf(statecode: number): FlowState | undefined {
  return statecode === 0 ? 'off' : statecode === 1 ? 'on' : statecode === 2 ? 'suspended' : undefined;
}

/** Fixed key order, 2-space indent, flows as given. */
export function serializeFlowStates(states: FlowStates): string {
  const ordered = {
    schemaVersion: FLOW_STATES_SCHEMA_VERSION,
    environment: states.environment,
    solutions: states.solutions,
    takenAt: states.takenAt,
    flows: states.flows.map((f) => ({ workflowId: f.workflowId, name: f.name, state: f.state })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Environment URLs are compared by origin, whatever their case or trailing slash. */
export function sameEnvironment(a: string, b: string): boolean {
  const origin = (url: string) => {
    try {
      return new URL(url).origin.toLowerCase();
    } catch {
      return url.trim().toLowerCase().replace(/\/+$/, '');
    }
  };
  return origin(a) === origin(b);
}

export interface FlowStatesText {
  /** The one message for a file that cannot be used; `reason` says why. */
  invalid(reason: string): string;
  /** The message for a file taken in another environment. */
  otherEnvironment(recorded: string, expected: string): string;
}

/** Parses and checks the text of a states file; `expectedEnvironment` is the environment it must come from. */
export function parseFlowStates(text: string, expectedEnvironment: string, messages: FlowStatesText): FlowStates {
  const fail = (reason: string): never => {
    throw new UserError(messages.invalid(reason));
  };
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return fail('it is not valid JSON');
  }
  if (!isObject(value)) return fail('it must be a JSON object');
  if (value.schemaVersion !== FLOW_STATES_SCHEMA_VERSION) {
    return fail(`its schemaVersion is ${JSON.stringify(value.schemaVersion) ?? 'missing'}, and this version reads ${FLOW_STATES_SCHEMA_VERSION}`);
  }
  const environment = value.environment;
  if (typeof environment !== 'string' || !isHttpsUrl(environment)) return fail("'environment' must be the https URL of the environment it was taken in");
  if (!sameEnvironment(environment, expectedEnvironment)) throw new UserError(messages.otherEnvironment(environment, expectedEnvironment));
  const solutions = value.solutions;
  if (!Array.isArray(solutions) || !solutions.every((s) => typeof s === 'string' && s.trim() !== '')) return fail("'solutions' must be a list of solution names");
  const takenAt = value.takenAt;
  if (typeof takenAt !== 'string' || Number.isNaN(Date.parse(takenAt))) return fail("'takenAt' must be an ISO 8601 date and time");
  if (!Array.isArray(value.flows)) return fail("'flows' must be a list");

  const seen = new Set<string>();
  const flows = value.flows.map((entry: unknown, index: number): RecordedFlowState => {
    if (!isObject(entry)) return fail(`flows[${index}] must be an object`);
    const { workflowId, name, state } = entry;
    if (typeof workflowId !== 'string' || !isGuid(workflowId)) return fail(`flows[${index}].workflowId must be a workflow id (GUID)`);
    if (typeof name !== 'string') return fail(`flows[${index}].name must be a string`);
    if (typeof state !== 'string' || !(FLOW_STATES as readonly string[]).includes(state)) return fail(`flows[${index}].state must be one of ${FLOW_STATES.join(', ')}`);
    const id = workflowId.toLowerCase();
    if (seen.has(id)) return fail(`the workflow id ${id} is listed twice`);
    seen.add(id);
    return { workflowId: id, name, state: state as FlowState };
  });
  return { schemaVersion: FLOW_STATES_SCHEMA_VERSION, environment, solutions: solutions as string[], takenAt, flows };
}

/** Reads a states file (UTF-8 with or without BOM, or UTF-16 with BOM), bounded in size, and parses it. */
export function readFlowStatesFile(filePath: string, expectedEnvironment: string, messages: FlowStatesText): FlowStates {
  let size: number;
  try {
    const stat = fs.statSync(filePath);
    if (!stat.isFile()) throw new UserError(messages.invalid('it is not a file'));
    size = stat.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(messages.invalid('the file does not exist'));
  }
  if (size > MAX_FLOW_STATES_FILE_BYTES) {
    throw new UserError(messages.invalid(`it is ${size} bytes, more than the ${MAX_FLOW_STATES_FILE_BYTES} a states file can be`));
  }
  return parseFlowStates(decodeText(fs.readFileSync(filePath)), expectedEnvironment, messages);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
