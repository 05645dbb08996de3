import { AsyncLocalStorage } from 'async_hooks';
import { PlatformError } from './errors';
import { TaskHost } from './task-host';

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
  reason: 'customizationLock' | 'childFlowPublication' | 'lostResponse';
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

/**
 * The one customization-lock gate of the HTTP client: while the lock holds, every request waits
 * (`heldUntil`), and the gate probes again with backoff. Each request gives up when it has been
 * refused for longer than `maxWaitMs`; the log says when the wait started, ended or was given up.
 */
export class CustomizationLockGate {
  heldUntil = 0;
  private episode: { since: number; probes: number; operations: LockedOperations } | undefined;

  constructor(private readonly settings: LockWaitSettings) {}

  /** A request was refused by the lock: true to send it again after the hold, false to fail it. */
  refused(request: LockedRequest, operations: LockedOperations, now = Date.now()): boolean {
    request.firstRefusedAt ??= now;
    request.refusals++;
    const waited = now - request.firstRefusedAt;
    if (waited >= this.settings.maxWaitMs) {
      this.note(request, now, request.refusals);
      if (this.episode) this.settings.onEvent?.({ kind: 'gaveUp', operations, durationMs: waited, maxWaitMs: this.settings.maxWaitMs });
      this.episode = undefined;
      return false;
    }
    if (!this.episode) {
      this.episode = { since: now, probes: 0, operations };
      this.settings.onEvent?.({ kind: 'started', operations, maxWaitMs: this.settings.maxWaitMs });
    }
    if (now >= this.heldUntil) {
      this.episode.probes++;
      this.heldUntil = now + this.delay(this.episode.probes);
    }
    return true;
  }

  /** A request was answered other than by the lock: if it had been refused, the lock is gone. */
  passed(request: LockedRequest, now = Date.now()): void {
    if (request.firstRefusedAt === undefined) return;
    this.note(request, now, request.refusals + 1);
    request.firstRefusedAt = undefined;
    request.refusals = 0;
    if (this.episode) this.settings.onEvent?.({ kind: 'ended', operations: this.episode.operations, durationMs: now - this.episode.since });
    this.episode = undefined;
  }

  /** Exponential backoff with jitter, short enough that a request gives up close to its limit. */
  private delay(probe: number): number {
    const cap = Math.max(this.settings.baseDelayMs, Math.min(this.settings.maxDelayMs, this.settings.maxWaitMs / 8));
    const exponential = Math.min(cap, this.settings.baseDelayMs * 2 ** (probe - 1));
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
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
