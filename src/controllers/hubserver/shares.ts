/**
 * A HubServer's shares (JupyterHub 5.0+): the owner's shares read once per sweep (the hub lists
 * them by owner only), planned against `spec.sharedWith`, granted and revoked after the server
 * itself is as declared, and taken back when the HubServer goes; and how the server's outcome
 * reads with them.
 */
import type { HubServer } from '../../api/hubserver.ts';
import { isRetryable, OperatorError } from '../../errors.ts';
import { HubError } from '../../hub/errors.ts';
import { shareTargetKey, type HubShare, type ShareTarget } from '../../hub/models.ts';
import { shareScopeProblem, storedShareScopes } from '../../hub/shares.ts';
import type { EventNote } from '../../kube/events.ts';
import {
  planShareRemoval,
  planShares,
  type DesiredShare,
  type ShareAction,
} from '../../plan/shares.ts';
import type { Priority } from '../../priority.ts';
import { readyAndSynced } from '../runtime/conditions.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import { reasonFor, type Reason } from '../runtime/reasons.ts';
import type { Outcome } from '../runtime/reconciler.ts';
import { sharesRetryMs } from '../runtime/timings.ts';
import { serverLabel } from './status.ts';

/**
 * The shares of each owner that has a HubServer with `sharedWith`, as read since the hub's last
 * sweep: one read per owner per sweep, shared by that owner's servers; a write makes the next
 * read fresh. A new sweep lets go of the owners read before it.
 */
export class OwnerShares {
  readonly #byHub = new Map<
    string,
    { readonly sweep: number | undefined; readonly owners: Map<string, Promise<HubShare[]>> }
  >();

  read(unit: HubUnit, owner: string, priority: Priority): Promise<HubShare[]> {
    const sweep = unit.snapshot.lastSweep?.endedAt;
    const last = this.#byHub.get(unit.key);
    const read =
      last !== undefined && last.sweep === sweep
        ? last
        : { sweep, owners: new Map<string, Promise<HubShare[]>>() };
    if (read !== last) this.#byHub.set(unit.key, read);
    const { owners } = read;
    const known = owners.get(owner);
    if (known) return known;
    const shares = unit.hub.shares.list(owner, { priority });
    owners.set(owner, shares);
    shares.catch(() => {
      if (owners.get(owner) === shares) owners.delete(owner);
    });
    return shares;
  }

  forget(unit: HubUnit, owner: string): void {
    this.#byHub.get(unit.key)?.owners.delete(owner);
  }
}

/**
 * `outcome`, the server's own round, with its shares made as declared. Shares wait for the
 * server to be as declared (a named server needs its record); a hub before 5.0, a scope the hub
 * does not know, or a target or record still missing, read as Ready False with the reason. A
 * share call that fails keeps the server's round as it was and comes back in sharesRetryMs.
 */
export async function withShares(
  unit: HubUnit,
  object: HubServer,
  outcome: Outcome,
  owners: OwnerShares,
  priority: Priority,
): Promise<Outcome> {
  if (object.spec.sharedWith === undefined)
    return { ...outcome, fields: { ...outcome.fields, shares: undefined } };
  const ready = outcome.conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return outcome;
  try {
    return await shared(unit, object, outcome, owners, priority);
  } catch (err) {
    // The server's round went through: its status stands, with Ready saying the shares did not.
    if (!(err instanceof OperatorError)) throw err;
    const { reason, message } = reasonFor(err);
    return {
      ...unshared(outcome, reason, `shares not made: ${message}`),
      // A hub before 5.0 or a refused scope stays so until the spec or the hub changes.
      ...(isRetryable(err) ? { requeueAfterMs: sharesRetryMs } : {}),
    };
  }
}

/** withShares once the server is as declared and sharing is declared. */
async function shared(
  unit: HubUnit,
  object: HubServer,
  outcome: Outcome,
  owners: OwnerShares,
  priority: Priority,
): Promise<Outcome> {
  const { sharedWith = [], sharingPolicy, username, serverName } = object.spec;
  // A hub before 5.0 is refused by the shares client itself (HUB_UNSUPPORTED, no request).
  const features = await unit.hub.features();
  const problem = sharedWith
    .flatMap((entry) => entry.scopes ?? [])
    .map((scope) => shareScopeProblem(scope, username, serverName, features.serverApiV6))
    .find((found) => found !== undefined);
  if (problem) return unshared(outcome, 'HubRejected', `not shared: ${problem}`);
  const desired = desiredShares(object);
  const observed = (await owners.read(unit, username, priority)).filter(
    (share) => share.server === serverName,
  );
  const policy = sharingPolicy ?? 'Exact';
  const actions = planShares(desired, observed, policy);
  const name = serverLabel(username, serverName);
  const events: EventNote[] = [];
  try {
    for (const action of actions) {
      await send(unit, username, serverName, action, priority);
      events.push(shareEvent(action, name));
    }
  } catch (err) {
    const waiting =
      err instanceof HubError &&
      (err.code === 'HUB_NOT_FOUND' ||
        (err.code === 'HUB_INVALID' && /No such (user|group)/i.test(err.message)));
    if (!waiting) throw err;
    const message = `shares of server ${name} wait: ${err.message.replace(/^.*?: (\d{3} )?/, '')}`;
    // Looked at again at each sweep: a record or a user appears without telling this server.
    return unshared(
      { ...outcome, events: [...(outcome.events ?? []), ...events] },
      'SharesWaiting',
      message,
      'True',
    );
  } finally {
    if (actions.length > 0) owners.forget(unit, username);
  }
  const holders = new Set(desired.map((wanted) => shareTargetKey(wanted.target)));
  if (policy === 'Additive')
    for (const share of observed) holders.add(shareTargetKey(share.target));
  return {
    ...outcome,
    fields: { ...outcome.fields, shares: holders.size },
    events: [...(outcome.events ?? []), ...events],
  };
}

/**
 * Takes back, as the HubServer goes, what its `sharedWith` gave (planShareRemoval), read afresh
 * from the hub; its Events. A HubServer that declares no sharing, and a hub before 5.0, have
 * nothing to take back. A failed call throws: the finalizer stays and the deletion is tried again.
 */
export async function unshareOnDeletion(
  unit: HubUnit,
  object: HubServer,
  owners: OwnerShares,
  priority: Priority,
): Promise<EventNote[]> {
  const { sharedWith, sharingPolicy, username, serverName } = object.spec;
  if (sharedWith === undefined || !(await unit.hub.features()).shares) return [];
  const observed = (await unit.hub.shares.list(username, { priority })).filter(
    (share) => share.server === serverName,
  );
  const actions = planShareRemoval(desiredShares(object), observed, sharingPolicy ?? 'Exact');
  const name = serverLabel(username, serverName);
  try {
    for (const action of actions) await send(unit, username, serverName, action, priority);
  } finally {
    if (actions.length > 0) owners.forget(unit, username);
  }
  return actions.map((action) => shareEvent(action, name));
}

/** `spec.sharedWith` as the plan compares it: targets with scopes in the hub's stored form. */
function desiredShares(object: HubServer): DesiredShare[] {
  const { sharedWith = [], username, serverName } = object.spec;
  return sharedWith.map((entry) => ({
    target: entry.user === undefined ? { group: entry.group ?? '' } : { user: entry.user },
    scopes: storedShareScopes(username, serverName, entry.scopes),
  }));
}

function send(
  unit: HubUnit,
  owner: string,
  server: string,
  action: ShareAction,
  priority: Priority,
): Promise<unknown> {
  return action.op === 'grant'
    ? unit.hub.shares.grant(owner, server, action.target, action.scopes, { priority })
    : unit.hub.shares.revokeScopes(owner, server, action.target, action.scopes, { priority });
}

function shareEvent(action: ShareAction, name: string): EventNote {
  const who = describeTarget(action.target);
  const scopes = action.scopes ? ` (${action.scopes.map((s) => s.split('!')[0]).join(', ')})` : '';
  return action.op === 'grant'
    ? {
        type: 'Normal',
        reason: 'Shared',
        action: 'Share',
        note: `shared server ${name} with ${who}${scopes}`,
      }
    : {
        type: 'Normal',
        reason: 'Unshared',
        action: 'Revoke',
        note: `revoked ${who}'s share of server ${name}${scopes}`,
      };
}

function describeTarget(target: ShareTarget): string {
  return 'user' in target ? `user ${target.user}` : `group ${target.group}`;
}

/** The server's outcome with Ready saying why its shares are not as declared. */
function unshared(
  outcome: Outcome,
  reason: Reason,
  message: string,
  synced: 'True' | 'False' = 'False',
): Outcome {
  return { ...outcome, conditions: readyAndSynced('False', reason, message, synced) };
}
