import { UserError } from '../../common/errors';
import { normaliseFlowId } from './definition';
import { FlowAction, FlowFacts, Localize, WantedReason } from './facts';
import { FlowState } from '../../common/flow-states-file';

export interface Selection {
  turnOn: Set<string>;
  turnOff: Set<string>;
  /** Why each selected flow is wanted in its state. */
  reasons: Map<string, WantedReason>;
}

export interface SelectionInput {
  solution: string;
  flows: readonly FlowFacts[];
  /** Lines of the `Flows` input; empty means every cloud flow of the solution. */
  flowsToTurnOn: readonly string[];
  /** Lines of the `FlowsToTurnOff` input. */
  flowsToTurnOff: readonly string[];
  /** The states file: recorded state by lower-case workflow id. */
  recordedStates?: ReadonlyMap<string, FlowState>;
  /** With a states file: what flows it does not know are wanted in. */
  newFlows?: 'On' | 'Off';
  /** Flows an `activateflow.activate.*` = false variable keeps off. */
  keptOffByVariable?: ReadonlySet<string>;
}

/**
 * Which flows are turned on and which off, from the `Flows` and `FlowsToTurnOff` inputs (display
 * name or workflow id, any case, braces allowed). A line that names no flow, or more than one, and
 * a flow in both inputs are input errors thrown before anything is written.
 */
export function selectFlows(input: SelectionInput, loc: Localize): Selection {
  const byName = new Map<string, string[]>();
  for (const flow of input.flows) {
    const key = flow.name.trim().toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), flow.id]);
  }
  const ids = new Set(input.flows.map((f) => f.id));
  const resolve = (inputName: string, lines: readonly string[]): Set<string> => {
    const selected = new Set<string>();
    const unknown: string[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      const asId = normaliseFlowId(line);
      if (ids.has(asId)) {
        selected.add(asId);
        continue;
      }
      const matches = byName.get(line.toLowerCase()) ?? [];
      if (matches.length === 1) selected.add(matches[0]);
      else if (matches.length > 1) throw new UserError(loc('FlowNameAmbiguous', inputName, line, matches.length, input.solution, matches.join(', ')));
      else unknown.push(line);
    }
    if (unknown.length > 0) {
      throw new UserError(loc('FlowsNotInSolution', inputName, unknown.map((u) => `'${u}'`).join(', '), input.solution));
    }
    return selected;
  };
  const turnOff = resolve('FlowsToTurnOff', input.flowsToTurnOff);
  const explicit = resolve('Flows', input.flowsToTurnOn);
  const both = [...explicit].filter((id) => turnOff.has(id));
  if (both.length > 0) {
    const names = both.map((id) => `'${input.flows.find((f) => f.id === id)?.name ?? id}'`).join(', ');
    throw new UserError(loc('FlowsInBothInputs', names));
  }
  return decideStates(input, turnOff, explicit);
}

/**
 * The precedence of the wanted states: FlowsToTurnOff (and `activateflow.activate.*` = false),
 * then Flows, then the states file (NewFlows for flows it does not know), then "on". Without a
 * states file, a non-empty Flows selects only the listed flows.
 */
function decideStates(input: SelectionInput, listedOff: ReadonlySet<string>, listedOn: ReadonlySet<string>): Selection {
  const selection: Selection = { turnOn: new Set(), turnOff: new Set(), reasons: new Map() };
  const want = (id: string, action: FlowAction, reason: WantedReason) => {
    (action === 'turnOn' ? selection.turnOn : selection.turnOff).add(id);
    selection.reasons.set(id, reason);
  };
  const recorded = input.recordedStates;
  for (const flow of input.flows) {
    const id = flow.id;
    if (listedOff.has(id)) want(id, 'turnOff', 'listedOff');
    else if (input.keptOffByVariable?.has(id)) want(id, 'turnOff', 'almVariable');
    else if (listedOn.has(id)) want(id, 'turnOn', 'listed');
    else if (recorded) {
      const state = recorded.get(id);
      if (state === 'on') want(id, 'turnOn', 'recordedOn');
      else if (state) want(id, 'turnOff', 'recordedOff');
      else want(id, input.newFlows === 'Off' ? 'turnOff' : 'turnOn', 'new');
    } else if (listedOn.size === 0) want(id, 'turnOn', 'default');
  }
  return selection;
}

export function actionOf(selection: Selection, flowId: string): FlowAction | undefined {
  return selection.turnOn.has(flowId) ? 'turnOn' : selection.turnOff.has(flowId) ? 'turnOff' : undefined;
}
