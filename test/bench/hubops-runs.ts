/**
 * The operator's side of each scenario, measured from outside: the operator runs as its own
 * process (node dist/main.js) against the bench's servers, and every figure comes from its
 * /metrics, /proc, the API server's /metrics or what the hub answers.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as k8s from '@kubernetes/client-node';
import {
  imageEnvironment,
  startOperator,
  startScript,
  type OperatorProcess,
} from '../support/operator.ts';
import { inParallel, ready, type CustomObject, type Resources } from '../support/resources.ts';
import type { Testenv } from '../support/testenv.ts';
import { until } from '../support/kube.ts';
import { cpuOf } from './cpu.ts';
import { apiServerWrites, operatorCounts, rssMegabytes } from './observe.ts';
import { probes } from './cohort.ts';
import type { RawHub } from './raw-hub.ts';
import { ReadyWatch } from './ready-watch.ts';

export interface Watches {
  readonly users: ReadyWatch;
  readonly groups: ReadyWatch;
}

export function watchesFor(kc: k8s.KubeConfig, namespace: string): Watches {
  return {
    users: new ReadyWatch(kc, namespace, 'hubusers', ready),
    groups: new ReadyWatch(kc, namespace, 'hubgroups', ready),
  };
}

/**
 * Starts the operator as the image runs it: the bundle (hack/bench.sh builds it) with
 * `npm run start:built`'s flags and the image's environment. With BENCH_PROFILE set to a
 * folder, it also writes a V8 CPU profile there when it exits (open it in Chrome's DevTools).
 */
function asStarted(
  env: Testenv,
  settings: Record<string, string>,
  profile: string,
): OperatorProcess {
  const { nodeArgs, entry } = startScript('start:built');
  const dir = process.env['BENCH_PROFILE'];
  const profiling = dir
    ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${profile}.cpuprofile`]
    : [];
  // The image's environment (Dockerfile), its compile cache in the bench's own test environment,
  // and the chart's default of HUB_TOKENS (off: no Secret watch, no HubToken controller).
  const image = {
    ...imageEnvironment(),
    NODE_COMPILE_CACHE: join(env.dir, 'node-compile-cache', 'operator'),
  };
  return startOperator(env, { ...image, HUB_TOKENS: 'false', ...settings }, entry, [
    ...nodeArgs,
    ...profiling,
  ]);
}

/** Toggles a probe user's admin flag and returns the ms until the hub shows it. */
export async function editLatency(
  r: Resources,
  poller: RawHub,
  name: string,
  admin: boolean,
  pollMs: number,
): Promise<number> {
  const started = performance.now();
  await r.patch('hubusers', name, { spec: { admin } });
  for (;;) {
    const answer = await poller.call('GET', `users/${encodeURIComponent(name)}`);
    if (answer.status === 200 && (answer.body as { admin?: boolean }).admin === admin)
      return performance.now() - started;
    await sleep(pollMs);
  }
}

/** Edits the probes one at a time until `done` says stop; returns each latency in ms. */
export async function editWhile(
  r: Resources,
  poller: RawHub,
  done: () => boolean,
  pollMs: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const latencies: number[] = [];
  const admin = new Map(probes.map((p) => [p, false]));
  for (let i = 0; !done() && latencies.length < limit; i++) {
    const name = probes[i % probes.length] as string;
    admin.set(name, !admin.get(name));
    latencies.push(await editLatency(r, poller, name, admin.get(name) ?? false, pollMs));
  }
  return latencies;
}

export interface ColdRun {
  readonly operator: OperatorProcess;
  readonly seconds: number;
  readonly calls: number;
  readonly callsByRoute: Record<string, number>;
  /** API-server writes (finalizers, status, Events) during the run and the settling after. */
  readonly kubeWrites: number;
  /** The operator's CPU seconds up to leading: start-up, the same at any N. */
  readonly startupCpuSeconds: number;
  readonly rssMb: number;
  readonly liveEditsMs: number[];
}

/**
 * Starts the operator on declared objects and measures until every one is Ready; with `edits`,
 * edits the probes one after another meanwhile and measures each (their hub calls and writes
 * load the run, so the cold rows come from a run without them).
 */
export async function hubopsCold(
  env: Testenv,
  namespace: string,
  watches: Watches,
  expected: { users: number; groups: number },
  r: Resources,
  poller: RawHub,
  run: { readonly lease: string; readonly edits: boolean; readonly profile: string },
): Promise<ColdRun> {
  const kubeBefore = await apiServerWrites(env);
  const started = performance.now();
  const operator = asStarted(
    env,
    { WATCH_NAMESPACE: namespace, RESYNC_SECONDS: '600', LEASE_NAME: run.lease },
    run.profile,
  );
  let convergedAt: number | undefined;
  const done = Promise.all([
    watches.users.until(expected.users, 1_800_000),
    watches.groups.until(expected.groups, 1_800_000),
  ]).finally(() => (convergedAt = performance.now()));
  await operator.logged('Became the leader', 60_000);
  const startupCpuSeconds = cpuOf({ operator: operator.child.pid ?? 0 })['operator'] ?? 0;
  const converged = (): boolean => convergedAt !== undefined;
  const [liveEditsMs] = await Promise.all([
    run.edits ? editWhile(r, poller, converged, 50) : [],
    done,
  ]);
  const seconds = ((convergedAt ?? Number.NaN) - started) / 1000;
  // Memory once the initial burst's garbage has had a chance to go.
  await sleep(10_000);
  const counts = await operatorCounts(operator);
  return {
    operator,
    seconds,
    calls: counts.reads + counts.writes,
    callsByRoute: counts.byRoute,
    kubeWrites: (await apiServerWrites(env)) - kubeBefore,
    startupCpuSeconds,
    rssMb: rssMegabytes(operator.child.pid ?? 0),
    liveEditsMs,
  };
}

export interface RestartRun {
  readonly operator: OperatorProcess;
  readonly seconds: number;
  /** From the start of the process to its leading. */
  readonly leaderSeconds: number;
  readonly reads: number;
  readonly writes: number;
  readonly kubeWrites: number;
}

/** Stops the operator (SIGTERM, handing over its lease) and starts a new one on converged state. */
export async function hubopsRestart(
  env: Testenv,
  previous: OperatorProcess,
  namespace: string,
  objects: number,
  lease: string,
  resyncSeconds: number,
): Promise<RestartRun> {
  await previous.stop('SIGTERM');
  const kubeBefore = await apiServerWrites(env);
  const started = performance.now();
  const operator = asStarted(
    env,
    { WATCH_NAMESPACE: namespace, RESYNC_SECONDS: String(resyncSeconds), LEASE_NAME: lease },
    'restarted',
  );
  await operator.logged('Became the leader', 60_000);
  const leaderSeconds = (performance.now() - started) / 1000;
  // Each scrape of /metrics walks every cached object and hub user (about 13 ms at 50,000): a
  // poll every 50 ms would take a quarter of a core from the restart it times. Polling every
  // N/100 ms keeps that near 2.5% and the timing's resolution under 2.5% of the floor's.
  await until(
    async () => (await operatorCounts(operator)).reconciles >= objects,
    600_000,
    'every object reconciled after the restart',
    Math.max(50, objects / 100),
  );
  const seconds = (performance.now() - started) / 1000;
  // Anything the restart would still write arrives well within this.
  await sleep(5_000);
  const counts = await operatorCounts(operator);
  return {
    operator,
    seconds,
    leaderSeconds,
    reads: counts.reads,
    writes: counts.writes,
    kubeWrites: (await apiServerWrites(env)) - kubeBefore,
  };
}

/**
 * Hub requests per minute over `periods` whole resync periods, counted from just after a sweep
 * ended so that the window holds exactly `periods` sweeps.
 */
export async function hubopsIdle(
  operator: OperatorProcess,
  periodSeconds: number,
  periods: number,
): Promise<number> {
  const total = async (): Promise<number> => {
    const c = await operatorCounts(operator);
    return c.reads + c.writes;
  };
  const start = await total();
  await until(async () => (await total()) > start, (periodSeconds + 30) * 1000, 'a sweep');
  let last = await total();
  for (;;) {
    await sleep(3_000);
    const now = await total();
    if (now === last) break;
    last = now;
  }
  await sleep(periods * periodSeconds * 1000);
  return ((await total()) - last) / ((periods * periodSeconds) / 60);
}

export interface SpawnTimes {
  /** Seconds until every HubServer is Running and Ready. */
  readonly seconds: number;
  /** Seconds until the API server had accepted the last of them. */
  readonly declaredSeconds: number;
  /** Seconds until the first was Running. */
  readonly firstSeconds: number;
}

/**
 * Declares `users.length` HubServers at once (all creates in flight together, as the floor sends
 * all its starts together) and times them from the first create.
 */
export async function hubopsSpawn(
  kc: k8s.KubeConfig,
  r: Resources,
  users: readonly string[],
): Promise<SpawnTimes> {
  const running = (o: CustomObject): boolean => ready(o) && o.status?.['phase'] === 'Running';
  const watch = new ReadyWatch(kc, r.namespace, 'hubservers', running);
  await watch.start();
  const started = performance.now();
  const since = (): number => (performance.now() - started) / 1000;
  const first = watch.until(1, 600_000).then(since);
  await inParallel(users, users.length, (user) =>
    r.create('hubservers', `s-${user}`, { username: user, state: 'Running' }),
  );
  const declaredSeconds = since();
  await watch.until(users.length, 600_000);
  const seconds = since();
  watch.stop();
  return { seconds, declaredSeconds, firstSeconds: await first };
}
