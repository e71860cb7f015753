/**
 * HubUser: one JupyterHub user, declared in a namespace. The spec schema mirrors
 * crds/hubusers.yaml (test/api/crds.test.ts keeps the two in step); the status is what the
 * operator writes.
 */
import { z } from 'zod';
import {
  commonStatusShape,
  deletionPolicySchema,
  managementPolicySchema,
  hubRefSchema,
  ownershipSchema,
  timestampSchema,
  usernameSchema,
} from './fields.ts';
import type { Resource } from './meta.ts';

/**
 * The desired hub user. `username` unset means metadata.name; `deletionPolicy` unset means
 * Delete for a hub user the operator created and Retain for one it adopted; `hubRef` unset means
 * the hub of the operator's settings (hub-ref.ts). A hub user deleted outside hubops (the idle
 * culler) is created again, or with `whenDeletedInHub: Respect` left deleted until the spec
 * changes. `managementPolicy: Observe` makes the resource
 * report the hub user without ever writing to it. Unknown fields are dropped.
 */
export const hubUserSpecSchema = z.object({
  username: usernameSchema.optional(),
  admin: z.boolean().default(false),
  /** Unset means Recreate. */
  whenDeletedInHub: z.enum(['Recreate', 'Respect']).optional(),
  deletionPolicy: deletionPolicySchema.optional(),
  managementPolicy: managementPolicySchema.optional(),
  hubRef: hubRefSchema.optional(),
});

/** What the operator last observed in the hub; every field is optional until it has. */
export const hubUserStatusSchema = z.object({
  ...commonStatusShape,
  username: z.string().optional(),
  ownership: ownershipSchema.optional(),
  admin: z.boolean().optional(),
  lastActivity: timestampSchema.optional(),
  servers: z.int().min(0).optional(),
  /** The hub groups the user is in; reported under `managementPolicy: Observe`. */
  groups: z.array(z.string()).optional(),
});

export type HubUserSpec = z.output<typeof hubUserSpecSchema>;
export type HubUserStatus = z.output<typeof hubUserStatusSchema>;
export type HubUser = Resource<'HubUser', HubUserSpec, HubUserStatus>;

/** The hub name a HubUser declares: `spec.username`, else the object's name. */
export function usernameOf(object: HubUser): string {
  return object.spec.username ?? object.metadata.name;
}
