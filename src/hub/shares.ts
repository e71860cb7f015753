/**
 * Shares (JupyterHub 5.0+): which users and groups may use one server of another user, and with
 * which scopes. A grant merges scopes into the target's share and a revoke takes some or all of
 * them away. The hub stores every scope filtered to its server, so desired scopes are compared
 * with observed ones in that form (`storedShareScopes`), and a revoke must name them in it.
 */
import { z } from 'zod';
import type { HubClient } from './client.ts';
import { HubError, nullIfNotFound } from './errors.ts';
import type { HubFeatures } from './features.ts';
import { shareSchema, shareTargetKey, type HubShare, type ShareTarget } from './models.ts';
import { listAll } from './paginate.ts';
import { ownerSharesPath, serverSharesPath } from './paths.ts';
import { callOptions, type CallOptions } from './request.ts';

const ownerRoute = '/shares/{owner}';
const serverRoute = '/shares/{owner}/{server}';

/** What a share grants when the grant names no scopes. */
export const defaultShareScope = 'access:servers';

/**
 * The scope names JupyterHub 5.0-6.1 define. The hub answers a scope it does not know with 500,
 * not 400, so an unknown one is refused here instead of being retried as an outage.
 */
const hubScopes = new Set(
  `access:servers admin:servers admin:server_state delete:servers read:servers servers
   admin:users delete:users list:users read:users read:users:activity read:users:groups
   read:users:name users users:activity admin:auth_state
   admin:groups delete:groups groups list:groups read:groups read:groups:name
   access:services admin:services list:services read:services read:services:name
   groups:shares read:groups:shares read:shares read:users:shares shares users:shares
   read:roles read:roles:groups read:roles:services read:roles:users read:tokens tokens
   (no_scope) admin-ui inherit proxy read:hub read:metrics self shutdown`.split(/\s+/),
);

/** Defined from JupyterHub 6.0 on. */
const hubScopesV6 = new Set(['start:servers']);

/**
 * The scopes the hub stores for a share of `owner`'s `server` ("" the default) granted `scopes`:
 * each filtered to `!server=owner/server` (replacing any filter, as the hub does when it reads a
 * share), without duplicates, sorted. None given, or an empty list, means `access:servers`. Pure.
 */
export function storedShareScopes(
  owner: string,
  server: string,
  scopes: readonly string[] = [],
): string[] {
  const filter = `!server=${owner}/${server}`;
  const names = scopes.length === 0 ? [defaultShareScope] : scopes.map((s) => splitScope(s).name);
  return [...new Set(names.map((name) => `${name}${filter}`))].sort();
}

/**
 * Why the hub would refuse `scope` in a share of `owner`'s `server`, or undefined when it would
 * not. `custom:` scopes pass: the hub knows only those its configuration defines. Pure.
 */
export function shareScopeProblem(
  scope: string,
  owner: string,
  server: string,
  v6: boolean,
): string | undefined {
  const { name, filter } = splitScope(scope);
  const own = `server=${owner}/${server}`;
  if (filter !== undefined && filter !== own)
    return `!${filter} not allowed on sharing ${scope}, only !${own}`;
  const known = name.startsWith('custom:') || hubScopes.has(name) || (v6 && hubScopesV6.has(name));
  return known ? undefined : `JupyterHub has no scope ${JSON.stringify(name)}`;
}

export interface ShareListOptions extends CallOptions {
  /** Shares per page; default and most: 200. */
  readonly pageSize?: number;
}

/** PATCH answers `{}` when no share is left. */
const revokeAnswerSchema = z.union([shareSchema, z.strictObject({}).transform(() => null)]);

export class SharesApi {
  readonly #client: HubClient;
  readonly #features: () => Promise<HubFeatures>;
  readonly #version: () => Promise<string>;

  constructor(
    client: HubClient,
    features: () => Promise<HubFeatures>,
    version: () => Promise<string>,
  ) {
    this.#client = client;
    this.#features = features;
    this.#version = version;
  }

  /**
   * Every share of `owner`'s servers. [] for an owner with none, and for an owner the hub does
   * not know (it answers 404): shares go with their owner, so a missing one has none.
   */
  async list(owner: string, options: ShareListOptions = {}): Promise<HubShare[]> {
    await this.#supported();
    const list = { route: ownerRoute, path: ownerSharesPath(owner), ...options };
    const shares = await nullIfNotFound(listAll(this.#client, list, shareSchema, shareKey));
    return shares ? [...shares.values()] : [];
  }

  /**
   * Grants `target` the scopes (default: access:servers) on `owner`'s `server` ("" the default),
   * merged into any share the target holds there; resolves with the share as the hub now holds
   * it. HUB_NOT_FOUND when the owner or the server has no record (a named server has one once
   * started on 5.x, or created stopped on 6.x); HUB_INVALID for a user or group the hub does
   * not know and, before sending, for a scope it does not define or one filtered to another
   * server; HUB_UNAUTHORIZED when the token does not itself hold a scope it grants.
   */
  async grant(
    owner: string,
    server: string,
    target: ShareTarget,
    scopes?: readonly string[],
    options: CallOptions = {},
  ): Promise<HubShare> {
    const { serverApiV6 } = await this.#supported();
    const stored = checkedScopes('POST', owner, server, scopes ?? [], serverApiV6);
    const { data } = await this.#client.json(
      {
        method: 'POST',
        route: serverRoute,
        path: serverSharesPath(owner, server),
        body: { ...targetBody(target), scopes: stored },
        // A second grant of the same scopes merges into the same share: nothing changes.
        idempotent: true,
        ...callOptions(options),
      },
      shareSchema,
    );
    return data;
  }

  /**
   * Revokes `scopes` from `target`'s share of the server, or the whole share when no scopes are
   * given. Resolves with what is left of it, or null when nothing is: also when there was no
   * share, or no such target, owner or server (shares go with all three). An empty list is
   * refused before sending, because the hub reads it as "every scope".
   */
  async revokeScopes(
    owner: string,
    server: string,
    target: ShareTarget,
    scopes?: readonly string[],
    options: CallOptions = {},
  ): Promise<HubShare | null> {
    const { serverApiV6 } = await this.#supported();
    if (scopes?.length === 0) {
      throw new HubError(
        'HUB_INVALID',
        `PATCH ${serverRoute}: not sent: an empty scope list would revoke the whole share; leave the scopes out for that`,
      );
    }
    const stored = scopes && checkedScopes('PATCH', owner, server, scopes, serverApiV6);
    const answer = await nullIfNotFound(
      this.#client.json(
        {
          method: 'PATCH',
          route: serverRoute,
          path: serverSharesPath(owner, server),
          body: { ...targetBody(target), ...(stored ? { scopes: stored } : {}) },
          // Revoking scopes that are gone already leaves the share as it is.
          idempotent: true,
          ...callOptions(options),
        },
        revokeAnswerSchema,
      ),
    );
    return answer?.data ?? null;
  }

  /** Revokes every share of the server; resolves also when the owner or the server does not exist. */
  async revokeAll(owner: string, server: string, options: CallOptions = {}): Promise<void> {
    await this.#supported();
    await nullIfNotFound(
      // Retried like any DELETE: a second one finds no shares and answers 204 again.
      this.#client.send({
        method: 'DELETE',
        route: serverRoute,
        path: serverSharesPath(owner, server),
        ...callOptions(options),
      }),
    );
  }

  async #supported(): Promise<HubFeatures> {
    const features = await this.#features();
    if (!features.shares) {
      throw new HubError(
        'HUB_UNSUPPORTED',
        `sharing needs JupyterHub 5.0 or later (this hub is ${await this.#version()})`,
      );
    }
    return features;
  }
}

/** `scopes` in the hub's form; HUB_INVALID, not sent, when the hub would refuse one. */
function checkedScopes(
  method: 'POST' | 'PATCH',
  owner: string,
  server: string,
  scopes: readonly string[],
  v6: boolean,
): string[] {
  for (const scope of scopes) {
    const problem = shareScopeProblem(scope, owner, server, v6);
    if (problem)
      throw new HubError('HUB_INVALID', `${method} ${serverRoute}: not sent: ${problem}`);
  }
  return storedShareScopes(owner, server, scopes);
}

/** The body's target, copied so that no other key reaches the hub (it refuses extra keys). */
function targetBody(target: ShareTarget): ShareTarget {
  return 'user' in target ? { user: target.user } : { group: target.group };
}

/** A share's identity within one owner's list: its server and its target. */
function shareKey(share: HubShare): string {
  return `${share.server}/${shareTargetKey(share.target)}`;
}

/** A scope's name and its filter (after the first "!"), as the hub splits them. */
function splitScope(scope: string): { name: string; filter?: string } {
  const at = scope.indexOf('!');
  return at < 0 ? { name: scope } : { name: scope.slice(0, at), filter: scope.slice(at + 1) };
}
