// The operator is SIGKILLed in the middle of creating 300 hub users in bulk, some HubUsers are
// deleted while it is dead, and it is started again: it converges, creates nothing twice,
// records every user it created as Created (so deleting one deletes it in the hub), and leaves no
// finalizer behind. A further restart with nothing changed writes nothing, to the hub or to
// Kubernetes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { finalizerName } from '../../src/api/annotations.ts';
import { HubProxy, isBulkCreate } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import {
  Resources,
  inParallel,
  metricSum,
  ready,
  type CustomObject,
  hubWriteCount,
} from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const size = 300;
const tag = randomBytes(3).toString('hex');
const username = (name: string): string => `c${tag}-${name}`;
const labels = { course: tag };
const staff = Array.from({ length: 10 }, (_, i) => `u${i}`);
const settings = () => ({
  WATCH_NAMESPACE: r.namespace,
  RESYNC_SECONDS: '600',
  LEASE_NAME: `crash-${tag}`,
  // The successor of a killed leader waits out its lease (a new process, a new identity): a
  // short one keeps the test short, yet outlasts a loaded apiserver's pauses.
  LEASE_DURATION_SECONDS: '8',
  LEASE_RENEW_DEADLINE_SECONDS: '6',
  LEASE_RETRY_PERIOD_SECONDS: '1',
});
let r: Resources;
let proxy: HubProxy;
let operator: OperatorProcess | undefined;
/** What the crash left, for the figure line the quiet restart prints. */
let crash = '';

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'crash'));
  proxy = await HubProxy.start(env.hubApiUrl);
  const names = Array.from({ length: size }, (_, i) => `u${i}`);
  await inParallel(names, 16, (name) =>
    r.create('hubusers', name, { username: username(name) }, { labels }),
  );
  await r.create('hubgroups', 'everyone', {
    groupName: `g${tag}`,
    memberSelector: { matchLabels: labels },
  });
  await r.create('hubgroups', 'staff', { groupName: `s${tag}`, members: staff.map(username) });
});
after(async () => {
  await operator?.stop('SIGKILL');
  await proxy.stop();
  await hub.close();
});

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await operator!.metricsPort()}/metrics`)).text();
}

async function ourHubUsers(): Promise<string[]> {
  return [...(await hub.users.list()).keys()].filter((name) => name.startsWith(`c${tag}-`));
}

const finalized = (o: CustomObject): boolean =>
  o.metadata.finalizers?.includes(finalizerName) ?? false;

test('a SIGKILL mid-batch, then a restart: converged, nothing twice, no finalizer left behind', async () => {
  // The first operator reaches the hub through a proxy that stalls its fourth bulk create after
  // the hub has made those users (their status writes wait for an answer that never comes) and
  // every later one before the hub sees it (those users are claimed, not made): the kill falls
  // in both windows whatever the machine's speed.
  proxy.faults = {
    stall: (rec) => {
      if (!isBulkCreate(rec)) return undefined;
      const nth = proxy.records.filter(isBulkCreate).length;
      return nth < 4 ? undefined : nth === 4 ? 'answer' : 'request';
    },
  };
  operator = startOperator(env, { ...settings(), HUB_API_URL: proxy.url() });
  await until(
    () => {
      const creates = proxy.records.filter(isBulkCreate);
      return creates[3]?.withheldStatus !== undefined && creates.length > 4;
    },
    60_000,
    'a bulk create made in the hub but unanswered, and a later one held back',
    10,
  );
  operator.child.kill('SIGKILL');
  await operator.exited;
  const killedAt = Date.now();

  const inHub = new Set(await ourHubUsers());
  const objects = await r.list('hubusers');
  const created = (o: CustomObject): boolean => inHub.has(username(o.metadata.name));
  const done = objects.filter((o) => created(o) && ready(o));
  // The hub created these, but the status that says so was never written.
  const window = objects.filter((o) => created(o) && !ready(o));
  const pending = objects.filter((o) => finalized(o) && !created(o));
  const doomed = [...done.slice(-8), ...window.slice(0, 8), ...pending.slice(-8)]
    .map((o) => o.metadata.name)
    .filter((name) => !staff.includes(name));
  await Promise.all(doomed.map((name) => r.delete('hubusers', name)));

  operator = startOperator(env, settings());
  const expected = objects
    .map((o) => o.metadata.name)
    .filter((name) => !doomed.includes(name))
    .map(username)
    .sort();
  let remaining: CustomObject[] = [];
  await until(
    async () => {
      remaining = await r.list('hubusers');
      const groups = await r.list('hubgroups');
      return remaining.length === expected.length && [...remaining, ...groups].every(ready);
    },
    90_000,
    'every HubUser and HubGroup Ready, the deleted ones gone',
    500,
  );
  const convergedMs = Date.now() - killedAt;
  const text = await metrics();
  const after = await ourHubUsers();
  crash =
    `SIGKILL with ${inHub.size} of ${size} hub users created ` +
    `(${done.length} Ready, ${window.length} not yet recorded as Ready, ${pending.length} more finalized); ` +
    `${doomed.length} deleted while it was dead; converged ${(convergedMs / 1000).toFixed(1)} s after the kill ` +
    `with ${after.length} hub users for ${remaining.length} HubUsers, ` +
    `${metricSum(text, 'hubops_reconcile_total', ['result="error"'])} failed reconciles`;

  assert.ok(window.length > 0, 'the kill fell between hub creates and their status writes');
  assert.ok(pending.length > 0, 'the kill came before the end of the sync');
  assert.deepEqual(
    remaining.map((o) => o.metadata.name).filter((name) => doomed.includes(name)),
    [],
    'the deleted HubUsers are gone: their finalizer was removed',
  );
  assert.deepEqual(after.sort(), expected, 'no user missing, none left behind');
  assert.deepEqual(
    remaining.filter((o) => o.status?.['ownership'] !== 'Created').map((o) => o.metadata.name),
    [],
    'every hub user recorded as created by the operator',
  );
  assert.deepEqual(
    ((await hub.groups.get(`g${tag}`))?.users ?? []).sort(),
    expected,
    'the selector group holds exactly them',
  );
  assert.deepEqual(((await hub.groups.get(`s${tag}`))?.users ?? []).sort(), staff.map(username));
  const failures = operator.lines.filter((l) => l['msg'] === 'Reconcile failed');
  assert.equal(
    metricSum(text, 'hubops_reconcile_total', ['result="error"']),
    0,
    `no reconcile failed (e.g. on a 409 for a user created before the kill): ${JSON.stringify(failures)}`,
  );
});

test('a restart with nothing changed makes no hub write and no status write', async (t) => {
  await operator!.stop('SIGTERM');
  const versions = async (): Promise<Map<string, string | undefined>> =>
    new Map(
      [...(await r.list('hubusers')), ...(await r.list('hubgroups'))].map((o) => [
        o.metadata.name,
        o.metadata.resourceVersion,
      ]),
    );
  const before = await versions();
  operator = startOperator(env, settings());
  await until(
    async () => metricSum(await metrics(), 'hubops_reconcile_total') >= before.size,
    60_000,
    'every object reconciled after the restart',
    200,
  );
  const text = await metrics();
  const writes = hubWriteCount(text);
  const afterwards = await versions();
  const rewritten = [...before].filter(([name, v]) => afterwards.get(name) !== v).map(([n]) => n);
  t.diagnostic(
    `${crash}; a quiet restart over ${before.size} objects: ${writes} hub writes, ${rewritten.length} objects rewritten`,
  );
  assert.equal(writes, 0, 'no hub write');
  assert.deepEqual(rewritten, [], 'no status (or finalizer) write');
});
