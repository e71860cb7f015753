/**
 * Hub users: list, read, create (one or many), set admin, delete. Names are checked before
 * sending and always lowercase: the hub's single-user create does not normalize names, so
 * "Alice" would silently become a second user beside "alice".
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Lane } from './budget.ts';
import type { HubClient } from './client.ts';
import { callOptions, type CallOptions } from './request.ts';
import { HubError, nullIfNotFound } from './errors.ts';
import { userSchema, type HubUser } from './models.ts';
import { usernameProblem } from './names.ts';
import { listAll, paginate } from './paginate.ts';
import { userPath } from './paths.ts';
import type { ServersApi } from './servers.ts';

export interface UsersOptions {
  /** Names per bulk create: the hub commits per user and answers nothing else meanwhile. */
  readonly bulkCreateBatchSize: number;
  /** How long `delete` waits for the user's servers to stop. */
  readonly stopWaitMs: number;
}

export const defaultUsersOptions: UsersOptions = { bulkCreateBatchSize: 25, stopWaitMs: 60_000 };

export class UsersApi {
  readonly #client: HubClient;
  readonly #servers: ServersApi;
  readonly #clock: Clock;
  readonly #options: UsersOptions;

  constructor(
    client: HubClient,
    servers: ServersApi,
    clock: Clock,
    options: Partial<UsersOptions> = {},
  ) {
    this.#client = client;
    this.#servers = servers;
    this.#clock = clock;
    this.#options = { ...defaultUsersOptions, ...options };
  }

  /**
   * Every user, by name, with its active servers. Costs ceil(users / 200) requests. `arrived`
   * sees each page's users as the page comes, before the whole list is read.
   */
  list(
    options: CallOptions = {},
    arrived?: (users: readonly HubUser[]) => void,
  ): Promise<Map<string, HubUser>> {
    return listAll(
      this.#client,
      { route: '/users', path: '/users', ...options },
      userSchema,
      (u) => u.name,
      arrived,
    );
  }

  /** The users one page at a time, for sweeps that compare as they read. */
  pages(options: CallOptions = {}): AsyncGenerator<HubUser[]> {
    return paginate(this.#client, { route: '/users', path: '/users', ...options }, userSchema);
  }

  /**
   * One user, or null when the hub has none of that name. `lane: 'spawn'` for the read that
   * follows a start, so that it does not queue behind the hub lane's few slots.
   */
  async get(
    name: string,
    options: CallOptions & { includeStoppedServers?: boolean; lane?: Lane } = {},
  ): Promise<HubUser | null> {
    const query = options.includeStoppedServers ? '?include_stopped_servers=1' : '';
    const request = {
      method: 'GET',
      route: '/users/{name}',
      path: `${userPath(name)}${query}`,
      ...(options.lane ? { lane: options.lane } : {}),
      ...callOptions(options),
    } as const;
    return nullIfNotFound(this.#client.json(request, userSchema).then(({ data }) => data));
  }

  /** Creates one user; HUB_CONFLICT when it exists. */
  async create(name: string, options: CallOptions & { admin?: boolean } = {}): Promise<HubUser> {
    checkUsername('POST /users/{name}', name);
    const { data } = await this.#client.json(
      {
        method: 'POST',
        route: '/users/{name}',
        path: userPath(name),
        body: options.admin ? { admin: true } : {},
        ...callOptions(options),
      },
      userSchema,
    );
    return data;
  }

  /**
   * Creates many users in batches of `bulkCreateBatchSize`, all with the same admin flag.
   * Names that already exist are skipped by the hub; the result lists only those created.
   */
  async createMany(
    names: readonly string[],
    options: CallOptions & { admin?: boolean } = {},
  ): Promise<HubUser[]> {
    for (const name of names) checkUsername('POST /users', name);
    const created: HubUser[] = [];
    for (let i = 0; i < names.length; i += this.#options.bulkCreateBatchSize) {
      const batch = names.slice(i, i + this.#options.bulkCreateBatchSize);
      try {
        const { data } = await this.#client.json(
          {
            method: 'POST',
            route: '/users',
            path: '/users',
            body: { usernames: batch, admin: options.admin ?? false },
            ...callOptions(options),
          },
          z.array(userSchema),
        );
        created.push(...data);
      } catch (err) {
        // 409 means every name of the batch exists already: nothing to create.
        if (!(err instanceof HubError && err.code === 'HUB_CONFLICT')) throw err;
      }
    }
    return created;
  }

  /** Sets the admin flag (the operator's service must itself be an admin on 4.1.6 / 5.1+). */
  async setAdmin(name: string, admin: boolean, options: CallOptions = {}): Promise<HubUser> {
    const { data } = await this.#client.json(
      {
        method: 'PATCH',
        route: '/users/{name}',
        path: userPath(name),
        body: { admin },
        idempotent: true,
        ...callOptions(options),
      },
      userSchema,
    );
    return data;
  }

  /**
   * Deletes a user; resolves when it is gone, including when it never existed. The hub refuses
   * (500) while a named server is active or a spawn is pending, so on refusal the servers are
   * stopped first; HUB_PENDING when they are still stopping after `stopWaitMs`.
   */
  async delete(name: string, options: CallOptions = {}): Promise<void> {
    // The usual user has no active server: one call, no read first.
    if (await this.#tryDelete(name, options)) return;
    const deadline = this.#clock.now() + this.#options.stopWaitMs;
    let pause = 250;
    for (;;) {
      const user = await this.get(name, options);
      if (user === null) return;
      const active = Object.values(user.servers ?? {});
      if (active.length === 0 && (await this.#tryDelete(name, options))) return;
      let allStopped = true;
      for (const server of active) {
        const outcome =
          server.pending === 'stop'
            ? 'stopping'
            : await this.#servers.stop(name, server.name, options);
        allStopped &&= outcome === 'stopped';
      }
      if (this.#clock.now() >= deadline) {
        throw new HubError(
          'HUB_PENDING',
          `DELETE /users/{name}: the servers of ${name} are still stopping`,
        );
      }
      // Wait while servers stop, or when the hub refused with nothing active (a spawn racing us).
      if (!allStopped || active.length === 0) {
        await this.#clock.sleep(pause, options.signal);
        pause = Math.min(pause * 2, 2_000);
      }
    }
  }

  /** True when the user is gone; false when the hub refused because of its servers. */
  async #tryDelete(name: string, options: CallOptions): Promise<boolean> {
    try {
      await this.#client.send({
        method: 'DELETE',
        route: '/users/{name}',
        path: userPath(name),
        maxAttempts: 1,
        ...callOptions(options),
      });
      return true;
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
      if (err.code === 'HUB_NOT_FOUND') return true;
      if (err.status === 500 || err.code === 'HUB_PENDING') return false;
      throw err;
    }
  }
}

function checkUsername(route: string, name: string): void {
  const problem = usernameProblem(name);
  if (problem)
    throw new HubError('HUB_INVALID', `${route}: not sent: ${JSON.stringify(name)}: ${problem}`);
}
