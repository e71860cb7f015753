/**
 * JupyterHub's naming rules, checked before a request is sent, so that a bad name becomes a
 * clear error instead of a hub 400 (or, for a single-user create, a silently different user).
 * Pure; the CRD validation mirrors these rules.
 */

/** JupyterHub's default normalization: usernames are lowercase. */
export function normalizeUsername(name: string): string {
  return name.toLowerCase();
}

/** Why a username is invalid for the hub, or undefined when it is fine. */
export function usernameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a username cannot be empty';
  if (name.length > 255) return 'a username has at most 255 characters';
  if (name.includes('/')) return 'a username cannot contain "/"';
  if (name.trim() !== name) return 'a username cannot start or end with white space';
  if (name !== normalizeUsername(name)) return 'a username must be lowercase';
  return undefined;
}

/** JupyterHub 6.0's rule for new named servers: 1-30 of [a-z0-9-], a letter first, no "--". */
export const serverNamePattern6 = /^[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/;

/** Why a server name is invalid on this hub, or undefined when it is fine. "" is the default server. */
export function serverNameProblem(name: string, strictV6: boolean): string | undefined {
  if (name === '') return undefined;
  if (name.includes('/')) return 'a server name cannot contain "/"';
  if (!strictV6) return undefined;
  if (!serverNamePattern6.test(name) || name.includes('--')) {
    return 'JupyterHub 6 server names are 1-30 characters of a-z, 0-9 and "-", start with a letter, end with a letter or digit, and have no "--"';
  }
  return undefined;
}
