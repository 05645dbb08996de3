import { AsyncLocalStorage } from 'async_hooks';
import { PlatformError } from './errors';
import { TaskHost } from './task-host';
import { sleep } from './concurrency';
import { jitteredBackoff } from './backoff';

/**
 * Dataverse refuses solution operations while an import, a publish or another customization is
 * running (CustomizationLockException): "Cannot start the requested operation [WorkflowSetState]
 * because there is another [EntityCustomization] running at this moment. ...". A refused request
 * changed nothing, so it is safe to send again once the lock is gone. The message is translated,
 * the bracketed operation names are not; the code 0x80071151 is seen in public code.
 */
export const CUSTOMIZATION_LOCK_CODE = '0x80071151';
export const DEFAULT_LOCK_WAIT_MS = 10 * 60_000;

const ENGLISH_FORM = /Cannot start the requested operation \[(\w+)\] because there is another \[(\w+)\] running/i;
const BRACKETED_PAIR = /\[([A-Za-z]+)\][^[\]]{1,200}\[([A-Za-z]+)\]/;
/** Operations named in the lock message: the one refused, and the solution operation running. */
const SOLUTION_OPERATIONS = new Set(
  ['Import', 'ImportSolution', 'Export', 'Publish', 'PublishAll', 'Upgrade', 'ApplyUpgrade', 'StageAndUpgrade', 'Uninstall', 'Delete', 'Update', 'Create',
    'EntityCustomization', 'WorkflowSetState', 'CloneAsPatch', 'CloneAsSolution', 'Install', 'Installation'].map((op) => op.toLowerCase()),
);

export interface LockedOperations {
  /** The operation refused, e.g. `WorkflowSetState`. */
  requested: string;
  /** The operation holding the lock, e.g. `Import`. */
  running: string;
}

/** The operations a customization-lock refusal names, or undefined when the error is something else. */
export function customizationLock(error: PlatformError): LockedOperations | undefined {
  const message = error.platformMessage ?? '';
  const english = ENGLISH_FORM.exec(message);
  if (english) return { requested: english[1], running: english[2] };
  const pair = BRACKETED_PAIR.exec(message);
  const named = pair && SOLUTION_OPERATIONS.has(pair[1].toLowerCase()) && SOLUTION_OPERATIONS.has(pair[2].toLowerCase());
  if (named) return { requested: pair[1], running: pair[2] };
  if (error.code.toLowerCase() === CUSTOMIZATION_LOCK_CODE) return { requested: '?', running: '?' };
  return undefined;
}

export type LockWaitEvent =
  | { kind: 'started'; operations: LockedOperations; maxWaitMs: number }
  | { kind: 'ended'; operations: LockedOperations; durationMs: number }
  | { kind: 'gaveUp'; operations: LockedOperations; durationMs: number; maxWaitMs: number };

export interface LockWaitSettings {
  /** How long one request may wait for the lock, from its first refusal. */
  maxWaitMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onEvent?: (event: LockWaitEvent) => void;
}

/** A wait the platform imposed on one request (or one flow), noted in the report. */
export interface TransientWait {
  reason: 'customizationLock' | 'childFlowPublication' | 'savedBinding' | 'lostResponse';
  durationMs: number;
  attempts: number;
}

const waitLogs = new AsyncLocalStorage<TransientWait[]>();

/** Runs `work`, adding to `log` every customization-lock wait of the requests it makes. */
export function noteLockWaits<T>(log: TransientWait[], work: () => Promise<T>): Promise<T> {
  return waitLogs.run(log, work);
}

/** The lock state of one request: when it was first refused, and how often. */
export interface LockedRequest {
  firstRefusedAt?: number;
  refusals: number;
}

/** One request probes at a time, so probing every few seconds costs little and the wait ends soon after the lock. */
const PROBE_CAP_MS = 5000;

/**
 * The one customization-lock gate of the HTTP client. While the lock holds, every request waits;
 * when a hold is over, one request (the probe) is sent while the others keep waiting for its
 * answer: refused, the next hold is longer (backoff); through, every request goes on. A request
 * gives up when it has been refused for longer than `maxWaitMs`, and every request does once the
 * lock has lasted twice that (the second allowance lets clean-up after a give-up, such as putting
 * bindings back, wait too). The log says when the wait started, ended or was given up.
 */
export class CustomizationLockGate {
  heldUntil = 0;
  private lock: { since: number; probes: number; operations: LockedOperations; gaveUp: boolean } | undefined;
  private probe: LockedRequest | undefined;
  private waiting: Array<() => void> = [];

  constructor(private readonly settings: LockWaitSettings) {}

  /** Resolves when `request` may be sent: at once without a lock, else as the probe after the hold. */
  async admit(request: LockedRequest): Promise<void> {
    while (this.lock) {
      const now = Date.now();
      if (now < this.heldUntil) await sleep(this.heldUntil - now);
      else if (this.probe === undefined || this.probe === request) {
        this.probe = request;
        return;
      } else await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** A request was refused by the lock: true to send it again after the hold, false to fail it. */
  refused(request: LockedRequest, operations: LockedOperations, now = Date.now()): boolean {
    request.firstRefusedAt ??= now;
    request.refusals++;
    if (!this.lock) {
      this.lock = { since: now, probes: 0, operations, gaveUp: false };
      this.settings.onEvent?.({ kind: 'started', operations, maxWaitMs: this.settings.maxWaitMs });
    }
    const waited = now - request.firstRefusedAt;
    if (waited >= this.settings.maxWaitMs || now - this.lock.since >= 2 * this.settings.maxWaitMs) {
      this.note(request, now, request.refusals);
      if (!this.lock.gaveUp) this.settings.onEvent?.({ kind: 'gaveUp', operations, durationMs: waited, maxWaitMs: this.settings.maxWaitMs });
      this.lock.gaveUp = true;
      this.release(request);
      return false;
    }
    if (now >= this.heldUntil) {
      this.lock.probes++;
      this.heldUntil = now + this.delay(this.lock.probes);
    }
    this.release(request);
    return true;
  }

  /** A request was answered other than by the lock: if the lock was on, it is gone. */
  passed(request: LockedRequest, now = Date.now()): void {
    if (request.firstRefusedAt !== undefined) this.note(request, now, request.refusals + 1);
    request.firstRefusedAt = undefined;
    request.refusals = 0;
    if (!this.lock) return;
    this.settings.onEvent?.({ kind: 'ended', operations: this.lock.operations, durationMs: now - this.lock.since });
    this.lock = undefined;
    this.heldUntil = 0;
    this.release(request);
  }

  /** `request` is no longer the probe (answered, or failed without an answer): the next one may go. */
  release(request: LockedRequest): void {
    if (this.probe !== request && this.lock) return;
    this.probe = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  /** Exponential backoff with jitter, short enough that a request gives up close to its limit. */
  private delay(probe: number): number {
    const cap = Math.max(this.settings.baseDelayMs, Math.min(this.settings.maxDelayMs, PROBE_CAP_MS, this.settings.maxWaitMs / 8));
    return jitteredBackoff(probe, this.settings.baseDelayMs, cap);
  }

  private note(request: LockedRequest, now: number, attempts: number): void {
    waitLogs.getStore()?.push({ reason: 'customizationLock', durationMs: now - (request.firstRefusedAt as number), attempts });
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * The lock wait of a task: `PowerPlatform.CustomizationLockWaitSeconds` (default 600; tests set a
 * short one), logged through the host.
 */
export function lockWaitOptions(host: Pick<TaskHost, 'variable' | 'info' | 'loc'>): { maxWaitMs: number; onEvent: (event: LockWaitEvent) => void } {
  const value = Number(host.variable('PowerPlatform.CustomizationLockWaitSeconds'));
  const maxWaitMs = host.variable('PowerPlatform.CustomizationLockWaitSeconds') && Number.isFinite(value) && value >= 0 ? value * 1000 : DEFAULT_LOCK_WAIT_MS;
  const onEvent = (event: LockWaitEvent) => {
    const { requested, running } = event.operations;
    if (event.kind === 'started') host.info(host.loc('CustomizationLockWaiting', running, requested, seconds(event.maxWaitMs)));
    else if (event.kind === 'ended') host.info(host.loc('CustomizationLockEnded', running, seconds(event.durationMs)));
    else host.info(host.loc('CustomizationLockGaveUp', requested, seconds(event.durationMs), running, seconds(event.maxWaitMs)));
  };
  return { maxWaitMs, onEvent };
}
