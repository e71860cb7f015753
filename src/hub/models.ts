/**
 * The hub's REST models as zod schemas, reduced to the fields the operator compares or reports.
 * Unknown fields (a newer hub's additions) are dropped, not rejected; fields that depend on the
 * caller's scopes or on the hub's version are optional.
 */
import { z } from 'zod';

const timestamp = z.string().nullable().optional();

export const serverSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  /** `spawn`, `stop`, or null. */
  pending: z.string().nullable(),
  /** Added in 3.0; older hubs imply it from ready and pending. */
  stopped: z.boolean().optional(),
  url: z.string().nullable().optional(),
  started: timestamp,
  last_activity: timestamp,
  user_options: z.record(z.string(), z.unknown()).nullable().optional(),
  progress_url: z.string().nullable().optional(),
  /** 6.0+. */
  display_name: z.string().nullable().optional(),
});
export type HubServer = z.output<typeof serverSchema>;

export const userSchema = z.object({
  name: z.string(),
  admin: z.boolean(),
  groups: z.array(z.string()).optional(),
  created: timestamp,
  last_activity: timestamp,
  /** Active servers only, unless listed with include_stopped_servers. Needs read:servers. */
  servers: z.record(z.string(), serverSchema).optional(),
});
export type HubUser = z.output<typeof userSchema>;

export const groupSchema = z.object({
  name: z.string(),
  users: z.array(z.string()),
  /** 4.0+. */
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type HubGroup = z.output<typeof groupSchema>;

/** Who a share is for: one user or one group. */
export type ShareTarget = { readonly user: string } | { readonly group: string };

/** `user:ada` or `group:tas`: one key per target, as the hub keeps one share per target. */
export function shareTargetKey(target: ShareTarget): string {
  return 'user' in target ? `user:${target.user}` : `group:${target.group}`;
}

/** One share (5.0+): the access a user or group holds to one server of another user. */
export interface HubShare {
  readonly owner: string;
  /** "" for the default server. */
  readonly server: string;
  readonly target: ShareTarget;
  /** In the hub's form (each filtered to `!server=owner/server`), sorted. */
  readonly scopes: readonly string[];
}

const named = z.object({ name: z.string() });

export const shareSchema = z
  .object({
    server: z.object({ name: z.string(), user: named }),
    user: named.nullish(),
    group: named.nullish(),
    scopes: z.array(z.string()),
  })
  .refine((share) => Boolean(share.user) !== Boolean(share.group), {
    message: 'a share is for exactly one user or one group',
  })
  .transform((share): HubShare => ({
    owner: share.server.user.name,
    server: share.server.name,
    target: share.user ? { user: share.user.name } : { group: share.group?.name ?? '' },
    scopes: [...share.scopes].sort(),
  }));

export const versionSchema = z.object({ version: z.string() });

export const infoSchema = z.object({
  version: z.string(),
  python: z.string().optional(),
  spawner: z.object({ class: z.string(), version: z.string().optional() }).optional(),
  authenticator: z.object({ class: z.string(), version: z.string().optional() }).optional(),
});
export type HubInfo = z.output<typeof infoSchema>;

const paginationSchema = z.object({
  offset: z.number(),
  limit: z.number(),
  total: z.number(),
  next: z.object({ offset: z.number(), limit: z.number() }).nullable(),
});

/** The envelope the hub answers with when asked for `application/jupyterhub-pagination+json`. */
export function pageSchema<T extends z.ZodType>(
  item: T,
): z.ZodObject<{ items: z.ZodArray<T>; _pagination: typeof paginationSchema }> {
  return z.object({ items: z.array(item), _pagination: paginationSchema });
}

/** One event of a spawn's progress stream. */
export const progressEventSchema = z.object({
  progress: z.number().optional(),
  message: z.string().optional(),
  ready: z.boolean().optional(),
  failed: z.boolean().optional(),
  url: z.string().optional(),
});
export type ProgressEvent = z.output<typeof progressEventSchema>;
