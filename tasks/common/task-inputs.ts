export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(v: string): boolean {
  return GUID_PATTERN.test(v);
}

/** `true`/`yes`/`1` and `false`/`no`/`0`, any case; undefined = not a boolean. */
export function parseBoolean(v: string | undefined, fallback: boolean): boolean | undefined {
  if (v === undefined || v.trim() === '') return fallback;
  if (/^(true|yes|1)$/i.test(v.trim())) return true;
  if (/^(false|no|0)$/i.test(v.trim())) return false;
  return undefined;
}

/** Commas or new lines, trimmed, empty dropped. */
export function splitList(v: string | undefined): string[] {
  return (v ?? '')
    .split(/[,\r\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
