/**
 * The contract between the shared runner and a kind's reconciler. A reconciler decides; the
 * runner persists: the finalizer (ahead of the first hub write, when the reconciler marks the
 * object managed), status (conditions, observedGeneration), Events and the next visit.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Condition, ConditionStatus } from '../../api/conditions.ts';
import type { Kind, KindDescriptor, ObjectMeta } from '../../api/meta.ts';
import type { EventNote } from '../../kube/events.ts';
import type { Priority } from '../../priority.ts';
import type { Reason } from './reasons.ts';

/** An object of one of the operator's kinds, as the runner handles it. */
export interface KindObject {
  readonly apiVersion: string;
  readonly kind: Kind;
  readonly metadata: ObjectMeta;
  readonly spec: unknown;
  readonly status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    [field: string]: unknown;
  };
}

/** A condition as a reconciler states it; the runner adds times and the generation. */
export interface ConditionStatement {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: Reason;
  readonly message: string;
}

/** What one reconcile decided. */
export interface Outcome {
  /** The kind's own status fields; conditions and observedGeneration are the runner's. */
  readonly fields: Record<string, unknown>;
  readonly conditions: readonly ConditionStatement[];
  /** Visit again after this long (polling something in progress); otherwise at the next resync. */
  readonly requeueAfterMs?: number;
  /**
   * Nothing was decided (the object's Hub is being set up): the runner writes nothing, neither
   * status nor finalizer nor Events, and visits again after this long.
   */
  readonly deferMs?: number;
  readonly events?: readonly EventNote[];
}

export interface ReconcileContext {
  readonly logger: Logger;
  /**
   * The key's queue priority: hub calls made for it go at the same priority, so that an edit
   * someone waits for passes the initial list and resyncs at the hub's budget too.
   */
  readonly priority: Priority;
  /**
   * Marks the object as managed by the operator, ahead of its first hub write: adds the
   * finalizer and these annotations in one write (none when both are there). A reconcile that
   * writes nothing to the hub need not call it: the runner adds the finalizer afterwards.
   */
  readonly markManaged: (annotations: Readonly<Record<string, string>>) => Promise<void>;
}

/**
 * One per kind. Both methods must be idempotent, and `cleanup` must cope with `reconcile` never
 * having run. `reconcile` never sees a spec that fails `specSchema`: the runner reports it.
 */
export interface Reconciler<T extends KindObject> {
  readonly kind: KindDescriptor;
  /**
   * False for a kind whose deletion undoes nothing outside the operator (a Hub): no finalizer
   * goes on, so that deleting it never waits for the operator (nor for its RBAC, gone first at
   * `helm uninstall`).
   */
  readonly usesFinalizer?: false;
  /** The kind's spec schema in api/: the CRD's rules, and the gaps its patterns leave. */
  readonly specSchema: z.ZodType;
  /** Brings the hub in line with `object`; throws typed errors for the runner to classify. */
  reconcile(object: T, context: ReconcileContext): Promise<Outcome>;
  /** Undoes or retains the hub side of a deleted object; resolves when the finalizer may go. */
  cleanup(object: T, context: ReconcileContext): Promise<readonly EventNote[]>;
}
