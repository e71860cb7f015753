/**
 * What a hub can do, from its version alone: the hub ignores unknown query parameters and
 * fields instead of rejecting them, so features cannot be detected by trying. Pure.
 */

export interface HubFeatures {
  /** Group `properties` and `PUT /groups/{name}/properties` (4.0). */
  readonly groupProperties: boolean;
  /** `sort` on `GET /users` (5.0). */
  readonly sortUsers: boolean;
  /** Stopping a server with a pending spawn cancels it instead of answering 400 (5.1). */
  readonly stopCancelsSpawn: boolean;
  /**
   * The 6.0 server API: start body `{user_options, display_name}`, `display_name`, GET on a
   * server, and the strict server-name rule.
   */
  readonly serverApiV6: boolean;
  /** Granting and revoking access to one server for a user or group: `/shares` (5.0). */
  readonly shares: boolean;
  /** Stopped named-server records: PUT creates one, PATCH edits a stopped one (6.0). */
  readonly serverRecords: boolean;
  /** Granting or changing `admin` needs an admin token (4.1.6 and 5.1+: CVE-2024-41942). */
  readonly adminNeedsAdmin: boolean;
}

export type Version = readonly [major: number, minor: number, patch: number];

/** Parses `5.5.1`, `6.0.0b2`, `4.1.6.dev0`; prerelease tags count as their release. */
export function parseVersion(text: string): Version {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!match) throw new RangeError(`not a JupyterHub version: ${JSON.stringify(text)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Whether `version` is at least `[major, minor, patch]`. */
export function atLeast(version: Version, major: number, minor = 0, patch = 0): boolean {
  const [a, b, c] = version;
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

export function featuresOf(version: Version): HubFeatures {
  return {
    groupProperties: atLeast(version, 4),
    sortUsers: atLeast(version, 5),
    stopCancelsSpawn: atLeast(version, 5, 1),
    serverApiV6: atLeast(version, 6),
    shares: atLeast(version, 5),
    serverRecords: atLeast(version, 6),
    adminNeedsAdmin: version[0] === 4 ? atLeast(version, 4, 1, 6) : atLeast(version, 5, 1),
  };
}
