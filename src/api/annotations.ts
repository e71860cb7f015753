/**
 * The metadata hubops writes on and honours in the objects it manages: its finalizer, the
 * ownership it records ahead of a create, and the annotation that pauses hub writes. Their
 * names are part of the API: people and GitOps tools set and read them.
 */
import type { Ownership } from './fields.ts';

/** Held while the hub side of an object may still need undoing; removed after cleanup. */
export const finalizerName = 'hubops.io/cleanup';

/** The ownership recorded ahead of the first create; status records it afterwards. */
export const ownershipAnnotation = 'hubops.io/ownership';

/** `"true"` stops every hub write for the object; status still tells whether the hub matches. */
export const pausedAnnotation = 'hubops.io/paused';

export function isPaused(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[pausedAnnotation] === 'true';
}

interface Owned {
  readonly metadata: { readonly annotations?: Readonly<Record<string, string>> };
  readonly status?: { readonly ownership?: Ownership };
}

/**
 * The ownership a tenancy decision may trust: the one in status only. Status is a subresource
 * that only the operator writes; the annotation is on the object, which any editor of it can set,
 * so a namespace that may not adopt could otherwise claim someone else's user as its own.
 */
export function trustedOwnership(object: Owned): Ownership | undefined {
  return object.status?.ownership;
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
