/**
 * When a HubToken's hub token is issued, replaced or revoked. Pure: the declared token, what its
 * Secret records of the token it holds, the tokens of this HubToken that the hub lists, and the
 * time, in; one decision out. The token itself never passes through here, only its id.
 */

/** The token as declared: what a token must have been issued with to be kept. */
export interface DesiredToken {
  readonly username: string;
  /**
   * A digest of everything the token is issued with (username, scopes, lifetime, note): a token
   * issued under another is replaced.
   */
  readonly fingerprint: string;
}

/** The token a Secret holds, as the Secret's annotations record it. Times in epoch ms. */
export interface HeldToken {
  readonly id: string;
  readonly username: string;
  readonly fingerprint: string;
  readonly issuedAt: number;
  /** Undefined: it never expires. */
  readonly expiresAt?: number | undefined;
  /** The Secret's value is the one issued (its digest matches the record): nobody edited it. */
  readonly intact: boolean;
}

/** A replaced token kept alive until consumers have re-read the Secret. */
export interface PreviousToken {
  readonly id: string;
  readonly username: string;
  readonly revokeAt: number;
}

export type SecretState =
  | { readonly kind: 'missing' }
  /** A Secret of that name that hubops did not write for this HubToken: never overwritten. */
  | { readonly kind: 'foreign' }
  | {
      readonly kind: 'held';
      readonly current?: HeldToken | undefined;
      readonly previous?: PreviousToken | undefined;
    };

/** A token of this HubToken that the hub lists (by the marker in its note). */
export interface ListedToken {
  readonly id: string;
  readonly username: string;
}

/**
 * Why a new token is issued. `Issued`: the first. `Rotated`: the held one is due. `SpecChanged`:
 * it was issued under another spec. `SecretMissing`, `SecretEdited`: its Secret was deleted or its
 * value changed by hand, so it may have been seen: it is revoked at once. `RevokedInHub`: the hub
 * no longer lists it (someone revoked it). `Expired`: it expired before it could be rotated.
 */
export type IssueReason =
  | 'Issued'
  | 'Rotated'
  | 'SpecChanged'
  | 'SecretMissing'
  | 'SecretEdited'
  | 'RevokedInHub'
  | 'Expired';

export type TokenPlan =
  | { readonly kind: 'conflict' }
  | {
      readonly kind: 'plan';
      /** Issue a new token and write it to the Secret. */
      readonly issue?: IssueReason;
      /** The held token stays valid until then, as the Secret's previous token (a rotation). */
      readonly keepHeldUntil?: number;
      /** Listed tokens to revoke once the Secret is written: orphans, replaced, exposed. */
      readonly revoke: readonly ListedToken[];
    };

export interface TokenTiming {
  /** The longest a replaced token stays valid for consumers to re-read the Secret. */
  readonly graceMs: number;
}

/** Kubelet refreshes a mounted Secret within about a minute and a half (sync + cache TTL). */
export const defaultTokenTiming: TokenTiming = { graceMs: 180_000 };

/**
 * The decision for one visit. `issuedBefore`: this HubToken has issued a token before (its status
 * records one), so a missing Secret was deleted, not yet written.
 */
export function planToken(
  desired: DesiredToken,
  secret: SecretState,
  listed: readonly ListedToken[],
  issuedBefore: boolean,
  now: number,
  timing: TokenTiming = defaultTokenTiming,
): TokenPlan {
  if (secret.kind === 'foreign') return { kind: 'conflict' };
  const held = secret.kind === 'held' ? secret.current : undefined;
  const previous = secret.kind === 'held' ? secret.previous : undefined;
  const listedIds = new Set(listed.map((token) => token.id));
  const issue = issueReason(desired, held, listedIds, issuedBefore || secret.kind === 'held', now);
  // Only a token replaced in the ordinary way is kept for a while; one that may have been seen
  // by someone (its Secret deleted or edited) goes at once.
  const graceful = issue === 'Rotated' || issue === 'SpecChanged';
  const keepHeldUntil =
    held && graceful ? now + Math.min(timing.graceMs, lifetimeOf(held) / 10) : undefined;
  const kept = new Set<string>();
  if (held && (issue === undefined || keepHeldUntil !== undefined)) kept.add(held.id);
  // A previous token still in its grace is kept, unless this issue replaces the held one in
  // its place: only one replaced token stays alive at a time.
  if (previous && previous.revokeAt > now && keepHeldUntil === undefined) kept.add(previous.id);
  const revoke = listed.filter((token) => !kept.has(token.id));
  return {
    kind: 'plan',
    ...(issue ? { issue } : {}),
    ...(keepHeldUntil !== undefined ? { keepHeldUntil } : {}),
    revoke,
  };
}

function issueReason(
  desired: DesiredToken,
  held: HeldToken | undefined,
  listedIds: ReadonlySet<string>,
  issuedBefore: boolean,
  now: number,
): IssueReason | undefined {
  if (!held) return issuedBefore ? 'SecretMissing' : 'Issued';
  if (!held.intact) return 'SecretEdited';
  if (!listedIds.has(held.id))
    return held.expiresAt !== undefined && held.expiresAt <= now ? 'Expired' : 'RevokedInHub';
  if (held.fingerprint !== desired.fingerprint) return 'SpecChanged';
  const due = rotationDue(held);
  return due !== undefined && now >= due ? 'Rotated' : undefined;
}

/** A token's lifetime in ms; Infinity when it never expires. */
function lifetimeOf(token: Pick<HeldToken, 'issuedAt' | 'expiresAt'>): number {
  return token.expiresAt === undefined ? Infinity : token.expiresAt - token.issuedAt;
}

/**
 * When a token is rotated: at 70-80 % of its lifetime, the point within that band fixed by its
 * id, so that tokens issued together are not all replaced at once and every replica and restart
 * computes the same instant. Undefined for a token that never expires.
 */
export function rotationDue(
  token: Pick<HeldToken, 'id' | 'issuedAt' | 'expiresAt'>,
): number | undefined {
  if (token.expiresAt === undefined) return undefined;
  const lifetime = token.expiresAt - token.issuedAt;
  return token.issuedAt + Math.floor(lifetime * (0.7 + 0.1 * spread(token.id)));
}

/** A number in [0, 1) fixed by `text` (FNV-1a). */
function spread(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}

/** When the next visit is due: the held token's rotation, or the previous token's revocation. */
export function nextTokenVisit(
  held: Pick<HeldToken, 'id' | 'issuedAt' | 'expiresAt'> | undefined,
  previous: PreviousToken | undefined,
): number | undefined {
  const times = [held ? rotationDue(held) : undefined, previous?.revokeAt].filter(
    (time): time is number => time !== undefined,
  );
  return times.length > 0 ? Math.min(...times) : undefined;
}
