/**
 * Servers, default ("") and named: start with user options, stop (optionally removing a named
 * server), read state, follow a spawn's progress, and on 6.0+ create or edit a stopped server's
 * record. The request shape differs by version: up to 5.x the whole start body is the user
 * options; 6.0 takes `{user_options, display_name}`.
 */
import type { HubFeatures } from './features.ts';
import type { HubClient } from './client.ts';
import { callOptions, type CallOptions } from './request.ts';
import { HubError, nullIfNotFound } from './errors.ts';
import { serverSchema, type HubServer, type HubUser, type ProgressEvent } from './models.ts';
import { serverNameProblem } from './names.ts';
import { isFinal, parseEventStream } from './progress.ts';
import { serverPath, serverRoute } from './paths.ts';
import { StartedUsersReader } from './started-users.ts';
import type { UsersApi } from './users.ts';

export interface StartOptions extends CallOptions {
  /** Handed to the spawner; left out, the hub reuses the previous options. */
  readonly userOptions?: Record<string, unknown>;
  /** JupyterHub 6.0+; HUB_UNSUPPORTED on older hubs. */
  readonly displayName?: string;
}

/**
 * `ready`: started, and answering within the hub's spawn wait. `pending`: still starting.
 * `running`: it was running before this start (someone else started it).
 */
export type StartOutcome = 'ready' | 'pending' | 'running';

/** `stopped`: gone or never running. `stopping`: the hub is still stopping it. */
export type StopOutcome = 'stopped' | 'stopping';

/** What a server's record holds besides its name (JupyterHub 6.0+). */
export interface ServerRecord {
  readonly displayName?: string;
  readonly userOptions?: Record<string, unknown>;
}

/** `created`: by this call. `exists`: the hub had a record of that name already. */
export type CreateOutcome = 'created' | 'exists';

export class ServersApi {
  readonly #client: HubClient;
  readonly #features: () => Promise<HubFeatures>;
  readonly #users: () => UsersApi;
  readonly #afterStart: StartedUsersReader;

  constructor(client: HubClient, features: () => Promise<HubFeatures>, users: () => UsersApi) {
    this.#client = client;
    this.#features = features;
    this.#users = users;
    this.#afterStart = new StartedUsersReader(client, (name, priority) =>
      this.#users().get(name, { priority, lane: 'spawn' }),
    );
  }

  /**
   * Starts a server, creating a named one if needed; `running` when it already ran (not an
   * error, but not this call's start either). HUB_RATE_LIMITED (with retryAfterMs) when the
   * hub's spawn limit is reached, HUB_PENDING while a spawn or stop is pending, HUB_INVALID for
   * names or options the hub refuses.
   */
  async start(user: string, server: string, options: StartOptions = {}): Promise<StartOutcome> {
    const route = `POST ${serverRoute(server)}`;
    const features = await this.#features();
    const problem = serverNameProblem(server, features.serverApiV6);
    if (problem)
      throw new HubError(
        'HUB_INVALID',
        `${route}: not sent: ${JSON.stringify(server)}: ${problem}`,
      );
    if (options.displayName !== undefined && !features.serverApiV6) {
      throw new HubError('HUB_UNSUPPORTED', `${route}: display names need JupyterHub 6.0 or newer`);
    }
    try {
      const response = await this.#client.send({
        method: 'POST',
        route: serverRoute(server),
        path: serverPath(user, server),
        lane: 'spawn',
        ...startBody(options, features),
        ...callOptions(options),
      });
      return response.status === 202 ? 'pending' : 'ready';
    } catch (err) {
      if (
        err instanceof HubError &&
        err.code === 'HUB_INVALID' &&
        /is already running/.test(err.message)
      )
        return 'running';
      throw err;
    }
  }

  /** True while a start this operator sent, or the read that follows one, waits on the hub. */
  starting(): boolean {
    return this.#client.budget.stats().spawnsInFlight > 0;
  }

  /**
   * The user with its servers, read as the last step of a start (the server's url and start
   * time). Reads of a storm gather into a list of the ready users; single ones go in the spawn
   * lane beside the starts, not behind the hub lane's few slots. Null when the user is gone.
   */
  userAfterStart(user: string, options: CallOptions = {}): Promise<HubUser | null> {
    return this.#afterStart.read(user, options.priority);
  }

  /** Stops a server; `remove` also deletes a named server's record (ignored for the default one). */
  async stop(
    user: string,
    server: string,
    options: CallOptions & { remove?: boolean } = {},
  ): Promise<StopOutcome> {
    let response: Awaited<ReturnType<HubClient['send']>> | null;
    try {
      response = await nullIfNotFound(
        this.#client.send({
          method: 'DELETE',
          route: serverRoute(server),
          path: serverPath(user, server),
          ...(options.remove && server !== '' ? { body: { remove: true } } : {}),
          ...callOptions(options),
        }),
      );
    } catch (err) {
      // JupyterHub 4.x answers this DELETE for a user that does not exist with 500, not 404: a
      // server of a missing user is as stopped as it gets.
      if (
        err instanceof HubError &&
        err.status === 500 &&
        !(await this.#users().get(user, callOptions(options)))
      )
        return 'stopped';
      throw err;
    }
    return response?.status === 202 ? 'stopping' : 'stopped';
  }

  /** A server's state, stopped ones included; null when the user or the server does not exist. */
  async get(user: string, server: string, options: CallOptions = {}): Promise<HubServer | null> {
    const model = await this.#users().get(user, { ...options, includeStoppedServers: true });
    return model?.servers?.[server] ?? null;
  }

  /**
   * Creates a named server's record without starting it (JupyterHub 6.0+; HUB_UNSUPPORTED before,
   * without a request). `exists` when the hub has a record of that name, whatever it holds
   * (`updateRecord` changes that), and for the default server, which always has one. HUB_INVALID
   * for a name, or a limit of named servers, the hub refuses; HUB_NOT_FOUND for a missing user.
   * Retried like any PUT: a resent create finds its own record and says `exists`.
   */
  async createStopped(
    user: string,
    server: string,
    record: ServerRecord = {},
    options: CallOptions = {},
  ): Promise<CreateOutcome> {
    const route = `PUT ${serverRoute(server)}`;
    await this.#recordsSupported(route);
    const problem = serverNameProblem(server, true);
    if (problem)
      throw new HubError(
        'HUB_INVALID',
        `${route}: not sent: ${JSON.stringify(server)}: ${problem}`,
      );
    try {
      await this.#client.send({
        method: 'PUT',
        route: serverRoute(server),
        path: serverPath(user, server),
        ...recordBody(record),
        ...callOptions(options),
      });
      return 'created';
    } catch (err) {
      if (err instanceof HubError && err.code === 'HUB_CONFLICT') return 'exists';
      throw err;
    }
  }

  /**
   * Sets the display name and user options of a server that is not running (JupyterHub 6.0+;
   * HUB_UNSUPPORTED before, without a request) and resolves with the server as the hub now has
   * it. HUB_PENDING while the server is active: the hub edits stopped servers only, and the
   * change can go through once the server stops (not HUB_INVALID, which would never be tried
   * again). HUB_NOT_FOUND for a missing user or record; HUB_INVALID, not sent, with nothing to set.
   */
  async updateRecord(
    user: string,
    server: string,
    record: ServerRecord,
    options: CallOptions = {},
  ): Promise<HubServer> {
    const route = `PATCH ${serverRoute(server)}`;
    await this.#recordsSupported(route);
    const { body } = recordBody(record);
    if (body === undefined)
      throw new HubError('HUB_INVALID', `${route}: not sent: neither a display name nor options`);
    try {
      const { data } = await this.#client.json(
        {
          method: 'PATCH',
          route: serverRoute(server),
          path: serverPath(user, server),
          body,
          // Setting the same values twice ends in the same record.
          idempotent: true,
          ...callOptions(options),
        },
        serverSchema,
      );
      return data;
    } catch (err) {
      if (err instanceof HubError && err.status === 400 && / is active\b/.test(err.message))
        throw new HubError('HUB_PENDING', err.message, { status: 400, cause: err });
      throw err;
    }
  }

  async #recordsSupported(route: string): Promise<void> {
    if (!(await this.#features()).serverRecords)
      throw new HubError(
        'HUB_UNSUPPORTED',
        `${route}: server records need JupyterHub 6.0 or newer`,
      );
  }

  /**
   * Follows a spawn until it is ready or failed, yielding each progress event. HUB_NOT_FOUND when
   * the server is not starting (nothing to follow); the stream ends early if the hub closes it.
   */
  async *progress(
    user: string,
    server: string,
    options: CallOptions = {},
  ): AsyncGenerator<ProgressEvent> {
    const body = await this.#client.stream({
      method: 'GET',
      route: `${serverRoute(server)}/progress`,
      path: `${serverPath(user, server)}/progress`,
      accept: 'text/event-stream',
      ...callOptions(options),
    });
    try {
      for await (const event of parseEventStream(body)) {
        yield event;
        if (isFinal(event)) return;
      }
    } finally {
      body.destroy();
    }
  }
}

/**
 * A record's PUT or PATCH body: only `display_name` and `user_options`, since 6.1.1 answers any
 * other key of a PATCH with 500; none when there is nothing to say.
 */
function recordBody(record: ServerRecord): { body?: unknown } {
  const body = {
    ...(record.displayName === undefined ? {} : { display_name: record.displayName }),
    ...(record.userOptions === undefined ? {} : { user_options: record.userOptions }),
  };
  return Object.keys(body).length === 0 ? {} : { body };
}

/** The start request's body for this hub version; none when there is nothing to say. */
function startBody(options: StartOptions, features: HubFeatures): { body?: unknown } {
  if (!features.serverApiV6)
    return options.userOptions === undefined ? {} : { body: options.userOptions };
  const body = {
    ...(options.userOptions === undefined ? {} : { user_options: options.userOptions }),
    ...(options.displayName === undefined ? {} : { display_name: options.displayName }),
  };
  return Object.keys(body).length === 0 ? {} : { body };
}
