/**
 * Where the Kubernetes API is and how to authenticate to it, read once at start-up from a
 * kubeconfig file or from the pod's service account. A token read from a file (a projected
 * service-account token rotates about hourly) is read again once a minute, never per request; an
 * exec plugin's credential is kept until it expires (exec-credential.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Clock } from '../clock.ts';
import { execAuthorization, type ExecConfig } from './exec-credential.ts';
import { KubeConfigError } from './kube-errors.ts';

export interface KubeTarget {
  /** `https://host:port`, optionally with a path prefix (a proxy in front of the API server). */
  readonly server: string;
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName: string | undefined;
  /** The Authorization header to send, or undefined for none (client certificates). */
  readonly authorization: () => string | undefined;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
const tokenFileRereadMs = 60_000;

type Read = (path: string) => string;
const readText: Read = (path) => readFileSync(path, 'utf8');

/** The current context of a kubeconfig file. Throws KubeConfigError naming what is wrong. */
export function kubeconfigTarget(
  path: string,
  clock: Clock,
  options: {
    read?: Read;
    /** The environment an exec plugin runs with, besides the kubeconfig's own variables. */
    environment?: Readonly<Record<string, string | undefined>>;
  } = {},
): KubeTarget {
  const { read = readText, environment = {} } = options;
  let doc: Kubeconfig;
  try {
    doc = (parse(read(path)) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new KubeConfigError(`cannot read ${path}: ${describe(err)}`);
  }
  const contextName = doc['current-context'];
  const context = named(doc.contexts, contextName)?.context;
  if (!context) throw new KubeConfigError(`${path}: no context named "${contextName ?? ''}"`);
  const cluster = named(doc.clusters, context.cluster)?.cluster;
  if (!cluster?.server)
    throw new KubeConfigError(`${path}: cluster "${context.cluster}" has no server`);
  const user = named(doc.users, context.user)?.user ?? {};
  const base = dirname(resolve(path));
  const pem = (data: string | undefined, file: string | undefined): string | undefined => {
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    if (!file) return undefined;
    try {
      return read(resolve(base, file));
    } catch (err) {
      throw new KubeConfigError(`${path}: cannot read ${file}: ${describe(err)}`);
    }
  };
  if (user['auth-provider'])
    throw new KubeConfigError(
      `${path}: user "${context.user}" uses an auth-provider plugin (removed from kubectl in 1.26), which hubops does not run; use its exec plugin, a token, a tokenFile or a client certificate`,
    );
  const server = cluster.server.replace(/\/+$/, '');
  const authorization = user.exec
    ? execAuthorization(context.user ?? '', user.exec, {
        base,
        clock,
        environment,
        cluster: {
          server,
          ...(cluster['certificate-authority-data']
            ? { 'certificate-authority-data': cluster['certificate-authority-data'] }
            : {}),
          ...(cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
          ...(cluster['tls-server-name'] ? { 'tls-server-name': cluster['tls-server-name'] } : {}),
        },
      })
    : userAuthorization(user, base, clock, read);
  return {
    server,
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'],
    authorization,
  };
}

/** The pod's own service account, as client-go's in-cluster config finds it. */
export function inClusterTarget(
  host: string | undefined,
  port: string | undefined,
  clock: Clock,
  read: Read = readText,
): KubeTarget {
  if (!host || !port)
    throw new KubeConfigError(
      'not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset); set KUBECONFIG',
    );
  const tokenFile = `${serviceAccountDir}/token`;
  let ca: string;
  try {
    ca = read(`${serviceAccountDir}/ca.crt`);
  } catch (err) {
    throw new KubeConfigError(`cannot read the service account's CA: ${describe(err)}`);
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca,
    cert: undefined,
    key: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    authorization: bearerFromFile(tokenFile, clock, read),
  };
}

function userAuthorization(
  user: KubeconfigUser,
  base: string,
  clock: Clock,
  read: Read,
): () => string | undefined {
  if (user.token) {
    const header = `Bearer ${user.token}`;
    return () => header;
  }
  if (user.tokenFile) return bearerFromFile(resolve(base, user.tokenFile), clock, read);
  if (user.username !== undefined) {
    const header = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    return () => header;
  }
  return () => undefined;
}

/** A bearer token kept in a file that its owner rotates; a failed re-read keeps the last token. */
function bearerFromFile(file: string, clock: Clock, read: Read): () => string {
  let header = '';
  let readAt = -Infinity;
  const load = (): void => {
    header = `Bearer ${read(file).trim()}`;
    readAt = clock.now();
  };
  try {
    load();
  } catch (err) {
    throw new KubeConfigError(`cannot read the token file ${file}: ${describe(err)}`);
  }
  return () => {
    if (clock.now() - readAt >= tokenFileRereadMs) {
      try {
        load();
      } catch {
        readAt = clock.now();
      }
    }
    return header;
  };
}

function named<T extends { name?: string }>(
  list: T[] | undefined,
  name: string | undefined,
): T | undefined {
  return list?.find((entry) => entry.name === name);
}

function describe(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  exec?: ExecConfig;
  'auth-provider'?: unknown;
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name?: string; context?: { cluster?: string; user?: string } }[];
  clusters?: {
    name?: string;
    cluster?: {
      server?: string;
      'certificate-authority'?: string;
      'certificate-authority-data'?: string;
      'insecure-skip-tls-verify'?: boolean;
      'tls-server-name'?: string;
    };
  }[];
  users?: { name?: string; user?: KubeconfigUser }[];
}
