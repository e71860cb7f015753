/**
 * Creating, changing and reading the operator's custom resources in integration tests, and
 * waiting for what the operator writes back.
 */
import * as k8s from '@kubernetes/client-node';
import type { Condition } from '../../src/api/conditions.ts';
import { until } from './kube.ts';

export type Plural = 'hubusers' | 'hubgroups' | 'hubservers' | 'hubtokens' | 'hubs';

export interface CustomObject {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec: Record<string, unknown>;
  status?: { observedGeneration?: number; conditions?: Condition[]; [field: string]: unknown };
}

const kinds: Record<Plural, string> = {
  hubusers: 'HubUser',
  hubgroups: 'HubGroup',
  hubservers: 'HubServer',
  hubtokens: 'HubToken',
  hubs: 'Hub',
};

export class Resources {
  readonly #api: k8s.CustomObjectsApi;
  readonly namespace: string;

  constructor(kc: k8s.KubeConfig, namespace: string) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.namespace = namespace;
  }

  create(
    plural: Plural,
    name: string,
    spec: Record<string, unknown>,
    metadata: Partial<CustomObject['metadata']> = {},
  ): Promise<unknown> {
    return this.#api.createNamespacedCustomObject({
      group: 'hubops.io',
      version: 'v1alpha1',
      plural,
      namespace: this.namespace,
      body: {
        apiVersion: 'hubops.io/v1alpha1',
        kind: kinds[plural],
        metadata: { ...metadata, name },
        spec,
      },
    });
  }

  /** JSON merge patch of the whole object (spec, labels, annotations). */
  patch(plural: Plural, name: string, body: Record<string, unknown>): Promise<unknown> {
    return this.#api.patchNamespacedCustomObject(
      { group: 'hubops.io', version: 'v1alpha1', plural, namespace: this.namespace, name, body },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  /** JSON merge patch of the status subresource, as another writer of it would make. */
  patchStatus(plural: Plural, name: string, status: Record<string, unknown>): Promise<unknown> {
    return this.#api.patchNamespacedCustomObjectStatus(
      {
        group: 'hubops.io',
        version: 'v1alpha1',
        plural,
        namespace: this.namespace,
        name,
        body: { status },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  async get(plural: Plural, name: string): Promise<CustomObject | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({
        group: 'hubops.io',
        version: 'v1alpha1',
        plural,
        namespace: this.namespace,
        name,
      })) as CustomObject;
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Every object of a kind in the namespace, in one request. */
  async list(plural: Plural): Promise<CustomObject[]> {
    const answer = (await this.#api.listNamespacedCustomObject({
      group: 'hubops.io',
      version: 'v1alpha1',
      plural,
      namespace: this.namespace,
    })) as { items: CustomObject[] };
    return answer.items;
  }

  delete(plural: Plural, name: string): Promise<unknown> {
    return this.#api.deleteNamespacedCustomObject({
      group: 'hubops.io',
      version: 'v1alpha1',
      plural,
      namespace: this.namespace,
      name,
    });
  }

  /** Waits until the object's status for its current generation satisfies `check`; returns it. */
  async settled(
    plural: Plural,
    name: string,
    check: (o: CustomObject) => boolean,
    timeoutMs = 20_000,
  ): Promise<CustomObject> {
    let last: CustomObject | undefined;
    try {
      await until(
        async () => {
          last = await this.get(plural, name);
          return last !== undefined && check(last);
        },
        timeoutMs,
        `${plural}/${name} to settle`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`);
    }
    return last as CustomObject;
  }

  /** Waits until the object is gone (its finalizer removed). */
  gone(plural: Plural, name: string, timeoutMs = 20_000): Promise<void> {
    return until(
      async () => (await this.get(plural, name)) === undefined,
      timeoutMs,
      `${plural}/${name} to be gone`,
    );
  }
}

export function condition(object: CustomObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the current generation. */
export function ready(object: CustomObject): boolean {
  const generation = (object.metadata as { generation?: number }).generation;
  return (
    object.status?.observedGeneration === generation &&
    condition(object, 'Ready')?.status === 'True'
  );
}

/** Runs `work` over `items` with `width` in flight (creating many objects without a storm). */
export async function inParallel<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Reads a counter or gauge sum from Prometheus text, over the lines matching every filter. */
export function metricSum(text: string, name: string, filters: string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    if (filters.every((f) => line.includes(f)))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** The operator's hub writes (every method but GET) in its Prometheus text. */
export function hubWriteCount(text: string): number {
  return ['POST', 'PATCH', 'PUT', 'DELETE'].reduce(
    (sum, method) => sum + metricSum(text, 'hubops_hub_requests_total', [`method="${method}"`]),
    0,
  );
}
