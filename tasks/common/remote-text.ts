/**
 * Text that comes from the service (names, error messages) is untrusted: the agent would act on
 * any `##vso[` or `##[` marker in it. These helpers make such text inert before it is logged.
 */
const COMMAND_MARKER = /##(vso)?\[/gi;

export function neutralise(text: string): string {
  return text.replace(COMMAND_MARKER, (marker) => marker.replace('##', '#\u200b#'));
}

/** One line of remote text: markers neutralised, line breaks folded, length bounded. */
export function neutraliseLine(text: string, maxLength = 2000): string {
  // Split and trim rather than one regular expression: `\s*[\r\n]+\s*` backtracks quadratically on long blank runs.
  const single = neutralise(text)
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
  return single.length > maxLength ? `${single.slice(0, maxLength)}…` : single;
}
