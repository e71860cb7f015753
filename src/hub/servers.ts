/**
 * Servers, default ("") and named: start with user options, stop (optionally removing a named
 * server), read state, follow a spawn's progress. The request shape differs by version: up to
 * 5.x the whole start body is the user options; 6.0 takes `{user_options, display_name}`.
 */
import type { HubFeatures } from './features.ts';
import type { HubClient } from './client.ts';
import { callOptions, type CallOptions } from './request.ts';
import { HubError, nullIfNotFound } from './errors.ts';
import type { HubServer, HubUser, ProgressEvent } from './models.ts';
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
