import * as assert from 'assert';
import { RequestLogEntry } from '../simulator';
import { gatherRounds, isActivation, peakConcurrency } from '../../bench/log-metrics';
import { buildSolution } from '../../bench/scenario';
import { renderTimeline } from '../../bench/timeline-svg';

let seq = 0;
function entry(start: number, end: number, overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return { seq: ++seq, method: 'GET', path: '/api/data/v9.2/x', query: '', api: 'dataverse', kind: 'read', status: 200, start, end, ...overrides };
}

describe('benchmark measurements', () => {
  it('counts the most requests in flight at once, an end closing before a start at the same instant', () => {
    assert.strictEqual(peakConcurrency([]), 0);
    assert.strictEqual(peakConcurrency([entry(0, 10), entry(10, 20), entry(20, 30)]), 1);
    assert.strictEqual(peakConcurrency([entry(0, 10), entry(5, 15), entry(6, 7), entry(14, 20)]), 3);
  });

  it('counts sequential rounds of platform reads before the first write, merging overlapping reads', () => {
    const log = [
      entry(0, 20),
      entry(1, 21),
      entry(25, 45, { api: 'admin' }),
      entry(30, 50),
      entry(5, 6, { api: 'token' }),
      entry(60, 80, { method: 'PATCH', kind: 'write' }),
      entry(90, 110),
    ];
    assert.strictEqual(gatherRounds(log), 2, 'two groups before the write; sign-in and later reads do not count');
  });

  it('recognises a flow activation by its PATCH body', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    assert.ok(isActivation(entry(0, 1, { method: 'PATCH', kind: 'write', path: `/api/data/v9.2/workflows(${id})`, body: { statecode: 1, statuscode: 2 } })));
    assert.ok(!isActivation(entry(0, 1, { method: 'PATCH', kind: 'write', path: `/api/data/v9.2/workflows(${id})`, body: { statecode: 0 } })));
  });

  it('generates the requested solution: chains of the given depth, references of one owner per flow', () => {
    const solution = buildSolution({ flows: 30, references: 6, owners: 3, depth: 3, readMs: 1, writeMs: 1, activationMs: 1, seed: 7 });
    assert.strictEqual(solution.flows.length, 30);
    assert.strictEqual(solution.depth, 3);
    const references = new Map(solution.references.map((r) => [r.logicalName, r]));
    for (const flow of solution.flows) {
      assert.ok(flow.references.length >= 1);
      assert.ok(flow.references.every((name) => references.get(name)?.owner.objectId === flow.owner.objectId), `${flow.name} uses one owner's connections`);
      for (const child of flow.children) assert.strictEqual(solution.flows.find((f) => f.id === child)?.level, flow.level - 1);
    }
    const again = buildSolution({ flows: 30, references: 6, owners: 3, depth: 3, readMs: 1, writeMs: 1, activationMs: 1, seed: 7 });
    assert.deepStrictEqual(again.flows.map((f) => f.id), solution.flows.map((f) => f.id), 'the same seed gives the same solution');
  });

  it('draws one bar per activation in the colour of its identity', () => {
    const owner = { objectId: 'a0000000-0000-4000-8000-000000000001', label: 'owner@contoso.com' };
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    const activations = ids.map((id, i) =>
      entry(10 + i * 5, 30 + i * 5, { method: 'PATCH', kind: 'write', path: `/api/data/v9.2/workflows(${id})`, body: { statecode: 1 }, effectiveUser: owner.objectId }),
    );
    const svg = renderTimeline({
      title: 'T <&>',
      subtitle: 's',
      activations,
      flows: new Map(ids.map((id, i) => [id, { name: `flow ${i}`, level: i }])),
      owners: [owner],
      servicePrincipals: [],
      depth: 2,
      spawnedAt: 0,
      exitedAt: 50,
      firstRequestAt: 5,
    });
    assert.match(svg, /^<svg[\s\S]*<\/svg>\s*$/);
    assert.ok(svg.includes('T &lt;&amp;&gt;'), 'text is escaped');
    assert.ok(svg.includes('owner@contoso.com'));
    assert.ok((svg.match(/#1f77b4/g) ?? []).length >= 2, 'both bars and the legend use the owner colour');
  });
});
