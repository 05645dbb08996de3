import * as assert from 'assert';
import { sleep } from '../../tasks/common/concurrency';
import { applyPlan } from '../../tasks/DataverseActivateFlowsV1/modules/apply';
import { PlannedFlow } from '../../tasks/DataverseActivateFlowsV1/modules/plan';
import { runSchedule } from '../../tasks/DataverseActivateFlowsV1/modules/scheduler';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;

interface Job {
  id: string;
  dependsOn: string[];
  ms: number;
}

/** A fake activation that records when each job started and ended. */
function recorder(fail: string[] = []) {
  const started = new Map<string, number>();
  const ended = new Map<string, number>();
  let running = 0;
  let peak = 0;
  const t0 = Date.now();
  const run = async (job: Job) => {
    started.set(job.id, Date.now() - t0);
    running++;
    peak = Math.max(peak, running);
    await sleep(job.ms);
    running--;
    ended.set(job.id, Date.now() - t0);
    return !fail.includes(job.id);
  };
  return { run, started, ended, peak: () => peak };
}

describe('activate: scheduler', () => {
  it('starts a caller as soon as its own children are done, without waiting for a whole level', async () => {
    // fast-child finishes long before slow-child; caller-of-fast must not wait for slow-child.
    const jobs: Job[] = [
      { id: 'slow-child', dependsOn: [], ms: 200 },
      { id: 'fast-child', dependsOn: [], ms: 10 },
      { id: 'caller-of-fast', dependsOn: ['fast-child'], ms: 10 },
      { id: 'caller-of-both', dependsOn: ['fast-child', 'slow-child'], ms: 10 },
    ];
    const r = recorder();
    const results = await runSchedule(jobs, 4, r.run);
    assert.ok((r.started.get('caller-of-fast') as number) < 150, `caller-of-fast started at ${r.started.get('caller-of-fast')} ms`);
    assert.ok((r.started.get('caller-of-both') as number) >= (r.ended.get('slow-child') as number));
    assert.ok([...results.values()].every((s) => s.status === 'succeeded'));
  });

  it('never runs more than maxParallel at once, and runs children before callers', async () => {
    const jobs: Job[] = Array.from({ length: 20 }, (_, i) => ({ id: `j${i}`, dependsOn: i >= 10 ? [`j${i - 10}`] : [], ms: 5 + (i % 3) * 5 }));
    const r = recorder();
    await runSchedule(jobs, 3, r.run);
    assert.strictEqual(r.peak(), 3);
    for (let i = 10; i < 20; i++) assert.ok((r.started.get(`j${i}`) as number) >= (r.ended.get(`j${i - 10}`) as number));
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
      { id: 'child', dependsOn: [], ms: 5 },
      { id: 'sibling', dependsOn: [], ms: 5 },
      { id: 'caller', dependsOn: ['child'], ms: 5 },
      { id: 'top', dependsOn: ['caller', 'sibling'], ms: 5 },
      { id: 'unrelated', dependsOn: ['sibling'], ms: 5 },
    ];
    const r = recorder(['child']);
    const results = await runSchedule(jobs, 2, r.run);
    assert.deepStrictEqual(results.get('child'), { status: 'failed' });
    assert.deepStrictEqual(results.get('caller'), { status: 'blocked', blockedBy: ['child'] });
    assert.deepStrictEqual(results.get('top'), { status: 'blocked', blockedBy: ['caller'] });
    assert.deepStrictEqual(results.get('unrelated'), { status: 'succeeded' });
    assert.ok(!r.started.has('caller') && !r.started.has('top'));
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
