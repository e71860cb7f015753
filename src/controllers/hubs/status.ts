/**
 * How a Hub reads: its tenancy policy from the spec, the scopes its token must carry, and the
 * status fields that say what the operator last saw of the hub.
 */
import type { RequestBudget } from '../../api/hub.ts';
import { featuresOf, parseVersion } from '../../hub/features.ts';
import type { TenancyPolicy } from '../../plan/tenancy.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';

/** What a Hub's unit is built from; a change of url, period or budget builds a new one. */
export interface UnitSettings {
  readonly url: string;
  readonly resyncMs: number;
  readonly budget: RequestBudget;
  readonly policy: TenancyPolicy;
}

/**
 * The scopes the operator's work needs (users, groups and servers, each with what it implies);
 * JupyterHub lists a token's scopes expanded, so each appears by name when granted.
 */
export const requiredScopes = ['admin:users', 'admin:groups', 'admin:servers'] as const;

export function missingScopes(granted: readonly string[]): string[] {
  return requiredScopes.filter((scope) => !granted.includes(scope));
}

/** A Hub's status fields: the hub's version and features, the token's owner, the last sweep. */
export function hubObjectStatus(
  unit: HubUnit,
  version: string | undefined,
  owner: { kind: string; name: string; scopes: readonly string[] } | undefined,
): Record<string, unknown> {
  const sweep = unit.snapshot.lastSweep;
  const features = version ? featuresOf(parseVersion(version)) : undefined;
  return {
    ...(version ? { version } : {}),
    ...(features
      ? { features: Object.entries(features).flatMap(([name, on]) => (on ? [name] : [])) }
      : {}),
    ...(owner
      ? { tokenOwner: `${owner.kind} ${owner.name}`, missingScopes: missingScopes(owner.scopes) }
      : {}),
    ...(sweep
      ? {
          users: sweep.users,
          groups: sweep.groups,
          runningServers: sweep.runningServers,
          lastSweepTime: new Date(sweep.endedAt).toISOString(),
        }
      : {}),
  };
}
