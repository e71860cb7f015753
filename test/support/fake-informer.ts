/**
 * A stand-in for an Informer's cache and change feed, for tests of what reacts to changes
 * (indexes, triggers): the test says what changed, listeners hear it as from a watch.
 */
import type { ChangeKind, ChangeListener } from '../../src/kube/informer.ts';
import type { KindObject } from '../../src/controllers/reconciler.ts';

export class FakeInformer<T extends KindObject> {
  readonly #listeners: ChangeListener<T>[] = [];
  readonly #objects = new Map<string, T>();

  onChange(listener: ChangeListener<T>): void {
    this.#listeners.push(listener);
  }

  get(namespace: string, name: string): T | undefined {
    return this.#objects.get(`${namespace}/${name}`);
  }

  /** Applies a change to the cache and tells every listener, as a watch event would. */
  emit(change: ChangeKind, object: T): void {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const previous = this.#objects.get(key);
    if (change === 'deleted') this.#objects.delete(key);
    else this.#objects.set(key, object);
    for (const listener of this.#listeners)
      listener(change, object, change === 'updated' ? previous : undefined);
  }
}
