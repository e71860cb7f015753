/**
 * Watches one kind of custom resource in a namespace and knows, at any moment, which objects
 * pass a check (Ready for their generation, say). Lists once, then follows a watch, relisting
 * when the watch ends, so that waiting for 10,000 objects costs the API server one watch, not a
 * list per poll.
 */
import * as k8s from '@kubernetes/client-node';
import type { CustomObject, Plural } from '../support/resources.ts';

export class ReadyWatch {
  readonly #kc: k8s.KubeConfig;
  readonly #path: string;
  readonly #listArgs: { group: string; version: string; namespace: string; plural: Plural };
  readonly #check: (o: CustomObject) => boolean;
  readonly #passing = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #request: { abort(): void } | undefined;
  #stopped = false;

  constructor(
    kc: k8s.KubeConfig,
    namespace: string,
    plural: Plural,
    check: (o: CustomObject) => boolean,
  ) {
    this.#kc = kc;
    this.#listArgs = { group: 'hubops.io', version: 'v1alpha1', namespace, plural };
    this.#path = `/apis/hubops.io/v1alpha1/namespaces/${namespace}/${plural}`;
    this.#check = check;
  }

  get count(): number {
    return this.#passing.size;
  }

  async start(): Promise<void> {
    const api = this.#kc.makeApiClient(k8s.CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject(this.#listArgs)) as {
      items: CustomObject[];
      metadata: { resourceVersion: string };
    };
    this.#passing.clear();
    for (const o of list.items) this.#see(o);
    this.#notify();
    this.#request = await new k8s.Watch(this.#kc).watch(
      this.#path,
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
      (type: string, o: CustomObject) => {
        if (type === 'BOOKMARK') return;
        if (type === 'DELETED') this.#passing.delete(o.metadata.name);
        else this.#see(o);
        this.#notify();
      },
      () => {
        if (!this.#stopped) void this.start().catch(() => setTimeout(() => void this.start(), 500));
      },
    );
  }

  /** Resolves once at least `count` objects pass; rejects after `timeoutMs`. */
  until(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#passing.size < count) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`only ${this.#passing.size} of ${count} ready after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#listeners.add(check);
      check();
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#request?.abort();
  }

  #see(o: CustomObject): void {
    if (this.#check(o)) this.#passing.add(o.metadata.name);
    else this.#passing.delete(o.metadata.name);
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
