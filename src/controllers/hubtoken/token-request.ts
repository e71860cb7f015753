/**
 * What a HubToken's token is issued with, and how its tokens are found in the hub again: the
 * request (scopes, lifetime, a note naming the HubToken and carrying its marker), the marker
 * (its uid) and the fingerprint that tells a token issued under an older spec.
 */
import { createHash } from 'node:crypto';
import type { HubToken } from '../../api/hubtoken.ts';
import { keyOf } from '../../api/meta.ts';
import type { TokenRequest } from '../../hub/tokens.ts';

/** What identifies this HubToken's tokens in the hub: its uid, in the note. */
export function markerOf(object: HubToken): string {
  return `hubops:${object.metadata.uid ?? keyOf(object.metadata.namespace, object.metadata.name)}`;
}

/** The note the hub shows beside the token: the user's note, and where the token comes from. */
export function noteOf(object: HubToken): string {
  const origin = `HubToken ${keyOf(object.metadata.namespace, object.metadata.name)} (${markerOf(object)})`;
  return object.spec.note ? `${object.spec.note} - ${origin}` : `issued for ${origin}`;
}

/** The hub's token request for this HubToken. */
export function requestOf(object: HubToken): TokenRequest {
  const { scopes, expiresInSeconds } = object.spec;
  return {
    note: noteOf(object),
    ...(scopes ? { scopes } : {}),
    ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}),
  };
}

/** A digest of what the token is issued with: a token issued under another is replaced. */
export function fingerprintOf(object: HubToken): string {
  const { username, scopes, expiresInSeconds, note } = object.spec;
  const issuedWith = [username, scopes ?? null, expiresInSeconds ?? null, note ?? null];
  return createHash('sha256').update(JSON.stringify(issuedWith)).digest('hex').slice(0, 16);
}
