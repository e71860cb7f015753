/**
 * Reads one key of one Secret, for a token a Hub names. Only that Secret is read, by name, so
 * RBAC can grant `get` on it alone; the value is handed on and never logged or kept here.
 */
import { KubeApiError } from './kube-errors.ts';
import type { KubeClient } from './kube-client.ts';

interface SecretBody {
  readonly data?: Readonly<Record<string, string>>;
}

/** The key's value; `missing` says what is not there (the Secret, or the key in it). */
export async function readSecretKey(
  kube: KubeClient,
  namespace: string,
  name: string,
  key: string,
): Promise<{ value: string } | { missing: 'secret' | 'key' }> {
  let secret: SecretBody;
  try {
    secret = await kube.request<SecretBody>(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
    );
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return { missing: 'secret' };
    throw err;
  }
  const encoded = secret.data?.[key];
  if (encoded === undefined) return { missing: 'key' };
  const value = Buffer.from(encoded, 'base64').toString('utf8').trim();
  return value ? { value } : { missing: 'key' };
}
