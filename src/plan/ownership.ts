/**
 * Who owns a hub object and what deleting its resource does. The operator deletes only what it
 * created, unless the spec says otherwise in so many words. Pure.
 */
import type { DeletionPolicy, Ownership } from '../api/fields.ts';

/**
 * The policy in force: an explicit spec value always wins; unset means Delete for what the
 * operator created and Retain for what it adopted, or never got to record (the safe side).
 */
export function effectiveDeletionPolicy(
  spec: DeletionPolicy | undefined,
  ownership: Ownership | undefined,
): DeletionPolicy {
  return spec ?? (ownership === 'Created' ? 'Delete' : 'Retain');
}

/** The ownership to record: once known it never changes; first sight decides it. */
export function ownershipOf(recorded: Ownership | undefined, existedBeforeUs: boolean): Ownership {
  return recorded ?? (existedBeforeUs ? 'Adopted' : 'Created');
}
