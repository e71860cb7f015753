// HubServer.spec.sharedWith against the real hub: shares granted to a user and a group, narrowed
// and revoked as the spec changes, checked through GET /shares and by what the shared user's own
// token may do; a share for a server without a record waits; Additive takes nothing back; an idle
// sweep of many shared servers costs one share read per owner; deleting the HubServer of a default
// server takes back what it gave. Hubs before 5.0: a condition.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import type { Hub } from '../../../src/hub/hub.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../../support/kube.ts';
import { startLeader, type OperatorProcess } from '../../support/operator.ts';
import { realHub } from '../../support/real-hub.ts';
import {
  Resources,
  condition,
  inParallel,
  metricSum,
  ready,
  type CustomObject,
} from '../../support/resources.ts';
import { loadTestenv } from '../../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const tag = randomBytes(3).toString('hex');
const owner = `sh-owner-${tag}`;
const bob = `sh-bob-${tag}`;
const carol = `sh-carol-${tag}`;
const tas = `sh-tas-${tag}`;
const sharing = Number(env.hubVersion.split('.')[0]) >= 5;
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'shares'));
  for (const [name, username] of Object.entries({ owner, bob, carol }))
    await r.create('hubusers', name, { username });
  await r.create('hubgroups', 'tas', { groupName: tas, members: [carol] });
  operator = await startLeader(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '3',
    LEASE_NAME: `sh-${tag}`,
  });
  await r.settled('hubgroups', 'tas', ready);
});
after(async () => {
  await operator.stop('SIGKILL');
  for (const user of [owner, bob, carol]) await hub.users.delete(user).catch(() => undefined);
  await hub.groups.delete(tas).catch(() => undefined);
  await hub.close();
});

async function metric(filters: string[]): Promise<number> {
  const text = await operator.metrics();
  return metricSum(text, 'hubops_hub_requests_total', filters);
}

const sharesRoute = 'route="/shares/{owner}/{server}"';
const scopesOf = async (server: string): Promise<Record<string, readonly string[]>> =>
  Object.fromEntries(
    (await hub.shares.list(owner))
      .filter((share) => share.server === server)
      .map((share) => [
        'user' in share.target ? `user ${share.target.user}` : `group ${share.target.group}`,
        share.scopes.map((scope) => scope.split('!')[0] ?? scope),
      ]),
  );

/** Whether bob's own token may follow the progress of the owner's server `lab`. */
async function bobReadsLab(as: Hub): Promise<boolean> {
  try {
    for await (const event of as.servers.progress(owner, 'lab')) if (event.ready) return true;
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'HUB_NOT_FOUND') return false;
    throw err;
  }
}

const settledAt = (generation: number) => (o: CustomObject) =>
  ready(o) && o.metadata.generation === generation;

test('shares are granted, narrowed and revoked as sharedWith changes, as the shared user sees it', async (t) => {
  await r.create('hubservers', 'lab', {
    username: owner,
    serverName: 'lab',
    sharedWith: [{ user: bob, scopes: ['access:servers', 'read:servers'] }, { group: tas }],
  });
  if (!sharing) {
    const refused = await r.settled(
      'hubservers',
      'lab',
      (o) => condition(o, 'Ready')?.reason === 'UnsupportedByHub',
    );
    assert.match(condition(refused, 'Ready')?.message ?? '', /JupyterHub 5\.0/);
    t.diagnostic(`JupyterHub ${env.hubVersion}: ${condition(refused, 'Ready')?.message}`);
    return;
  }
  const shared = await r.settled('hubservers', 'lab', settledAt(1));
  assert.equal(shared.status?.['shares'], 2);
  assert.deepEqual(await scopesOf('lab'), {
    [`user ${bob}`]: ['access:servers', 'read:servers'],
    [`group ${tas}`]: ['access:servers'],
  });
  const issued = await hub.tokens.issue(bob, { note: 'shares test' });
  const { hub: asBob } = realHub(env, { token: issued.token });
  try {
    assert.equal(await bobReadsLab(asBob), true, "bob's token reads the shared server");

    // Narrowed: read:servers taken back from bob, the group's share revoked.
    await r.patch('hubservers', 'lab', {
      spec: { sharedWith: [{ user: bob, scopes: ['access:servers'] }] },
    });
    await r.settled('hubservers', 'lab', settledAt(2));
    assert.deepEqual(await scopesOf('lab'), { [`user ${bob}`]: ['access:servers'] });
    await until(async () => !(await bobReadsLab(asBob)), 5_000, "bob's token refused");

    // Additive: a share made by hand stays; nothing is taken back.
    await hub.shares.grant(owner, 'lab', { user: carol });
    await r.patch('hubservers', 'lab', { spec: { sharingPolicy: 'Additive' } });
    const additive = await r.settled('hubservers', 'lab', settledAt(3));
    assert.equal(additive.status?.['shares'], 2);
    assert.ok((await scopesOf('lab'))[`user ${carol}`], "carol's share stays");

    // Exact and an empty list: every share of the server is revoked.
    const revokesBefore = await metric(['method="PATCH"', sharesRoute]);
    await r.patch('hubservers', 'lab', { spec: { sharingPolicy: null, sharedWith: [] } });
    const none = await r.settled('hubservers', 'lab', settledAt(4));
    assert.equal(none.status?.['shares'], 0);
    assert.deepEqual(await scopesOf('lab'), {});
    assert.equal((await metric(['method="PATCH"', sharesRoute])) - revokesBefore, 2);
  } finally {
    await asBob.close();
    await hub.tokens.revoke(bob, issued.id);
  }
});

test('deleting a HubServer of a default server takes back what its sharedWith gave', async (t) => {
  if (!sharing) return t.skip('sharing needs JupyterHub 5.0');
  const declare = async (name: string, sharingPolicy: 'Exact' | 'Additive') => {
    await r.create('hubservers', name, {
      username: owner,
      state: 'Stopped',
      deletionPolicy: 'Delete',
      sharedWith: [{ user: bob, scopes: ['access:servers', 'read:servers'] }],
      sharingPolicy,
    });
    await r.settled('hubservers', name, (o) => ready(o) && o.status?.['shares'] !== undefined);
  };
  /** Deletes the HubServer and waits for its Unshared Events (`count` of them). */
  const deleted = async (name: string, count: number): Promise<string[]> => {
    await r.delete('hubservers', name);
    await r.gone('hubservers', name);
    let notes: string[] = [];
    await until(
      async () => {
        const events = await kc.makeApiClient(k8s.EventsV1Api).listNamespacedEvent({
          namespace: r.namespace,
        });
        notes = events.items
          .filter((e) => e.regarding?.name === name && e.reason === 'Unshared')
          .map((e) => e.note ?? '');
        return notes.length >= count;
      },
      10_000,
      `${count} Unshared Events`,
    );
    return notes;
  };

  // Exact: the declaration owned the default server's share list, a share made by hand included.
  await declare('home-exact', 'Exact');
  assert.deepEqual(await scopesOf(''), { [`user ${bob}`]: ['access:servers', 'read:servers'] });
  await hub.shares.grant(owner, '', { user: carol });
  const exact = await deleted('home-exact', 2);
  t.diagnostic(`Exact: ${exact.join('; ')}`);
  assert.deepEqual(await scopesOf(''), {}, 'no share of the default server is left');

  // Additive: only the declared scopes go; a share made by hand and a scope granted by hand stay.
  await declare('home-additive', 'Additive');
  await hub.shares.grant(owner, '', { user: carol });
  await hub.shares.grant(owner, '', { user: bob }, ['servers']);
  const additive = await deleted('home-additive', 1);
  t.diagnostic(`Additive: ${additive.join('; ')}`);
  assert.deepEqual(await scopesOf(''), {
    [`user ${bob}`]: ['servers'],
    [`user ${carol}`]: ['access:servers'],
  });
  await hub.shares.revokeAll(owner, '');
});

test('a share for a named server with no record in the hub waits, then goes out once it has one', async (t) => {
  if (!sharing) return t.skip('sharing needs JupyterHub 5.0');
  await r.create('hubservers', 'later', {
    username: owner,
    serverName: 'later',
    state: 'Stopped',
    sharedWith: [{ user: bob }],
  });
  if (Number(env.hubVersion.split('.')[0]) >= 6) {
    // 6.0 makes the record of a server declared Stopped, so nothing waits there.
    await r.settled('hubservers', 'later', settledAt(1));
  } else {
    const waiting = await r.settled(
      'hubservers',
      'later',
      (o) => condition(o, 'Ready')?.reason === 'SharesWaiting',
    );
    t.diagnostic(condition(waiting, 'Ready')?.message ?? '');
    await hub.servers.start(owner, 'later');
    await hub.servers.stop(owner, 'later');
    await r.settled('hubservers', 'later', settledAt(1), 30_000);
  }
  assert.deepEqual(await scopesOf('later'), { [`user ${bob}`]: ['access:servers'] });
});

test('an idle sweep of 100 shared servers reads each owner’s shares once and writes nothing', async (t) => {
  if (!sharing) return t.skip('sharing needs JupyterHub 5.0');
  const indices = Array.from({ length: 100 }, (_, i) => i);
  const ownerOf = (i: number): string => `sh-many-${tag}-${i}`;
  await inParallel(indices, 10, (i) => r.create('hubusers', `many-${i}`, { username: ownerOf(i) }));
  // Default servers left stopped: a default server always has a record to share, and no spawns.
  await inParallel(indices, 10, (i) =>
    r.create('hubservers', `many-${i}`, {
      username: ownerOf(i),
      state: 'Stopped',
      sharedWith: [{ group: tas }],
    }),
  );
  try {
    await until(
      async () =>
        (await r.list('hubservers')).filter((o) => o.metadata.name.startsWith('many-') && ready(o))
          .length === 100,
      180_000,
      'every shared server Ready',
      500,
    );
    const reads = () => metric(['method="GET"', 'route="/shares/{owner}"']);
    const writes = () => metric(['method="POST"']);
    const allReads = () => metric(['method="GET"']);
    // Counted between the ends of sweeps, once the visits each sweep queues are done.
    const sweepEnd = async (): Promise<void> => {
      const text = async () =>
        (await operator.metrics())
          .split('\n')
          .find((line) => line.startsWith('hubops_hub_last_sweep_timestamp_seconds'));
      const last = await text();
      await until(async () => (await text()) !== last, 120_000, 'a sweep', 50);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    };
    await sweepEnd();
    const [reads0, writes0, all0] = [await reads(), await writes(), await allReads()];
    const sweeps = 3;
    for (let i = 0; i < sweeps; i += 1) await sweepEnd();
    const [reads1, writes1, all1] = [await reads(), await writes(), await allReads()];
    const perSweep = (reads1 - reads0) / sweeps;
    t.diagnostic(
      `${sweeps} sweeps: ${reads1 - reads0} share reads (${perSweep.toFixed(1)} per sweep, for 101 owners with shares); hub calls per sweep in all ${((all1 - all0) / sweeps).toFixed(1)}; ${writes1 - writes0} writes`,
    );
    assert.ok(perSweep <= 101.5, `at most one share read per owner per sweep: ${perSweep}`);
    assert.equal(writes1 - writes0, 0, 'an idle sweep writes nothing');
  } finally {
    await inParallel(indices, 10, async (i) => {
      await r.delete('hubservers', `many-${i}`).catch(() => undefined);
      await r.delete('hubusers', `many-${i}`).catch(() => undefined);
    });
  }
});
