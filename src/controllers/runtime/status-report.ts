/**
 * Writes what a round found into an object's status and Events: conditions get their times and
 * the generation they describe, a status that did not change is not written, and the written
 * object goes back into the cache so the next round starts from it.
 */
import { setCondition, type Condition } from '../../api/conditions.ts';
import { apiVersion } from '../../api/meta.ts';
import type { Clock } from '../../clock.ts';
import type { EventNote, EventRecorder } from '../../kube/events.ts';
import type { Informer } from '../../kube/informer.ts';
import type { StatusWriter } from '../../kube/status.ts';
import type { ConditionStatement, KindObject } from './reconciler.ts';

export interface StatusReportDeps<T extends KindObject> {
  readonly status: Pick<StatusWriter, 'write'>;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly informer: Pick<Informer<T>, 'remember'>;
  readonly clock: Clock;
}

export class StatusReport<T extends KindObject> {
  readonly #deps: StatusReportDeps<T>;

  constructor(deps: StatusReportDeps<T>) {
    this.#deps = deps;
  }

  async write(
    object: T,
    fields: Record<string, unknown>,
    statements: readonly ConditionStatement[],
  ): Promise<void> {
    const now = new Date(this.#deps.clock.now()).toISOString();
    const generation = object.metadata.generation;
    let conditions: Condition[] = object.status?.conditions ?? [];
    for (const statement of statements) {
      conditions = setCondition(
        conditions,
        { ...statement, ...(generation === undefined ? {} : { observedGeneration: generation }) },
        now,
      );
    }
    const next = { ...fields, observedGeneration: generation, conditions };
    const written = await this.#deps.status.write(object, object.status, next);
    if (written) this.#deps.informer.remember(written);
  }

  /** Records Events about `object`; a failure to record is the recorder's to log. */
  record(object: T, events: readonly EventNote[]): void {
    const regarding = {
      apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
    };
    for (const event of events) void this.#deps.events.record(regarding, event);
  }
}

/** The status fields a round that failed, or did not run, leaves as they were. */
export function unchangedFields(object: Pick<KindObject, 'status'>): Record<string, unknown> {
  const {
    conditions: _conditions,
    observedGeneration: _generation,
    ...fields
  } = object.status ?? {};
  return fields;
}
