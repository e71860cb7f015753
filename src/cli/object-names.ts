/**
 * The object name an exported resource gets from its hub name. Kubernetes names are DNS
 * subdomains (lowercase letters, digits, `-` and `.`, at most 253, alphanumeric at both ends);
 * hub names may hold `@`, `+`, `_`, capitals of other scripts and more. The rule is reversible
 * because the hub name itself goes into `username` / `groupName` whenever the object name differs.
 * Pure.
 */
import { createHash } from 'node:crypto';

const maxLength = 253;
const hashLength = 8;

/**
 * The object name for `hubName`: lowercased, every run of characters a name cannot hold becomes
 * `-`, ends trimmed to an alphanumeric. When that changed the name, or `taken` already holds the
 * result, `-` and the first 8 hex digits of the hub name's SHA-256 are appended, so two hub names
 * that convert alike still get two names, the same ones on every export.
 */
export function objectNameFor(hubName: string, taken: ReadonlySet<string> = new Set()): string {
  const converted = hubName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .replace(/\.{2,}/g, '.');
  if (
    converted === hubName &&
    converted !== '' &&
    converted.length <= maxLength &&
    !taken.has(converted)
  )
    return converted;
  const suffix = createHash('sha256').update(hubName).digest('hex').slice(0, hashLength);
  const stem = converted.slice(0, maxLength - hashLength - 1).replace(/[^a-z0-9]+$/, '');
  return stem ? `${stem}-${suffix}` : `h-${suffix}`;
}

/** Object names for many hub names at once, in sorted order so that the result is stable. */
export function objectNames(hubNames: Iterable<string>): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  // Names that need no conversion keep themselves; the others get theirs around them.
  const sorted = [...hubNames].sort();
  for (const hubName of sorted) {
    if (objectNameFor(hubName) === hubName) {
      names.set(hubName, hubName);
      taken.add(hubName);
    }
  }
  for (const hubName of sorted) {
    if (names.has(hubName)) continue;
    const name = objectNameFor(hubName, taken);
    names.set(hubName, name);
    taken.add(name);
  }
  return names;
}
