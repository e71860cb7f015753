/**
 * The operator marks an object as its own before its first hub write, in one metadata patch:
 * the finalizer, and, ahead of a create, the ownership it is about to take. Written only after,
 * a crash in between would make it take its own hub object for an adopted one (Retain), which
 * deleting the resource would then leave behind.
 */
import type { Hub } from '../hub/hub.ts';
import type { Ownership } from '../plan/ownership.ts';
import type { ReconcileContext } from './reconciler.ts';

/** Where the ownership is recorded ahead of the create; status records it after. */
export const ownershipAnnotation = 'hubops.io/ownership';

interface Owned {
  readonly metadata: { readonly annotations?: Readonly<Record<string, string>> };
  readonly status?: { readonly ownership?: Ownership };
}

/**
 * The ownership on record: status, written after each reconcile, wins (a create that found
 * the object already there records Adopted); else the annotation written ahead of a create.
 */
export function recordedOwnership(object: Owned): Ownership | undefined {
  if (object.status?.ownership) return object.status.ownership;
  const annotated = object.metadata.annotations?.[ownershipAnnotation];
  return annotated === 'Created' || annotated === 'Adopted' ? annotated : undefined;
}

/**
 * Claims the object ahead of a hub write: the finalizer, with the ownership annotation when
 * the write is the create of something not yet recorded. Nothing while the hub is down: the
 * write is then refused unsent, and an outage costs no Kubernetes writes.
 */
export async function claimFirst(
  context: Pick<ReconcileContext, 'claim'>,
  hub: Hub,
  recorded: Ownership | undefined,
  ownership: Ownership,
): Promise<void> {
  if (hub.health.state.status === 'down') return;
  const creating = recorded === undefined && ownership === 'Created';
  await context.claim(creating ? { [ownershipAnnotation]: 'Created' } : {});
}
