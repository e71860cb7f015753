/**
 * Writes an object's status through the status subresource, and only when it changed: a
 * steady state costs no API writes. The patch is a JSON merge patch of the whole status, with
 * null for fields that disappeared, so nothing stale survives.
 */
import { isDeepStrictEqual } from 'node:util';
import { contentTypes, type KubeClient } from './kube-client.ts';
import { objectPath, type ObjectIdentity, type ResourceRef } from './resource.ts';

export type Status = Record<string, unknown>;

export class StatusWriter {
  readonly #kube: KubeClient;
  readonly #resource: ResourceRef;

  constructor(kube: KubeClient, resource: ResourceRef) {
    this.#kube = kube;
    this.#resource = resource;
  }

  /** Writes `next` over `current`; resolves with the updated object, or undefined (and no request) when nothing would change. */
  async write<T extends ObjectIdentity>(
    object: T,
    current: Status | undefined,
    next: Status,
  ): Promise<T | undefined> {
    const patch = statusPatch(current ?? {}, next);
    if (patch === undefined) return undefined;
    return this.#kube.request<T>('PATCH', objectPath(this.#resource, object, 'status'), {
      body: { status: patch },
      contentType: contentTypes.mergePatch,
    });
  }
}

/** The merge patch that turns `current` into `next`, or undefined when they are equal. Pure. */
export function statusPatch(current: Status, next: Status): Status | undefined {
  const defined = Object.fromEntries(
    Object.entries(next).filter(([, value]) => value !== undefined),
  );
  if (isDeepStrictEqual(JSON.parse(JSON.stringify(current)), JSON.parse(JSON.stringify(defined))))
    return undefined;
  const removed = Object.keys(current).filter((key) => !(key in defined));
  return { ...defined, ...Object.fromEntries(removed.map((key) => [key, null])) };
}
