import { ItemError } from '../report';

/** Turns message keys into text (host.loc). */
export type Localizer = (key: string, ...args: unknown[]) => string;

/**
 * One problem a plan can find: its stable report code and the message keys (task.json `messages`)
 * that explain it. `messageArgs`/`hintArgs` name the facts, in order, that fill the message's `%s`.
 */
export interface ProblemSpec {
  code: string;
  messageKey: string;
  hintKey?: string;
  messageArgs?: readonly string[];
  hintArgs?: readonly string[];
}

/** Message and hint of a problem from positional arguments (the same for both). */
export function describeProblem(loc: Localizer, spec: ProblemSpec, ...args: unknown[]): ItemError {
  return { code: spec.code, message: loc(spec.messageKey, ...args), hint: spec.hintKey ? loc(spec.hintKey, ...args) : '' };
}

/** Message and hint of a problem from named facts, each message taking the facts its spec names. */
export function describeProblemWith(loc: Localizer, spec: ProblemSpec, facts: Readonly<Record<string, unknown>>, platform?: { code?: string }): ItemError {
  const pick = (names: readonly string[] | undefined) => (names ?? []).map((name) => facts[name] ?? '');
  return {
    code: platform?.code ?? spec.code,
    message: loc(spec.messageKey, ...pick(spec.messageArgs)),
    hint: spec.hintKey ? loc(spec.hintKey, ...pick(spec.hintArgs)) : '',
  };
}

/** The message lookup a problem description needs (host.loc). */
export type Loc = Localizer;
