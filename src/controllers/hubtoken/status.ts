/**
 * How a HubToken words its situations: the token issued, replaced or kept, the Secret that is
 * not its own, the user the hub lacks, the scopes the hub refuses. No message holds a token.
 */
import type { HubToken } from '../../api/hubtoken.ts';
import type { EventNote } from '../../kube/events.ts';
import type { IssueReason } from '../../plan/hubtoken.ts';
import { readyAndSynced, readyOf, refused } from '../runtime/conditions.ts';
import type { ConditionStatement, Outcome } from '../runtime/reconciler.ts';
import { tokenPollMs } from '../runtime/timings.ts';

const issueWords: Record<IssueReason, string> = {
  Issued: 'issued the first token',
  Rotated: 'rotated the token before it expires',
  SpecChanged: 'issued a new token for the changed spec',
  SecretMissing: 'the Secret was deleted: issued a new token and revoked the one it held',
  SecretEdited: 'the Secret was edited by hand: issued a new token and revoked the one it held',
  RevokedInHub: 'the token was revoked in the hub by someone else: issued a new one',
  Expired: 'the token expired before it could be rotated: issued a new one',
};

/** The Event of an issue: Normal when it is routine, Warning when someone else caused it. */
export function issuedEvent(
  reason: IssueReason,
  id: string,
  secretName: string,
  replaced: string | undefined,
): EventNote {
  const routine = reason === 'Issued' || reason === 'Rotated' || reason === 'SpecChanged';
  return {
    type: routine ? 'Normal' : 'Warning',
    reason:
      reason === 'Issued'
        ? 'TokenIssued'
        : reason === 'Rotated'
          ? 'TokenRotated'
          : `Token${reason}`,
    action: 'Issue',
    note: `${issueWords[reason]}: ${id} in Secret ${secretName}${replaced ? ` (replaces ${replaced})` : ''}`,
  };
}

/** Ready: the Secret holds a live token issued as the spec says. */
export function tokenReady(
  object: HubToken,
  issue: IssueReason | undefined,
  id: string,
  secretName: string,
): ConditionStatement[] {
  const ready = readyOf(object);
  if (!issue && ready?.status === 'True' && object.status?.tokenId === id)
    return readyAndSynced('True', ready.reason === 'Issued' ? 'Issued' : 'UpToDate', ready.message);
  const message = `Secret ${secretName} holds token ${id}`;
  return readyAndSynced('True', issue ? 'Issued' : 'UpToDate', message);
}

/** A Secret of that name that is not this HubToken's: never overwritten. */
export function secretConflict(secretName: string): {
  reason: 'SecretConflict';
  message: string;
} {
  return {
    reason: 'SecretConflict',
    message: `a Secret ${secretName} exists that hubops did not write for this HubToken; it is left alone (delete it, or set spec.secretName)`,
  };
}

/** The hub user does not exist (yet): no token, and a look again shortly. */
export function userMissing(object: HubToken, fields: Record<string, unknown>): Outcome {
  const message = `hub user ${object.spec.username} does not exist; waiting for it`;
  return {
    fields,
    conditions: readyAndSynced('False', 'UserMissing', message, 'False'),
    requeueAfterMs: tokenPollMs,
  };
}

/** The hub refused to issue the token as specified: final until the spec changes. */
export function scopesRefused(
  object: HubToken,
  fields: Record<string, unknown>,
  hubMessage: string,
): Outcome {
  return refused(object, fields, {
    reason: 'ScopesRefused',
    message: `the hub refused to issue the token: ${hubMessage.replace(/^POST \S+: (\d{3} )?/, '')}`,
  });
}
