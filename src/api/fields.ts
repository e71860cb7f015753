/**
 * Fields more than one kind shares: JupyterHub's naming rules as patterns that mean the same to
 * JavaScript (with the `u` flag) and to the API server's RE2, so crds/*.yaml carries them
 * verbatim; Kubernetes' own naming rules (DNS-1123 labels and subdomains, Secret keys) for the
 * fields that name objects; `hubRef` and the namespace lists of a Hub; deletionPolicy and
 * ownership; and the status fields common to all kinds.
 */
import { z } from 'zod';
import { conditionSchema } from './conditions.ts';

// Python's str.isspace() set, which the hub's strip() removes: \t-\r, \x1c-\x1f, NEL and every
// Unicode separator (Zs, Zl, Zp).
const space = String.raw`\t-\r\x1c-\x1f\x85\p{Z}`;
// A slash breaks the hub's URLs; uppercase and titlecase letters are what lowercasing changes.
const notInName = String.raw`/\p{Lu}\p{Lt}`;

/** A JupyterHub-safe lowercase username: no `/`, no uppercase, no white space at either end. */
export const usernamePattern = new RegExp(
  `^[^${notInName}${space}](?:[^${notInName}]*[^${notInName}${space}])?$`,
  'u',
);

/**
 * `""` (the default server) or JupyterHub 6.0's rule, without lookahead: a letter, then letters
 * or digits, each maybe after one `-`; so no `--` and no `-` at the end. The length is maxLength's.
 */
export const serverNamePattern = /^(?:[a-z](?:-?[a-z0-9])*)?$/u;

// The hub's printable categories: letters, marks, numbers, punctuation, symbols.
const printable = String.raw`[\p{L}\p{M}\p{N}\p{P}\p{S}]`;
/** JupyterHub 6.0's display names: printable words joined by single spaces. */
export const displayNamePattern = new RegExp(`^${printable}+(?: ${printable}+)*$`, 'u');

/** A group name: anything but `/`. */
export const groupNamePattern = /^[^/]+$/u;

/** A username as usernamePattern says, 1-255 characters. */
export const usernameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(usernamePattern, 'a username is lowercase, has no "/" and no white space at either end');

/** A group name as groupNamePattern says, 1-255 characters. */
export const groupNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(groupNamePattern, 'a group name has no "/"');

/** A server name as serverNamePattern says, at most 30 characters; "" is the default server. */
export const serverNameSchema = z
  .string()
  .max(30)
  .regex(
    serverNamePattern,
    'a server name is "" or a-z, 0-9 and "-", starts with a letter, ends with a letter or digit, and has no "--"',
  );

/** A display name as displayNamePattern says, 1-255 characters. */
export const displayNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(displayNamePattern, 'a display name is printable words joined by single spaces');

/** A DNS-1123 label, as namespace names are: a-z, 0-9 and `-`, alphanumeric at both ends. */
export const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u;

/** A DNS-1123 subdomain, as most object names are: DNS-1123 labels joined by `.`. */
export const dnsSubdomainPattern =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u;

/** A key of a Secret's data: letters, digits, `-`, `_` and `.`. */
export const secretKeyPattern = /^[-._a-zA-Z0-9]+$/u;

/** An entry of a Hub's namespace lists: a namespace name (DNS-1123 label), or `*` for all. */
export const namespaceEntryPattern = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/u;

/** The name of an object that may be named with dots, such as a Hub or a Secret: 1-253 characters. */
export const objectNameSchema = z
  .string()
  .max(253)
  .regex(
    dnsSubdomainPattern,
    'a name is lowercase a-z, 0-9, "-" and ".", and starts and ends with a letter or digit',
  );

/** A namespace name: a DNS-1123 label of 1-63 characters. */
export const namespaceNameSchema = z
  .string()
  .max(63)
  .regex(
    dnsLabelPattern,
    'a namespace is lowercase a-z, 0-9 and "-", and starts and ends with a letter or digit',
  );

/** A key of a Secret's data, 1-253 characters. */
export const secretKeySchema = z
  .string()
  .min(1)
  .max(253)
  .regex(secretKeyPattern, 'a Secret key is letters, digits, "-", "_" and "."');

/**
 * A list of namespaces a Hub grants something to: namespace names, or `*` for every namespace;
 * each at most once, at most 1000.
 */
export const namespaceListSchema = z
  .array(
    z
      .string()
      .max(63)
      .regex(namespaceEntryPattern, 'a namespace name (lowercase a-z, 0-9 and "-") or "*"'),
  )
  .max(1000)
  .refine((names) => new Set(names).size === names.length, 'namespaces are listed once each');

/**
 * The Hub a resource uses: its name, and its namespace (unset: the resource's own). A resource
 * without one uses the hub of the operator's settings.
 */
export const hubRefSchema = z.object({
  name: objectNameSchema,
  namespace: namespaceNameSchema.optional(),
});
export type HubRef = z.output<typeof hubRefSchema>;

/** `Delete` or `Retain` the hub object with the resource; unset depends on `ownership`. */
export const deletionPolicySchema = z.enum(['Delete', 'Retain']);
export type DeletionPolicy = z.output<typeof deletionPolicySchema>;

/**
 * `Manage` (unset means it): the operator makes the hub object match the spec. `Observe`: it never
 * writes to the hub for the resource and reports in status what the hub has, from its sweeps.
 */
export const managementPolicySchema = z.enum(['Manage', 'Observe']);
export type ManagementPolicy = z.output<typeof managementPolicySchema>;

/** Whether a spec asks only to watch its hub object, never to change it. */
export function observesOnly(spec: {
  readonly managementPolicy?: ManagementPolicy | undefined;
}): boolean {
  return spec.managementPolicy === 'Observe';
}

/** Whether the operator created the hub object or adopted one that already existed. */
export const ownershipSchema = z.enum(['Created', 'Adopted']);
export type Ownership = z.output<typeof ownershipSchema>;

/** An RFC 3339 timestamp, as status fields carry them. */
export const timestampSchema = z.iso.datetime({ offset: true });

/** The status fields all kinds have; spread into each kind's status object. */
export const commonStatusShape = {
  observedGeneration: z.int().min(0).optional(),
  conditions: z.array(conditionSchema).optional(),
};
