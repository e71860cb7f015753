/**
 * The operator's settings, read once from the environment (the only place that reads it) and
 * validated: a bad or missing setting becomes one ConfigError naming the variable, which main
 * prints as a single line before exiting. See CONTRACT §3 and README "Settings".
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';

const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The environment variable at fault. */
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.setting = setting;
  }
}

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((value) => ['true', '1', 'yes'].includes(value));
const port = z.coerce.number().int().min(0).max(65535);
const namespaceName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Comma-separated namespace names, or `*`; empty means unset (every namespace). */
const namespaces = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .max(63)
          .refine((name) => name === '*' || namespaceName.test(name), {
            message: 'each entry is a namespace name or *',
          }),
      )
      .transform((names) => (names.length === 0 ? undefined : names)),
  );
const seconds = (min: number) => z.coerce.number().min(min);

/** Each setting: its variable, schema and default (as the environment would spell it). */
const settings = {
  hubApiUrl: ['HUB_API_URL', z.url({ protocol: /^https?$/ }), 'http://hub:8081/hub/api'],
  watchNamespace: ['WATCH_NAMESPACE', z.string().trim(), ''],
  resyncSeconds: ['RESYNC_SECONDS', seconds(1), '300'],
  leaderElection: ['LEADER_ELECTION', flag, 'true'],
  metricsPort: ['METRICS_PORT', port, '8080'],
  healthPort: ['HEALTH_PORT', port, '8081'],
  logLevel: [
    'LOG_LEVEL',
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    'info',
  ],
  leaseName: ['LEASE_NAME', z.string().min(1), 'hubops'],
  leaseDurationSeconds: ['LEASE_DURATION_SECONDS', seconds(1), '15'],
  leaseRenewDeadlineSeconds: ['LEASE_RENEW_DEADLINE_SECONDS', seconds(1), '10'],
  leaseRetryPeriodSeconds: ['LEASE_RETRY_PERIOD_SECONDS', seconds(0.1), '2'],
  hubMaxInFlight: ['HUB_MAX_IN_FLIGHT', z.coerce.number().int().min(1), '2'],
  hubRequestsPerSecond: ['HUB_REQUESTS_PER_SECOND', seconds(0.1), '100'],
  hubMaxSpawnsInFlight: ['HUB_MAX_SPAWNS_IN_FLIGHT', z.coerce.number().int().min(1), '64'],
  workers: ['WORKERS', z.coerce.number().int().min(1), '64'],
  hubTokens: ['HUB_TOKENS', flag, 'true'],
  allowedNamespaces: ['ALLOWED_NAMESPACES', namespaces, ''],
  adminNamespaces: ['ADMIN_NAMESPACES', namespaces, ''],
  adoptionNamespaces: ['ADOPTION_NAMESPACES', namespaces, ''],
  defaultHub: [
    'DEFAULT_HUB',
    z
      .string()
      .trim()
      .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, {
        message: 'a Hub as namespace/name, or empty',
      })
      .transform((key) => key || undefined),
    '',
  ],
} as const;

type Settings = typeof settings;
export type Config = { readonly [K in keyof Settings]: z.output<Settings[K][1]> } & {
  /** Path to a kubeconfig; undefined means the in-cluster service account. */
  readonly kubeconfig: string | undefined;
  /** The environment a kubeconfig's exec credential plugin runs with (client-go passes its own). */
  readonly pluginEnvironment: Environment;
  /** The API server as the kubelet tells a pod (KUBERNETES_SERVICE_HOST and _PORT). */
  readonly kubernetesService: { readonly host?: string; readonly port?: string };
  readonly hubApiToken: string;
  /** Namespace of the leader Lease: POD_NAMESPACE, the service account's, or `default`. */
  readonly podNamespace: string;
  /** This replica's identity in the Lease and in Events: POD_NAME or the host name. */
  readonly podName: string;
  /** Address the health and metrics servers bind: loopback when run outside a cluster. */
  readonly listenAddress: string;
};

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and checks every setting; throws ConfigError naming the first bad one. */
export function loadConfig(
  env: Environment = process.env,
  readFile: (path: string) => string = readText,
): Config {
  const parsed = readSettings(Object.keys(settings) as (keyof Settings)[], env);
  const kubeconfig = env['KUBECONFIG']?.trim() || undefined;
  const config = {
    ...(parsed as Omit<
      Config,
      | 'kubeconfig'
      | 'pluginEnvironment'
      | 'kubernetesService'
      | 'hubApiToken'
      | 'podNamespace'
      | 'podName'
      | 'listenAddress'
    >),
    kubeconfig,
    pluginEnvironment: env,
    kubernetesService: {
      host: env['KUBERNETES_SERVICE_HOST']?.trim() || undefined,
      port: env['KUBERNETES_SERVICE_PORT']?.trim() || undefined,
    },
    hubApiToken: token(env, readFile),
    podNamespace:
      env['POD_NAMESPACE']?.trim() || tryRead(readFile, serviceAccountNamespaceFile) || 'default',
    podName: env['POD_NAME']?.trim() || `${hostname()}-${process.pid}`,
    listenAddress: env['LISTEN_ADDRESS']?.trim() || (kubeconfig ? '127.0.0.1' : '0.0.0.0'),
  };
  if (config.leaseRenewDeadlineSeconds >= config.leaseDurationSeconds) {
    throw new ConfigError(
      'LEASE_RENEW_DEADLINE_SECONDS',
      'must be shorter than LEASE_DURATION_SECONDS',
    );
  }
  return Object.freeze(config);
}

/**
 * The tenancy settings, which the command line judges with as the operator does: the namespace
 * lists of the settings' hub and DEFAULT_HUB. A bad one is a ConfigError naming it.
 */
export function tenancyFromEnvironment(
  env: Environment = process.env,
): Pick<Config, 'allowedNamespaces' | 'adminNamespaces' | 'adoptionNamespaces' | 'defaultHub'> {
  const keys = ['allowedNamespaces', 'adminNamespaces', 'adoptionNamespaces', 'defaultHub'];
  return readSettings(keys as (keyof Settings)[], env) as ReturnType<typeof tenancyFromEnvironment>;
}

function readSettings(
  keys: readonly (keyof Settings)[],
  env: Environment,
): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  for (const key of keys) {
    const [variable, schema, fallback] = settings[key];
    const raw = env[variable]?.trim() ? env[variable] : fallback;
    const result = (schema as z.ZodType).safeParse(raw);
    if (!result.success)
      throw new ConfigError(
        variable,
        `${result.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(raw)})`,
      );
    parsed[key] = result.data;
  }
  return parsed;
}

/**
 * Where the command line finds the cluster when asked to read it: KUBECONFIG, else the pod's
 * service account (KUBERNETES_SERVICE_HOST and _PORT), as the operator does.
 */
export function clusterFromEnvironment(env: Environment = process.env): {
  kubeconfig: string | undefined;
  host: string | undefined;
  port: string | undefined;
  pluginEnvironment: Environment;
} {
  return {
    kubeconfig: env['KUBECONFIG']?.trim() || undefined,
    pluginEnvironment: env,
    host: env['KUBERNETES_SERVICE_HOST']?.trim() || undefined,
    port: env['KUBERNETES_SERVICE_PORT']?.trim() || undefined,
  };
}

/**
 * The hub connection the command line falls back on, from the operator's own variables:
 * HUB_API_URL, and HUB_API_TOKEN or HUB_API_TOKEN_FILE. Unset ones are undefined; a bad one is a
 * ConfigError naming it.
 */
export function hubConnectionFromEnvironment(
  env: Environment = process.env,
  readFile: (path: string) => string = readText,
): { url?: string; token?: string } {
  const url = env['HUB_API_URL']?.trim();
  const hasToken = Boolean(env['HUB_API_TOKEN']?.trim() || env['HUB_API_TOKEN_FILE']?.trim());
  return {
    ...(url ? { url } : {}),
    ...(hasToken ? { token: token(env, readFile) } : {}),
  };
}

/** Reads a token file as HUB_API_TOKEN_FILE is read: trimmed, and not empty. */
export function tokenFromFile(
  path: string,
  setting: string,
  readFile: (path: string) => string = readText,
): string {
  return token({ HUB_API_TOKEN_FILE: path }, readFile, setting);
}

function token(
  env: Environment,
  readFile: (path: string) => string,
  fileSetting = 'HUB_API_TOKEN_FILE',
): string {
  const inline = env['HUB_API_TOKEN']?.trim();
  const file = env['HUB_API_TOKEN_FILE']?.trim();
  if (inline && file)
    throw new ConfigError('HUB_API_TOKEN', 'set HUB_API_TOKEN or HUB_API_TOKEN_FILE, not both');
  if (inline) return inline;
  if (!file)
    throw new ConfigError(
      'HUB_API_TOKEN',
      'missing: set HUB_API_TOKEN or HUB_API_TOKEN_FILE to the hub service token',
    );
  let content: string;
  try {
    content = readFile(file).trim();
  } catch (err) {
    throw new ConfigError(
      fileSetting,
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (!content) throw new ConfigError(fileSetting, `${file} is empty`);
  return content;
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

function tryRead(readFile: (path: string) => string, path: string): string | undefined {
  try {
    return readFile(path).trim() || undefined;
  } catch {
    return undefined;
  }
}
