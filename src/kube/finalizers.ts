/**
 * Adds and removes the operator's finalizer with JSON patches that test first, so a concurrent
 * change makes the patch fail (to be retried) instead of clobbering someone else's finalizer.
 */
import * as k8s from '@kubernetes/client-node';
import type { ObjectIdentity, ResourceRef } from './resource.ts';

export class Finalizers {
  readonly #api: k8s.CustomObjectsApi;
  readonly #resource: ResourceRef;
  readonly #name: string;

  constructor(kc: k8s.KubeConfig, resource: ResourceRef, finalizer: string) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.#resource = resource;
    this.#name = finalizer;
  }

  has(object: ObjectIdentity): boolean {
    return object.metadata?.finalizers?.includes(this.#name) ?? false;
  }

  /** Adds the finalizer unless present; resolves with the updated object. */
  async add<T extends ObjectIdentity>(object: T): Promise<T> {
    if (this.has(object)) return object;
    const current = object.metadata?.finalizers;
    const ops = current?.length
      ? [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: this.#name },
        ]
      : [
          {
            op: 'test',
            path: '/metadata/resourceVersion',
            value: object.metadata?.resourceVersion,
          },
          { op: 'add', path: '/metadata/finalizers', value: [this.#name] },
        ];
    return this.#patch(object, ops);
  }

  /** Removes the finalizer if present; the test op makes sure it removes this one and no other. */
  async remove<T extends ObjectIdentity>(object: T): Promise<T> {
    const index = object.metadata?.finalizers?.indexOf(this.#name) ?? -1;
    if (index < 0) return object;
    return this.#patch(object, [
      { op: 'test', path: `/metadata/finalizers/${index}`, value: this.#name },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ]);
  }

  async #patch<T extends ObjectIdentity>(object: T, ops: object[]): Promise<T> {
    return (await this.#api.patchNamespacedCustomObject(
      {
        group: this.#resource.group,
        version: this.#resource.version,
        plural: this.#resource.plural,
        namespace: object.metadata?.namespace ?? '',
        name: object.metadata?.name ?? '',
        body: ops,
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    )) as T;
  }
}
