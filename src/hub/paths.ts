/**
 * API paths for users, groups and servers, each name percent-encoded as one path segment
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
