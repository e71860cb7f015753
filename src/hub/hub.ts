/**
 * One JupyterHub as the rest of the operator sees it: its users, groups, servers, shares and
 * tokens, its version and features, and its health, all sharing one client and so one request
 * budget. Build one per hub and pass it in; nothing here is a module-level singleton.
 */
import { z } from 'zod';
import { HubClient, type HubClientOptions } from './client.ts';
import { callOptions, type CallOptions } from './request.ts';
import { featuresOf, parseVersion, type HubFeatures } from './features.ts';
import { GroupsApi } from './groups.ts';
import { infoSchema, versionSchema, type HubInfo } from './models.ts';
import { ServersApi } from './servers.ts';
import { SharesApi } from './shares.ts';
import { TokensApi } from './tokens.ts';
import { UsersApi, type UsersOptions } from './users.ts';

/** Who the token belongs to, from `GET /user`. */
export interface TokenOwner {
  readonly kind: string;
  readonly name: string;
  readonly admin: boolean;
  readonly scopes: readonly string[];
}

const tokenOwnerSchema = z.object({
  kind: z.string(),
  name: z.string(),
  admin: z.boolean().optional(),
  scopes: z.array(z.string()).optional(),
});

export interface HubOptions extends HubClientOptions {
  readonly users?: Partial<UsersOptions>;
}

export class Hub {
  readonly client: HubClient;
  readonly users: UsersApi;
  readonly groups: GroupsApi;
  readonly servers: ServersApi;
  readonly shares: SharesApi;
  readonly tokens: TokensApi;
  #version: Promise<string> | undefined;

  constructor(options: HubOptions) {
    this.client = new HubClient(options);
    const features = (): Promise<HubFeatures> => this.features();
    this.servers = new ServersApi(this.client, features, () => this.users);
    this.users = new UsersApi(this.client, this.servers, options.clock, options.users);
    this.groups = new GroupsApi(this.client, features);
    this.shares = new SharesApi(this.client, features, () => this.version());
    this.tokens = new TokensApi(this.client);
  }

  get health(): HubClient['health'] {
    return this.client.health;
  }

  /** The hub's version (`GET /hub/api/`, no token needed), read once and kept; a failure is not kept. */
  version(options: CallOptions = {}): Promise<string> {
    this.#version ??= this.client
      .json({ method: 'GET', route: '/', path: '/', ...callOptions(options) }, versionSchema)
      .then(({ data }) => data.version);
    this.#version.catch(() => (this.#version = undefined));
    return this.#version;
  }

  async features(options: CallOptions = {}): Promise<HubFeatures> {
    return featuresOf(parseVersion(await this.version(options)));
  }

  /** `GET /info` (scope read:hub): versions of the hub, Python, spawner and authenticator. */
  async info(options: CallOptions = {}): Promise<HubInfo> {
    const { data } = await this.client.json(
      { method: 'GET', route: '/info', path: '/info', ...callOptions(options) },
      infoSchema,
    );
    return data;
  }

  /** `GET /user`: the token's owner and scopes, to check at start-up that the token can do the job. */
  async tokenOwner(options: CallOptions = {}): Promise<TokenOwner> {
    const { data } = await this.client.json(
      { method: 'GET', route: '/user', path: '/user', ...callOptions(options) },
      tokenOwnerSchema,
    );
    return {
      kind: data.kind,
      name: data.name,
      admin: data.admin ?? false,
      scopes: data.scopes ?? [],
    };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
