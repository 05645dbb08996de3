import { ItemError } from '../report';

/** A problem with a stable public code, and the task.json message (and hint) keys that explain it. */
export interface ProblemSpec {
  code: string;
  messageKey: string;
  hintKey?: string;
}

export type Loc = (key: string, ...args: unknown[]) => string;

/** The one place a problem kind becomes the `{code, message, hint}` of a report item. */
export function describeProblem(loc: Loc, spec: ProblemSpec, ...args: unknown[]): ItemError {
  return { code: spec.code, message: loc(spec.messageKey, ...args), ...(spec.hintKey ? { hint: loc(spec.hintKey, ...args) } : {}) };
}
