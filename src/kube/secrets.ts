/**
 * Secrets: one key of one Secret read by name (the token a Hub names), and the Secrets the
 * operator writes itself (HubToken tokens), created, replaced or deleted whole. Values are handed
 * on and never logged or kept here; errors carry the API server's message, never the body sent.
 */
import { undefinedIfNotFound } from './kube-errors.ts';
import type { KubeClient } from './kube-client.ts';

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
}

/** A Secret as the operator writes and watches it; `data` values are base64. */
export interface SecretObject {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Secret';
  readonly type?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly OwnerReference[];
  };
  readonly data?: Readonly<Record<string, string>>;
}

function secretPath(namespace: string, name?: string): string {
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

/** The Secret as the API server has it now, or undefined when there is none. */
export async function readSecret(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<SecretObject | undefined> {
  return undefinedIfNotFound(kube.request<SecretObject>('GET', secretPath(namespace, name)));
}

/**
 * Creates `secret` when it carries no resourceVersion, else replaces it if it is unchanged since
 * (a conflict otherwise: someone else wrote it meanwhile). Resolves with the Secret as stored.
 */
export function writeSecret(kube: KubeClient, secret: SecretObject): Promise<SecretObject> {
  const { namespace, name, resourceVersion } = secret.metadata;
  return resourceVersion === undefined
    ? kube.request<SecretObject>('POST', secretPath(namespace), { body: secret })
    : kube.request<SecretObject>('PUT', secretPath(namespace, name), { body: secret });
}

/** Deletes a Secret; resolves also when it is gone already. */
export async function deleteSecret(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<void> {
  await undefinedIfNotFound(kube.request('DELETE', secretPath(namespace, name)));
}

/** The key's value; `missing` says what is not there (the Secret, or the key in it). */
export async function readSecretKey(
  kube: KubeClient,
  namespace: string,
  name: string,
  key: string,
): Promise<{ value: string } | { missing: 'secret' | 'key' }> {
  const secret = await readSecret(kube, namespace, name);
  if (!secret) return { missing: 'secret' };
  const encoded = secret.data?.[key];
  if (encoded === undefined) return { missing: 'key' };
  const value = Buffer.from(encoded, 'base64').toString('utf8').trim();
  return value ? { value } : { missing: 'key' };
}
