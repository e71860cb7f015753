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

async function metricsText(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)).text();
}

/** The running operator's token counters: issued (one entry per reason), rotated, revoked. */
async function tokenCounters(): Promise<Record<string, number>> {
  const text = await metricsText();
  const counts: Record<string, number> = {
    rotated: metricSum(text, 'hubops_tokens_rotated_total'),
    revoked: metricSum(text, 'hubops_tokens_revoked_total'),
  };
  for (const [, reason, value] of text.matchAll(
    /^hubops_tokens_issued_total\{[^}]*reason="(\w+)"[^}]*\} (\S+)$/gm,
  ))
    counts[`issued ${reason}`] = Number(value);
  return counts;
}

/**
 * Waits until the counters have moved from `before` by exactly `expected` (entries left out: not
 * at all). A counter moves just after the hub call it counts, so a moment of polling; a miss
 * fails with both sides.
 */
async function countersMoved(
  before: Record<string, number>,
  expected: Record<string, number>,
): Promise<void> {
  let moved: Record<string, number> = {};
  const check = async (): Promise<boolean> => {
    const now = await tokenCounters();
    moved = Object.fromEntries(
      Object.keys({ ...before, ...now })
        .map((key): [string, number] => [key, (now[key] ?? 0) - (before[key] ?? 0)])
        .filter(([, change]) => change !== 0),
    );
    return (
      JSON.stringify(Object.entries(moved).sort()) ===
      JSON.stringify(Object.entries(expected).sort())
    );
  };
  await until(check, 5_000, 'the token counters').catch(() => undefined);
  assert.deepEqual(moved, expected, 'token counters moved by');
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

test('a token is issued into a Secret that a consumer can use as it is, and counted as issued', async () => {
  const counted = await tokenCounters();
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
  await countersMoved(counted, { 'issued Issued': 1 });
});

test('a short-lived token is rotated: the old one works through the grace period and is refused after it, the new one works', async () => {
  await r.create('hubtokens', 'short', { username: user, expiresInSeconds: 20 });
  const first = await r.settled('hubtokens', 'short', readyAt());
  const old = await secretOf('short');
  const firstId = first.status?.['tokenId'] as string;
  assert.ok(first.status?.['expiresAt'] && first.status['rotateAt']);
  const before = await metricsText();
  const counted = await tokenCounters();
  // The grace (a tenth of 20 s: 2 s) runs from the Secret write, so watch the Secret itself.
  let fresh = old;
  await until(
    async () => (fresh = await secretOf('short')).token !== old.token,
    30_000,
    'the Secret to get the new token',
  );
  assert.equal(
    await whoAmI(old.url, old.token),
    user,
    'a consumer that has not re-read the Secret yet still gets through',
  );
  const notes = fresh.secret.metadata?.annotations ?? {};
  assert.equal(notes['hubops.io/previous-token-id'], firstId, 'the Secret records the old token');
  assert.ok(
    Date.parse(notes['hubops.io/previous-token-revoke-at'] ?? '') > Date.now(),
    'and when it will be revoked, still ahead',
  );
  const rotated = await r.settled('hubtokens', 'short', readyAt(firstId), 10_000);
  assert.equal(await whoAmI(fresh.url, fresh.token), user);
  // Revoked at the end of the grace, well before the token would have expired.
  await until(async () => (await whoAmI(old.url, old.token)) === 403, 10_000, 'old token refused');
  assert.equal(await whoAmI(fresh.url, fresh.token), user, 'the new one still works');
  assert.deepEqual(await alive('short'), [rotated.status?.['tokenId']]);
  await countersMoved(counted, { 'issued Rotated': 1, rotated: 1, revoked: 1 });
  const afterText = await metricsText();
  const calls = (method: string, route: string) =>
    metricSum(afterText, 'hubops_hub_requests_total', [`method="${method}"`, `route="${route}"`]) -
    metricSum(before, 'hubops_hub_requests_total', [`method="${method}"`, `route="${route}"`]);
  assert.equal(calls('POST', '/users/{name}/tokens'), 1, 'one issue per rotation');
  assert.equal(calls('DELETE', '/users/{name}/tokens/{id}'), 1, 'one revoke per rotation');
  console.log(
    `ℹ one rotation cost ${calls('POST', '/users/{name}/tokens')} issue, ${calls('DELETE', '/users/{name}/tokens/{id}')} revoke and ${calls('GET', '/users/{name}/tokens')} list calls; tokens alive after: ${(await alive('short')).length}`,
  );
  await r.delete('hubtokens', 'short');
  await r.gone('hubtokens', 'short');
});

test('a Secret deleted or edited by hand gets a new token, and the exposed one is revoked', async () => {
  const before = await r.settled('hubtokens', 'grader', readyAt());
  const counted = await tokenCounters();
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
  await countersMoved(counted, { 'issued SecretMissing': 1, 'issued SecretEdited': 1, revoked: 2 });
});

test('a token revoked in the hub by someone else is issued anew, with a Warning Event that says so', async () => {
  const before = await r.settled('hubtokens', 'grader', readyAt());
  const counted = await tokenCounters();
  const revokedId = before.status?.['tokenId'] as string;
  await hub.tokens.revoke(user, revokedId);
  const after = await r.settled('hubtokens', 'grader', readyAt(revokedId));
  const fresh = await secretOf('grader');
  assert.equal(await whoAmI(fresh.url, fresh.token), user);
  const newId = after.status?.['tokenId'] as string;
  let event: k8s.CoreV1Event | undefined;
  await until(
    async () =>
      (event = (await core.listNamespacedEvent({ namespace: r.namespace })).items.find(
        (e) =>
          e.reason === 'TokenRevokedInHub' &&
          e.involvedObject.name === 'grader' &&
          (e.message ?? '').includes(newId),
      )) !== undefined,
    10_000,
    'the TokenRevokedInHub Event',
  );
  assert.equal(event?.type, 'Warning', 'someone else did it: a Warning');
  assert.match(event?.message ?? '', /revoked in the hub by someone else/);
  assert.match(event?.message ?? '', new RegExp(`replaces ${revokedId}`));
  // The hub revoked it already: nothing left for the operator to revoke.
  await countersMoved(counted, { 'issued RevokedInHub': 1 });
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
  // A fresh process: its counters count from zero. It issued nothing and revoked the orphan only.
  await countersMoved({}, { revoked: 1 });
  assert.deepEqual(await alive('grader'), [before.status?.['tokenId']]);
});

test('refusals: another namespace’s user, scopes the user lacks (in the hub’s words), a Secret that is not ours', async () => {
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
  // JupyterHub 4.1 to 6.1 word it alike; the operator passes it on without the HTTP noise.
  assert.match(
    condition(greedy, 'Ready')?.message ?? '',
    new RegExp(
      `^the hub refused to issue the token: Not assigning requested scopes \\S*admin:users\\S* not held by User ${user}$`,
    ),
  );
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

test('refused scopes are not asked for again: no token request reaches the hub for a few seconds after the refusal', async () => {
  await r.settled(
    'hubtokens',
    'too-much',
    (o) => condition(o, 'Ready')?.reason === 'ScopesRefused',
  );
  const tokenPosts = async (): Promise<number> =>
    metricSum(await metricsText(), 'hubops_hub_requests_total', [
      'method="POST"',
      'route="/users/{name}/tokens"',
    ]);
  const posts = await tokenPosts();
  // Longer than RESYNC_SECONDS (3 s): every HubToken is visited at least once meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  assert.equal(await tokenPosts(), posts, 'token requests to the hub since the refusal');
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
  const counted = await tokenCounters();
  await r.delete('hubtokens', 'grader');
  await r.gone('hubtokens', 'grader');
  assert.equal(await whoAmI(url, token), 403);
  await countersMoved(counted, { revoked: 1 });
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
