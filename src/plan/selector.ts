/**
 * Kubernetes label selector semantics (matchLabels and matchExpressions, all ANDed), for
 * HubGroup.memberSelector over HubUser labels. An empty selector matches everything. Pure.
 */

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

export function matchesSelector(
  labels: Readonly<Record<string, string>> | undefined,
  selector: LabelSelector,
): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const present = key in have;
    const value = have[key];
    const ok =
      operator === 'In'
        ? present && values.includes(value ?? '')
        : operator === 'NotIn'
          ? !present || !values.includes(value ?? '')
          : operator === 'Exists'
            ? present
            : !present;
    if (!ok) return false;
  }
  return true;
}
