import * as assert from 'assert';
import { applyPlan } from '../../tasks/DataverseActivateFlowsV1/modules/apply';
import { PlannedFlow } from '../../tasks/DataverseActivateFlowsV1/modules/plan';
import { runSchedule } from '../../tasks/DataverseActivateFlowsV1/modules/scheduler';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;

interface Job {
  id: string;
  dependsOn: string[];
  /** How many event-loop turns the fake activation takes. */
  turns: number;
}

/** Lets the event loop run `n` times: a duration in steps, not in milliseconds. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A fake activation that records the order in which jobs start and end (no clock involved). */
function recorder(fail: string[] = [], gates = new Map<string, Promise<void>>()) {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  const run = async (job: Job) => {
    events.push(`start:${job.id}`);
    running++;
    peak = Math.max(peak, running);
    await (gates.get(job.id) ?? turns(job.turns));
    running--;
    events.push(`end:${job.id}`);
    return !fail.includes(job.id);
  };
  const at = (event: string) => {
    const index = events.indexOf(event);
    assert.ok(index >= 0, `${event} happened`);
    return index;
  };
  return { run, events, at, started: (id: string) => events.includes(`start:${id}`), peak: () => peak };
}

describe('activate: scheduler', () => {
  it('starts a caller as soon as its own children are done, without waiting for a whole level', async () => {
    // slow-child is held until caller-of-fast has run (or, if the scheduler waits for the whole
    // level, until a long bound passes): caller-of-fast must start while slow-child still runs.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const jobs: Job[] = [
      { id: 'slow-child', dependsOn: [], turns: 0 },
      { id: 'fast-child', dependsOn: [], turns: 1 },
      { id: 'caller-of-fast', dependsOn: ['fast-child'], turns: 1 },
      { id: 'caller-of-both', dependsOn: ['fast-child', 'slow-child'], turns: 1 },
    ];
    const r = recorder([], new Map([['slow-child', Promise.race([held, turns(500)])]]));
    const results = await runSchedule(jobs, 4, async (job: Job) => {
      const ok = await r.run(job);
      if (job.id === 'caller-of-fast') release();
      return ok;
    });
    assert.ok(r.at('start:caller-of-fast') < r.at('end:slow-child'), r.events.join(', '));
    assert.ok(r.at('start:caller-of-both') > r.at('end:slow-child'), r.events.join(', '));
    assert.ok([...results.values()].every((s) => s.status === 'succeeded'));
  });

  it('never runs more than maxParallel at once, and runs children before callers', async () => {
    const jobs: Job[] = Array.from({ length: 20 }, (_, i) => ({ id: `j${i}`, dependsOn: i >= 10 ? [`j${i - 10}`] : [], turns: 1 + (i % 3) }));
    const r = recorder();
    await runSchedule(jobs, 3, r.run);
    assert.strictEqual(r.peak(), 3);
    for (let i = 10; i < 20; i++) assert.ok(r.at(`start:j${i}`) > r.at(`end:j${i - 10}`));
  });

  it('runs one at a time with maxParallel 1, in priority order among ready jobs', async () => {
    const order: string[] = [];
    await runSchedule(
      [
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: [] },
        { id: 'c', dependsOn: ['a'] },
      ],
      1,
      async (job) => {
        order.push(job.id);
        return true;
      },
    );
    assert.deepStrictEqual(order, ['a', 'b', 'c']);
  });

  it('blocks every direct and indirect caller of a failed job and never runs them', async () => {
    const jobs: Job[] = [
      { id: 'child', dependsOn: [], turns: 1 },
      { id: 'sibling', dependsOn: [], turns: 1 },
      { id: 'caller', dependsOn: ['child'], turns: 1 },
      { id: 'top', dependsOn: ['caller', 'sibling'], turns: 1 },
      { id: 'unrelated', dependsOn: ['sibling'], turns: 1 },
    ];
    const r = recorder(['child']);
    const results = await runSchedule(jobs, 2, r.run);
    assert.deepStrictEqual(results.get('child'), { status: 'failed' });
    assert.deepStrictEqual(results.get('caller'), { status: 'blocked', blockedBy: ['child'] });
    assert.deepStrictEqual(results.get('top'), { status: 'blocked', blockedBy: ['caller'] });
    assert.deepStrictEqual(results.get('unrelated'), { status: 'succeeded' });
    assert.ok(!r.started('caller') && !r.started('top'));
  });

  it('treats a job that throws as failed', async () => {
    const results = await runSchedule(
      [
        { id: 'boom', dependsOn: [] },
        { id: 'after', dependsOn: ['boom'] },
      ],
      2,
      async (job) => {
        if (job.id === 'boom') throw new Error('boom');
        return true;
      },
    );
    assert.deepStrictEqual(results.get('boom'), { status: 'failed' });
    assert.strictEqual(results.get('after')?.status, 'blocked');
  });

  it('finishes at once with no jobs', async () => {
    assert.strictEqual((await runSchedule([], 8, async () => true)).size, 0);
  });
});

describe('activate: applying a plan', () => {
  const planned = (id: string, dependsOn: string[] = [], outcome: PlannedFlow['outcome'] = 'pending'): PlannedFlow => ({
    id,
    name: `Flow ${id}`,
    action: 'turnOn',
    statecode: 0,
    outcome,
    actor: { kind: 'servicePrincipal' },
    children: dependsOn,
    dependsOn,
    level: dependsOn.length ? 1 : 0,
    order: 0,
    connectionsToShare: [],
  });

  it('sends only pending flows, reports failures with their error and blocks the callers', async () => {
    const sent: string[] = [];
    const results = await applyPlan(
      [planned('on', [], 'alreadyInState'), planned('bad'), planned('good'), planned('caller', ['bad']), planned('ok-caller', ['good', 'on'])],
      {
        maxParallel: 2,
        send: async (flow) => {
          sent.push(flow.id);
          if (flow.id === 'bad') throw new Error('nope');
        },
        classify: (_flow, error) => ({ code: 'X', message: String((error as Error).message) }),
        nameOf: (id) => `Flow ${id}`,
      },
      loc,
    );
    assert.deepStrictEqual(sent.sort(), ['bad', 'good', 'ok-caller']);
    assert.strictEqual(results.get('on')?.outcome, 'alreadyInState');
    assert.strictEqual(results.get('bad')?.outcome, 'failed');
    assert.deepStrictEqual(results.get('bad')?.error, { code: 'X', message: 'nope' });
    assert.strictEqual(results.get('caller')?.outcome, 'blocked');
    assert.strictEqual(results.get('caller')?.error?.code, 'BlockedByChildFlow');
    assert.match(results.get('caller')?.error?.message ?? '', /Flow bad\|X/);
    assert.strictEqual(results.get('ok-caller')?.outcome, 'activated');
    assert.ok(typeof results.get('good')?.durationMs === 'number');
  });
});
