/**
 * Writes an object's status through the status subresource, and only when it changed: a
 * steady state costs no API writes. The patch is a JSON merge patch of the whole status, with
 * null for fields that disappeared, so nothing stale survives.
 */
import * as k8s from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { ObjectIdentity, ResourceRef } from './resource.ts';

export type Status = Record<string, unknown>;

export class StatusWriter {
  readonly #api: k8s.CustomObjectsApi;
  readonly #resource: ResourceRef;

  constructor(kc: k8s.KubeConfig, resource: ResourceRef) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
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
    return (await this.#api.patchNamespacedCustomObjectStatus(
      {
        group: this.#resource.group,
        version: this.#resource.version,
        plural: this.#resource.plural,
        namespace: object.metadata?.namespace ?? '',
        name: object.metadata?.name ?? '',
        body: { status: patch },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )) as T;
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
