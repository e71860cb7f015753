/**
 * HubGroup: one JupyterHub group and its membership, declared in a namespace. The spec schema
 * mirrors crds/hubgroups.yaml (test/api/crds.test.ts keeps the two in step); the status is what
 * the operator writes.
 */
import { z } from 'zod';
import {
  commonStatusShape,
  deletionPolicySchema,
  managementPolicySchema,
  hubRefSchema,
  groupNameSchema,
  ownershipSchema,
  usernameSchema,
} from './fields.ts';
import type { Resource } from './meta.ts';

/** One requirement of a label selector; In and NotIn need values, Exists and DoesNotExist none. */
export const labelSelectorRequirementSchema = z
  .object({
    key: z.string(),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .refine((r) => {
    const hasValues = r.values !== undefined && r.values.length > 0;
    return hasValues === (r.operator === 'In' || r.operator === 'NotIn');
  }, 'In and NotIn need values; Exists and DoesNotExist take none');

/** A standard Kubernetes label selector; all of its terms must match. */
export const labelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
});

/**
 * The desired hub group. `groupName` unset means metadata.name. The members are `members` plus
 * the usernames of the HubUsers in the namespace that `memberSelector` matches; `Exact` removes
 * any other member, `Additive` only adds. `hubRef` unset means the hub of the operator's settings
 * (hub-ref.ts); `managementPolicy: Observe` makes the resource report the hub group without ever
 * writing to it. Unknown fields are dropped.
 */
export const hubGroupSpecSchema = z.object({
  groupName: groupNameSchema.optional(),
  members: z
    .array(usernameSchema)
    .refine((members) => new Set(members).size === members.length, 'members are listed once each')
    .optional(),
  memberSelector: labelSelectorSchema.optional(),
  membershipPolicy: z.enum(['Exact', 'Additive']).default('Exact'),
  properties: z.record(z.string(), z.unknown()).optional(),
  deletionPolicy: deletionPolicySchema.optional(),
  managementPolicy: managementPolicySchema.optional(),
  hubRef: hubRefSchema.optional(),
});

/** What the operator last observed in the hub; every field is optional until it has. */
export const hubGroupStatusSchema = z.object({
  ...commonStatusShape,
  groupName: z.string().optional(),
  ownership: ownershipSchema.optional(),
  members: z.int().min(0).optional(),
  membersPending: z.int().min(0).optional(),
  /** Under `managementPolicy: Observe`: the hub's members, sorted, the first observedMemberLimit. */
  memberNames: z.array(z.string()).optional(),
  /** Under `managementPolicy: Observe`: the group's properties in the hub. */
  properties: z.record(z.string(), z.unknown()).optional(),
});

/** How many member names an observed group's status lists: status must stay far below etcd's limit. */
export const observedMemberLimit = 1000;

export type LabelSelector = z.output<typeof labelSelectorSchema>;
export type HubGroupSpec = z.output<typeof hubGroupSpecSchema>;
export type HubGroupStatus = z.output<typeof hubGroupStatusSchema>;
export type HubGroup = Resource<'HubGroup', HubGroupSpec, HubGroupStatus>;

/** The hub name a HubGroup declares: `spec.groupName`, else the object's name. */
export function groupNameOf(object: HubGroup): string {
  return object.spec.groupName ?? object.metadata.name;
}
