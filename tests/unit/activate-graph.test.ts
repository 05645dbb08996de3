import * as assert from 'assert';
import { blockCallers, callersOf, findCycles, levelsOf } from '../../tasks/DataverseActivateFlowsV1/modules/graph';

const node = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });

describe('activate: child-flow graph', () => {
  it('finds the callers of each node, ignoring edges to nodes outside the set and to itself', () => {
    const callers = callersOf([node('a'), node('b', 'a', 'outside'), node('c', 'a', 'b', 'c')]);
    assert.deepStrictEqual(Object.fromEntries(callers), { a: ['b', 'c'], b: ['c'] });
  });

  it('levels: 0 for a node without dependencies in the set, else one more than its deepest', () => {
    const levels = levelsOf([node('top', 'mid', 'leaf'), node('mid', 'leaf'), node('leaf'), node('alone', 'outside')]);
    assert.deepStrictEqual(Object.fromEntries(levels), { top: 2, mid: 1, leaf: 0, alone: 0 });
  });

  it('finds every cycle, a self-call included, and none in an acyclic graph', () => {
    assert.deepStrictEqual(findCycles([node('a', 'b'), node('b', 'c'), node('c', 'a'), node('d', 'a'), node('e', 'e')]).map((c) => [...c].sort()), [['a', 'b', 'c'], ['e']]);
    assert.deepStrictEqual(findCycles([node('a', 'b'), node('b')]), []);
  });

  it('blocks callers up the chain, adds a second blocker to an already blocked caller, and leaves settled ones alone', () => {
    const nodes = [node('child1'), node('child2'), node('caller', 'child1', 'child2'), node('top', 'caller'), node('done', 'child1')];
    const callers = callersOf(nodes);
    const blocked = new Map<string, string[]>();
    const settled = (id: string) => id === 'done';
    assert.deepStrictEqual(blockCallers('child1', callers, blocked, settled), ['caller', 'top']);
    assert.deepStrictEqual(blockCallers('child2', callers, blocked, settled), []);
    assert.deepStrictEqual(Object.fromEntries(blocked), { caller: ['child1', 'child2'], top: ['caller'] });
  });
});
