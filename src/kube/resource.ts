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
  };
}
