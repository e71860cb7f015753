/**
 * The HubToken reconciler: issues the token, writes it to its Secret, rotates it before it
 * expires, and revokes what no Secret holds any more, as plan/hubtoken.ts decides. A token is
 * found in the hub by the marker in its note (the HubToken's uid), so a token issued before a
 * crash, and never written, is revoked at the next visit. Deletion revokes every token of it.
 */
import { isPaused } from '../../api/annotations.ts';
import { hubTokenSpecSchema, secretNameOf, type HubToken } from '../../api/hubtoken.ts';
import { kinds } from '../../api/meta.ts';
import type { Clock } from '../../clock.ts';
import { HubError } from '../../hub/errors.ts';
import type { TokenModel } from '../../hub/tokens.ts';
import type { EventNote } from '../../kube/events.ts';
import type { SecretObject } from '../../kube/secrets.ts';
import {
  nextTokenVisit,
  planToken,
  rotationDue,
  type IssueReason,
  type ListedToken,
  type SecretState,
  type TokenTiming,
} from '../../plan/hubtoken.ts';
import { tokenGrant } from '../../plan/tenancy.ts';
import type { Priority } from '../../priority.ts';
import { paused, refused, standingReady, waitForHub } from '../runtime/conditions.ts';
import { HubNotReady, type HubDirectory } from '../runtime/hub-directory.ts';
import type { HubUserLookup } from '../runtime/hub-kind.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import type { Outcome, ReconcileContext, Reconciler } from '../runtime/reconciler.ts';
import { unchangedFields } from '../runtime/status-report.ts';
import { issuedEvent, scopesRefused, secretConflict, tokenReady, userMissing } from './status.ts';
import { secretStateOf, tokenSecret, urlOf, valueOf, type WrittenToken } from './token-secret.ts';
import { fingerprintOf, markerOf, requestOf } from './token-request.ts';

/** What the reconciler does with Secrets: read its cache, write, delete. */
export interface TokenSecretStore {
  /** From the cache of token Secrets (those with the operator's labels). */
  get(namespace: string, name: string): SecretObject | undefined;
  /** From the API server: any Secret of that name, labelled or not. */
  read(namespace: string, name: string): Promise<SecretObject | undefined>;
  /** Creates the Secret (no resourceVersion) or replaces it (with the one it was read at). */
  write(secret: SecretObject): Promise<SecretObject>;
  delete(namespace: string, name: string): Promise<void>;
}

export interface TokenCounters {
  readonly issued: (reason: IssueReason) => void;
  readonly revoked: () => void;
}

export interface HubTokenReconcilerDeps {
  readonly hubs: HubDirectory;
  readonly hubUsers: Pick<HubUserLookup, 'owns' | 'ownershipPending'>;
  readonly secrets: TokenSecretStore;
  readonly clock: Clock;
  readonly counters: TokenCounters;
  readonly timing?: TokenTiming;
}

export class HubTokenReconciler implements Reconciler<HubToken> {
  readonly kind = kinds.HubToken;
  readonly specSchema = hubTokenSpecSchema;
  readonly #deps: HubTokenReconcilerDeps;

  constructor(deps: HubTokenReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(object: HubToken, context: ReconcileContext): Promise<Outcome> {
    const { hubs, hubUsers, secrets, clock } = this.#deps;
    const resolved = hubs.resolve(object);
    if ('pending' in resolved) return waitForHub();
    const fields = unchangedFields(object);
    if ('refusal' in resolved) return refused(object, fields, resolved.refusal);
    const { unit } = resolved;
    const { namespace } = object.metadata;
    const { username } = object.spec;
    const grant = tokenGrant(unit.policy, namespace, username, (user) =>
      hubUsers.owns(unit.key, namespace, user),
    );
    if (
      grant?.reason === 'UserNotOwned' &&
      hubUsers.ownershipPending(unit.key, namespace, username)
    )
      return waitForHub();
    if (grant) return refused(object, fields, grant);
    const { priority } = context;
    if (!(await this.#userExists(unit, username, priority))) return userMissing(object, fields);
    const secretName = secretNameOf(object);
    // The cache holds only labelled Secrets: one it lacks may still exist, someone else's.
    const secret =
      secrets.get(namespace, secretName) ?? (await secrets.read(namespace, secretName));
    const state = secretStateOf(secret, object);
    const listed = await this.#listed(unit, object, usernamesOf(object, state), priority);
    const now = clock.now();
    const desired = { username, fingerprint: fingerprintOf(object) };
    const plan = planToken(
      desired,
      state,
      [...listed.values()],
      object.status?.tokenId !== undefined,
      now,
      this.#deps.timing,
    );
    if (plan.kind === 'conflict') return refused(object, fields, secretConflict(secretName));
    if (isPaused(object.metadata.annotations) && (plan.issue || plan.revoke.length > 0)) {
      const drift = plan.issue
        ? `a token would be issued (${plan.issue})`
        : `${plan.revoke.length} token(s) no Secret holds would be revoked`;
      return { fields, conditions: paused(false, drift) };
    }
    // The finalizer goes on before the first token exists, so that deleting revokes it.
    await context.markManaged({});
    const events: EventNote[] = [];
    let holding = state.kind === 'held' ? state.current : undefined;
    let previous = state.kind === 'held' ? state.previous : undefined;
    let written = secret;
    if (plan.issue) {
      // The hub's refusal of this very spec stands: asking again gets the same answer.
      const standing = standingReady(object, 'ScopesRefused');
      if (standing !== undefined)
        return refused(object, fields, { reason: 'ScopesRefused', message: standing });
      let issued;
      try {
        issued = await unit.hub.tokens.issue(username, requestOf(object), { priority });
      } catch (err) {
        // The hub's verdict on the spec (scopes the user lacks, a lifetime past its maximum):
        // only a change of the spec helps, which wakes the object.
        if (err instanceof HubError && err.code === 'HUB_INVALID')
          return scopesRefused(object, fields, err.message);
        throw err;
      }
      const token: WrittenToken = {
        value: issued.token,
        id: issued.id,
        username,
        fingerprint: desired.fingerprint,
        issuedAt: issued.createdAt ?? now,
        expiresAt: issued.expiresAt,
      };
      previous =
        plan.keepHeldUntil !== undefined && holding
          ? { id: holding.id, username: holding.username, revokeAt: plan.keepHeldUntil }
          : previous && previous.revokeAt > now && plan.keepHeldUntil === undefined
            ? previous
            : undefined;
      try {
        written = await secrets.write(
          tokenSecret(object, secretName, unit.url, token, previous, written),
        );
      } catch (err) {
        // Not in the Secret, so nobody can use it: revoke it now rather than at the next visit.
        await unit.hub.tokens.revoke(username, issued.id, { priority }).catch(() => undefined);
        throw err;
      }
      this.#deps.counters.issued(plan.issue);
      events.push(issuedEvent(plan.issue, issued.id, secretName, holding?.id));
      holding = { ...token, intact: true };
    } else if (written && holding && urlOf(written) !== unit.url) {
      // The hub moved (the Hub's url changed): the same token, at the new address.
      written = await secrets.write(
        tokenSecret(
          object,
          secretName,
          unit.url,
          { ...holding, value: valueOf(written) },
          previous,
          written,
        ),
      );
    }
    for (const token of plan.revoke) {
      await unit.hub.tokens.revoke(token.username, token.id, { priority });
      this.#deps.counters.revoked();
    }
    if (plan.revoke.length > 0)
      events.push({
        type: 'Normal',
        reason: 'TokenRevoked',
        action: 'Revoke',
        note: `revoked ${plan.revoke.length} token(s) no Secret holds: ${plan.revoke.map((t) => t.id).join(', ')}`,
      });
    if (!holding) throw new Error('a token plan left no token in the Secret');
    const next = nextTokenVisit(
      holding,
      previous && previous.revokeAt > now ? previous : undefined,
    );
    const due = rotationDue(holding);
    return {
      fields: {
        tokenId: holding.id,
        username: holding.username,
        secretName,
        issuedAt: new Date(holding.issuedAt).toISOString(),
        ...(holding.expiresAt !== undefined
          ? { expiresAt: new Date(holding.expiresAt).toISOString() }
          : {}),
        ...(due !== undefined ? { rotateAt: new Date(due).toISOString() } : {}),
      },
      conditions: tokenReady(object, plan.issue, holding.id, secretName),
      events,
      ...(next !== undefined ? { requeueAfterMs: Math.max(1_000, next - clock.now()) } : {}),
    };
  }

  /** Revokes every token this HubToken issued, then deletes its Secret. */
  async cleanup(object: HubToken, context: ReconcileContext): Promise<readonly EventNote[]> {
    const { hubs, secrets } = this.#deps;
    const secretName = secretNameOf(object);
    const secret = secrets.get(object.metadata.namespace, secretName);
    const state = secretStateOf(secret, object);
    const resolved = hubs.resolve(object);
    if ('pending' in resolved) throw new HubNotReady("the HubToken's Hub is being set up");
    const events: EventNote[] = [];
    if (isPaused(object.metadata.annotations)) {
      events.push({
        type: 'Warning',
        reason: 'Paused',
        action: 'Revoke',
        note: 'hub writes are paused: its tokens stay valid in the hub until they expire',
      });
    } else if ('unit' in resolved) {
      const listed = await this.#listed(
        resolved.unit,
        object,
        usernamesOf(object, state),
        context.priority,
      );
      for (const token of listed.values()) {
        await resolved.unit.hub.tokens.revoke(token.username, token.id, {
          priority: context.priority,
        });
        this.#deps.counters.revoked();
      }
      events.push({
        type: 'Normal',
        reason: 'TokenRevoked',
        action: 'Revoke',
        note: `revoked ${listed.size} token(s) of ${object.spec.username} on deletion`,
      });
    } else {
      events.push({
        type: 'Warning',
        reason: resolved.refusal.reason,
        action: 'Revoke',
        note: `could not revoke the tokens in the hub (${resolved.refusal.message}); they stay valid until they expire`,
      });
    }
    if (state.kind === 'held') await secrets.delete(object.metadata.namespace, secretName);
    return events;
  }

  async #userExists(unit: HubUnit, username: string, priority: Priority): Promise<boolean> {
    if (unit.snapshot.hasUser(username)) return true;
    return (await unit.hub.users.get(username, { priority })) !== null;
  }

  /** This HubToken's tokens in the hub, by id, for each of `usernames`. */
  async #listed(
    unit: HubUnit,
    object: HubToken,
    usernames: ReadonlySet<string>,
    priority: Priority,
  ): Promise<Map<string, ListedToken>> {
    const marker = markerOf(object);
    const listed = new Map<string, ListedToken>();
    for (const username of usernames) {
      const tokens: TokenModel[] = await unit.hub.tokens.list(username, { priority });
      for (const token of tokens)
        if (token.note.includes(marker)) listed.set(token.id, { id: token.id, username });
    }
    return listed;
  }
}

/** Whose token lists can hold this HubToken's tokens: its user, and the users its Secret names. */
function usernamesOf(object: HubToken, state: SecretState): Set<string> {
  const usernames = new Set([object.spec.username]);
  if (state.kind === 'held') {
    if (state.current) usernames.add(state.current.username);
    if (state.previous) usernames.add(state.previous.username);
  }
  return usernames;
}
