/**
 * A supervised list+watch of one resource, kept in a cache. Unlike client-node's ListWatch it
 * never gives up: any failure restarts it with jittered backoff; a watchdog restarts a watch
 * that has gone silent; a periodic relist repairs anything a watch missed. It tells its owner
 * which objects changed (the owner queues their keys) and keeps each in its cachedForm.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { KubeClient } from './kube-client.ts';
import { cachedForm } from './cached-form.ts';
import { KubeApiError } from './kube-errors.ts';

/** What the informer needs of an object: raw JSON as the API server sends it. */
export interface WatchedObject {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    managedFields?: unknown;
  };
}

export type ChangeKind = 'added' | 'updated' | 'deleted';

export interface InformerOptions {
  /** Collection path, e.g. `/apis/hubops.io/v1alpha1/hubusers` or `.../namespaces/ns/hubusers`. */
  readonly path: string;
  /** Only objects with these labels (`key=value,...`), listed and watched. */
  readonly labelSelector?: string;
  readonly restartMinMs?: number;
  readonly restartMaxMs?: number;
  /** A watch with no event and no reconnect for this long is restarted. */
  readonly watchdogMs?: number;
  /** How often everything is listed afresh and compared with the cache. */
  readonly relistMs?: number;
  /**
   * The cluster may not serve this resource (its CRD not installed yet): a 404 on the list counts
   * as an empty first list, so that waiting for it holds nothing up, and the loop keeps trying.
   */
  readonly optional?: boolean;
  /** Objects per page of a list (`limit`); the API server may send fewer. */
  readonly pageSize?: number;
}

export interface InformerObserver {
  readonly restarted?: (reason: string) => void;
}

/**
 * `previous` is the cached version an update replaced. `key` is the object's `namespace/name`;
 * on `added` it is the very string the cache holds it under, which a listener that keeps keys
 * per object (an index) should keep too, rather than a copy of its own per version.
 */
export type ChangeListener<T> = (
  change: ChangeKind,
  object: T,
  previous: T | undefined,
  key: string,
) => void;

export class Informer<T extends WatchedObject> {
  readonly #kube: KubeClient;
  readonly #options: Required<InformerOptions>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #observer: InformerObserver;
  readonly #listeners: ChangeListener<T>[] = [];
  readonly #cache = new Map<string, T>();
  readonly #stopping = new AbortController();
  #resourceVersion = '';
  #watch: AbortController | undefined;
  #lastActivity = 0;
  #lastList = 0;
  #synced = false;
  #markSynced: () => void = () => {};
  #loop: Promise<void> | undefined;
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;

  constructor(
    kube: KubeClient,
    options: InformerOptions,
    deps: { clock: Clock; logger: Logger; random?: () => number; observer?: InformerObserver },
  ) {
    this.#kube = kube;
    this.#options = {
      restartMinMs: 500,
      restartMaxMs: 30_000,
      watchdogMs: 300_000,
      relistMs: 600_000,
      optional: false,
      labelSelector: '',
      pageSize: 500,
      ...options,
    };
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#random = deps.random ?? Math.random;
    this.#observer = deps.observer ?? {};
    this.synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  onChange(listener: ChangeListener<T>): void {
    this.#listeners.push(listener);
  }

  get isSynced(): boolean {
    return this.#synced;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#cache.get(cacheKey(namespace, name));
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  /**
   * Puts an object the operator itself just wrote (the API server's answer) into the cache, so
   * the next reconcile does not read the version before its own write. Emits nothing; the watch
   * event for the same version then changes nothing.
   */
  remember(object: T): void {
    const key = keyOf(object);
    const cached = this.#cache.get(key);
    if (cached && !isNewer(object, cached)) return;
    this.#cache.set(key, cachedForm(object));
  }

  start(): void {
    this.#loop ??= this.#run();
    void this.#watchdog();
  }

  /** Stops watching for good; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#watch?.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      try {
        if (
          this.#resourceVersion === '' ||
          this.#clock.now() - this.#lastList >= this.#options.relistMs
        ) {
          await this.#relist();
        }
        const progressed = await this.#watchOnce();
        failures = progressed ? 0 : failures;
      } catch (err) {
        if (this.#stopping.signal.aborted) break;
        failures += 1;
        const reason = describe(err);
        this.#observer.restarted?.(reason);
        const exponential = Math.min(
          this.#options.restartMaxMs,
          this.#options.restartMinMs * 2 ** (failures - 1),
        );
        const delay = exponential / 2 + (exponential / 2) * this.#random();
        this.#logger.warn(
          { path: this.#options.path, reason, retryInMs: Math.round(delay) },
          'Watch failed; restarting',
        );
        await this.#clock.sleep(delay, this.#stopping.signal).catch(() => {});
      }
    }
  }

  /**
   * Lists in pages, as client-go does, and caches each page as it arrives: one answer holding
   * every object (38 MB of JSON for 20,000 HubUsers, managedFields and all) would sit in memory
   * whole before the first was stripped. Pages of one list share a snapshot (the continue token
   * pins its resourceVersion); a token that expires mid-list fails the list, which starts over.
   */
  async #relist(): Promise<void> {
    const seen = new Set<string>();
    let resourceVersion = '';
    let continueToken = '';
    do {
      const page = await this.#kube
        .request<{
          items: T[];
          metadata?: { resourceVersion?: string; continue?: string };
        }>('GET', this.#options.path, {
          query: {
            labelSelector: this.#options.labelSelector,
            limit: this.#options.pageSize,
            continue: continueToken,
          },
        })
        .catch((err: unknown) => {
          if (this.#options.optional && err instanceof KubeApiError && err.status === 404) {
            this.#synced = true;
            this.#markSynced();
          }
          throw err;
        });
      for (const object of page.items) {
        const key = keyOf(object);
        seen.add(key);
        this.#upsert(key, object);
      }
      resourceVersion = page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?.continue ?? '';
    } while (continueToken !== '');
    this.#lastList = this.#clock.now();
    this.#lastActivity = this.#lastList;
    for (const [key, object] of this.#cache) {
      if (!seen.has(key)) {
        this.#cache.delete(key);
        this.#emit('deleted', object, undefined, key);
      }
    }
    this.#resourceVersion = resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      this.#markSynced();
    }
  }

  /** Watches from the current resourceVersion until the stream ends; true if any event arrived. */
  async #watchOnce(): Promise<boolean> {
    let progressed = false;
    const query = {
      resourceVersion: this.#resourceVersion,
      labelSelector: this.#options.labelSelector,
      allowWatchBookmarks: true,
      // Spread the server-side reconnects of many informers, as client-go does.
      timeoutSeconds: Math.round(300 + 300 * this.#random()),
    };
    const onEvent = (phase: string, raw: unknown): void => {
      const object = raw as T & { code?: number };
      this.#lastActivity = this.#clock.now();
      progressed = true;
      if (phase === 'ERROR') {
        // 410 Gone: our resourceVersion is too old; the next round lists afresh.
        if (object.code === 410) this.#resourceVersion = '';
        return;
      }
      const version = object.metadata?.resourceVersion;
      if (version) this.#resourceVersion = version;
      if (phase === 'ADDED' || phase === 'MODIFIED') this.#upsert(keyOf(object), object);
      else if (phase === 'DELETED') {
        const key = keyOf(object);
        if (this.#cache.delete(key)) this.#emit('deleted', cachedForm(object), undefined, key);
      }
    };
    const watch = new AbortController();
    this.#watch = watch;
    this.#lastActivity = this.#clock.now();
    if (this.#stopping.signal.aborted) watch.abort();
    try {
      await this.#kube.watch(this.#options.path, query, onEvent, watch.signal);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 'KUBE_GONE') {
        this.#resourceVersion = '';
        return progressed;
      }
      throw err;
    } finally {
      this.#watch = undefined;
    }
    // Ended by us, by the watchdog or by the server's timeout: watch again.
    return progressed;
  }

  async #watchdog(): Promise<void> {
    const every = Math.max(1_000, Math.floor(this.#options.watchdogMs / 4));
    while (!this.#stopping.signal.aborted) {
      await this.#clock.sleep(every, this.#stopping.signal).catch(() => {});
      const silentFor = this.#clock.now() - this.#lastActivity;
      const relistDue = this.#clock.now() - this.#lastList >= this.#options.relistMs;
      if (this.#watch && (silentFor >= this.#options.watchdogMs || relistDue)) {
        if (!relistDue) this.#observer.restarted?.('watchdog: no event');
        this.#watch.abort();
      }
    }
  }

  #upsert(key: string, raw: T): void {
    const object = cachedForm(raw);
    const previous = this.#cache.get(key);
    // A watch event can trail a version the operator remembered from its own write.
    if (previous && !isNewer(object, previous)) return;
    this.#cache.set(key, object);
    if (!previous) this.#emit('added', object, undefined, key);
    else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
      this.#emit('updated', object, previous, key);
    }
  }

  #emit(change: ChangeKind, object: T, previous: T | undefined, key: string): void {
    for (const listener of this.#listeners) listener(change, object, previous, key);
  }
}

function cacheKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function keyOf(object: WatchedObject): string {
  return cacheKey(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}

/** Whether `a` is a later version than `b`. etcd's resourceVersions are increasing integers. */
function isNewer(a: WatchedObject, b: WatchedObject): boolean {
  const x = a.metadata?.resourceVersion ?? '';
  const y = b.metadata?.resourceVersion ?? '';
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return BigInt(x) > BigInt(y);
  return x !== y;
}

function describe(err: unknown): string {
  if (err instanceof KubeApiError)
    return err.status === undefined ? err.message : `HTTP ${err.status}`;
  return err instanceof Error ? err.message : String(err);
}
