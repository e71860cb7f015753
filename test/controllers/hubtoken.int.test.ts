// HubToken end to end: the operator process, the real kube-apiserver and the real JupyterHub. A
// consumer stand-in reads the Secret and calls the hub with what it holds, as a pod mounting it
// would; every token seen is searched for afterwards in logs, Events, statuses and metrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, condition, metricSum, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const { hub } = realHub(env);
const tag = randomBytes(3).toString('hex');
const user = `tok-${tag}`;
const seen = new Set<string>();
let r: Resources;
let other: Resources;
let operator: OperatorProcess;
const lines: Record<string, unknown>[] = [];

function start(): OperatorProcess {
  const process = startOperator(env, {
    WATCH_NAMESPACE: '',
    ALLOWED_NAMESPACES: `${r.namespace},${other.namespace}`,
    RESYNC_SECONDS: '3',
    // A new lease each start: the killed one's would hold the next start back until it expires.
    LEASE_NAME: `tok-${tag}-${randomBytes(2).toString('hex')}`,
    POD_NAMESPACE: 'default',
  });
  return process;
}

async function stopOperator(): Promise<void> {
  await operator.stop('SIGKILL');
  lines.push(...operator.lines);
}

/** What a consumer gets from the Secret: the token and the URL beside it. */
async function secretOf(name: string, namespace = r.namespace) {
  const secret = await core.readNamespacedSecret({ name, namespace });
  const decode = (key: string): string =>
    Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  const token = decode('token');
  if (token) seen.add(token);
  return { secret, token, url: decode('url') };
}

/** The hub's answer to the consumer's token: its owner's name, or the HTTP status. */
async function whoAmI(url: string, token: string): Promise<string | number> {
  const response = await fetch(`${url}/user`, { headers: { Authorization: `token ${token}` } });
  if (!response.ok) return response.status;
  return ((await response.json()) as { name: string }).name;
}

/** The user's tokens that this HubToken issued (its uid is in their note). */
async function alive(name: string): Promise<string[]> {
  const object = await r.get('hubtokens', name);
  const uid = (object?.metadata as { uid?: string } | undefined)?.uid ?? 'none';
  return (await hub.tokens.list(user)).filter((t) => t.note.includes(uid)).map((t) => t.id);
}

const readyAt = (id?: string) => (o: CustomObject) =>
  condition(o, 'Ready')?.status === 'True' &&
  o.status?.observedGeneration === o.metadata.generation &&
  (id === undefined || o.status?.['tokenId'] !== id);

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'tokens'));
  other = new Resources(kc, await freshNamespace(kc, 'intruder'));
  await r.create('hubusers', 'owner', { username: user });
  operator = start();
  await operator.logged('Became the leader');
  await r.settled('hubusers', 'owner', (o) => condition(o, 'Ready')?.status === 'True');
});
after(async () => {
  await stopOperator();
  await hub.close();
});

test('a token is issued into a Secret that a consumer can use as it is', async () => {
  await r.create('hubtokens', 'grader', { username: user, note: 'grading service' });
  const object = await r.settled('hubtokens', 'grader', readyAt());
  const { secret, token, url } = await secretOf('grader');
  assert.equal(await whoAmI(url, token), user, 'the token in the Secret is the user’s');
  assert.equal(url, env.hubApiUrl);
  assert.equal(secret.metadata?.labels?.['app.kubernetes.io/managed-by'], 'hubops');
  assert.equal(secret.metadata?.ownerReferences?.[0]?.kind, 'HubToken');
  const [listed] = (await hub.tokens.list(user)).filter((t) => t.id === object.status?.['tokenId']);
  assert.match(listed?.note ?? '', new RegExp(`grading service - HubToken ${r.namespace}/grader`));
  assert.deepEqual(await alive('grader'), [object.status?.['tokenId']]);
});

test('a short-lived token is rotated: the new one works, the old one is refused after the grace', async () => {
  await r.create('hubtokens', 'short', { username: user, expiresInSeconds: 20 });
  const first = await r.settled('hubtokens', 'short', readyAt());
  const old = await secretOf('short');
  const firstId = first.status?.['tokenId'] as string;
  assert.ok(first.status?.['expiresAt'] && first.status['rotateAt']);
  const metrics = await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`);
  const before = await metrics.text();
  const rotated = await r.settled('hubtokens', 'short', readyAt(firstId), 30_000);
  const fresh = await secretOf('short');
  assert.notEqual(fresh.token, old.token);
  assert.equal(await whoAmI(fresh.url, fresh.token), user);
  // A tenth of 20 s: the replaced token is revoked 2 s after the rotation, well before it expires.
  await until(async () => (await whoAmI(old.url, old.token)) === 403, 10_000, 'old token refused');
  assert.equal(await whoAmI(fresh.url, fresh.token), user, 'the new one still works');
  assert.deepEqual(await alive('short'), [rotated.status?.['tokenId']]);
  const afterText = await (
    await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)
  ).text();
  const calls = (method: string, route: string) =>
    metricSum(afterText, 'hubops_hub_requests_total', [`method="${method}"`, `route="${route}"`]) -
    metricSum(before, 'hubops_hub_requests_total', [`method="${method}"`, `route="${route}"`]);
  console.log(
    `ℹ one rotation cost ${calls('POST', '/users/{name}/tokens')} issue, ${calls('DELETE', '/users/{name}/tokens/{id}')} revoke and ${calls('GET', '/users/{name}/tokens')} list calls; tokens alive after: ${(await alive('short')).length}`,
  );
  await r.delete('hubtokens', 'short');
  await r.gone('hubtokens', 'short');
});

test('a Secret deleted or edited by hand gets a new token, and the exposed one is revoked', async () => {
  const before = await r.settled('hubtokens', 'grader', readyAt());
  const exposed = await secretOf('grader');
  await core.deleteNamespacedSecret({ name: 'grader', namespace: r.namespace });
  const after = await r.settled(
    'hubtokens',
    'grader',
    readyAt(before.status?.['tokenId'] as string),
  );
  const fresh = await secretOf('grader');
  assert.equal(await whoAmI(fresh.url, fresh.token), user);
  assert.equal(
    await whoAmI(exposed.url, exposed.token),
    403,
    'the deleted Secret’s token is revoked',
  );
  assert.deepEqual(await alive('grader'), [after.status?.['tokenId']]);

  const { secret } = fresh;
  await core.replaceNamespacedSecret({
    name: 'grader',
    namespace: r.namespace,
    body: {
      ...secret,
      data: { ...secret.data, token: Buffer.from('typed-by-hand').toString('base64') },
    },
  });
  const edited = await r.settled(
    'hubtokens',
    'grader',
    readyAt(after.status?.['tokenId'] as string),
  );
  const again = await secretOf('grader');
  assert.equal(await whoAmI(again.url, again.token), user);
  assert.equal(await whoAmI(fresh.url, fresh.token), 403, 'the edited Secret’s token is revoked');
  assert.deepEqual(await alive('grader'), [edited.status?.['tokenId']]);
});

test('a token revoked in the hub by someone else is issued anew', async () => {
  const before = await r.settled('hubtokens', 'grader', readyAt());
  await hub.tokens.revoke(user, before.status?.['tokenId'] as string);
  await r.settled('hubtokens', 'grader', readyAt(before.status?.['tokenId'] as string));
  const fresh = await secretOf('grader');
  assert.equal(await whoAmI(fresh.url, fresh.token), user);
});

test('a restart with nothing due issues nothing, and a token left by a crash is revoked', async () => {
  const before = await r.settled('hubtokens', 'grader', readyAt());
  await stopOperator();
  // What a SIGKILL between the issue and the Secret write leaves: a token with the HubToken's
  // note in the hub, in no Secret.
  const uid = (before.metadata as { uid?: string }).uid ?? '';
  const orphan = await hub.tokens.issue(user, { note: `issued for HubToken x (hubops:${uid})` });
  seen.add(orphan.token);
  operator = start();
  await operator.logged('Became the leader');
  await until(
    async () => (await whoAmI(env.hubApiUrl, orphan.token)) === 403,
    20_000,
    'orphan revoked',
  );
  const now = await r.settled('hubtokens', 'grader', readyAt());
  assert.equal(now.status?.['tokenId'], before.status?.['tokenId'], 'nothing was due: same token');
  const text = await (
    await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)
  ).text();
  assert.equal(metricSum(text, 'hubops_tokens_issued_total'), 0);
  assert.deepEqual(await alive('grader'), [before.status?.['tokenId']]);
});

test('refusals: another namespace’s user, scopes the user lacks, a Secret that is not ours', async () => {
  const issuedBefore = (await hub.tokens.list(user)).length;
  await other.create('hubtokens', 'steal', { username: user });
  const stolen = await other.settled(
    'hubtokens',
    'steal',
    (o) => condition(o, 'Ready')?.status === 'False',
  );
  assert.equal(condition(stolen, 'Ready')?.reason, 'UserNotOwned');
  await r.create('hubtokens', 'too-much', { username: user, scopes: ['admin:users'] });
  const greedy = await r.settled(
    'hubtokens',
    'too-much',
    (o) => condition(o, 'Ready')?.status === 'False',
  );
  assert.equal(condition(greedy, 'Ready')?.reason, 'ScopesRefused');
  await core.createNamespacedSecret({
    namespace: r.namespace,
    body: { metadata: { name: 'someone-elses' }, stringData: { token: 'theirs' } },
  });
  await r.create('hubtokens', 'clash', { username: user, secretName: 'someone-elses' });
  const clash = await r.settled(
    'hubtokens',
    'clash',
    (o) => condition(o, 'Ready')?.status === 'False',
  );
  assert.equal(condition(clash, 'Ready')?.reason, 'SecretConflict');
  const { token } = await secretOf('someone-elses');
  assert.equal(token, 'theirs', 'the Secret is left as it was');
  seen.delete('theirs');
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  assert.equal(
    (await hub.tokens.list(user)).length,
    issuedBefore,
    'no token issued for any of them',
  );
  assert.equal(await secretOf('steal', other.namespace).catch(() => undefined), undefined);
});

test('a paused HubToken issues and revokes nothing, also when it is deleted', async () => {
  await r.create(
    'hubtokens',
    'frozen',
    { username: user },
    { annotations: { 'hubops.io/paused': 'true' } },
  );
  const object = await r.settled(
    'hubtokens',
    'frozen',
    (o) => condition(o, 'Synced')?.reason === 'Paused',
  );
  assert.equal(condition(object, 'Ready')?.status, 'False');
  assert.deepEqual(await alive('frozen'), [], 'no token issued while paused');
  await assert.rejects(core.readNamespacedSecret({ name: 'frozen', namespace: r.namespace }));
  // A token of the paused HubToken from before the pause stays where it is on deletion.
  await r.create('hubtokens', 'thawed', { username: user });
  const held = await r.settled('hubtokens', 'thawed', readyAt());
  await r.patch('hubtokens', 'thawed', {
    metadata: { annotations: { 'hubops.io/paused': 'true' } },
  });
  await r.delete('hubtokens', 'thawed');
  await r.gone('hubtokens', 'thawed');
  assert.deepEqual(
    (await hub.tokens.list(user)).filter((t) => t.id === held.status?.['tokenId']).length,
    1,
    'a paused deletion leaves the token in the hub',
  );
  await r.delete('hubtokens', 'frozen');
  await r.gone('hubtokens', 'frozen');
});

test('deleting a HubToken revokes its tokens and removes its Secret', async () => {
  const { token, url } = await secretOf('grader');
  await r.delete('hubtokens', 'grader');
  await r.gone('hubtokens', 'grader');
  assert.equal(await whoAmI(url, token), 403);
  assert.deepEqual(
    (await hub.tokens.list(user)).filter((t) => t.note.includes(`${r.namespace}/grader`)),
    [],
  );
  await assert.rejects(core.readNamespacedSecret({ name: 'grader', namespace: r.namespace }));
});

test('no token is in any log line, Event, status or metric', async () => {
  assert.ok(seen.size >= 5, `tokens seen: ${seen.size}`);
  const text = await (
    await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)
  ).text();
  const events = await core.listNamespacedEvent({ namespace: r.namespace });
  const statuses = await r.list('hubtokens');
  const places: [string, string][] = [
    ['logs', JSON.stringify([...lines, ...operator.lines]) + operator.stderr.join('')],
    ['events', JSON.stringify(events.items)],
    ['statuses', JSON.stringify(statuses)],
    ['metrics', text],
  ];
  for (const token of seen)
    for (const [where, body] of places)
      assert.ok(!body.includes(token), `a token is in the ${where}`);
  const reasons = events.items.map((e) => e.reason);
  assert.ok(
    reasons.includes('TokenIssued') && reasons.includes('TokenSecretMissing'),
    reasons.join(),
  );
});
