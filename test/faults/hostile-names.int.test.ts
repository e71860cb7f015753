// Hostile and odd input, one kind of mischief per test (issue 10, scenario 6; the large inputs
// are in hostile-scale.int.test.ts): names the CRDs refuse and odd ones the hub takes as
// written, unknown spec fields, a deletionPolicy typo, server names JupyterHub 6 refuses, a
// HubServer for a missing user, two objects claiming one hub name, and a wrong or revoked
// token. Each ends in an API-server rejection or a clear condition that then stays still; a
// canary HubUser created after the hostile objects still becomes Ready, and the operator
// neither crashes nor logs an error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { ensureCrds, freshNamespace, kubeConfig } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import {
  Resources,
  condition,
  metricSum,
  ready,
  type CustomObject,
  type Plural,
  hubWriteCount,
} from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);
const eventsApi = kc.makeApiClient(k8s.EventsV1Api);
const tag = randomBytes(3).toString('hex');
const n = (name: string): string => `${name}-${tag}`;
const resyncSeconds = 3;
let r: Resources;
let operator: OperatorProcess;
const others: OperatorProcess[] = [];

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'hostile'));
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: String(resyncSeconds),
    LEASE_NAME: n('hostile'),
  });
  await operator.logged('Became the leader');
  // The first reconcile waits for a sweep of every hub user, long on a hub that earlier runs
  // filled: let it finish before the cases and their canaries start their clocks.
  await r.create('hubusers', 'warm-up', { username: n('warm-up') });
  await r.settled('hubusers', 'warm-up', ready, 300_000);
});
after(async () => {
  await Promise.all([operator, ...others].map((o) => o.stop('SIGKILL')));
  await hub.close();
});

/** The HTTP status of the API server's refusal, or 0 when it accepted the object. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
    return { code: 0, message: '' };
  } catch (err) {
    if (!(err instanceof k8s.ApiException)) throw err;
    const body = JSON.parse(String(err.body)) as { message?: string };
    return { code: err.code, message: body.message ?? '' };
  }
}

async function metrics(of: OperatorProcess = operator): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await of.metricsPort()}/metrics`)).text();
}

async function counts(
  of: OperatorProcess = operator,
): Promise<{ reconciles: number; writes: number }> {
  const text = await metrics(of);
  return {
    reconciles: metricSum(text, 'hubops_reconcile_total'),
    writes: hubWriteCount(text),
  };
}

/**
 * Watches `names` for two resync periods and more: how often their resourceVersion changed
 * (a status written again), and how many reconciles and hub writes the operator made meanwhile.
 */
async function stillness(
  names: readonly (readonly [Plural, string])[],
  res: Resources = r,
  of: OperatorProcess = operator,
): Promise<{ rewrites: number; reconciles: number; writes: number; seconds: number }> {
  const versions = async (): Promise<(string | undefined)[]> =>
    Promise.all(
      names.map(async ([plural, name]) => (await res.get(plural, name))?.metadata.resourceVersion),
    );
  const before = await versions();
  const start = await counts(of);
  const seconds = 2 * resyncSeconds + 1.5;
  await sleep(seconds * 1000);
  const end = await counts(of);
  const now = await versions();
  return {
    rewrites: now.filter((v, i) => v !== before[i]).length,
    reconciles: end.reconciles - start.reconciles,
    writes: end.writes - start.writes,
    seconds,
  };
}

/** A plain HubUser created now must become Ready promptly: nothing hostile blocks it. */
async function canary(res: Resources = r): Promise<number> {
  const name = `canary-${randomBytes(3).toString('hex')}`;
  const started = Date.now();
  await res.create('hubusers', name, { username: n(name) });
  await res.settled('hubusers', name, ready, 30_000);
  return (Date.now() - started) / 1000;
}

/** The operator still runs and has logged no error, fatal or uncaught exception. */
function healthy(of: OperatorProcess = operator): void {
  assert.equal(of.child.exitCode, null, 'the operator is still running');
  const errors = of.lines.filter((l) => typeof l['level'] === 'number' && l['level'] >= 50);
  assert.deepEqual(errors, [], 'no error or fatal log line');
  assert.equal(of.stderr.join(''), '', 'nothing on stderr');
}

test('names the CRDs refuse are rejected by the API server, before the operator sees them', async (t) => {
  const long = 'a'.repeat(256);
  const cases: [
    what: string,
    plural: Plural,
    name: string,
    spec: Record<string, unknown>,
    field: string,
  ][] = [
    ['uppercase username', 'hubusers', n('u1'), { username: 'Ada' }, 'spec.username'],
    ['username with "/"', 'hubusers', n('u2'), { username: 'ada/lovelace' }, 'spec.username'],
    ['username with a leading space', 'hubusers', n('u3'), { username: ' ada' }, 'spec.username'],
    ['username with a trailing tab', 'hubusers', n('u4'), { username: 'ada\t' }, 'spec.username'],
    ['256-character username', 'hubusers', n('u5'), { username: long }, 'spec.username'],
    ['uppercase object name', 'hubusers', 'Ada', {}, 'metadata.name'],
    ['object name with a space', 'hubusers', 'ada lovelace', {}, 'metadata.name'],
    ['254-character object name', 'hubusers', 'a'.repeat(254), {}, 'metadata.name'],
    ['group name with "/"', 'hubgroups', n('g1'), { groupName: 'a/b' }, 'spec.groupName'],
    ['256-character group name', 'hubgroups', n('g2'), { groupName: long }, 'spec.groupName'],
    ['uppercase member', 'hubgroups', n('g3'), { members: ['Ada'] }, 'spec.members[0]'],
    ['256-character member', 'hubgroups', n('g4'), { members: [long] }, 'spec.members[0]'],
    ['member listed twice', 'hubgroups', n('g5'), { members: ['ada', 'ada'] }, 'spec.members[1]'],
    ['server user with "/"', 'hubservers', n('s1'), { username: 'a/b' }, 'spec.username'],
  ];
  const answers = await Promise.all(
    cases.map(([, plural, name, spec]) => refusal(r.create(plural, name, spec))),
  );
  const codes = new Map<number, number>();
  for (const [i, [what, , , , field]] of cases.entries()) {
    const { code, message } = answers[i] ?? { code: 0, message: '' };
    codes.set(code, (codes.get(code) ?? 0) + 1);
    assert.equal(code, 422, `${what}: ${message}`);
    assert.ok(message.includes(field), `${what} names ${field}: ${message}`);
  }
  const seconds = await canary();
  t.diagnostic(
    `refused names: ${[...codes].map(([code, count]) => `${count} x ${code}`).join(', ')} of ${cases.length}; canary Ready in ${seconds.toFixed(1)} s`,
  );
  healthy();
});

test('odd names the hub takes are created exactly as written, then stay still', async (t) => {
  const at = `ada.lovelace+${tag}@example.org`;
  const spaced = `ada lovelace ${tag}`;
  const longUser = `${tag}-`.padEnd(255, 'x');
  const longObject = `${tag}.`.padEnd(253, 'y');
  const team = `Physics 101 (${tag})`;
  const longGroup = `${tag} `.padEnd(255, 'Z');
  await Promise.all([
    r.create('hubusers', n('at'), { username: at }),
    r.create('hubusers', n('spaced'), { username: spaced }),
    r.create('hubusers', n('long'), { username: longUser }),
    r.create('hubusers', longObject, {}),
    r.create('hubgroups', n('team'), { groupName: team, members: [at, spaced] }),
    r.create('hubgroups', n('long'), { groupName: longGroup, members: [longUser, longObject] }),
  ]);
  const users: [string, string][] = [
    [n('at'), at],
    [n('spaced'), spaced],
    [n('long'), longUser],
    [longObject, longObject],
  ];
  for (const [object, username] of users) {
    const o = await r.settled('hubusers', object, ready, 30_000);
    assert.equal(o.status?.['username'], username);
    assert.equal((await hub.users.get(username))?.name, username, `hub user ${username}`);
  }
  for (const [object, group, members] of [
    [n('team'), team, [at, spaced]],
    [n('long'), longGroup, [longUser, longObject]],
  ] as const) {
    await r.settled('hubgroups', object, ready, 30_000);
    assert.deepEqual((await hub.groups.get(group))?.users.toSorted(), [...members].sort(), group);
  }
  const quiet = await stillness([
    ...users.map(([object]) => ['hubusers', object] as const),
    ['hubgroups', n('team')],
    ['hubgroups', n('long')],
  ]);
  // Each object's Events: a 253-character object name must not cost it its Events.
  const noted = await Promise.all(
    [n('at'), longObject].map(async (name) => (await eventsFor(name)).length),
  );
  const seconds = await canary();
  t.diagnostic(
    `odd names: 4 users (@.+, inner spaces, 255 characters, a 253-character object name) and 2 groups (uppercase and spaces, 255 characters) Ready; ` +
      `over ${quiet.seconds} s after: ${quiet.rewrites} status rewrites, ${quiet.writes} hub writes, ${quiet.reconciles} reconciles; ` +
      `Events: ${noted.join(' and ')}; canary Ready in ${seconds.toFixed(1)} s`,
  );
  assert.equal(quiet.rewrites, 0, 'no status rewritten: no reconcile loop');
  assert.equal(quiet.writes, 0, 'no hub write: nothing fights the hub');
  assert.ok(
    noted.every((count) => count > 0),
    `every object has its Events: ${noted.join(', ')}`,
  );
  healthy();
});

test('a name only Python lowercases fails alone, not the names batched with it', async (t) => {
  // CIRCLED LATIN CAPITAL LETTER A is no uppercase letter to the CRD's pattern (\p{Lu}, \p{Lt}),
  // but the hub lowercases it (to U+24D0), so the operator refuses to send it.
  const circled = `\u24b6da-${tag}`;
  const plain = Array.from({ length: 12 }, (_, i) => n(`batch${i}`));
  await Promise.all([
    r.create('hubusers', n('circled'), { username: circled }),
    ...plain.map((name) => r.create('hubusers', name, {})),
  ]);
  const refused = await r.settled(
    'hubusers',
    n('circled'),
    (o) => condition(o, 'Synced')?.reason === 'HubRejected',
    30_000,
  );
  for (const name of plain) await r.settled('hubusers', name, ready, 30_000);
  const rejectedEvents = (await listEvents(r.namespace)).filter((e) => e.reason === 'HubRejected');
  const regarding = [...new Set(rejectedEvents.map((e) => e.regarding?.name))];
  const quiet = await stillness([['hubusers', n('circled')]]);
  t.diagnostic(
    `${JSON.stringify(circled)}: ${condition(refused, 'Synced')?.reason} "${condition(refused, 'Synced')?.message}"; ` +
      `${plain.length} names created beside it all Ready; HubRejected Events regard ${JSON.stringify(regarding)}; ` +
      `${quiet.rewrites} status rewrites over ${quiet.seconds} s`,
  );
  assert.match(condition(refused, 'Synced')?.message ?? '', /must be lowercase/);
  assert.deepEqual(regarding, [n('circled')], 'only the bad name was refused');
  assert.equal(await hub.users.get(circled.toLowerCase()), null, 'no user under another name');
  assert.equal(quiet.rewrites, 0, 'said once');
  healthy();
});

test('unknown spec fields are pruned (or refused with strict validation), never reach the operator', async (t) => {
  const body = (name: string): object => ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: { name },
    spec: { username: name, Admin: true, colour: 'blue', nested: { deep: 1 } },
  });
  const where = {
    group: 'hubops.io',
    version: 'v1alpha1',
    plural: 'hubusers',
    namespace: r.namespace,
  };
  const strict = await refusal(
    objects.createNamespacedCustomObject({
      ...where,
      body: body(n('strict')),
      fieldValidation: 'Strict',
    }),
  );
  const lax = await refusal(
    objects.createNamespacedCustomObject({ ...where, body: body(n('lax')) }),
  );
  const stored = await r.settled('hubusers', n('lax'), ready, 30_000);
  const seconds = await canary();
  t.diagnostic(
    `unknown fields: Strict ${strict.code} "${strict.message}"; default ${lax.code || 'accepted'}, stored spec ${JSON.stringify(stored.spec)}, ` +
      `hub admin ${(await hub.users.get(n('lax')))?.admin}; canary Ready in ${seconds.toFixed(1)} s`,
  );
  assert.equal(strict.code, 400);
  assert.match(strict.message, /unknown field "spec\.Admin"/);
  assert.match(strict.message, /unknown field "spec\.colour"/);
  assert.equal(lax.code, 0, 'accepted without strict validation');
  assert.deepEqual(stored.spec, { username: n('lax'), admin: false }, 'pruned and defaulted');
  assert.equal((await hub.users.get(n('lax')))?.admin, false, 'a mistyped Admin grants nothing');
  healthy();
});

test('a deletionPolicy typo and 6.0-invalid server names are refused by the API server', async (t) => {
  const policies: [Plural, Record<string, unknown>][] = [
    ['hubusers', {}],
    ['hubgroups', {}],
    ['hubservers', { username: 'ada' }],
  ];
  const typos = ['delete', 'Orphan', 'Retain '];
  const policyAnswers = await Promise.all(
    policies.flatMap(([plural, spec]) =>
      typos.map((typo, i) =>
        refusal(r.create(plural, n(`policy${i}`), { ...spec, deletionPolicy: typo })),
      ),
    ),
  );
  // Valid before JupyterHub 6.0 (and still stored by a 5.x hub), refused by the CRD on every hub.
  const serverNames = ['My.Server', '1st', 'a--b', 'a_b', 'end-', 'gpu 1', 'x'.repeat(31), 'ü'];
  const serverAnswers = await Promise.all(
    serverNames.map((serverName, i) =>
      refusal(r.create('hubservers', n(`server${i}`), { username: 'ada', serverName })),
    ),
  );
  const seconds = await canary();
  t.diagnostic(
    `hub ${env.hubVersion}: deletionPolicy typos ${policyAnswers.map((a) => a.code).join(' ')}; ` +
      `server names ${serverAnswers.map((a) => a.code).join(' ')}; e.g. "${serverAnswers[0]?.message}"; canary Ready in ${seconds.toFixed(1)} s`,
  );
  for (const answer of policyAnswers) {
    assert.equal(answer.code, 422, answer.message);
    assert.match(
      answer.message,
      /spec\.deletionPolicy: Unsupported value: .*supported values: "Delete", "Retain"/,
    );
  }
  for (const [i, answer] of serverAnswers.entries()) {
    assert.equal(answer.code, 422, `${serverNames[i]}: ${answer.message}`);
    assert.match(answer.message, /spec\.serverName/);
  }
  healthy();
});

test('a HubServer for a missing user waits quietly, then starts once the user exists', async (t) => {
  const ghost = n('ghost');
  await r.create('hubservers', ghost, { username: ghost, serverName: 'lab-1' });
  const waiting = await r.settled(
    'hubservers',
    ghost,
    (o) => condition(o, 'Ready')?.reason === 'UserMissing',
    30_000,
  );
  const quiet = await stillness([['hubservers', ghost]]);
  const seconds = await canary();
  await r.create('hubusers', ghost, {});
  const started = Date.now();
  await r.settled('hubservers', ghost, ready, 60_000);
  const runningAfter = (Date.now() - started) / 1000;
  t.diagnostic(
    `missing user: ${condition(waiting, 'Ready')?.reason} "${condition(waiting, 'Ready')?.message}", phase ${String(waiting.status?.['phase'])}; ` +
      `${quiet.rewrites} status rewrites over ${quiet.seconds} s; canary Ready in ${seconds.toFixed(1)} s; Running ${runningAfter.toFixed(1)} s after the HubUser`,
  );
  assert.equal(condition(waiting, 'Ready')?.status, 'False');
  assert.equal(waiting.status?.['phase'], 'Pending');
  assert.match(condition(waiting, 'Ready')?.message ?? '', /does not exist/);
  assert.equal(quiet.rewrites, 0, 'the wait writes its status once');
  assert.ok((await hub.users.get(ghost))?.servers?.['lab-1']?.ready, 'the server runs');
  healthy();
});

test('two objects claiming one hub name: one owns it, the other says Conflict until it takes over', async (t) => {
  const user = n('dup');
  const team = `Team ${tag}`;
  // metadata.name and spec.username are two spellings of one claim.
  await r.create('hubusers', user, {});
  await r.create('hubgroups', n('team-a'), { groupName: team, members: [user] });
  await r.settled('hubusers', user, ready, 30_000);
  await r.settled('hubgroups', n('team-a'), ready, 30_000);
  await sleep(1_100); // creationTimestamp has whole seconds: the second claim is younger
  await r.create('hubusers', n('dup-b'), { username: user, admin: true });
  await r.create('hubgroups', n('team-b'), { groupName: team, members: [] });
  const losers = await Promise.all([
    r.settled('hubusers', n('dup-b'), (o) => condition(o, 'Synced')?.reason === 'Conflict'),
    r.settled('hubgroups', n('team-b'), (o) => condition(o, 'Synced')?.reason === 'Conflict'),
  ]);
  const quiet = await stillness([
    ['hubusers', n('dup-b')],
    ['hubgroups', n('team-b')],
  ]);
  assert.equal((await hub.users.get(user))?.admin, false, 'the younger HubUser wrote nothing');
  assert.deepEqual(
    (await hub.groups.get(team))?.users,
    [user],
    'the younger HubGroup wrote nothing',
  );

  await r.delete('hubusers', user);
  await r.delete('hubgroups', n('team-a'));
  const started = Date.now();
  await r.settled('hubusers', n('dup-b'), ready, 30_000);
  await r.settled('hubgroups', n('team-b'), ready, 30_000);
  const tookOver = (Date.now() - started) / 1000;
  const seconds = await canary();
  t.diagnostic(
    `claims: "${condition(losers[0], 'Ready')?.message}"; "${condition(losers[1], 'Ready')?.message}"; ` +
      `${quiet.rewrites} rewrites and ${quiet.writes} hub writes over ${quiet.seconds} s; the younger took over ${tookOver.toFixed(1)} s after the older was deleted; canary Ready in ${seconds.toFixed(1)} s`,
  );
  for (const loser of losers) {
    assert.equal(condition(loser, 'Ready')?.status, 'False');
    assert.equal(condition(loser, 'Ready')?.reason, 'Conflict');
  }
  assert.match(condition(losers[0], 'Ready')?.message ?? '', new RegExp(`${r.namespace}/${user}`));
  assert.match(
    condition(losers[1], 'Ready')?.message ?? '',
    new RegExp(`${r.namespace}/${n('team-a')}`),
  );
  assert.equal(quiet.rewrites, 0, 'no flapping');
  assert.equal((await hub.users.get(user))?.admin, true, 'the younger HubUser now owns the user');
  assert.deepEqual(
    (await hub.groups.get(team))?.users,
    [],
    'the younger HubGroup now owns the group',
  );
  healthy();
});

/** Mints a token for a new admin hub user (so it has the operator's scopes); returns it and its id. */
async function mintToken(owner: string): Promise<{ token: string; id: string }> {
  const call = async (method: string, path: string, body?: object): Promise<Response> => {
    const response = await fetch(`${env.hubApiUrl}${path}`, {
      method,
      headers: { Authorization: `token ${env.hubApiToken}`, 'Content-Type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    assert.ok(
      response.ok,
      `${method} ${path}: ${response.status} ${await response.clone().text()}`,
    );
    return response;
  };
  await call('POST', `/users/${owner}`, { admin: true });
  const minted = (await (
    await call('POST', `/users/${owner}/tokens`, { note: 'hostile-input' })
  ).json()) as {
    token: string;
    id: string;
  };
  return minted;
}

async function revoke(owner: string, id: string): Promise<void> {
  const response = await fetch(`${env.hubApiUrl}/users/${owner}/tokens/${id}`, {
    method: 'DELETE',
    headers: { Authorization: `token ${env.hubApiToken}` },
  });
  assert.equal(response.status, 204, await response.text());
}

async function listEvents(namespace: string): Promise<k8s.EventsV1Event[]> {
  return (await eventsApi.listNamespacedEvent({ namespace })).items;
}

async function eventsFor(name: string): Promise<k8s.EventsV1Event[]> {
  return (await listEvents(r.namespace)).filter((e) => e.regarding?.name === name);
}

/** Every place a token could leak to: the operator's output, Events, and the objects' status. */
async function leaks(secret: string, of: OperatorProcess, res: Resources): Promise<string[]> {
  const places: string[] = [];
  if (JSON.stringify(of.lines).includes(secret)) places.push('stdout');
  if (of.stderr.join('').includes(secret)) places.push('stderr');
  if (JSON.stringify(await listEvents(res.namespace)).includes(secret)) places.push('Events');
  for (const plural of ['hubusers', 'hubgroups', 'hubservers'] as const) {
    const list: unknown = await objects.listNamespacedCustomObject({
      group: 'hubops.io',
      version: 'v1alpha1',
      plural,
      namespace: res.namespace,
    });
    if (JSON.stringify(list).includes(secret)) places.push(plural);
  }
  return places;
}

test('a wrong token and a revoked one: Unauthorized once, no spin, the token nowhere', async (t) => {
  const wrongNs = new Resources(kc, await freshNamespace(kc, 'wrong-token'));
  const revokedNs = new Resources(kc, await freshNamespace(kc, 'revoked-token'));
  const wrongToken = randomBytes(16).toString('hex'); // the shape of a real hub token
  const owner = n('token-owner');
  const { token: revokedToken, id } = await mintToken(owner);
  const wrong = startOperator(env, {
    WATCH_NAMESPACE: wrongNs.namespace,
    HUB_API_TOKEN: wrongToken,
    LEASE_NAME: n('wrong'),
    RESYNC_SECONDS: String(resyncSeconds),
    LOG_LEVEL: 'trace', // every line there is, to look for the token in
  });
  const revoked = startOperator(env, {
    WATCH_NAMESPACE: revokedNs.namespace,
    HUB_API_TOKEN: revokedToken,
    LEASE_NAME: n('revoked'),
    RESYNC_SECONDS: String(resyncSeconds),
    LOG_LEVEL: 'trace', // every line there is, to look for the token in
  });
  others.push(wrong, revoked);
  // The revoked token works until it is revoked.
  await revokedNs.create('hubusers', 'before', { username: n('before') });
  await revokedNs.settled('hubusers', 'before', ready, 300_000); // after its first sweep
  await revoke(owner, id);

  const refusedName = (o: CustomObject): boolean =>
    condition(o, 'Synced')?.reason === 'Unauthorized';
  await Promise.all(
    [wrongNs, revokedNs].flatMap((res) => [
      res.create('hubusers', 'ada', { username: n(`ada-${res.namespace}`) }),
      res.create('hubgroups', 'team', { groupName: n(`team-${res.namespace}`) }),
      res.create('hubservers', 'lab', { username: n('before'), serverName: 'lab' }),
    ]),
  );
  const refused: CustomObject[] = [];
  for (const res of [wrongNs, revokedNs])
    for (const plural of ['hubusers', 'hubgroups', 'hubservers'] as const) {
      const name = { hubusers: 'ada', hubgroups: 'team', hubservers: 'lab' }[plural];
      refused.push(await res.settled(plural, name, refusedName, 30_000));
    }
  // An object made while the token worked keeps its last observed state through resyncs (each
  // sweep fails, and says so in the log); a change to its spec meets the refusal.
  await sleep((resyncSeconds + 1) * 1000);
  const unchanged = await revokedNs.get('hubusers', 'before');
  await revokedNs.patch('hubusers', 'before', { spec: { admin: true } });
  const before = await revokedNs.settled('hubusers', 'before', refusedName, 30_000);
  const quiet = await Promise.all([
    stillness(
      [
        ['hubusers', 'ada'],
        ['hubgroups', 'team'],
        ['hubservers', 'lab'],
      ],
      wrongNs,
      wrong,
    ),
    stillness(
      [
        ['hubusers', 'ada'],
        ['hubgroups', 'team'],
        ['hubservers', 'lab'],
        ['hubusers', 'before'],
      ],
      revokedNs,
      revoked,
    ),
  ]);
  const failedRequests = async (of: OperatorProcess): Promise<number> =>
    metricSum(await metrics(of), 'hubops_hub_requests_total', ['code="403"']);
  const rejected = await Promise.all([failedRequests(wrong), failedRequests(revoked)]);
  const leaked = [
    ...(await leaks(wrongToken, wrong, wrongNs)),
    ...(await leaks(revokedToken, revoked, revokedNs)),
  ];
  const sweepFailures = revoked.lines.filter((l) => l['msg'] === 'Hub sweep failed').length;
  const messages = [...new Set(refused.map((o) => condition(o, 'Synced')?.message))];
  t.diagnostic(
    `tokens: ${refused.length} objects Unauthorized, messages ${JSON.stringify(messages)}; ` +
      `"before": Synced=${unchanged && condition(unchanged, 'Synced')?.reason} through resyncs (${sweepFailures} "Hub sweep failed" lines), ` +
      `after a spec change Ready=${condition(before, 'Ready')?.status} Synced=${condition(before, 'Synced')?.reason}; ` +
      `over ${quiet[0].seconds} s: ${quiet[0].rewrites}+${quiet[1].rewrites} rewrites, ${quiet[0].reconciles}+${quiet[1].reconciles} reconciles; ` +
      `403s in all: ${rejected.join(' and ')}; token found in: ${leaked.length ? leaked.join(', ') : 'nothing'}`,
  );
  for (const o of refused) {
    assert.equal(condition(o, 'Synced')?.status, 'False');
    assert.match(condition(o, 'Synced')?.message ?? '', /JupyterHub refused the hubops token/);
  }
  assert.ok(unchanged && ready(unchanged), 'an object in step is not rewritten by a failed sweep');
  assert.ok(sweepFailures > 0, 'the failed sweeps are logged');
  assert.equal((await hub.users.get(n('before')))?.admin, false, 'the revoked token wrote nothing');
  assert.equal(quiet[0].rewrites + quiet[1].rewrites, 0, 'said once');
  // A refusal is not retried: each object is tried again only at a resync (3 objects and a sweep
  // per resync period, and at most one period more than fits).
  const periods = Math.ceil(quiet[0].seconds / resyncSeconds) + 1;
  assert.ok(quiet[0].reconciles <= 3 * periods, `reconciles: ${quiet[0].reconciles}`);
  assert.ok(quiet[1].reconciles <= 4 * periods, `reconciles: ${quiet[1].reconciles}`);
  assert.deepEqual(leaked, [], 'the token appears nowhere');
  assert.equal(await hub.users.get(n(`ada-${wrongNs.namespace}`)), null, 'nothing was created');
  healthy(wrong);
  healthy(revoked);
  const seconds = await canary();
  assert.ok(seconds < 30);
  healthy();
});
