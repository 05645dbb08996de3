/** Exponential backoff with jitter: attempt 1 waits about `baseDelayMs`, each next one twice as long, never over `capMs`. */
export function jitteredBackoff(attempt: number, baseDelayMs: number, capMs: number): number {
  const exponential = Math.min(capMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}
