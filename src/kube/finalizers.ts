/**
 * Adds and removes the operator's finalizer, with the annotations that must be written with it,
 * in JSON patches that test first, so a concurrent change makes the patch fail (to be retried)
 * instead of clobbering someone else's finalizer or annotations.
 */
import { contentTypes, type KubeClient } from './kube-client.ts';
import { objectPath, type ObjectIdentity, type ResourceRef } from './resource.ts';

export class Finalizers {
  readonly #kube: KubeClient;
  readonly #resource: ResourceRef;
  readonly #name: string;

  constructor(kube: KubeClient, resource: ResourceRef, finalizer: string) {
    this.#kube = kube;
    this.#resource = resource;
    this.#name = finalizer;
  }

  has(object: ObjectIdentity): boolean {
    return object.metadata?.finalizers?.includes(this.#name) ?? false;
  }

  /** Adds the finalizer unless present; resolves with the updated object. */
  async add<T extends ObjectIdentity>(object: T): Promise<T> {
    if (this.has(object)) return object;
    return this.#patch(object, this.#addOps(object));
  }

  #addOps(object: ObjectIdentity): object[] {
    const current = object.metadata?.finalizers;
    return current?.length
      ? [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: this.#name },
        ]
      : [versionTest(object), { op: 'add', path: '/metadata/finalizers', value: [this.#name] }];
  }

  /**
   * Adds the finalizer and `annotations` in one patch, where either is missing; resolves with
   * the updated object, or with `object` itself when nothing was missing (and nothing sent).
   */
  async ensure<T extends ObjectIdentity>(
    object: T,
    annotations: Readonly<Record<string, string>>,
  ): Promise<T> {
    const present = object.metadata?.annotations;
    const missing = Object.entries(annotations).filter(([key, value]) => present?.[key] !== value);
    if (missing.length === 0) return this.add(object);
    const finalizerOps = this.has(object) ? [] : this.#addOps(object);
    const annotationOps = present
      ? missing.map(([key, value]) => ({
          op: 'add',
          path: `/metadata/annotations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
          value,
        }))
      : // A new annotations map would replace one written meanwhile: only on the version read.
        [
          versionTest(object),
          { op: 'add', path: '/metadata/annotations', value: Object.fromEntries(missing) },
        ];
    return this.#patch(object, [...finalizerOps, ...annotationOps]);
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
    return this.#kube.request<T>('PATCH', objectPath(this.#resource, object), {
      body: ops,
      contentType: contentTypes.jsonPatch,
    });
  }
}

/** Fails the patch unless the object is still at the version read. */
function versionTest(object: ObjectIdentity): object {
  return { op: 'test', path: '/metadata/resourceVersion', value: object.metadata?.resourceVersion };
}
