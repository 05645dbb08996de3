import * as assert from 'assert';
import { FlowState } from '../../tasks/common/flow-states-file';
import { FlowFacts, PlanInput, PlannedFlow, UserFacts, buildPlan } from '../../tasks/DataverseActivateFlowsV1/modules/plan';
import { selectFlows } from '../../tasks/DataverseActivateFlowsV1/modules/plan-selection';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const IMPORTER = 'cccccccc-0000-4000-8000-000000000001';
const OWNER: UserFacts = { objectId: 'a11ce000-0000-4000-8000-000000000001', systemUserId: 'dddddddd-0000-4000-8000-000000000001', upn: 'alice@contoso.com' };
const RUNNER: UserFacts = { objectId: 'b0b00000-0000-4000-8000-000000000002', systemUserId: 'dddddddd-0000-4000-8000-000000000002', upn: 'bob@contoso.com' };

function flow(n: number, name: string, statecode: number, children: number[] = []): FlowFacts {
  return { id: id(n), name, statecode, ownerId: IMPORTER, definition: { connectionReferences: [], connectors: {}, childFlowIds: children.map(id) } };
}

const flows = [flow(1, 'Recorded on', 0), flow(2, 'Recorded off', 1), flow(3, 'Recorded suspended', 2), flow(4, 'New', 0), flow(5, 'Listed', 0), flow(6, 'Variable off', 1)];
const recorded = new Map<string, FlowState>([
  [id(1), 'on'],
  [id(2), 'off'],
  [id(3), 'suspended'],
  [id(5), 'off'],
  [id(6), 'on'],
]);

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return { solution: 'Core', flows, flowsToTurnOn: [], flowsToTurnOff: [], references: [], impersonation: 'None', servicePrincipalObjectId: 'aaaaaaaa-0000-4000-8000-000000000000', ...overrides };
}
const byName = (planned: PlannedFlow[]) => new Map(planned.map((f) => [f.name, f]));

describe('activate: wanted states from FlowsToTurnOff, Flows, the states file and NewFlows', () => {
  it('follows the precedence and says why for every flow', () => {
    const selection = selectFlows({ ...input(), flowsToTurnOn: ['Listed'], recordedStates: recorded, newFlows: 'On', keptOffByVariable: new Set([id(6)]) }, loc);
    const reasons = Object.fromEntries(flows.map((f) => [f.name, `${selection.turnOn.has(f.id) ? 'on' : 'off'}:${selection.reasons.get(f.id)}`]));
    assert.deepStrictEqual(reasons, {
      'Recorded on': 'on:recordedOn',
      'Recorded off': 'off:recordedOff',
      'Recorded suspended': 'off:recordedOff',
      New: 'on:new',
      Listed: 'on:listed',
      'Variable off': 'off:almVariable',
    });
  });

  it('lets FlowsToTurnOff win over the variables and the file; NewFlows Off leaves new flows off', () => {
    const selection = selectFlows({ ...input(), flowsToTurnOff: ['Recorded on', 'Variable off'], recordedStates: recorded, newFlows: 'Off', keptOffByVariable: new Set([id(6)]) }, loc);
    assert.strictEqual(selection.reasons.get(id(1)), 'listedOff');
    assert.strictEqual(selection.reasons.get(id(6)), 'listedOff');
    assert.ok(selection.turnOff.has(id(4)));
    assert.strictEqual(selection.reasons.get(id(4)), 'new');
  });

  it('without a states file: every flow on (default), or only the listed ones', () => {
    assert.strictEqual(selectFlows(input(), loc).reasons.get(id(4)), 'default');
    const listed = selectFlows({ ...input(), flowsToTurnOn: ['Listed'] }, loc);
    assert.deepStrictEqual([...listed.turnOn], [id(5)]);
    assert.strictEqual(listed.reasons.get(id(4)), undefined);
  });

  it('leaves a suspended flow that is wanted off as it is', () => {
    const plan = byName(buildPlan(input({ recordedStates: recorded }), loc).flows);
    assert.strictEqual(plan.get('Recorded suspended')?.outcome, 'alreadyInState');
    assert.strictEqual(plan.get('Recorded off')?.outcome, 'pending');
    assert.strictEqual(plan.get('Recorded off')?.action, 'turnOff');
  });
});

describe('activate: flow owners and per-flow identities', () => {
  const owners = new Map(flows.map((f) => [f.id, OWNER]));

  it('assigns the flows to turn on that are off, and keeps the owner of a flow that is on', () => {
    const onAlready = flow(7, 'On already', 1);
    const plan = byName(buildPlan(input({ flows: [...flows, onAlready], ownerTargets: new Map([...owners, [onAlready.id, OWNER]]), ownerLabels: new Map([[IMPORTER, 'importer@contoso.com']]) }), loc).flows);
    assert.deepStrictEqual(plan.get('New')?.owner, { from: 'importer@contoso.com', to: OWNER.upn, fromSystemUserId: IMPORTER, toSystemUserId: OWNER.systemUserId });
    assert.deepStrictEqual(plan.get('On already')?.ownerKept, { owner: 'importer@contoso.com', wanted: OWNER.upn });
    assert.strictEqual(plan.get('On already')?.owner, undefined);
    assert.strictEqual(plan.get('Variable off')?.owner, undefined, 'a flow turned off is not assigned');
  });

  it('does not assign a flow its owner already owns', () => {
    const owned = { ...flow(8, 'Owned', 0), ownerId: OWNER.systemUserId };
    const plan = byName(buildPlan(input({ flows: [owned], ownerTargets: new Map([[owned.id, OWNER]]) }), loc).flows);
    assert.strictEqual(plan.get('Owned')?.owner, undefined);
    assert.strictEqual(plan.get('Owned')?.ownerKept, undefined);
  });

  it('turns a flow on as its activateas user whatever Impersonation says, and only that flow', () => {
    const plan = byName(buildPlan(input({ activateAs: new Map([[id(4), RUNNER]]), users: [RUNNER] }), loc).flows);
    assert.deepStrictEqual(plan.get('New')?.actor, { kind: 'user', objectId: RUNNER.objectId, reason: 'activateAs' });
    assert.strictEqual(plan.get('New')?.actorName, RUNNER.upn);
    assert.deepStrictEqual(plan.get('Listed')?.actor, { kind: 'servicePrincipal' });
  });
});
