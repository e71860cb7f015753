/**
 * Which changes of a watched object queue its key, and at what priority. The operator's own
 * status writes come back as watch events: they must not start another round (the echo); a
 * status someone else wrote must, or it stays until the next resync.
 */
import type { Priority } from '../../priority.ts';
import type { KindObject } from './reconciler.ts';

type Versioned = Pick<KindObject, 'metadata'>;

/** Status-only updates need no reconcile (see foreignStatus); spec, labels and deletion do. */
export function worthReconciling(previous: Versioned, next: Versioned): boolean {
  const a = previous.metadata;
  const b = next.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])
  );
}

/**
 * A status-only update that the operator did not make: a replaced leader finishing a write late,
 * or a hand edit. Left alone, the status would say something untrue until the next resync.
 */
export function foreignStatus(
  previous: KindObject,
  next: KindObject,
  ownWriteInFlight: boolean,
): boolean {
  return !ownWriteInFlight && JSON.stringify(previous.status) !== JSON.stringify(next.status);
}

/** Objects from the first list are routine; a change after it is one a person waits for. */
export function priorityOfChange(cacheSynced: boolean): Priority {
  return cacheSynced ? 'interactive' : 'background';
}
