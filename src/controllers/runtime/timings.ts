/**
 * Every delay after which the controllers look at an object again, in one place, each with the
 * reason for its number. Failures back off in the work queue (kube/queue.ts) instead; a hub's
 * Retry-After wins over both.
 */

/** A server start or stop the hub is still working on: the stand-in spawner of a test hub
 * takes under a second and KubeSpawner a few, so 2 s sees most finish on the first look. */
export const serverInProgressMs = 2_000;

/** A server's user not in the hub yet: its HubUser usually creates it within seconds, and the
 * hub user appearing wakes the server at once (hubserver/triggers.ts); this is the fallback. */
export const serverUserMissingMs = 5_000;

/** A failed server with `keepRunning`: long enough that a spawner failing every time costs the
 * hub one attempt per server per half minute, short enough to recover soon after a fix. */
export const failedServerRetryMs = 30_000;

/** A group waiting for HubUsers to create its members: their appearance wakes it
 * (hubgroup/triggers.ts); this is only the safety net for a missed wake. */
export const membersPendingMs = 30_000;

/**
 * Shares whose calls failed after the server's own round went through: that round's status is
 * written, so the retry comes from here rather than from the error backoff.
 */
export const sharesRetryMs = 30_000;

/** A group that a create found already there: the next round, with the group read back, sets
 * its members; a second lets the create's own echo settle first. */
export const adoptedOnCreateMs = 1_000;

/** A group woken by a member's appearance waits this long, so that a cohort applied at once or
 * one bulk create of 25 costs the group one round instead of one per member. */
export const groupWakeDelayMs = 1_000;

/** A Hub's status (reachable, token accepted, last sweep's counts) and its token's Secret are
 * read again this often: a rotated token is in use within this long (one Secret read and one
 * token check per Hub each time), and the counts lag a sweep by no more than this. */
export const hubStatusRefreshMs = 10_000;

/** A resource whose Hub exists but is not served yet (the operator just started, or the Hub was
 * just created) looks again this soon: a Hub's first reconcile takes one Secret read. */
export const hubPendingMs = 500;

/** A put-off periodic sweep looks this often whether the hub is still starting servers. */
export const sweepDeferStepMs = 500;

/** The longest a periodic sweep is put off for spawns: half its period, and never more than 30 s,
 * so drift repair waits for a spawn storm but not indefinitely. */
export function sweepMaxDeferMs(periodMs: number): number {
  return Math.min(periodMs / 2, 30_000);
}

/** At SIGTERM, work in flight gets this long to finish before the lease is handed back: inside
 * Kubernetes' default 30 s grace period, with room for the release and the exit. */
export const drainTimeoutMs = 20_000;

/** How soon a HubToken whose user does not exist yet looks again. */
export const tokenPollMs = 5_000;
