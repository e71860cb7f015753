// The hub goes down for a while in the middle of a 500-user sync (SIGKILL, then restarted on the
// same port and database). Objects say HubUnavailable once, the operator probes instead of
// hammering, and after recovery everything converges with no user missing or duplicated.
// OUTAGE_SECONDS sets the outage (default 60).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, condition, metricSum, ready, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';
import { execFileSync } from 'node:child_process';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const size = 500;
const outageMs = Number(process.env['OUTAGE_SECONDS'] ?? 60) * 1000;
const tag = randomBytes(3).toString('hex');
const username = (i: number): string => `o${tag}-${String(i).padStart(4, '0')}`;
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'outage'));
});
after(async () => {
  await operator.stop('SIGKILL');
  await hub.close();
});

async function all(): Promise<CustomObject[]> {
  return (
    await Promise.all(Array.from({ length: size }, (_, i) => r.get('hubusers', `u${i}`)))
  ).filter((o): o is CustomObject => o !== undefined);
}

async function calls(): Promise<{ probes: number; failed: number }> {
  const text = await (
    await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)
  ).text();
  const probes = metricSum(text, 'hubops_hub_requests_total', ['route="/ (probe)"']);
  const failed = text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('hubops_hub_requests_total') &&
        !/code="\d+"/.test(l) &&
        !l.includes('(probe)'),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { probes, failed };
}

test(`a ${outageMs / 1000} s hub outage in the middle of a ${size}-user sync`, async (t) => {
  const hubPid = Number(readFileSync(`${env.dir}/hub/jupyterhub.pid`, 'utf8'));
  for (let i = 0; i < size; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        r.create('hubusers', `u${i + j}`, { username: username(i + j) }),
      ),
    );
  }
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '600',
    LEASE_NAME: `outage-${tag}`,
  });
  await until(
    async () =>
      (await hub.users.get(username(100))) !== null || (await hub.users.get(username(0))) !== null,
    60_000,
    'the sync has begun',
  );

  process.kill(hubPid, 'SIGKILL');
  const downAt = Date.now();
  const atKill = await calls();
  // Whatever was in flight fails; then every object that is not Ready says HubUnavailable.
  await until(
    async () =>
      (await all()).every((o) => ready(o) || condition(o, 'Synced')?.reason === 'HubUnavailable'),
    30_000,
    'every unfinished object reports HubUnavailable',
  );
  const settled = new Map((await all()).map((o) => [o.metadata.name, o.metadata.resourceVersion]));
  const unavailable = (await all()).filter(
    (o) => condition(o, 'Synced')?.reason === 'HubUnavailable',
  ).length;
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, outageMs - (Date.now() - downAt))),
  );
  const rewritten = (await all()).filter(
    (o) => settled.get(o.metadata.name) !== o.metadata.resourceVersion,
  ).length;
  const duringOutage = await calls();

  execFileSync(`${env.dir}/hub/jupyterhub.run.sh`);
  const upAt = Date.now();
  await until(
    async () => (await all()).filter(ready).length === size,
    180_000,
    'every HubUser Ready after recovery',
  );
  const convergedMs = Date.now() - upAt;
  const ours = [...(await hub.users.list()).keys()].filter((name) => name.startsWith(`o${tag}-`));

  const probes = duringOutage.probes - atKill.probes;
  const failed = duringOutage.failed - atKill.failed;
  t.diagnostic(
    `outage ${(outageMs / 1000).toFixed(0)} s: ${unavailable} objects said HubUnavailable, ${rewritten} status rewrites after that; ` +
      `${probes} probes and ${failed} failed requests to the dead hub (${((probes + failed) / (outageMs / 60_000)).toFixed(1)} per minute); ` +
      `converged ${(convergedMs / 1000).toFixed(1)} s after the hub came back; ${ours.length} hub users for ${size} HubUsers`,
  );
  assert.ok(unavailable > 0, 'the outage hit objects still to be synced');
  assert.equal(rewritten, 0, 'said once: no status write storm');
  assert.ok(probes + failed <= 20, `requests to the dead hub: ${probes + failed}`);
  assert.equal(ours.length, size, 'no user missing or duplicated');
});
