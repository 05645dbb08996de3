import * as fs from 'fs';
import * as path from 'path';
import * as assert from 'assert';
import { UserError } from '../../tasks/common/errors';
import { FLOW_PROBLEMS } from '../../tasks/common/problems/flow';
import { FlowFacts } from '../../tasks/DataverseActivateFlowsV1/modules/facts';
import { actionOf, selectFlows } from '../../tasks/DataverseActivateFlowsV1/modules/plan-selection';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const flow = (n: number, name: string): FlowFacts => ({ id: id(n), name, statecode: 0, definition: { connectionReferences: [], connectors: {}, childFlowIds: [] } });
const flows = [flow(1, 'Alpha'), flow(2, 'Beta'), flow(3, 'Gamma')];
const select = (on: string[], off: string[] = []) => selectFlows({ solution: 'Core', flows, flowsToTurnOn: on, flowsToTurnOff: off }, loc);

describe('activate: selection of flows', () => {
  it('takes every flow but the ones to turn off when Flows is empty', () => {
    const selection = select([], ['BETA']);
    assert.deepStrictEqual([...selection.turnOn], [id(1), id(3)]);
    assert.deepStrictEqual([actionOf(selection, id(2)), actionOf(selection, id(1))], ['turnOff', 'turnOn']);
  });

  it('takes only the listed flows, by name or id (braces, any case)', () => {
    const selection = select(['gamma', `{${id(1).toUpperCase()}}`]);
    assert.deepStrictEqual([...selection.turnOn].sort(), [id(1), id(3)]);
    assert.strictEqual(actionOf(selection, id(2)), undefined);
  });

  it('throws an input error for an unknown name, naming every unknown one', () => {
    assert.throws(() => select(['Delta', 'Alpha', 'Epsilon']), (e: unknown) => e instanceof UserError && /'Delta', 'Epsilon'/.test(e.message));
  });
});

describe('activate: flow problem catalogue', () => {
  it('has every message and hint of a flow problem in the activation task.json', () => {
    const file = path.join(__dirname, '..', '..', '..', 'tasks', 'DataverseActivateFlowsV1', 'task.json');
    const messages = (JSON.parse(fs.readFileSync(file, 'utf8')) as { messages: Record<string, string> }).messages;
    for (const [kind, spec] of Object.entries(FLOW_PROBLEMS)) {
      assert.ok(messages[spec.messageKey], `${kind}: ${spec.messageKey}`);
      assert.ok(messages[spec.hintKey], `${kind}: ${spec.hintKey}`);
    }
  });
});
