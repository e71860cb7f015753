// Leader election between real operator processes sharing one Lease.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const leases = kc.makeApiClient(k8s.CoordinationV1Api);
// An empty namespace to watch: what the rest of the suite left in the cluster would give a
// stopping leader work to finish, and the handover would time that instead of the lease.
const quiet = await freshNamespace(kc, 'leader');
const timings = {
  LEASE_DURATION_SECONDS: '4',
  LEASE_RENEW_DEADLINE_SECONDS: '3',
  LEASE_RETRY_PERIOD_SECONDS: '0.5',
};
const running: OperatorProcess[] = [];
after(() => Promise.all(running.map((p) => p.stop('SIGKILL'))));

async function holder(name: string): Promise<string | undefined> {
  try {
    return (
      (await leases.readNamespacedLease({ name, namespace: 'default' })).spec?.holderIdentity ??
      undefined
    );
  } catch {
    return undefined;
  }
}

function replica(lease: string, identity: string): OperatorProcess {
  const process = startOperator(env, {
    ...timings,
    LEASE_NAME: lease,
    POD_NAME: identity,
    WATCH_NAMESPACE: quiet,
  });
  running.push(process);
  return process;
}

test('two replicas elect one leader, and a killed leader is replaced within lease duration plus a retry', async (t) => {
  const lease = `hubops-test-${randomBytes(3).toString('hex')}`;
  const a = replica(lease, 'replica-a');
  const b = replica(lease, 'replica-b');
  await until(async () => (await holder(lease)) !== undefined, 15_000, 'a leader');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const first = await holder(lease);
  const [leader, follower] = first === 'replica-a' ? [a, b] : [b, a];
  assert.equal(leader.lines.filter((l) => l['msg'] === 'Became the leader').length, 1);
  assert.equal(
    follower.lines.filter((l) => l['msg'] === 'Became the leader').length,
    0,
    'never two leaders',
  );

  leader.child.kill('SIGKILL');
  const killedAt = Date.now();
  const took = await follower.logged('Became the leader', 15_000).then(() => Date.now() - killedAt);
  t.diagnostic(`failover after SIGKILL of the leader: ${took} ms (lease 4 s, retry 0.5 s)`);
  assert.ok(took <= 4_000 + 500 + 1_000, `handover took ${took} ms`);
  assert.notEqual(await holder(lease), first);
});

test('a leader stopped with SIGTERM hands the lease over at once', async (t) => {
  const lease = `hubops-test-${randomBytes(3).toString('hex')}`;
  const a = replica(lease, 'replica-a');
  await a.logged('Became the leader');
  const b = replica(lease, 'replica-b');
  await b.logged('Started');
  const stoppedAt = Date.now();
  assert.equal(await a.stop('SIGTERM'), 0);
  const took = await b.logged('Became the leader', 10_000).then(() => Date.now() - stoppedAt);
  t.diagnostic(`handover after SIGTERM: ${took} ms`);
  assert.ok(took < 2_500, `handover took ${took} ms`);
});
