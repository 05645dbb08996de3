import * as assert from 'assert';
import { PlatformError } from '../../tasks/common/errors';
import { CustomizationLockGate, LockWaitEvent, LockedRequest, TransientWait, customizationLock, noteLockWaits } from '../../tasks/common/customization-lock';

const refusal = (code: string, message: string) => new PlatformError({ status: 400, code, message, method: 'PATCH', url: 'https://x/' });

describe('customization lock', () => {
  it('is recognised by its English form, by two bracketed operation names in any language, or by its code', () => {
    const english = 'Cannot start the requested operation [WorkflowSetState] because there is another [EntityCustomization] running at this moment. Please try again later.';
    assert.deepStrictEqual(customizationLock(refusal('0x80040216', english)), { requested: 'WorkflowSetState', running: 'EntityCustomization' });
    const french = "Impossible de démarrer l'opération demandée [PublishAll], car une autre opération [Import] est en cours d'exécution.";
    assert.deepStrictEqual(customizationLock(refusal('0x80040216', french)), { requested: 'PublishAll', running: 'Import' });
    assert.deepStrictEqual(customizationLock(refusal('0x80071151', 'Une autre opération est en cours.')), { requested: '?', running: '?' });
  });

  it('is not seen in other errors, bracketed words included', () => {
    assert.strictEqual(customizationLock(refusal('0x80040220', 'Principal user is missing prvReadWorkflow privilege.')), undefined);
    assert.strictEqual(customizationLock(refusal('0x80040216', 'The value [foo] of the attribute [bar] is invalid.')), undefined);
  });

  it('holds every request while the lock lasts, gives a request up after the limit, and logs the wait once', async () => {
    const events: LockWaitEvent[] = [];
    const gate = new CustomizationLockGate({ maxWaitMs: 1000, baseDelayMs: 10, maxDelayMs: 30_000, onEvent: (e) => events.push(e) });
    const operations = { requested: 'Update', running: 'Import' };
    const first: LockedRequest = { refusals: 0 };
    const second: LockedRequest = { refusals: 0 };
    assert.strictEqual(gate.refused(first, operations, 0), true);
    const hold = gate.heldUntil;
    assert.ok(hold > 0 && hold <= 10);
    assert.strictEqual(gate.refused(second, operations, 1), true);
    assert.strictEqual(gate.heldUntil, hold, 'a second refusal during the hold does not extend it');
    const waits: TransientWait[] = [];
    await noteLockWaits(waits, async () => gate.passed(first, 400));
    assert.deepStrictEqual(waits, [{ reason: 'customizationLock', durationMs: 400, attempts: 2 }]);
    assert.strictEqual(gate.refused(second, operations, 1001), false, 'refused for longer than the limit');
    assert.deepStrictEqual(events.map((e) => e.kind), ['started', 'ended', 'started', 'gaveUp']);
    const late: LockedRequest = { refusals: 0 };
    assert.strictEqual(gate.refused(late, operations, 2500), true, 'a request refused later has its own limit');
    assert.strictEqual(gate.refused(late, operations, 3001), false, 'but no request waits once the lock has lasted twice the limit');
  });

  it('sends one probe at a time while the lock holds, and lets every request go once a probe passes', async () => {
    const gate = new CustomizationLockGate({ maxWaitMs: 60_000, baseDelayMs: 5, maxDelayMs: 30_000 });
    const operations = { requested: 'Update', running: 'Import' };
    const [a, b, c]: LockedRequest[] = [{ refusals: 0 }, { refusals: 0 }, { refusals: 0 }];
    gate.refused(a, operations);
    gate.refused(b, operations);
    const admitted: string[] = [];
    const admit = (name: string, request: LockedRequest) => gate.admit(request).then(() => admitted.push(name));
    const all = Promise.all([admit('a', a), admit('b', b), admit('c', c)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.strictEqual(admitted.length, 1, `one probe: ${admitted}`);
    const probe = [a, b, c][['a', 'b', 'c'].indexOf(admitted[0])];
    gate.passed(probe);
    await all;
    assert.strictEqual(admitted.length, 3);
  });

  it('probes with a backoff that never exceeds an eighth of the limit', () => {
    const gate = new CustomizationLockGate({ maxWaitMs: 800, baseDelayMs: 50, maxDelayMs: 30_000 });
    const request: LockedRequest = { refusals: 0 };
    let now = 0;
    for (let i = 0; i < 6; i++) {
      assert.strictEqual(gate.refused(request, { requested: 'Update', running: 'Import' }, now), true);
      assert.ok(gate.heldUntil - now <= 100, `hold ${gate.heldUntil - now}`);
      now = gate.heldUntil;
    }
  });
});
