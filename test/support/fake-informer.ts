/**
 * A stand-in for an Informer's cache and change feed, for tests of what reacts to changes
 * (indexes, triggers, the runner): the test says what changed, listeners hear it as from a
 * watch; what the code under test remembers after its own writes is kept apart and read first.
 */
import type { ChangeKind, ChangeListener } from '../../src/kube/informer.ts';
import type { KindObject } from '../../src/controllers/runtime/reconciler.ts';

export class FakeInformer<T extends Pick<KindObject, 'metadata'>> {
  /** Whether the first list is done: changes before it are routine work. */
  isSynced = true;
  /** Every object the code under test put back into the cache, in order. */
  readonly remembered: T[] = [];
  readonly #listeners: ChangeListener<T>[] = [];
  readonly #objects = new Map<string, T>();
  /** Remembered versions, newer than the last watch event for their key. */
  readonly #newer = new Map<string, T>();

  onChange(listener: ChangeListener<T>): void {
    this.#listeners.push(listener);
  }

  get(namespace: string, name: string): T | undefined {
    const key = `${namespace}/${name}`;
    return this.#newer.get(key) ?? this.#objects.get(key);
  }

  list(): T[] {
    return [...this.#objects.keys()].flatMap((key) => {
      const object = this.#newer.get(key) ?? this.#objects.get(key);
      return object ? [object] : [];
    });
  }

  remember(object: T): void {
    this.remembered.push(object);
    this.#newer.set(`${object.metadata.namespace}/${object.metadata.name}`, object);
  }

  /** Applies a change to the cache and tells every listener, as a watch event would. */
  emit(change: ChangeKind, object: T): void {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const previous = this.#objects.get(key);
    this.#newer.delete(key);
    if (change === 'deleted') this.#objects.delete(key);
    else this.#objects.set(key, object);
    for (const listener of this.#listeners)
      listener(change, object, change === 'updated' ? previous : undefined, key);
  }
}
