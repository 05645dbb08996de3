import { PipelineVariable, suffixAfter } from './alm-variables';
import { parseBoolean } from './task-inputs';
import { normalise } from './variables';

/**
 * The ALM Accelerator's per-flow variables, `<prefix>.<flowname>.<workflowid>`:
 * `activateflow.activate.*` (true/false), `activateflow.activateas.*` (UPN or object id),
 * `owner.ownerEmail.*` (UPN or object id) and `activateflow.order.*` (ignored: the order comes
 * from the flows' definitions). The suffix names a flow by the workflow id at its end; without a
 * GUID there, by display name.
 */

export interface FlowIdentity {
  workflowId: string;
  name: string;
}

export type AlmFlowSetting = 'activate' | 'activateAs' | 'ownerEmail';

export interface AlmFlowSettings {
  workflowId: string;
  /** `activateflow.activate.*`: false = turn off or leave off. */
  activate?: boolean;
  /** `activateflow.activateas.*`: the user to turn the flow on as. */
  activateAs?: string;
  /** `owner.ownerEmail.*`: the flow's owner. */
  ownerEmail?: string;
  /** The variable each setting came from, for messages. */
  sources: Partial<Record<AlmFlowSetting, string>>;
}

export type AlmFlowProblem =
  /** The workflow id at the end of the name is not a flow of the solution(s). */
  | { kind: 'unknownWorkflowId'; variable: string; workflowId: string }
  /** No GUID at the end, and no flow has that display name. */
  | { kind: 'unknownFlowName'; variable: string; flowName: string }
  /** No GUID at the end, and several flows have that display name. */
  | { kind: 'ambiguousFlowName'; variable: string; flowName: string; workflowIds: string[] }
  /** `activateflow.activate.*` that is neither true nor false. */
  | { kind: 'invalidBoolean'; variable: string; value: string };

export interface AlmFlowVariables {
  /** Keyed by lower-case workflow id; only flows with at least one setting. */
  flows: Map<string, AlmFlowSettings>;
  /** Names of the `activateflow.order.*` variables, which are ignored. */
  orderVariables: string[];
  problems: AlmFlowProblem[];
}

const PREFIXES: ReadonlyArray<{ prefix: string; setting: AlmFlowSetting | 'order' }> = [
  { prefix: 'activateflow.activate.', setting: 'activate' },
  { prefix: 'activateflow.activateas.', setting: 'activateAs' },
  { prefix: 'activateflow.order.', setting: 'order' },
  { prefix: 'owner.ownerEmail.', setting: 'ownerEmail' },
];

const TRAILING_GUID = /(?:^|[._\s])([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

type FlowMatch = { workflowId: string; byId: boolean } | AlmFlowProblem;

/** Matches the `<flowname>.<workflowid>` suffix of a variable to one flow of the list. */
function matchFlow(suffix: string, variable: string, flows: readonly FlowIdentity[]): FlowMatch {
  const guid = TRAILING_GUID.exec(suffix);
  if (guid) {
    const workflowId = guid[1].toLowerCase();
    return flows.some((f) => f.workflowId.toLowerCase() === workflowId) ? { workflowId, byId: true } : { kind: 'unknownWorkflowId', variable, workflowId };
  }
  const wanted = normalise(suffix);
  const named = flows.filter((f) => normalise(f.name) === wanted);
  if (named.length === 1) return { workflowId: named[0].workflowId.toLowerCase(), byId: false };
  if (named.length === 0) return { kind: 'unknownFlowName', variable, flowName: suffix };
  return { kind: 'ambiguousFlowName', variable, flowName: suffix, workflowIds: named.map((f) => f.workflowId.toLowerCase()) };
}

/**
 * Reads the per-flow variables from the pipeline's variables and matches each to a flow of
 * `flows`. A variable naming a flow by its workflow id wins over one naming it by display name;
 * empty values are ignored.
 */
export function readAlmFlowVariables(variables: readonly PipelineVariable[], flows: readonly FlowIdentity[]): AlmFlowVariables {
  const result: AlmFlowVariables = { flows: new Map(), orderVariables: [], problems: [] };
  const matchedById = new Set<string>();
  for (const variable of variables) {
    const found = PREFIXES.map((p) => ({ ...p, suffix: suffixAfter(variable.name, p.prefix) })).find((p) => p.suffix);
    if (!found?.suffix) continue;
    if (found.setting === 'order') {
      result.orderVariables.push(variable.name);
      continue;
    }
    const value = variable.value.trim();
    if (!value) continue;
    const match = matchFlow(found.suffix, variable.name, flows);
    if ('kind' in match) {
      result.problems.push(match);
      continue;
    }
    const activate = found.setting === 'activate' ? parseBoolean(value, true) : undefined;
    if (found.setting === 'activate' && activate === undefined) {
      result.problems.push({ kind: 'invalidBoolean', variable: variable.name, value });
      continue;
    }
    const settingKey = `${match.workflowId}|${found.setting}`;
    if (!match.byId && matchedById.has(settingKey)) continue;
    if (match.byId) matchedById.add(settingKey);

    const settings = result.flows.get(match.workflowId) ?? { workflowId: match.workflowId, sources: {} };
    if (found.setting === 'activate') settings.activate = activate;
    else settings[found.setting] = value;
    settings.sources[found.setting] = variable.name;
    result.flows.set(match.workflowId, settings);
  }
  return result;
}
