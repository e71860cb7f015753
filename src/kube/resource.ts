/**
 * How kube/ addresses a custom resource: group, version and plural, as the custom objects API
 * wants them. Kind descriptors in api/ satisfy this shape.
 */

export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

/** The metadata fields kube/ reads from an object. */
export interface ObjectIdentity {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly finalizers?: string[];
    readonly annotations?: Readonly<Record<string, string>>;
  };
}

/** `/apis/<group>/<version>[/namespaces/<ns>]/<plural>`; no namespace means every namespace. */
export function collectionPath(resource: ResourceRef, namespace?: string): string {
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `/apis/${resource.group}/${resource.version}${scope}/${resource.plural}`;
}

/** The path of one namespaced object, or of its subresource (e.g. `status`). */
export function objectPath(
  resource: ResourceRef,
  object: ObjectIdentity,
  subresource?: string,
): string {
  const name = encodeURIComponent(object.metadata?.name ?? '');
  const path = `${collectionPath(resource, object.metadata?.namespace ?? '')}/${name}`;
  return subresource ? `${path}/${subresource}` : path;
}
