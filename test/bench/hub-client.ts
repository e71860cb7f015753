// Measures the hub client against the test environment's real hub: what a 200-user page costs,
// and how many requests per second the client sustains with its default budget and without a
// rate cap. Run: node test/bench/hub-client.ts (after `make testenv`). Prints a markdown table.
import { performance } from 'node:perf_hooks';
import type { Hub } from '../../src/hub/hub.ts';
import type { BudgetOptions } from '../../src/hub/budget.ts';
import { realHub } from '../support/real-hub.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const users = Number(process.env['BENCH_USERS'] ?? 2_000);
const calls = Number(process.env['BENCH_CALLS'] ?? 2_000);

function makeHub(budget: Partial<BudgetOptions> = {}): { hub: Hub; pageMs: () => number[] } {
  const { hub, samples } = realHub(env, { budget });
  const pages = (): number[] =>
    samples.filter((s) => s.method === 'GET' && s.route === '/users').map((s) => s.durationMs);
  return { hub, pageMs: pages };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function requestsPerSecond(hub: Hub, names: string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < calls) await hub.users.get(names[next++ % names.length]!);
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

const { hub, pageMs } = makeHub();
const prefix = `bench-${Date.now().toString(36)}`;
const names = Array.from({ length: users }, (_, i) => `${prefix}-${i}`);
const createStarted = performance.now();
await hub.users.createMany(names);
const createSeconds = (performance.now() - createStarted) / 1000;

for (let i = 0; i < 5; i++) await hub.users.list();
const defaultRps = await requestsPerSecond(hub, names);
const unlimited = makeHub({ ratePerSecond: 100_000, burst: 1_000 });
const unlimitedRps = await requestsPerSecond(unlimited.hub, names);

console.log(`| JupyterHub ${env.hubVersion} | value |`);
console.log('|---|---|');
console.log(
  `| bulk create ${users} users (batches of 25) | ${createSeconds.toFixed(1)} s, ${(users / createSeconds).toFixed(0)} users/s |`,
);
console.log(
  `| GET /users page of 200 (median of ${pageMs().length}) | ${median(pageMs()).toFixed(1)} ms |`,
);
console.log(
  `| GET /users/{name}, default budget (2 in flight, 100/s) | ${defaultRps.toFixed(0)} req/s |`,
);
console.log(`| GET /users/{name}, 2 in flight, no rate cap | ${unlimitedRps.toFixed(0)} req/s |`);

await Promise.all(names.map((name) => hub.users.delete(name)));
await hub.close();
await unlimited.hub.close();
