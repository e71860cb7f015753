/**
 * The API identity of the custom resources (group, version, kinds and their names, as
 * crds/*.yaml declare them), the object metadata the operator reads, and object keys.
 * Pure; imports nothing else from src.
 */

export const group = 'hubops.io';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}` as const;

/** The kinds whose objects declare something in a hub, and name the hub they use. */
export type DeclaringKind = 'HubUser' | 'HubGroup' | 'HubServer' | 'HubToken';
/** `Hub`: where a hub is and who may use it. */
export type Kind = 'Hub' | DeclaringKind;

/** The names the API server knows a kind by; each equals the `names` of its CRD. */
export interface KindDescriptor<K extends Kind = Kind> {
  readonly kind: K;
  readonly plural: string;
  readonly singular: string;
  readonly shortName?: string;
}

/** One descriptor per kind. All are namespaced and in the category `jupyterhub`. */
export const kinds: { readonly [K in Kind]: KindDescriptor<K> } = {
  Hub: { kind: 'Hub', plural: 'hubs', singular: 'hub' },
  HubUser: { kind: 'HubUser', plural: 'hubusers', singular: 'hubuser', shortName: 'hu' },
  HubGroup: { kind: 'HubGroup', plural: 'hubgroups', singular: 'hubgroup', shortName: 'hg' },
  HubServer: { kind: 'HubServer', plural: 'hubservers', singular: 'hubserver', shortName: 'hs' },
  HubToken: { kind: 'HubToken', plural: 'hubtokens', singular: 'hubtoken', shortName: 'ht' },
};

/** The category that `kubectl get jupyterhub` lists. */
export const category = 'jupyterhub';

/**
 * The object metadata the operator uses, as the API server sends it in JSON: timestamps are
 * RFC 3339 strings. `namespace` is always set, since every kind is namespaced.
 */
export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

/** A custom resource of kind `K`; `spec` is as read back from the API server, defaults applied. */
export interface Resource<K extends Kind, Spec, Status> {
  apiVersion: typeof apiVersion;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** `"namespace/name"`: the identity of one object, and what work queues hold. */
export type ObjectKey = `${string}/${string}`;

/** The key of the object `name` in `namespace`. */
export function keyOf(namespace: string, name: string): ObjectKey {
  return `${namespace}/${name}`;
}

/**
 * Splits a key made by keyOf. Throws a RangeError unless it has exactly one `/` with a
 * non-empty part on each side (object names never contain `/`).
 */
export function parseKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  const [namespace, name] = parts;
  if (parts.length !== 2 || !namespace || !name) {
    throw new RangeError(`not a "namespace/name" key: ${JSON.stringify(key)}`);
  }
  return { namespace, name };
}
