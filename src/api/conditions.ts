/**
 * Status conditions in the standard Kubernetes shape (metav1.Condition, with its validation) and
 * the pure rules for updating a list of them: a condition's lastTransitionTime moves only when its
 * status flips. No clock here: callers pass `now`.
 */
import { z } from 'zod';

// metav1.Condition's own validation, as controller-gen writes it into every CRD.
const typePattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const reasonPattern = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** A condition holds, does not, or cannot be told. */
export const conditionStatusSchema = z.enum(['True', 'False', 'Unknown']);

/** One condition; the CRDs keep the list as a map keyed by `type`. */
export const conditionSchema = z.object({
  type: z.string().max(316).regex(typePattern),
  status: conditionStatusSchema,
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: z.iso.datetime({ offset: true }),
  reason: z.string().min(1).max(1024).regex(reasonPattern),
  message: z.string().max(32768),
});

export type Condition = z.output<typeof conditionSchema>;
export type ConditionStatus = z.output<typeof conditionStatusSchema>;
/** What a controller decides; setCondition works out the lastTransitionTime. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/** The condition types all three kinds report (CONTRACT §4); the printer columns read these. */
export const conditionType = { ready: 'Ready', synced: 'Synced' } as const;

/** The reasons of a Ready True that say the hub object is as declared, whatever the kind. */
export const settledReasons: ReadonlySet<string> = new Set([
  'Created',
  'Adopted',
  'Updated',
  'UpToDate',
]);

/** The condition of `type`, or undefined. A missing list counts as empty. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/**
 * Returns a new list with `next` in place of the condition of its type, or appended when there is
 * none. lastTransitionTime is kept when the status did not change and is `now` otherwise; the
 * other types' entries and the order are kept. Neither argument is modified.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionUpdate,
  now: string,
): Condition[] {
  const list = conditions ?? [];
  const current = findCondition(list, next.type);
  const updated: Condition = {
    type: next.type,
    status: next.status,
    ...(next.observedGeneration === undefined
      ? {}
      : { observedGeneration: next.observedGeneration }),
    lastTransitionTime: current?.status === next.status ? current.lastTransitionTime : now,
    reason: next.reason,
    message: next.message,
  };
  if (current === undefined) return [...list, updated];
  return list.map((condition) => (condition === current ? updated : condition));
}

/**
 * Whether writing `b` over `a` would leave the conditions as they are: the same types with the
 * same fields. Order does not count (the list is a map keyed by type), and a missing list equals
 * an empty one.
 */
export function conditionsEqual(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const left = a ?? [];
  const right = b ?? [];
  if (left.length !== right.length) return false;
  return right.every((condition) => {
    const other = findCondition(left, condition.type);
    return other !== undefined && sameCondition(other, condition);
  });
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.observedGeneration === b.observedGeneration
  );
}
