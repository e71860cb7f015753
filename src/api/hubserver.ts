/**
 * HubServer: one server (the default or a named one) of a JupyterHub user, declared in a
 * namespace. The spec schema mirrors crds/hubservers.yaml (test/api/crds.test.ts keeps the two in
 * step); the status is what the operator writes.
 */
import { z } from 'zod';
import {
  commonStatusShape,
  deletionPolicySchema,
  managementPolicySchema,
  hubRefSchema,
  displayNameSchema,
  groupNameSchema,
  ownershipSchema,
  serverNameSchema,
  timestampSchema,
  usernameSchema,
} from './fields.ts';
import type { Resource } from './meta.ts';

/**
 * One user or one group the server is shared with (JupyterHub 5.0+), and the scopes they get on
 * it; none means `access:servers`, the hub's default. Each scope is filtered to this server by the
 * hub, so `read:servers` means reading this server only.
 */
export const shareEntrySchema = z
  .object({
    user: usernameSchema.optional(),
    group: groupNameSchema.optional(),
    scopes: z.array(z.string().min(1).max(255)).max(32).optional(),
  })
  .refine((entry) => (entry.user === undefined) !== (entry.group === undefined), {
    message: 'a share names exactly one of user or group',
  });

/** The targets of a server's shares, each listed once. */
export const sharedWithSchema = z
  .array(shareEntrySchema)
  .max(200)
  .refine(
    (entries) =>
      new Set(entries.map((e) => (e.user === undefined ? `group:${e.group}` : `user:${e.user}`)))
        .size === entries.length,
    'each user and group is listed once',
  );

/**
 * The desired server. `serverName` "" is the user's default server. With `keepRunning` false a
 * server is started once per change of the spec and a later stop (idle culler, user) is
 * respected; with true it is started whenever it is found stopped. `hubRef` unset means the hub
 * of the operator's settings (hub-ref.ts); `managementPolicy: Observe` makes the resource report
 * the server without ever starting, stopping or removing it. Unknown fields are dropped.
 */
export const hubServerSpecSchema = z.object({
  username: usernameSchema,
  serverName: serverNameSchema.default(''),
  state: z.enum(['Running', 'Stopped']).default('Running'),
  keepRunning: z.boolean().default(false),
  userOptions: z.record(z.string(), z.unknown()).optional(),
  displayName: displayNameSchema.optional(),
  /** Unset: hubops leaves the server's shares alone. */
  sharedWith: sharedWithSchema.optional(),
  /** Exact (unset means it): shares not in sharedWith are revoked; Additive: only grants. */
  sharingPolicy: z.enum(['Exact', 'Additive']).optional(),
  deletionPolicy: deletionPolicySchema.optional(),
  managementPolicy: managementPolicySchema.optional(),
  hubRef: hubRefSchema.optional(),
});

/** What the operator last observed in the hub; every field is optional until it has. */
export const hubServerStatusSchema = z.object({
  ...commonStatusShape,
  ownership: ownershipSchema.optional(),
  phase: z.enum(['Pending', 'Running', 'Stopped', 'Failed']).optional(),
  url: z.string().optional(),
  startedAt: timestampSchema.optional(),
  lastActivity: timestampSchema.optional(),
  message: z.string().optional(),
  startedGeneration: z.int().min(0).optional(),
  /** The spec generation whose display name and options a stopped server's record holds (6.0+). */
  recordGeneration: z.int().min(0).optional(),
  /** How many users and groups hold a share of the server (with sharedWith set). */
  shares: z.int().min(0).optional(),
});

export type HubServerSpec = z.output<typeof hubServerSpecSchema>;
export type HubServerStatus = z.output<typeof hubServerStatusSchema>;
export type ShareEntry = z.output<typeof shareEntrySchema>;
export type HubServerPhase = NonNullable<HubServerStatus['phase']>;
export type HubServer = Resource<'HubServer', HubServerSpec, HubServerStatus>;
