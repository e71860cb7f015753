/**
 * Hub: one JupyterHub the operator serves, declared in a namespace: where its REST API is, the
 * Secret holding its service token, which namespaces may use it (and grant admin, and adopt), its
 * resync period and request budget. HubUsers, HubGroups and HubServers name it with
 * `spec.hubRef`. The spec schema mirrors crds/hubs.yaml (test/api/crds.test.ts keeps the two in
 * step); the status is what the operator writes.
 */
import { z } from 'zod';
import {
  commonStatusShape,
  namespaceListSchema,
  objectNameSchema,
  secretKeySchema,
  timestampSchema,
} from './fields.ts';
import type { Resource } from './meta.ts';

/**
 * An http or https URL without white space. The CRD carries its source, where JavaScript escapes
 * each `/` (as RE2 reads it too).
 */
export const hubUrlPattern = /^https?:\/\/\S+$/u;

/** The Secret key a Hub reads its token from when `tokenSecretRef.key` is unset. */
export const defaultTokenKey = 'token';

/** The Secret, in the Hub's own namespace, that holds the hub's service token, and its key. */
export const tokenSecretRefSchema = z.object({
  name: objectNameSchema,
  key: secretKeySchema.default(defaultTokenKey),
});

/** How hard the operator may press this hub; each as the setting of the same meaning. */
export const requestBudgetSchema = z
  .object({
    /** As HUB_MAX_IN_FLIGHT: hub requests at once. */
    maxInFlight: z.int().min(1).default(2),
    /** As HUB_REQUESTS_PER_SECOND: the steady request rate. */
    requestsPerSecond: z.number().min(0.1).default(100),
    /** As HUB_MAX_SPAWNS_IN_FLIGHT: server starts the hub is left to finish at once. */
    maxSpawnsInFlight: z.int().min(1).default(64),
  })
  .prefault({});

/**
 * The hub and who may use it. A namespace list left unset means only the Hub's own namespace;
 * `["*"]` means every namespace. `adminNamespaces` and `adoptionNamespaces` only narrow
 * `allowedNamespaces`: a namespace that may not use the hub may do nothing with it. Unknown fields
 * are dropped.
 */
export const hubSpecSchema = z.object({
  url: z
    .string()
    .max(2048)
    .regex(hubUrlPattern, 'the hub URL is http:// or https:// and has no spaces'),
  tokenSecretRef: tokenSecretRefSchema,
  allowedNamespaces: namespaceListSchema.optional(),
  adminNamespaces: namespaceListSchema.optional(),
  adoptionNamespaces: namespaceListSchema.optional(),
  resyncSeconds: z.int().min(1).default(300),
  requestBudget: requestBudgetSchema,
});

/** What the operator last observed of the hub; every field is optional until it has. */
export const hubStatusSchema = z.object({
  ...commonStatusShape,
  version: z.string().optional(),
  features: z.array(z.string()).optional(),
  tokenOwner: z.string().optional(),
  missingScopes: z.array(z.string()).optional(),
  users: z.int().min(0).optional(),
  groups: z.int().min(0).optional(),
  runningServers: z.int().min(0).optional(),
  lastSweepTime: timestampSchema.optional(),
});

export type TokenSecretRef = z.output<typeof tokenSecretRefSchema>;
export type RequestBudget = z.output<typeof requestBudgetSchema>;
export type HubSpec = z.output<typeof hubSpecSchema>;
export type HubStatus = z.output<typeof hubStatusSchema>;
export type Hub = Resource<'Hub', HubSpec, HubStatus>;

/**
 * The key of the Hub's token in its Secret: `spec.tokenSecretRef.key`, else "token" (the API
 * server fills that default in, but an object built in code may lack it).
 */
export function tokenKeyOf(hub: Hub): string {
  return hub.spec.tokenSecretRef.key || defaultTokenKey;
}
