/**
 * The floor: the fewest hub calls any client must make for a job, made directly with the
 * operator's batch size and concurrency and nothing else (no Kubernetes, no status, no retries).
 * What the operator costs above it is the price of being an operator.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawHub } from './raw-hub.ts';
import { inParallel } from '../support/resources.ts';

export interface Cohort {
  readonly users: readonly string[];
  readonly groups: readonly { readonly name: string; readonly members: readonly string[] }[];
}

export interface Cost {
  readonly seconds: number;
  readonly calls: number;
  readonly writes: number;
}

/** Same bulk size as the operator's user batcher. */
export const bulkSize = 25;

/**
 * From an empty hub: read what is there, create the users in bulk, then create each group with
 * its members in one call.
 */
export async function floorCold(raw: RawHub, cohort: Cohort, width: number): Promise<Cost> {
  const before = { ...raw.calls };
  const started = performance.now();
  await raw.listAll('users');
  await raw.listAll('groups');
  const batches: string[][] = [];
  for (let i = 0; i < cohort.users.length; i += bulkSize)
    batches.push(cohort.users.slice(i, i + bulkSize));
  await inParallel(batches, width, (names) => raw.ok('POST', 'users', { usernames: names }));
  await inParallel(cohort.groups, width, (g) =>
    raw.ok('POST', `groups/${encodeURIComponent(g.name)}`, { users: g.members }),
  );
  return spent(raw, before, started);
}

/**
 * Seconds for a fresh process to learn what a restart must know: floor-restart.ts, which lists
 * the namespace's custom resources and reads the hub's users and groups, then exits. Run once
 * to fill `compileCache` first, so that it starts as warm as the restarted operator.
 */
export function floorRestart(namespace: string, compileCache: string): number {
  const script = new URL('floor-restart.ts', import.meta.url).pathname;
  const run = (): number => {
    const started = performance.now();
    execFileSync(process.execPath, [script, namespace], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
    });
    return (performance.now() - started) / 1000;
  };
  // Timed with a warm compile cache, as the operator's restart is.
  run();
  return run();
}

/**
 * Starts the default server of every user at once and waits until each is ready: a 201 means
 * ready; after a 202 the server's state is read until it is.
 */
export async function floorSpawn(raw: RawHub, users: readonly string[]): Promise<Cost> {
  const before = { ...raw.calls };
  const started = performance.now();
  await Promise.all(
    users.map(async (user) => {
      const path = `users/${encodeURIComponent(user)}`;
      for (;;) {
        const answer = await raw.call('POST', `${path}/server`, {});
        if (answer.status === 201) return;
        if (answer.status === 202) break;
        if (answer.status !== 429) throw new Error(`start ${user}: ${answer.status}`);
        await sleep(1_000);
      }
      for (;;) {
        const model = (await raw.ok('GET', path)) as {
          servers?: Record<string, { ready?: boolean }>;
        };
        if (model.servers?.['']?.ready) return;
        await sleep(50);
      }
    }),
  );
  return spent(raw, before, started);
}

/** Stops the default servers and waits until the hub has none of them running. */
export async function stopServers(raw: RawHub, users: readonly string[]): Promise<void> {
  await inParallel(users, 8, async (user) => {
    const path = `users/${encodeURIComponent(user)}`;
    await raw.call('DELETE', `${path}/server`);
    for (;;) {
      const model = (await raw.ok('GET', path)) as { servers?: Record<string, unknown> };
      if (!model.servers?.['']) return;
      await sleep(100);
    }
  });
}

function spent(raw: RawHub, before: RawHub['calls'], started: number): Cost {
  return {
    seconds: (performance.now() - started) / 1000,
    calls: raw.calls.reads + raw.calls.writes - before.reads - before.writes,
    writes: raw.calls.writes - before.writes,
  };
}
