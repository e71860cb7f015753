// Living beside the real jupyterhub-idle-culler (a hub service of a private hub, inactivity limit
// 4 s): a HubUser re-creates its culled user by default and leaves it deleted under
// `whenDeletedInHub: Respect` until its spec changes (a pause is no change), and a group does not
// wait for or re-create such a member; a HubServer with keepRunning false leaves a culled named
// server removed, one with keepRunning true starts it again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Hub } from '../../src/hub/hub.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startLeader, type OperatorProcess } from '../support/operator.ts';
import { clientOf, startPrivateHub, type PrivateHub } from '../support/private-hub.ts';
import { Resources, condition, ready, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const reason = (o: CustomObject): string | undefined => condition(o, 'Ready')?.reason;
const field = (o: CustomObject, name: string): unknown => o.status?.[name];

/** A private hub with the culler, an operator that serves it alone, and a hub client. */
async function cullingSetup(
  cullUsers: boolean,
  prefix: string,
): Promise<{ hub: PrivateHub; client: Hub; operator: OperatorProcess; r: Resources }> {
  const hub = await startPrivateHub(env, {
    culler: { timeoutSeconds: 4, everySeconds: 2, cullUsers, removeNamedServers: true },
  });
  await ensureCrds(kc);
  const r = new Resources(kc, await freshNamespace(kc, prefix));
  const operator = await startLeader(env, {
    HUB_API_URL: hub.apiUrl,
    HUB_API_TOKEN: hub.apiToken,
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '2',
    LEASE_NAME: `hubops-${prefix}-${randomBytes(3).toString('hex')}`,
  });
  return { hub, client: clientOf(hub), operator, r };
}

/** Polls `check` every 100 ms for `ms`: a culled-and-recreated object lives seconds, so shows. */
async function never(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    assert.equal(await check(), false, what);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a culled hub user', () => {
  let s: Awaited<ReturnType<typeof cullingSetup>>;
  before(async () => {
    s = await cullingSetup(true, 'cull-users');
  });
  after(async () => {
    await s.operator.stop('SIGKILL');
    await s.client.close();
    await s.hub.stop();
  });

  test('is created again by default, left deleted under Respect until the spec changes, and no group waits for it', async (t) => {
    const { r, client } = s;
    await r.create('hubusers', 'keep', { username: 'keep' });
    await r.create('hubusers', 'let', { username: 'let', whenDeletedInHub: 'Respect' });
    await r.create('hubgroups', 'team', { members: ['keep', 'let'] });
    await r.settled('hubusers', 'keep', ready);
    await r.settled('hubusers', 'let', ready);
    const firstKeep = (await client.users.get('keep'))?.created;

    const culled = await r.settled('hubusers', 'let', (o) => reason(o) === 'DeletedInHub', 30_000);
    assert.equal(condition(culled, 'Ready')?.status, 'True', 'a deletion respected is as declared');
    assert.match(condition(culled, 'Ready')?.message ?? '', /deleted outside hubops/);
    await never(async () => (await client.users.get('let')) !== null, 8_000, 'let re-created');
    const team = await r.settled('hubgroups', 'team', (o) => reason(o) !== 'MembersPending');
    t.diagnostic(`team: ${reason(team)}, ${JSON.stringify(team.status)}`);

    // The default: the culled user comes back (a new `created`), again and again.
    await until(
      async () => {
        const created = (await client.users.get('keep'))?.created;
        return created !== undefined && created !== firstKeep;
      },
      30_000,
      'keep re-created after the culler deleted it',
    );

    // A pause is no change of the spec: the deletion respected outlives it.
    const pausedAnnotation = 'hubops.io/paused';
    await r.patch('hubusers', 'let', { metadata: { annotations: { [pausedAnnotation]: 'true' } } });
    const held = await r.settled(
      'hubusers',
      'let',
      (o) => condition(o, 'Synced')?.reason === 'Paused',
    );
    assert.equal(reason(held), 'DeletedInHub', 'Ready keeps the decision while paused');
    await r.patch('hubusers', 'let', { metadata: { annotations: { [pausedAnnotation]: null } } });
    await r.settled('hubusers', 'let', (o) => condition(o, 'Synced')?.status === 'True');
    await never(
      async () => (await client.users.get('let')) !== null,
      6_000,
      'let re-created after the pause',
    );
    assert.equal(reason((await r.get('hubusers', 'let')) as CustomObject), 'DeletedInHub');

    // A change of the spec is a new wish: the user is created again.
    await r.patch('hubusers', 'let', { spec: { admin: false, whenDeletedInHub: 'Recreate' } });
    await until(async () => (await client.users.get('let')) !== null, 15_000, 'let created again');
  });
});

describe('a culled named server', () => {
  let s: Awaited<ReturnType<typeof cullingSetup>>;
  before(async () => {
    s = await cullingSetup(false, 'cull-servers');
  });
  after(async () => {
    await s.operator.stop('SIGKILL');
    await s.client.close();
    await s.hub.stop();
  });

  test('stays removed with keepRunning false and is started again with keepRunning true', async () => {
    const { r, client } = s;
    await r.create('hubusers', 'srv', { username: 'srv' });
    await r.create('hubservers', 'once', { username: 'srv', serverName: 'once' });
    await r.create('hubservers', 'always', {
      username: 'srv',
      serverName: 'always',
      keepRunning: true,
    });
    const first = await r.settled('hubservers', 'always', (o) => field(o, 'phase') === 'Running');
    await r.settled('hubservers', 'once', (o) => field(o, 'phase') === 'Running');

    const stopped = await r.settled(
      'hubservers',
      'once',
      (o) => reason(o) === 'StoppedOutsideOperator',
      30_000,
    );
    assert.equal(field(stopped, 'phase'), 'Stopped');
    const running = async (server: string): Promise<boolean> =>
      (await client.users.get('srv'))?.servers?.[server]?.ready === true;
    await never(() => running('once'), 8_000, 'the culled server "once" started again');

    await r.settled(
      'hubservers',
      'always',
      (o) => field(o, 'phase') === 'Running' && field(o, 'startedAt') !== field(first, 'startedAt'),
      30_000,
    );
  });
});
