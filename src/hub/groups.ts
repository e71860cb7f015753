/**
 * Hub groups: list, read, create, delete, membership and properties. Membership changes are
 * one call per direction (the hub commits a whole list at once), chunked only for very large
 * lists because the hub checks each new member against the group linearly.
 */
import type { HubFeatures } from './features.ts';
import type { HubClient } from './client.ts';
import { callOptions, type CallOptions } from './request.ts';
import { HubError, nullIfNotFound } from './errors.ts';
import { groupSchema, type HubGroup } from './models.ts';
import { listAll, paginate } from './paginate.ts';
import { groupPath } from './paths.ts';

/** Members per add or remove call. */
export const membershipChunk = 1_000;

export class GroupsApi {
  readonly #client: HubClient;
  readonly #features: () => Promise<HubFeatures>;

  constructor(client: HubClient, features: () => Promise<HubFeatures>) {
    this.#client = client;
    this.#features = features;
  }

  /** Every group, by name, with its members. */
  list(options: CallOptions = {}): Promise<Map<string, HubGroup>> {
    return listAll(
      this.#client,
      { route: '/groups', path: '/groups', ...options },
      groupSchema,
      (g) => g.name,
    );
  }

  pages(options: CallOptions = {}): AsyncGenerator<HubGroup[]> {
    return paginate(this.#client, { route: '/groups', path: '/groups', ...options }, groupSchema);
  }

  /** One group, or null when there is none of that name. */
  get(name: string, options: CallOptions = {}): Promise<HubGroup | null> {
    const request = {
      method: 'GET',
      route: '/groups/{name}',
      path: groupPath(name),
      ...callOptions(options),
    } as const;
    return nullIfNotFound(this.#client.json(request, groupSchema).then(({ data }) => data));
  }

  /**
   * Creates a group, optionally with members (who must exist; past the first chunk they are
   * added by membership calls); HUB_CONFLICT when it exists.
   */
  async create(
    name: string,
    options: CallOptions & { users?: readonly string[] } = {},
  ): Promise<HubGroup> {
    checkGroupName(name);
    const users = options.users ?? [];
    const { data } = await this.#client.json(
      {
        method: 'POST',
        route: '/groups/{name}',
        path: groupPath(name),
        body: users.length > 0 ? { users: users.slice(0, membershipChunk) } : {},
        ...callOptions(options),
      },
      groupSchema,
    );
    const rest = users.slice(membershipChunk);
    return rest.length > 0 ? ((await this.addMembers(name, rest, options)) ?? data) : data;
  }

  /** Deletes a group; resolves also when it was already gone. */
  async delete(name: string, options: CallOptions = {}): Promise<void> {
    const request = {
      method: 'DELETE',
      route: '/groups/{name}',
      path: groupPath(name),
      ...callOptions(options),
    } as const;
    await nullIfNotFound(this.#client.send(request));
  }

  /** Adds members (existing ones are a no-op; an unknown user fails the whole call with HUB_INVALID). */
  addMembers(
    name: string,
    users: readonly string[],
    options: CallOptions = {},
  ): Promise<HubGroup | null> {
    return this.#changeMembers('POST', name, users, options);
  }

  /**
   * Removes members (non-members are a no-op; a user the hub does not know fails the whole call
   * with HUB_INVALID).
   */
  removeMembers(
    name: string,
    users: readonly string[],
    options: CallOptions = {},
  ): Promise<HubGroup | null> {
    return this.#changeMembers('DELETE', name, users, options);
  }

  /** Replaces the group's properties (JupyterHub 4.0+; HUB_UNSUPPORTED before). */
  async setProperties(
    name: string,
    properties: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<HubGroup> {
    if (!(await this.#features()).groupProperties) {
      throw new HubError(
        'HUB_UNSUPPORTED',
        'PUT /groups/{name}/properties: group properties need JupyterHub 4.0 or newer',
      );
    }
    const { data } = await this.#client.json(
      {
        method: 'PUT',
        route: '/groups/{name}/properties',
        path: `${groupPath(name)}/properties`,
        body: properties,
        ...callOptions(options),
      },
      groupSchema,
    );
    return data;
  }

  /** Resolves with the group after the last call, or null when there was nothing to send. */
  async #changeMembers(
    method: 'POST' | 'DELETE',
    name: string,
    users: readonly string[],
    options: CallOptions,
  ): Promise<HubGroup | null> {
    let group: HubGroup | null = null;
    for (let i = 0; i < users.length; i += membershipChunk) {
      const { data } = await this.#client.json(
        {
          method,
          route: '/groups/{name}/users',
          path: `${groupPath(name)}/users`,
          body: { users: users.slice(i, i + membershipChunk) },
          // Adding or removing the same members twice ends in the same group.
          idempotent: true,
          ...callOptions(options),
        },
        groupSchema,
      );
      group = data;
    }
    return group;
  }
}

function checkGroupName(name: string): void {
  const problem =
    name.length === 0
      ? 'a group name cannot be empty'
      : name.length > 255
        ? 'a group name has at most 255 characters'
        : name.includes('/')
          ? 'a group name cannot contain "/"'
          : undefined;
  if (problem)
    throw new HubError(
      'HUB_INVALID',
      `POST /groups/{name}: not sent: ${JSON.stringify(name)}: ${problem}`,
    );
}
