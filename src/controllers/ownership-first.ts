/**
 * Ownership is written to status before the hub call that creates what it claims. Written only
 * after, a crash or a failed status write in between would make the operator take its own hub
 * object for an adopted one, which deleting the resource then leaves behind (Retain).
 */
import type { Hub } from '../hub/hub.ts';
import type { Ownership } from '../plan/ownership.ts';
import type { ReconcileContext } from './reconciler.ts';

/**
 * Persists `fields` (with `ownership: 'Created'`) ahead of a create. Nothing to do once an
 * ownership is recorded (it never changes), for an adopted object, or while the hub is down:
 * then the create is refused unsent, and an outage costs no status writes.
 */
export async function recordOwnershipFirst(
  context: Pick<ReconcileContext, 'persist'>,
  hub: Hub,
  recorded: Ownership | undefined,
  fields: { readonly ownership: Ownership } & Record<string, unknown>,
): Promise<void> {
  if (recorded !== undefined || fields.ownership !== 'Created') return;
  if (hub.health.state.status === 'down') return;
  await context.persist(fields);
}
