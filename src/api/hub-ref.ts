/**
 * Which hub an object of a declaring kind (HubUser, HubGroup, HubServer) uses: the Hub its
 * `spec.hubRef` names, or, without one, the hub of the operator's settings.
 */
import type { HubRef } from './fields.ts';

/**
 * The identity of the hub `object` uses: `""` when it has no `spec.hubRef` (the hub of the
 * operator's settings), else the `"namespace/name"` key of the Hub it names, the namespace
 * defaulting to the object's own. Two objects use the same hub exactly when their keys are equal,
 * so the key can index per-hub state (claims, sweeps, budgets). The key of a Hub object itself is
 * keyOf(namespace, name), which is equal to this for every object that names it.
 */
export function hubKeyOf(object: {
  metadata: { namespace: string };
  spec: { hubRef?: HubRef };
}): string {
  const ref = object.spec.hubRef;
  if (ref === undefined) return '';
  return `${ref.namespace ?? object.metadata.namespace}/${ref.name}`;
}

/** How logs and metrics name the hub of key `key`: the key, or `settings` for the key `""`. */
export function hubLabel(key: string): string {
  return key || 'settings';
}
