/**
 * Scripted transient states of a platform that has just imported a solution: a customization
 * lock, child flows whose publication propagates late, activation latency drawn from a
 * distribution. (The fourth state, a response lost after the change was made, is the fault kind
 * `resetAfterApply` in index.ts.) Sources and guesses: README.md, section "Transient states".
 */
import * as crypto from 'crypto';
import { DataverseError } from './errors';
import { childFlowIds, flowClientError } from './flow-rules';
import { Row } from './store';

/** A request that starts something: matched like a fault rule (method, substring of path + query). */
export interface RequestMatcher {
  method?: string;
  pathIncludes?: string;
}

export interface ScenarioCustomizationLock {
  /** How long solution operations are refused. */
  durationMs: number;
  /** The lock starts at the first request matching this; without it, at simulator start. */
  afterRequest?: RequestMatcher;
  /** The operation that holds the lock, named in the message; default `EntityCustomization`. */
  heldBy?: string;
}

export interface ScenarioChildPublication {
  /** A caller turned on within this many ms after one of its children turned on is refused. */
  delayMs?: number;
  /** This fraction of callers (flows with children) is refused once after all its children are on. */
  refuseOnceFraction?: number;
  /** Seed choosing the callers of `refuseOnceFraction`; default 1. */
  seed?: number;
  /** Wrap the refusal as `MultipleErrorsOccurred` with one detail per child not yet published. */
  multipleErrors?: boolean;
}

/** Log-normal activation latency, used instead of `latency.activationMs`. */
export interface ScenarioActivationLatency {
  medianMs: number;
  p95Ms: number;
  /** default 1 */
  seed?: number;
}

export interface ScenarioTransient {
  customizationLock?: ScenarioCustomizationLock;
  childPublication?: ScenarioChildPublication;
  activationLatency?: ScenarioActivationLatency;
}

/** Code of CustomizationLockException: in public code, not in the documentation (dataverse-facts, corrections). */
export const CUSTOMIZATION_LOCK_CODE = '0x80071151';

const Z95 = 1.6448536269514722;

/** A uniform number in [0, 1) from a hash of its parts: the same parts always give the same number. */
export function hashUniform(...parts: Array<string | number>): number {
  const h = crypto.createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUInt32BE(0) / 4294967296;
}

/**
 * The latency of activation attempt `attempt` (0 = first) of flow `flowId`: log-normal with the
 * given median and 95th percentile, drawn from (seed, flow id, attempt) alone, so that every
 * contender and the lower bound see the same numbers whatever order the flows are sent in.
 */
export function activationLatencyMs(dist: ScenarioActivationLatency, flowId: string, attempt: number): number {
  const sigma = dist.p95Ms > dist.medianMs ? Math.log(dist.p95Ms / dist.medianMs) / Z95 : 0;
  const u1 = Math.max(hashUniform(dist.seed ?? 1, flowId.toLowerCase(), attempt, 'u1'), 1e-12);
  const u2 = hashUniform(dist.seed ?? 1, flowId.toLowerCase(), attempt, 'u2');
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.round(dist.medianMs * Math.exp(sigma * z));
}

/** Whether `flowId` is one of the callers refused once (`refuseOnceFraction`). */
export function refusedOnce(script: ScenarioChildPublication, flowId: string): boolean {
  return (script.refuseOnceFraction ?? 0) > 0 && hashUniform(script.seed ?? 1, flowId.toLowerCase(), 'refuse-once') < (script.refuseOnceFraction ?? 0);
}

function matches(m: RequestMatcher, method: string, pathAndQuery: string): boolean {
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.pathIncludes && !pathAndQuery.includes(m.pathIncludes) && !safeDecode(pathAndQuery).includes(m.pathIncludes)) return false;
  return true;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const LOCKED_SETS = /^(workflows|connectionreferences|deploymentstageruns)(\(|$)/i;

function childNeverPublished(childId: string): { code: string; message: string } {
  return {
    code: 'ChildFlowNeverPublished',
    message: `The workflow with id '${childId}' cannot be used as a child workflow because it has never been published. Child workflows need to be published at least once before they can be included in a published parent workflow.`,
  };
}

/** The live state of the scripted transients of one simulator. */
export class Transients {
  private lockStart: number | undefined;
  private readonly activatedAt = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private readonly refused = new Set<string>();

  constructor(
    private readonly script: ScenarioTransient = {},
    private readonly now: () => number = Date.now,
  ) {
    if (script.customizationLock && !script.customizationLock.afterRequest) this.lockStart = now();
  }

  /** Called for every Dataverse operation before it runs: refuses solution operations while the lock holds, then starts the lock if this request is its trigger. */
  beforeOperation(method: string, resource: string, query: string, bodyText: string | undefined): void {
    const lock = this.script.customizationLock;
    if (!lock) return;
    const t = this.now();
    if (this.lockStart !== undefined && t >= this.lockStart && t < this.lockStart + lock.durationMs) {
      const operation = this.solutionOperation(method, resource, bodyText);
      if (operation) {
        // code from public code; the HTTP status is a guess
        throw new DataverseError(
          400,
          CUSTOMIZATION_LOCK_CODE,
          `Cannot start the requested operation [${operation}] because there is another [${lock.heldBy ?? 'EntityCustomization'}] running at this moment. Use Solution History for more details. -- The solution installation or removal failed due to the installation or removal of another solution at the same time. Please try again later.`,
          'CustomizationLockException',
        );
      }
    }
    if (this.lockStart === undefined && lock.afterRequest && matches(lock.afterRequest, method, query ? `${resource}?${query}` : resource)) {
      this.lockStart = t;
    }
  }

  /** The operation name the lock message gives, or undefined when the request is no solution operation. */
  private solutionOperation(method: string, resource: string, bodyText: string | undefined): string | undefined {
    const m = LOCKED_SETS.exec(resource);
    if (!m || method.toUpperCase() === 'GET') return undefined;
    if (m[1].toLowerCase() !== 'workflows') return method.toUpperCase() === 'DELETE' ? 'Delete' : 'Update';
    try {
      const body = JSON.parse(bodyText ?? '{}') as Record<string, unknown>;
      return 'statecode' in body || 'statuscode' in body ? 'WorkflowSetState' : undefined;
    } catch {
      return undefined;
    }
  }

  /** Latency of an activation request, from the distribution; undefined when none is scripted. */
  activationLatency(flowId: string): number | undefined {
    const dist = this.script.activationLatency;
    if (!dist) return undefined;
    const id = flowId.toLowerCase();
    const attempt = this.attempts.get(id) ?? 0;
    this.attempts.set(id, attempt + 1);
    return activationLatencyMs(dist, id, attempt);
  }

  /** Called after the platform's own checks passed for a caller whose children are all on. */
  checkChildPublication(flow: Row): void {
    const script = this.script.childPublication;
    if (!script) return;
    const childIds = childFlowIds((JSON.parse(String(flow.clientdata)) as { properties?: { definition?: unknown } }).properties?.definition);
    if (childIds.length === 0) return;
    const flowId = String(flow.workflowid);
    const t = this.now();
    const id = flowId.toLowerCase();
    let pending = script.delayMs ? childIds.filter((c) => t - (this.activatedAt.get(c) ?? -Infinity) < (script.delayMs as number)) : [];
    if (pending.length === 0 && !this.refused.has(id) && refusedOnce(script, id)) {
      this.refused.add(id);
      pending = [...childIds];
    }
    if (pending.length === 0) return;
    if (!script.multipleErrors) {
      const inner = childNeverPublished(pending[0]);
      throw flowClientError(400, 'BadRequest', inner.code, inner.message);
    }
    const details = pending.map(childNeverPublished);
    const body = JSON.stringify({
      error: {
        code: 'MultipleErrorsOccurred',
        message: `Multiple errors occurred: '${pending.map(() => 'BadRequest').join(',')}'. Please see details.`,
        details,
      },
    });
    throw new DataverseError(400, '0x80060467', `Flow client error returned with status code "BadRequest" and details "${body}".`, 'MultipleErrorsOccurred');
  }

  /** Called when a flow was turned on. */
  activated(flowId: string): void {
    this.activatedAt.set(flowId.toLowerCase(), this.now());
  }
}
