/**
 * The Secret a HubToken writes: its keys (`token`, `url`), the labels that say what it is, the
 * owner reference to the HubToken, and the annotations that record which token it holds (id,
 * user, spec fingerprint, times, a digest of the value) and which replaced one is still alive.
 * The record is what lets a restart, or another replica, carry on without issuing twice.
 */
import { createHash } from 'node:crypto';
import { apiVersion, group } from '../../api/meta.ts';
import type { HubToken } from '../../api/hubtoken.ts';
import type { SecretObject } from '../../kube/secrets.ts';
import type { HeldToken, PreviousToken, SecretState } from '../../plan/hubtoken.ts';

/** The labels every token Secret carries; the operator watches only Secrets with both. */
export const tokenSecretLabels = {
  'app.kubernetes.io/managed-by': 'hubops',
  'app.kubernetes.io/component': 'hub-token',
} as const;

export const tokenSecretSelector = Object.entries(tokenSecretLabels)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

const record = {
  id: `${group}/token-id`,
  username: `${group}/token-username`,
  fingerprint: `${group}/token-fingerprint`,
  issuedAt: `${group}/token-issued-at`,
  expiresAt: `${group}/token-expires-at`,
  digest: `${group}/token-sha256`,
  previousId: `${group}/previous-token-id`,
  previousUsername: `${group}/previous-token-username`,
  revokePreviousAt: `${group}/previous-token-revoke-at`,
} as const;

/** The SHA-256 of a token value: enough to tell an edited Secret, useless to anyone reading it. */
export function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether the HubToken `owner` wrote this Secret. */
export function ownedBy(secret: SecretObject, owner: HubToken): boolean {
  const labels = secret.metadata.labels ?? {};
  return (
    Object.entries(tokenSecretLabels).every(([key, value]) => labels[key] === value) &&
    (secret.metadata.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata.uid)
  );
}

/** What the Secret of `owner` holds, as the token plan reads it. */
export function secretStateOf(secret: SecretObject | undefined, owner: HubToken): SecretState {
  if (!secret) return { kind: 'missing' };
  if (!ownedBy(secret, owner)) return { kind: 'foreign' };
  const notes = secret.metadata.annotations ?? {};
  return { kind: 'held', current: heldOf(secret, notes), previous: previousOf(notes) };
}

function heldOf(secret: SecretObject, notes: Record<string, string>): HeldToken | undefined {
  const id = notes[record.id];
  const username = notes[record.username];
  const issuedAt = timeOf(notes[record.issuedAt]);
  if (!id || username === undefined || issuedAt === undefined) return undefined;
  const encoded = secret.data?.['token'];
  const value = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  return {
    id,
    username,
    fingerprint: notes[record.fingerprint] ?? '',
    issuedAt,
    expiresAt: timeOf(notes[record.expiresAt]),
    intact: value !== '' && digestOf(value) === notes[record.digest],
  };
}

function previousOf(notes: Record<string, string>): PreviousToken | undefined {
  const id = notes[record.previousId];
  const username = notes[record.previousUsername];
  const revokeAt = timeOf(notes[record.revokePreviousAt]);
  return id && username !== undefined && revokeAt !== undefined
    ? { id, username, revokeAt }
    : undefined;
}

function timeOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** The token being written: its value, and what its record says. */
export interface WrittenToken {
  readonly value: string;
  readonly id: string;
  readonly username: string;
  readonly fingerprint: string;
  readonly issuedAt: number;
  readonly expiresAt?: number | undefined;
}

/**
 * The Secret holding `token` for `owner`, with `previous` recorded as alive until its time.
 * `base` is the Secret there now (ours), whose other labels and annotations are kept.
 */
export function tokenSecret(
  owner: HubToken,
  name: string,
  url: string,
  token: WrittenToken,
  previous: PreviousToken | undefined,
  base?: SecretObject,
): SecretObject {
  const kept = Object.fromEntries(
    Object.entries(base?.metadata.annotations ?? {}).filter(
      ([key]) => !(Object.values(record) as string[]).includes(key),
    ),
  );
  const iso = (time: number): string => new Date(time).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      ...(base?.metadata.resourceVersion ? { resourceVersion: base.metadata.resourceVersion } : {}),
      labels: { ...base?.metadata.labels, ...tokenSecretLabels },
      annotations: {
        ...kept,
        [record.id]: token.id,
        [record.username]: token.username,
        [record.fingerprint]: token.fingerprint,
        [record.issuedAt]: iso(token.issuedAt),
        ...(token.expiresAt !== undefined ? { [record.expiresAt]: iso(token.expiresAt) } : {}),
        [record.digest]: digestOf(token.value),
        ...(previous
          ? {
              [record.previousId]: previous.id,
              [record.previousUsername]: previous.username,
              [record.revokePreviousAt]: iso(previous.revokeAt),
            }
          : {}),
      },
      ownerReferences: [
        {
          apiVersion,
          kind: 'HubToken',
          name: owner.metadata.name,
          uid: owner.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    data: {
      token: Buffer.from(token.value, 'utf8').toString('base64'),
      url: Buffer.from(url, 'utf8').toString('base64'),
    },
  };
}

/** The hub API URL the Secret gives its consumers, if it has one. */
export function urlOf(secret: SecretObject): string | undefined {
  const encoded = secret.data?.['url'];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

/** The value the Secret holds, to write it again unchanged (a new hub URL). */
export function valueOf(secret: SecretObject): string {
  const encoded = secret.data?.['token'];
  return encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
}
