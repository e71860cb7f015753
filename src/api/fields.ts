/**
 * Fields more than one kind shares: JupyterHub's naming rules as patterns that mean the same to
 * JavaScript (with the `u` flag) and to the API server's RE2, so crds/*.yaml carries them
 * verbatim; deletionPolicy and ownership; and the status fields common to all three kinds.
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

/** `Delete` or `Retain` the hub object with the resource; unset depends on `ownership`. */
export const deletionPolicySchema = z.enum(['Delete', 'Retain']);
export type DeletionPolicy = z.output<typeof deletionPolicySchema>;

/** Whether the operator created the hub object or adopted one that already existed. */
export const ownershipSchema = z.enum(['Created', 'Adopted']);
export type Ownership = z.output<typeof ownershipSchema>;

/** An RFC 3339 timestamp, as status fields carry them. */
export const timestampSchema = z.iso.datetime({ offset: true });

/** The status fields all three kinds have; spread into each kind's status object. */
export const commonStatusShape = {
  observedGeneration: z.int().min(0).optional(),
  conditions: z.array(conditionSchema).optional(),
};
