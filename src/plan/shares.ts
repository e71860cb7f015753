/**
 * The plan for one server's shares: grant each declared user or group the scopes it lacks, and
 * under Exact take back the scopes and shares that are not declared; and what a deleted HubServer
 * takes back. Scopes are compared in the hub's stored form (each filtered to the server), which
 * the caller gives on both sides. Pure.
 */
import { shareTargetKey, type HubShare, type ShareTarget } from '../hub/models.ts';

export interface DesiredShare {
  readonly target: ShareTarget;
  /** In the hub's stored form. */
  readonly scopes: readonly string[];
}

/** `grant` merges scopes into the target's share; `revoke` takes these scopes, or all, away. */
export type ShareAction =
  | { readonly op: 'grant'; readonly target: ShareTarget; readonly scopes: readonly string[] }
  | { readonly op: 'revoke'; readonly target: ShareTarget; readonly scopes?: readonly string[] };

/** `observed` holds this server's shares only. */
export function planShares(
  desired: readonly DesiredShare[],
  observed: readonly Pick<HubShare, 'target' | 'scopes'>[],
  policy: 'Exact' | 'Additive',
): ShareAction[] {
  const held = new Map(observed.map((share) => [shareTargetKey(share.target), share]));
  const actions: ShareAction[] = [];
  for (const wanted of desired) {
    const share = held.get(shareTargetKey(wanted.target));
    const has = new Set(share?.scopes ?? []);
    const missing = wanted.scopes.filter((scope) => !has.has(scope));
    if (missing.length > 0) actions.push({ op: 'grant', target: wanted.target, scopes: missing });
    if (policy === 'Exact' && share) {
      const declared = new Set(wanted.scopes);
      const extra = share.scopes.filter((scope) => !declared.has(scope));
      if (extra.length > 0) actions.push({ op: 'revoke', target: wanted.target, scopes: extra });
    }
  }
  if (policy === 'Exact') {
    const declared = new Set(desired.map((wanted) => shareTargetKey(wanted.target)));
    for (const share of observed)
      if (!declared.has(shareTargetKey(share.target)))
        actions.push({ op: 'revoke', target: share.target });
  }
  return actions;
}

/**
 * What a HubServer whose server hubops stops on deletion takes back: under Exact, where the
 * declaration owned the server's whole share list, every share; under Additive, only the declared
 * scopes that each declared user or group still holds, so shares made by hand stay. `observed`
 * holds this server's shares only.
 */
export function planShareRemoval(
  desired: readonly DesiredShare[],
  observed: readonly Pick<HubShare, 'target' | 'scopes'>[],
  policy: 'Exact' | 'Additive',
): ShareAction[] {
  if (policy === 'Exact') return observed.map((share) => ({ op: 'revoke', target: share.target }));
  const held = new Map(observed.map((share) => [shareTargetKey(share.target), share]));
  const actions: ShareAction[] = [];
  for (const wanted of desired) {
    const has = new Set(held.get(shareTargetKey(wanted.target))?.scopes ?? []);
    const granted = wanted.scopes.filter((scope) => has.has(scope));
    if (granted.length > 0) actions.push({ op: 'revoke', target: wanted.target, scopes: granted });
  }
  return actions;
}
