import * as assert from 'assert';
import { planFlowStates } from '../../tasks/DataverseSaveFlowStatesV1/modules/plan';
import { markdownSummary, reportItems } from '../../tasks/DataverseSaveFlowStatesV1/modules/report';

const ENV = 'https://contoso-test.crm.dynamics.com';
const TAKEN_AT = '2026-11-30T12:00:00.000Z';
const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;

const flows = [
  { workflowId: 'F0000000-0000-4000-8000-000000000003', name: 'Beta', statecode: 2 },
  { workflowId: 'f0000000-0000-4000-8000-000000000002', name: 'alpha', statecode: 0 },
  { workflowId: 'f0000000-0000-4000-8000-000000000001', name: 'Beta', statecode: 1 },
  { workflowId: 'f0000000-0000-4000-8000-000000000004', name: 'Odd', statecode: 7 },
];

describe('DataverseSaveFlowStates plan and report', () => {
  const plan = planFlowStates({ environment: ENV, solutions: ['ContosoCore', 'ContosoNew'], takenAt: TAKEN_AT, flows });

  it('records off, on and suspended from statecode 0, 1 and 2, sorted by name then workflow id', () => {
    assert.deepStrictEqual(plan.states, {
      schemaVersion: 1,
      environment: ENV,
      solutions: ['ContosoCore', 'ContosoNew'],
      takenAt: TAKEN_AT,
      flows: [
        { workflowId: 'f0000000-0000-4000-8000-000000000002', name: 'alpha', state: 'off' },
        { workflowId: 'f0000000-0000-4000-8000-000000000001', name: 'Beta', state: 'on' },
        { workflowId: 'f0000000-0000-4000-8000-000000000003', name: 'Beta', state: 'suspended' },
      ],
    });
    assert.deepStrictEqual(plan.counts, { on: 1, off: 1, suspended: 1 });
  });

  it('leaves out a flow whose state code is unknown, and says which', () => {
    assert.deepStrictEqual(plan.unknown, [flows[3]]);
  });

  it('gives an empty file for no flows', () => {
    const empty = planFlowStates({ environment: ENV, solutions: ['ContosoNew'], takenAt: TAKEN_AT, flows: [] });
    assert.deepStrictEqual(empty.states.flows, []);
    assert.deepStrictEqual(empty.counts, { on: 0, off: 0, suspended: 0 });
  });

  it('reports each recorded flow with all six keys, nothing acted and nothing failed', () => {
    const items = reportItems(plan.states);
    assert.deepStrictEqual(items[0], { kind: 'flow', name: 'alpha', id: 'f0000000-0000-4000-8000-000000000002', outcome: 'recorded', actor: null, error: null, state: 'off' });
    assert.ok(items.every((item) => item.outcome === 'recorded' && item.actor === null && item.error === null));
  });

  it('summarises with the solutions and host in the title, the solutions not installed, and a row per flow', () => {
    const items = reportItems(plan.states);
    const markdown = markdownSummary(items, { solutions: ['ContosoCore', 'ContosoNew'], notInstalled: ['ContosoNew'], environmentHost: 'contoso-test.crm.dynamics.com', takenAt: TAKEN_AT, counts: plan.counts }, loc);
    assert.match(markdown, /^## SaveSummaryTitle\(ContosoCore, ContosoNew\|contoso-test\.crm\.dynamics\.com\)\n/);
    assert.match(markdown, /SummaryRecorded\(3\|2026-11-30T12:00:00\.000Z\|1\|1\|1\)/);
    assert.match(markdown, /SummaryNotInstalled\(ContosoNew\)/);
    assert.match(markdown, /\| Beta \| f0000000-0000-4000-8000-000000000003 \| suspended \| OutcomeRecorded\(\) \|/);
    const none = markdownSummary([], { solutions: ['ContosoNew'], notInstalled: ['ContosoNew'], environmentHost: 'h', takenAt: TAKEN_AT, counts: { on: 0, off: 0, suspended: 0 } }, loc);
    assert.match(none, /SummaryNothingRecorded\(\)/);
    assert.doesNotMatch(none, /\| --- \|/);
  });
});
