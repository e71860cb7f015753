/**
 * One picture of the hub's users and groups, shared by every reconciler: filled by one
 * paginated sweep (ceil(users/200) + ceil(groups/200) requests) and kept fresh between sweeps
 * by the results of the operator's own writes, so a steady state costs one sweep per period
 * instead of one call per object. A write recorded during a sweep is not overwritten by it.
 * The first sweep fills the users in as its pages come, so a user's own question can be
 * answered before the last page (userListed); that a user is absent only a whole sweep tells.
 */
import type { Priority } from '../priority.ts';
import type { Hub } from './hub.ts';
import type { HubGroup, HubUser } from './models.ts';

/** Counts from one sweep, as the hub listed them. */
export interface SweepFigures {
  readonly users: number;
  readonly groups: number;
  readonly runningServers: number;
  /** Epoch milliseconds, by the hub client's clock. */
  readonly endedAt: number;
  /** How long the sweep's reads took, in milliseconds. */
  readonly durationMs: number;
}

export class HubSnapshot {
  readonly #hub: Hub;
  #users = new Map<string, HubUser>();
  #groups = new Map<string, HubGroup>();
  #sweep: Promise<void> | undefined;
  #swept = false;
  #lastSweep: SweepFigures | undefined;
  /** Writes recorded while a sweep runs: null means deleted. They win over the sweep's pages. */
  #usersTouched = new Map<string, HubUser | null>();
  #groupsTouched = new Map<string, HubGroup | null>();
  readonly #appeared: ((name: string) => void)[] = [];
  /** Callers of userListed waiting, by name, for the first sweep's pages to list it. */
  readonly #awaited = new Map<string, (() => void)[]>();

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  /** Resolves once at least one sweep has completed (starting one if none has). */
  async ready(priority: Priority = 'interactive'): Promise<void> {
    if (!this.#swept) await this.sweep(priority);
  }

  /**
   * Resolves once the snapshot can answer for the user `name`: at once after a completed sweep
   * or once the operator has recorded the user; during the first sweep, as soon as a page lists
   * it. A name no page lists waits for the whole sweep (and fails with it), since only a whole
   * sweep tells that a user is not in the hub. A restart's reconciles so start on the pages read
   * so far instead of after the last of them.
   */
  async userListed(name: string, priority: Priority = 'interactive'): Promise<void> {
    if (this.#swept || this.#users.has(name)) return;
    const sweep = this.sweep(priority);
    await Promise.race([sweep, this.#listing(name)]);
    if (!this.#swept && !this.#users.has(name)) await sweep;
  }

  /** Reads every user and group afresh; concurrent callers share one sweep. */
  sweep(priority: Priority = 'background'): Promise<void> {
    this.#sweep ??= this.#run(priority).finally(() => {
      this.#sweep = undefined;
      for (const waiters of this.#awaited.values()) for (const wake of waiters) wake();
      this.#awaited.clear();
    });
    return this.#sweep;
  }

  /**
   * What the snapshot holds now: the last sweep's users and groups with the operator's own writes
   * since, and the running servers among them. Counts, for metrics; walks every user.
   */
  counts(): { users: number; groups: number; runningServers: number } {
    let runningServers = 0;
    for (const user of this.#users.values())
      for (const server of Object.values(user.servers ?? {})) if (server.ready) runningServers += 1;
    return { users: this.#users.size, groups: this.#groups.size, runningServers };
  }

  /** What the last completed sweep found, and when it ended; undefined before the first. */
  get lastSweep(): SweepFigures | undefined {
    return this.#lastSweep;
  }

  user(name: string): HubUser | undefined {
    return this.#users.get(name);
  }

  group(name: string): HubGroup | undefined {
    return this.#groups.get(name);
  }

  hasUser(name: string): boolean {
    return this.#users.has(name);
  }

  /** Records a user the operator wrote or read; a name new to the snapshot is announced. */
  recordUser(recorded: HubUser): void {
    const user = compact(recorded);
    const appeared = !this.#users.has(user.name);
    this.#users.set(user.name, user);
    if (this.#sweep) this.#usersTouched.set(user.name, user);
    if (appeared) for (const listener of this.#appeared) listener(user.name);
  }

  /**
   * Calls `listener` with each user name recordUser adds to the snapshot (the operator's own
   * creates and fresh reads; not a sweep's pages, which a resync follows anyway).
   */
  onUserAppeared(listener: (name: string) => void): void {
    this.#appeared.push(listener);
  }

  forgetUser(name: string): void {
    this.#users.delete(name);
    if (this.#sweep) this.#usersTouched.set(name, null);
  }

  recordGroup(group: HubGroup): void {
    this.#groups.set(group.name, group);
    if (this.#sweep) this.#groupsTouched.set(group.name, group);
  }

  forgetGroup(name: string): void {
    this.#groups.delete(name);
    if (this.#sweep) this.#groupsTouched.set(name, null);
  }

  /** Until the first sweep lists `name`, or ends. */
  #listing(name: string): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#awaited.get(name);
      if (waiters) waiters.push(resolve);
      else this.#awaited.set(name, [resolve]);
    });
  }

  /** A page of the users list: before the first sweep completes, its users are the picture. */
  #arrived(page: readonly HubUser[]): void {
    if (this.#swept) return;
    for (const user of page) {
      if (this.#usersTouched.has(user.name)) continue;
      this.#users.set(user.name, compact(user));
      const waiters = this.#awaited.get(user.name);
      if (!waiters) continue;
      this.#awaited.delete(user.name);
      for (const wake of waiters) wake();
    }
  }

  async #run(priority: Priority): Promise<void> {
    this.#usersTouched.clear();
    this.#groupsTouched.clear();
    const startedAt = this.#hub.client.now();
    const [users, groups] = await Promise.all([
      this.#hub.users.list({ priority }, (page) => this.#arrived(page)),
      this.#hub.groups.list({ priority }),
    ]);
    this.#lastSweep = {
      users: users.size,
      groups: groups.size,
      runningServers: [...users.values()].reduce(
        (sum, user) => sum + Object.values(user.servers ?? {}).filter((s) => s.ready).length,
        0,
      ),
      endedAt: this.#hub.client.now(),
      durationMs: this.#hub.client.now() - startedAt,
    };
    for (const [name, user] of users) users.set(name, compact(user));
    this.#users = overlay(users, this.#usersTouched);
    this.#groups = overlay(groups, this.#groupsTouched);
    this.#swept = true;
  }
}

const noGroups: string[] = Object.freeze([]) as unknown as string[];
const noServers: Record<string, never> = Object.freeze({});

/**
 * A model as the snapshot keeps one of each hub user (50,000 of them at a university): one
 * fixed shape with every field in the object itself, and the empty groups and servers that
 * most users have shared. zod's output spills its fields into a second array; the two empty
 * containers cost 90 bytes a user. Shared ones are frozen: models are read, never changed.
 */
function compact(user: HubUser): HubUser {
  return {
    name: user.name,
    admin: user.admin,
    groups: user.groups === undefined || user.groups.length > 0 ? user.groups : noGroups,
    created: user.created,
    last_activity: user.last_activity,
    servers:
      user.servers === undefined || Object.keys(user.servers).length > 0 ? user.servers : noServers,
  };
}

function overlay<T>(swept: Map<string, T>, touched: Map<string, T | null>): Map<string, T> {
  for (const [name, value] of touched) {
    if (value === null) swept.delete(name);
    else swept.set(name, value);
  }
  return swept;
}
