/**
 * API paths for users, groups, servers and shares, each name percent-encoded as one path segment
 * (usernames may hold `@`, `.`, `+`; old hubs allow almost anything in a server name).
 */

const segment = (name: string): string => encodeURIComponent(name);

export const userPath = (user: string): string => `/users/${segment(user)}`;

export const groupPath = (group: string): string => `/groups/${segment(group)}`;

/** The default server ("") or a named one. */
export function serverPath(user: string, server: string): string {
  return server === ''
    ? `${userPath(user)}/server`
    : `${userPath(user)}/servers/${segment(server)}`;
}

/** The route template of `serverPath`, for metrics and messages. */
export function serverRoute(server: string): string {
  return server === '' ? '/users/{name}/server' : '/users/{name}/servers/{server}';
}

/** Every share of one owner's servers. */
export const ownerSharesPath = (owner: string): string => `/shares/${segment(owner)}`;

/** The shares of one server; the default server ("") ends in a slash: `/shares/alice/`. */
export const serverSharesPath = (owner: string, server: string): string =>
  `${ownerSharesPath(owner)}/${segment(server)}`;
