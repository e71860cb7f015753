/**
 * HubToken: a JupyterHub API token of one hub user, issued by the operator into a Secret of the
 * HubToken's namespace and rotated before it expires. The spec schema mirrors crds/hubtokens.yaml
 * (test/api/crds.test.ts keeps the two in step); the status never holds the token itself.
 */
import { z } from 'zod';
import {
  commonStatusShape,
  hubRefSchema,
  objectNameSchema,
  timestampSchema,
  usernameSchema,
} from './fields.ts';
import type { Resource } from './meta.ts';

/** A JupyterHub scope, such as `read:users`, `access:servers!user=ada` or `inherit`. */
const scopeSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s]+$/u, 'a scope has no white space');

/**
 * The desired token. `scopes` unset: the hub's default for new tokens (the user's own
 * permissions); `expiresInSeconds` unset: the hub's default (no expiry, or its maximum);
 * `secretName` unset: the object's name; `hubRef` unset: the hub of the operator's settings.
 */
export const hubTokenSpecSchema = z.object({
  username: usernameSchema,
  scopes: z.array(scopeSchema).max(64).optional(),
  expiresInSeconds: z.int().min(10).optional(),
  note: z.string().max(500).optional(),
  secretName: objectNameSchema.optional(),
  hubRef: hubRefSchema.optional(),
});

/** What the operator last issued; every field is optional until it has. Never the token. */
export const hubTokenStatusSchema = z.object({
  ...commonStatusShape,
  tokenId: z.string().optional(),
  username: z.string().optional(),
  secretName: z.string().optional(),
  issuedAt: timestampSchema.optional(),
  expiresAt: timestampSchema.optional(),
  rotateAt: timestampSchema.optional(),
});

export type HubTokenSpec = z.output<typeof hubTokenSpecSchema>;
export type HubTokenStatus = z.output<typeof hubTokenStatusSchema>;
export type HubToken = Resource<'HubToken', HubTokenSpec, HubTokenStatus>;

/** The Secret a HubToken writes: `spec.secretName`, else the object's name. */
export function secretNameOf(object: HubToken): string {
  return object.spec.secretName ?? object.metadata.name;
}
