/**
 * Runs the operator as a real process (node src/main.ts) against the test environment, with
 * free ports, and collects its JSON log lines.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDockerfile, runtimeEnvironment } from '../../hack/image/dockerfile.ts';
import type { Testenv } from './testenv.ts';
import { until } from './kube.ts';

const source = new URL('../../src/main.ts', import.meta.url).pathname;

/**
 * The operator exactly as an npm script runs it: `start` (the sources, as the tests run it) or
 * `start:built` (the bundle, as the image runs it; `npm run build` first). Its node
 * flags and entry file, resolved against the repository.
 */
export function startScript(script: 'start' | 'start:built' = 'start'): {
  nodeArgs: string[];
  entry: string;
} {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [program, ...args] = (pkg.scripts[script] ?? '').split(/\s+/);
  if (program !== 'node') throw new Error(`the start script does not run node: ${program}`);
  const entry = args.pop() ?? '';
  return { nodeArgs: args, entry: new URL(`../../${entry}`, import.meta.url).pathname };
}

/**
 * Builds the bundle (hack/build.ts) into a fresh temporary folder laid out as the image's /app:
 * dist/ and package.json, no node_modules. Returns the folder; the caller removes it.
 */
export function buildImageFolder(): string {
  const root = new URL('../../', import.meta.url).pathname;
  const app = mkdtempSync(join(tmpdir(), 'hubops-image-'));
  execFileSync(process.execPath, [join(root, 'hack/build.ts'), join(app, 'dist')]);
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  return app;
}

/** The environment the image gives the operator (the Dockerfile's last stage's ENV). */
export function imageEnvironment(): Record<string, string> {
  return runtimeEnvironment(readDockerfile());
}

export interface OperatorProcess {
  readonly child: ChildProcess;
  /** Every stdout line, parsed when it is JSON. */
  readonly lines: Record<string, unknown>[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  healthPort(): Promise<number>;
  metricsPort(): Promise<number>;
  /** The Prometheus text of its `/metrics` now. */
  metrics(): Promise<string>;
  /** Resolves with the first log line whose msg includes `text`. */
  logged(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startOperator(
  env: Testenv,
  settings: Record<string, string> = {},
  entry = source,
  nodeArgs: readonly string[] = [],
): OperatorProcess {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KUBECONFIG: env.kubeconfig,
      HUB_API_URL: env.hubApiUrl,
      HUB_API_TOKEN: env.hubApiToken,
      HEALTH_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      POD_NAMESPACE: 'default',
      ...settings,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ notJson: line });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logged = async (text: string, timeoutMs = 15_000): Promise<Record<string, unknown>> => {
    let found: Record<string, unknown> | undefined;
    await until(
      () =>
        (found = lines.find((l) => typeof l['msg'] === 'string' && l['msg'].includes(text))) !==
        undefined,
      timeoutMs,
      `log "${text}"`,
    );
    return found ?? {};
  };
  return {
    child,
    lines,
    stderr,
    exited,
    logged,
    healthPort: async () => Number((await logged('Started'))['healthPort']),
    metricsPort: async () => Number((await logged('Started'))['metricsPort']),
    metrics: async () =>
      (
        await fetch(`http://127.0.0.1:${Number((await logged('Started'))['metricsPort'])}/metrics`)
      ).text(),
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** startOperator, resolved once the operator leads (its caches listed, its hubs swept next). */
export async function startLeader(
  env: Testenv,
  settings: Record<string, string> = {},
): Promise<OperatorProcess> {
  const operator = startOperator(env, settings);
  await operator.logged('Became the leader');
  return operator;
}
