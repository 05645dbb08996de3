/**
 * `#{name}#` tokens in a settings file, the format of the ALM Accelerator and of the Replace Tokens
 * task: in every string value (never in a key) each token becomes the value of the pipeline
 * variable `name`. Replacement is one pass: a variable's value is never searched for tokens again.
 */

export interface TokenVariable {
  value: string;
  secret: boolean;
}

/** The pipeline variable of that name (case-insensitive, as the agent reads them), or undefined when not set. */
export type TokenVariableLookup = (name: string) => TokenVariable | undefined;

export interface TokenReplacement<T> {
  /** A copy of the document with every token replaced; a value with an unset token is left empty (a missing value). */
  document: T;
  /** Names of the variables that tokens name but that are not set, each once, in order of appearance. */
  unset: string[];
  /** Values that must be masked: the secret variables' values and every value they were put into. */
  secrets: Set<string>;
}

const TOKEN = /#\{\s*([^{}#]+?)\s*\}#/g;

/** Replaces every `#{name}#` token in the string values of a parsed JSON document. */
export function replaceTokens<T>(document: T, lookup: TokenVariableLookup): TokenReplacement<T> {
  const unset: string[] = [];
  const unsetKeys = new Set<string>();
  const secrets = new Set<string>();

  const replaceString = (text: string): string => {
    let missing = false;
    let usesSecret = false;
    const replaced = text.replace(TOKEN, (_token, name: string) => {
      const variable = lookup(name);
      if (variable === undefined) {
        missing = true;
        if (!unsetKeys.has(name.toLowerCase())) {
          unsetKeys.add(name.toLowerCase());
          unset.push(name);
        }
        return '';
      }
      if (variable.secret) {
        usesSecret = true;
        if (variable.value) secrets.add(variable.value);
      }
      return variable.value;
    });
    if (missing) return '';
    if (usesSecret && replaced) secrets.add(replaced);
    return replaced;
  };

  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return replaceString(value);
    if (Array.isArray(value)) return value.map(walk);
    // fromEntries defines own properties, so a "__proto__" key stays a plain key.
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };

  return { document: walk(document) as T, unset, secrets };
}

