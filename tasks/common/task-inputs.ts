/** The one input grammar of every task: GUIDs, booleans and lists are read here and nowhere else. */

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every GUID in a text (a platform message, a file name), lower case, each once, in order. */
export function guidsIn(text: string): string[] {
  return [...new Set((text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []).map((g) => g.toLowerCase()))];
}

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

const TRUE_WORDS = ['true', 'yes', '1'];
const FALSE_WORDS = ['false', 'no', '0'];
/** The words a boolean input accepts, for messages. */
export const BOOLEAN_WORDS = [...TRUE_WORDS, ...FALSE_WORDS];

/** `true`/`yes`/`1` and `false`/`no`/`0`, any case; the fallback when empty; undefined when not a boolean. */
export function parseBoolean(value: string | undefined, fallback: boolean): boolean | undefined {
  const text = value?.trim().toLowerCase();
  if (!text) return fallback;
  if (TRUE_WORDS.includes(text)) return true;
  if (FALSE_WORDS.includes(text)) return false;
  return undefined;
}

/** Commas or new lines separate the entries; entries are trimmed and empty ones dropped. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\r\n]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** Entries one a line (names that may hold a comma, e.g. flow display names). */
export function splitLines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** A user named by Entra object id (lower case) or by UPN (lower case). */
export type UserRef = { kind: 'objectId'; objectId: string; raw: string } | { kind: 'upn'; upn: string; raw: string };

/** A GUID, optionally in braces, lower case; undefined when the text is not one. */
export function normaliseGuid(value: string): string | undefined {
  const bare = value.trim().replace(/^\{(.*)\}$/, '$1');
  return isGuid(bare) ? bare.toLowerCase() : undefined;
}

const UPN = /^[^\s@]+@[^\s@]+$/;

/** An object id or a UPN; undefined when the text is neither. */
export function parseUserRef(value: string): UserRef | undefined {
  const raw = value.trim();
  const objectId = normaliseGuid(raw);
  if (objectId) return { kind: 'objectId', objectId, raw };
  return UPN.test(raw) ? { kind: 'upn', upn: raw.toLowerCase(), raw } : undefined;
}
