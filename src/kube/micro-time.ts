/**
 * Kubernetes MicroTime (Lease renewTime, Event eventTime): RFC 3339 with six fractional digits.
 * The API server parses it with a fixed layout that refuses a plain Date's three.
 */

/** `2026-11-30T20:01:02.345000Z` for the given epoch milliseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
