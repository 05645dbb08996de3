import * as assert from 'assert';
import { PlatformError } from '../../tasks/common/errors';
import { parseErrorBody } from '../../tasks/common/platform-errors';
import { UnconfirmedChangeError, applyPlan } from '../../tasks/DataverseActivateFlowsV1/modules/apply';
import { ChildPublicationRetry, unpublishedChildren } from '../../tasks/DataverseActivateFlowsV1/modules/child-publication';
import { PlannedFlow } from '../../tasks/DataverseActivateFlowsV1/modules/plan';
import { runSchedule } from '../../tasks/DataverseActivateFlowsV1/modules/scheduler';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const CHILD_A = 'c0000000-0000-4000-8000-00000000000a';
const CHILD_B = 'c0000000-0000-4000-8000-00000000000b';

const neverPublished = (id: string) => ({
  code: 'ChildFlowNeverPublished',
  message: `The workflow with id '${id}' cannot be used as a child workflow because it has never been published.`,
});

/** A refusal as Dataverse sends it: the Flow error JSON inside a FlowServiceClientError message. */
function flowRefusal(error: unknown, words = 'Flow client error returned with status code "BadRequest" and details'): PlatformError {
  const body = { error: { code: '0x80060467', message: `${words} "${JSON.stringify(error)}".` } };
  return parseErrorBody(400, JSON.stringify(body), 'PATCH', 'https://x/api/data/v9.2/workflows(1)');
}

function multiple(details: Array<{ code: string; message: string }>) {
  return { error: { code: 'MultipleErrorsOccurred', message: `Multiple errors occurred: '${details.map(() => 'BadRequest').join(',')}'. Please see details.`, details } };
}

describe('activate: transient refusals of a caller', () => {
  it('reads ChildFlowNeverPublished alone, and MultipleErrorsOccurred whose details are all ChildFlowNeverPublished, by JSON', () => {
    assert.deepStrictEqual(unpublishedChildren(flowRefusal({ error: neverPublished(CHILD_A) })), [CHILD_A]);
    assert.deepStrictEqual(unpublishedChildren(flowRefusal(multiple([neverPublished(CHILD_A), neverPublished(CHILD_B)]))), [CHILD_A, CHILD_B]);
    // the outer text is translated; the JSON is not
    const spanish = flowRefusal(multiple([neverPublished(CHILD_B)]), 'Se devolvió el error del cliente de flujo con el código de estado "BadRequest" y los detalles');
    assert.deepStrictEqual(unpublishedChildren(spanish), [CHILD_B]);
  });

  it('does not read any other refusal as a publication delay', () => {
    const mixed = multiple([neverPublished(CHILD_A), { code: 'ConnectionAuthorizationFailed', message: 'The caller cannot use the connection.' }]);
    assert.strictEqual(unpublishedChildren(flowRefusal(mixed)), undefined);
    assert.strictEqual(unpublishedChildren(flowRefusal(multiple([]))), undefined);
    assert.strictEqual(unpublishedChildren(flowRefusal({ error: { code: 'ChildFlowNeverPublished', message: 'no id here' } })), undefined);
    assert.strictEqual(unpublishedChildren(new Error('ChildFlowNeverPublished')), undefined);
  });

  it('retries a caller only while a read shows its children on, with growing delays, for at most the limit', async () => {
    let clock = 0;
    let childrenOn = true;
    const asked: string[][] = [];
    const retry = new ChildPublicationRetry({
      baseDelayMs: 100,
      maxDelayMs: 1000,
      maxWaitMs: 2000,
      now: () => clock,
      childrenOn: async (ids) => {
        asked.push([...ids]);
        return childrenOn;
      },
    });
    const caller = { id: 'caller', children: [CHILD_A] };
    const refusal = flowRefusal(multiple([neverPublished(CHILD_B)]));
    const first = await retry.retryDelay(caller, refusal);
    assert.ok(first !== undefined && first >= 50 && first <= 100, String(first));
    assert.deepStrictEqual(asked[0], [CHILD_A, CHILD_B], 'the known children and those the refusal names are read');
    clock = 1500;
    const second = await retry.retryDelay(caller, refusal);
    assert.ok(second !== undefined && second >= 100 && second <= 200, String(second));
    clock = 2000;
    assert.strictEqual(await retry.retryDelay(caller, refusal), undefined, 'not after the limit');
    assert.deepStrictEqual(retry.waitOf('caller'), { reason: 'childFlowPublication', durationMs: 2000, attempts: 3 });

    childrenOn = false;
    assert.strictEqual(await retry.retryDelay({ id: 'other', children: [CHILD_A] }, refusal), undefined, 'a child that is off is a failure');
    assert.strictEqual(retry.waitOf('other'), undefined);
  });

  it('the scheduler frees the slot of a job that retries later and runs only that job again', async () => {
    const runs: string[] = [];
    let refusals = 1;
    const jobs = [
      { id: 'child', dependsOn: [] },
      { id: 'caller', dependsOn: ['child'] },
      { id: 'other', dependsOn: [] },
    ];
    const statuses = await runSchedule(jobs, 1, async (job) => {
      runs.push(job.id);
      if (job.id === 'caller' && refusals-- > 0) return { retryInMs: 30 };
      return true;
    });
    assert.deepStrictEqual(runs, ['child', 'caller', 'other', 'caller']);
    assert.deepStrictEqual([...statuses.values()].map((s) => s.status), ['succeeded', 'succeeded', 'succeeded']);
  });

  it('a change a read showed not made is sent once more, and a second such loss is a failure', async () => {
    const flow: PlannedFlow = {
      id: 'f1', name: 'Flow', action: 'turnOn', statecode: 0, outcome: 'pending', actor: { kind: 'servicePrincipal' },
      children: [], dependsOn: [], level: 0, order: 1, connectionsToShare: [],
    };
    const lost = new PlatformError({ status: 0, code: 'ECONNRESET', message: 'reset', method: 'PATCH', url: 'https://x/' });
    for (const [losses, outcome, sends] of [[1, 'activated', 2], [2, 'failed', 2]] as const) {
      let sent = 0;
      const retried: string[] = [];
      const results = await applyPlan(
        [{ ...flow }],
        {
          maxParallel: 2,
          send: async () => {
            if (++sent <= losses) throw new UnconfirmedChangeError(lost, 0);
          },
          classify: (_f, error) => ({ code: error instanceof UnconfirmedChangeError ? 'lost' : 'other', message: '' }),
          nameOf: (id) => id,
          resendDelayMs: 1,
          onRetry: (_f, reason) => retried.push(reason),
        },
        loc,
      );
      const result = results.get('f1');
      assert.strictEqual(result?.outcome, outcome);
      assert.strictEqual(sent, sends);
      assert.deepStrictEqual(retried, ['lostResponse']);
      assert.deepStrictEqual(result?.waits?.map((w) => [w.reason, w.attempts]), [['lostResponse', 2]]);
    }
  });

  it('a change whose state could not be read is not sent again', async () => {
    let sent = 0;
    const lost = new PlatformError({ status: 0, code: 'ECONNRESET', message: 'reset', method: 'PATCH', url: 'https://x/' });
    const flow: PlannedFlow = {
      id: 'f1', name: 'Flow', action: 'turnOn', statecode: 0, outcome: 'pending', children: [], dependsOn: [], level: 0, order: 1, connectionsToShare: [],
    };
    const results = await applyPlan(
      [flow],
      { maxParallel: 1, send: async () => { sent++; throw new UnconfirmedChangeError(lost, undefined); }, classify: () => ({ code: 'x', message: '' }), nameOf: (id) => id, resendDelayMs: 1 },
      loc,
    );
    assert.strictEqual(results.get('f1')?.outcome, 'failed');
    assert.strictEqual(sent, 1);
  });
});
