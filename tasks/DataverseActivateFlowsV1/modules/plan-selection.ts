import { UserError } from '../../common/errors';
import { normaliseFlowId } from './definition';
import { FlowAction, FlowFacts, Localize } from './facts';

export interface Selection {
  turnOn: Set<string>;
  turnOff: Set<string>;
}

export interface SelectionInput {
  solution: string;
  flows: readonly FlowFacts[];
  /** Lines of the `Flows` input; empty means every cloud flow of the solution. */
  flowsToTurnOn: readonly string[];
  /** Lines of the `FlowsToTurnOff` input. */
  flowsToTurnOff: readonly string[];
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
  const turnOn = explicit.size > 0 ? explicit : new Set(input.flows.map((f) => f.id).filter((id) => !turnOff.has(id)));
  return { turnOn, turnOff };
}

export function actionOf(selection: Selection, flowId: string): FlowAction | undefined {
  return selection.turnOn.has(flowId) ? 'turnOn' : selection.turnOff.has(flowId) ? 'turnOff' : undefined;
}
