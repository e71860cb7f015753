/**
 * The operator marks an object as managed before its first hub write, in one metadata patch:
 * the finalizer, and, ahead of a create, the ownership it is about to take. Invariant: no hub
 * object the operator created exists without a record that it did, so deleting the resource
 * never leaves the operator's own object behind as if it had been adopted (Retain).
 */
import { ownershipAnnotation } from '../../api/annotations.ts';
import type { Ownership } from '../../api/fields.ts';
import type { HubHealth } from '../../hub/health.ts';
import type { ReconcileContext } from './reconciler.ts';

/**
 * Marks the object ahead of a hub write: the finalizer, with the ownership annotation when
 * the write is the create of something not yet recorded. Nothing while the hub is down: the
 * write is then refused unsent, and an outage costs no Kubernetes writes.
 */
export async function markManagedFirst(
  context: Pick<ReconcileContext, 'markManaged'>,
  health: Pick<HubHealth, 'state'>,
  recorded: Ownership | undefined,
  ownership: Ownership,
): Promise<void> {
  if (health.state.status === 'down') return;
  const creating = recorded === undefined && ownership === 'Created';
  await context.markManaged(creating ? { [ownershipAnnotation]: 'Created' } : {});
}
