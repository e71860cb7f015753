/**
 * A kubeconfig user's `exec` credential plugin (EKS, GKE, AKS, kubelogin and other OIDC tools), run
 * as client-go runs it: the `client.authentication.k8s.io` ExecCredential exchange, with the
 * credential kept until its `expirationTimestamp` (a minute early) and the plugin run again then.
 */
import { execFileSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import { KubeConfigError } from './kube-errors.ts';

/** The `exec` stanza of a kubeconfig user. */
export interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name?: string; value?: string }[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

/** What the plugin may be told of the cluster when `provideClusterInfo` is set. */
export interface ExecClusterInfo {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

/** Runs a program with arguments and environment; returns its standard output. */
export type RunPlugin = (command: string, args: string[], env: NodeJS.ProcessEnv) => string;

const supportedVersions = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
];
/** A credential is renewed this long before it expires, so no request carries an expired one. */
const renewEarlyMs = 60_000;
/** A plugin gets this long to answer; login tools that open a browser cannot run here anyway. */
const pluginTimeoutMs = 60_000;

const runWithExecFile: RunPlugin = (command, args, env) =>
  execFileSync(command, args, {
    env,
    encoding: 'utf8',
    timeout: pluginTimeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024,
  });

/**
 * The Authorization header source for an exec user. The plugin runs at once (so a broken one
 * stops start-up with its own words) and again only when the credential it gave has expired.
 * Throws KubeConfigError naming the user and the plugin; never quotes the plugin's output.
 */
export function execAuthorization(
  userName: string,
  exec: ExecConfig,
  options: {
    base: string;
    clock: Clock;
    /** The environment the plugin inherits (the operator's own, from config.ts). */
    environment?: Readonly<Record<string, string | undefined>>;
    cluster: ExecClusterInfo;
    run?: RunPlugin;
  },
): () => string {
  const { clock, run = runWithExecFile } = options;
  const apiVersion = exec.apiVersion ?? '';
  if (!supportedVersions.includes(apiVersion))
    throw new KubeConfigError(
      `user "${userName}": exec apiVersion "${apiVersion}" is not one hubops speaks (${supportedVersions.join(', ')})`,
    );
  if (!exec.command) throw new KubeConfigError(`user "${userName}": exec has no command`);
  if (exec.interactiveMode === 'Always')
    throw new KubeConfigError(
      `user "${userName}": the exec plugin needs a terminal (interactiveMode: Always), which the operator does not have`,
    );
  // As client-go: a command with a path separator is relative to the kubeconfig's folder.
  const command =
    exec.command.includes('/') && !isAbsolute(exec.command)
      ? resolve(options.base, exec.command)
      : exec.command;
  const env: NodeJS.ProcessEnv = { ...options.environment };
  for (const entry of exec.env ?? []) if (entry.name) env[entry.name] = entry.value ?? '';
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify({
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo ? { cluster: options.cluster } : {}),
    },
  });

  let header = '';
  let renewAt = Infinity;
  const fetchCredential = (): void => {
    let output: string;
    try {
      output = run(command, exec.args ?? [], env);
    } catch (err) {
      const raw = (err as { stderr?: unknown }).stderr;
      const stderr = typeof raw === 'string' ? raw.trim() : '';
      const hint = exec.installHint ? ` ${exec.installHint.trim()}` : '';
      throw new KubeConfigError(
        `user "${userName}": the exec plugin ${exec.command} failed: ${describe(err)}${stderr ? ` (${firstLine(stderr)})` : ''}${hint}`,
      );
    }
    const credential = parseCredential(output);
    if (!credential || credential.apiVersion !== apiVersion || credential.kind !== 'ExecCredential')
      throw new KubeConfigError(
        `user "${userName}": the exec plugin ${exec.command} did not print an ExecCredential of ${apiVersion}`,
      );
    const status = credential.status ?? {};
    if (typeof status.token !== 'string' || status.token === '') {
      throw new KubeConfigError(
        status.clientCertificateData
          ? `user "${userName}": the exec plugin gave a client certificate; hubops takes tokens from plugins only`
          : `user "${userName}": the exec plugin ${exec.command} gave no token`,
      );
    }
    header = `Bearer ${status.token}`;
    const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : NaN;
    // client-go keeps a credential without expiry until a 401; hubops keeps it for the run.
    renewAt = Number.isNaN(expires) ? Infinity : expires - renewEarlyMs;
  };
  fetchCredential();
  return () => {
    if (clock.now() >= renewAt) {
      try {
        fetchCredential();
      } catch {
        // The old credential may still be good for its last minute; the next request tries again.
      }
    }
    return header;
  };
}

interface ExecCredential {
  apiVersion?: string;
  kind?: string;
  status?: {
    token?: unknown;
    expirationTimestamp?: string;
    clientCertificateData?: string;
  };
}

function parseCredential(output: string): ExecCredential | undefined {
  try {
    const parsed: unknown = JSON.parse(output);
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

function describe(err: unknown): string {
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number') return `exit status ${status}`;
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}
