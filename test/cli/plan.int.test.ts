// `hubops plan` against the real hub and the real kube-apiserver: the exact lines and exit codes
// for a first apply, for no change, and for a change of each kind (a destructive one flagged); a
// bad manifest named; and the plan agreeing with what the operator then does, compared effect by
// effect with the hub calls it made (recorded at a proxy).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { HubProxy, isWrite, type ProxiedRequest } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub, uniqueName } from '../support/real-hub.ts';
import { Resources, condition, type CustomObject, type Plural } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const run = promisify(execFile);
const bin = new URL('../../bin/hubops', import.meta.url).pathname;
const p = uniqueName('pl');
const [ada, bob, cat, dan, extra] = ['ada', 'bob', 'cat', 'dan', 'extra'].map((n) => `${p}-${n}`);
const course = `${p}-course`;
let r: Resources;
let proxy: HubProxy;
let operator: OperatorProcess | undefined;
let dir: string;

interface Manifest {
  kind: 'HubUser' | 'HubGroup' | 'HubServer';
  name: string;
  labels?: Record<string, string>;
  spec: Record<string, unknown>;
}

const plural: Record<Manifest['kind'], Plural> = {
  HubUser: 'hubusers',
  HubGroup: 'hubgroups',
  HubServer: 'hubservers',
};

/** The first declaration: two users (one admin), a group by list and selector, a server. */
function first(): Manifest[] {
  return [
    { kind: 'HubUser', name: ada ?? '', spec: { admin: true } },
    { kind: 'HubUser', name: bob ?? '', labels: { role: 'student' }, spec: {} },
    {
      kind: 'HubGroup',
      name: course,
      spec: {
        members: [ada, extra],
        memberSelector: { matchLabels: { role: 'student' } },
        properties: { seats: 30 },
      },
    },
    { kind: 'HubServer', name: `${bob}-lab`, spec: { username: bob, serverName: 'lab' } },
  ];
}

/** A change of each kind: bob admin, cat new (a student), extra removed, a server for ada. */
function second(): Manifest[] {
  return [
    { kind: 'HubUser', name: ada ?? '', spec: { admin: true } },
    { kind: 'HubUser', name: bob ?? '', labels: { role: 'student' }, spec: { admin: true } },
    { kind: 'HubUser', name: cat ?? '', labels: { role: 'student' }, spec: {} },
    {
      kind: 'HubGroup',
      name: course,
      spec: {
        members: [ada],
        memberSelector: { matchLabels: { role: 'student' } },
        properties: { seats: 40 },
      },
    },
    { kind: 'HubServer', name: `${bob}-lab`, spec: { username: bob, serverName: 'lab' } },
    { kind: 'HubServer', name: `${ada}-default`, spec: { username: ada } },
  ];
}

function write(name: string, manifests: readonly Manifest[]): string {
  const path = join(dir, `${name}.yaml`);
  const docs = manifests.map((m) =>
    stringify({
      apiVersion: 'hubops.io/v1alpha1',
      kind: m.kind,
      metadata: { name: m.name, namespace: r.namespace, ...(m.labels ? { labels: m.labels } : {}) },
      spec: m.spec,
    }),
  );
  writeFileSync(path, docs.join('---\n'));
  return path;
}

async function apply(manifests: readonly Manifest[]): Promise<void> {
  for (const m of manifests) {
    const existing = await r.get(plural[m.kind], m.name);
    if (existing) await r.patch(plural[m.kind], m.name, { spec: m.spec });
    else await r.create(plural[m.kind], m.name, m.spec, m.labels ? { labels: m.labels } : {});
  }
}

async function plan(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(bin, ['plan', ...args], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HUB_API_URL: env.hubApiUrl,
        HUB_API_TOKEN: env.hubApiToken,
      },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

/** Each hub change a planned call makes, one string per user or member it touches. */
function effectsOfPlan(json: string): string[] {
  const { calls } = JSON.parse(json) as { calls: Record<string, unknown>[] };
  return calls
    .flatMap((call): string[] => {
      const users = (call['users'] as string[] | undefined) ?? [];
      switch (call['op']) {
        case 'createUser':
          return [`create user ${String(call['user'])} admin=${String(call['admin'])}`];
        case 'setAdmin':
          return [`admin ${String(call['user'])}=${String(call['admin'])}`];
        case 'createGroup':
          return [
            `create group ${String(call['group'])}`,
            ...users.map((u) => `add ${u} to ${String(call['group'])}`),
          ];
        case 'addMembers':
          return users.map((u) => `add ${u} to ${String(call['group'])}`);
        case 'removeMembers':
          return users.map((u) => `remove ${u} from ${String(call['group'])}`);
        case 'setProperties':
          return [`properties ${String(call['group'])}`];
        case 'startServer':
          return [`start ${String(call['user'])}/${String(call['server'])}`];
        default:
          return [`${String(call['op'])} ${JSON.stringify(call)}`];
      }
    })
    .sort();
}

/** The same effects, read from the hub writes the operator made. */
function effectsOfCalls(writes: readonly ProxiedRequest[]): string[] {
  return writes
    .flatMap((w): string[] => {
      const path = new URL(w.path, 'http://x').pathname.replace(/^.*\/hub\/api/, '');
      const parts = path.split('/').map(decodeURIComponent);
      const body = (w.body ? JSON.parse(w.body) : {}) as Record<string, unknown>;
      const users = (body['users'] as string[] | undefined) ?? [];
      const admin = (body['admin'] as boolean | undefined) ?? false;
      const [, collection, name = '', sub, server = ''] = parts;
      if (w.method === 'POST' && path === '/users')
        return ((body['usernames'] as string[]) ?? []).map(
          (u) => `create user ${u} admin=${String(admin)}`,
        );
      if (collection === 'users' && sub === undefined && w.method === 'POST')
        return [`create user ${name} admin=${String(admin)}`];
      if (collection === 'users' && sub === undefined && w.method === 'PATCH')
        return [`admin ${name}=${String(admin)}`];
      if (collection === 'users' && (sub === 'server' || sub === 'servers') && w.method === 'POST')
        return [`start ${name}/${server}`];
      if (collection === 'groups' && sub === undefined && w.method === 'POST')
        return [`create group ${name}`, ...users.map((u) => `add ${u} to ${name}`)];
      if (collection === 'groups' && sub === 'users' && w.method === 'POST')
        return users.map((u) => `add ${u} to ${name}`);
      if (collection === 'groups' && sub === 'users' && w.method === 'DELETE')
        return users.map((u) => `remove ${u} from ${name}`);
      if (collection === 'groups' && sub === 'properties') return [`properties ${name}`];
      return [`${w.method} ${path}`];
    })
    .sort();
}

async function allReady(manifests: readonly Manifest[]): Promise<void> {
  for (const m of manifests) {
    await r.settled(plural[m.kind], m.name, (o: CustomObject) => {
      const ready = condition(o, 'Ready');
      return ready?.status === 'True' && ready.observedGeneration === o.metadata.generation;
    });
  }
}

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'plan'));
  proxy = await HubProxy.start(env.hubApiUrl);
  dir = mkdtempSync(join(tmpdir(), 'hubops-plan-'));
});
after(async () => {
  await operator?.stop('SIGKILL');
  for (const user of [ada, bob, cat, dan, extra])
    await hub.servers.stop(user ?? '', 'lab', { remove: true }).catch(() => {});
  await hub.servers.stop(ada ?? '', '').catch(() => {});
  await hub.groups.delete(course).catch(() => {});
  for (const user of [ada, bob, cat, dan, extra])
    await hub.users.delete(user ?? '').catch(() => {});
  await proxy.stop();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

test('plan of a first apply lists each call, exits 1, and the operator then makes exactly those changes', async () => {
  const path = write('first', first());
  const out = await plan('-f', path, '--kubeconfig', env.kubeconfig);
  assert.equal(out.code, 1, out.stderr);
  const ns = r.namespace;
  assert.equal(
    out.stdout,
    [
      `+ create user ${ada} (admin)  [HubUser ${ns}/${ada}]`,
      `+ create user ${bob}  [HubUser ${ns}/${bob}]`,
      `+ create user ${extra}  [HubGroup ${ns}/${course}]`,
      `+ create group ${course} with 3 members: ${ada}, ${bob}, ${extra}  [HubGroup ${ns}/${course}]`,
      `~ set the properties of group ${course}  [HubGroup ${ns}/${course}]`,
      `~ start server ${bob}/lab  [HubServer ${ns}/${bob}-lab]`,
      'Plan: 6 hub calls for 4 resources: 4 to create, 2 to change, 0 destructive.',
      '',
    ].join('\n'),
  );
  assert.equal(out.stderr, '');
  const json = await plan('-f', path, '--kubeconfig', env.kubeconfig, '-o', 'json');
  assert.equal(json.code, 1);

  await apply(first());
  operator = startOperator(env, {
    HUB_API_URL: proxy.url(),
    WATCH_NAMESPACE: r.namespace,
    LEASE_NAME: uniqueName('hubops'),
  });
  await allReady(first());
  assert.deepEqual(effectsOfCalls(proxy.records.filter(isWrite)), effectsOfPlan(json.stdout));
});

test('plan with nothing to do prints only the summary and exits 0, with or without the cluster', async () => {
  const path = write('first', first());
  for (const args of [['--kubeconfig', env.kubeconfig], []]) {
    const out = await plan('-f', path, ...args);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'Plan: no hub calls for 4 resources.\n');
    assert.equal(out.stderr, '');
  }
});

test('plan of a change of each kind flags the removal as destructive, and the operator agrees', async () => {
  const path = write('second', second());
  const out = await plan('-f', path, '--kubeconfig', env.kubeconfig);
  const ns = r.namespace;
  assert.equal(out.code, 1, out.stderr);
  assert.equal(
    out.stdout,
    [
      `~ grant admin to user ${bob}  [HubUser ${ns}/${bob}]`,
      `+ create user ${cat}  [HubUser ${ns}/${cat}]`,
      `~ add 1 member to group ${course}: ${cat}  [HubGroup ${ns}/${course}]`,
      `- remove 1 member from group ${course}: ${extra}  [HubGroup ${ns}/${course}]`,
      `~ set the properties of group ${course}  [HubGroup ${ns}/${course}]`,
      `~ start server ${ada} (default)  [HubServer ${ns}/${ada}-default]`,
      'Plan: 6 hub calls for 6 resources: 1 to create, 4 to change, 1 destructive.',
      '',
    ].join('\n'),
  );
  assert.match(out.stderr, /^hubops: warning: 1 destructive call \(marked -\)/m);
  const json = await plan('-f', path, '--kubeconfig', env.kubeconfig, '-o', 'json');
  const before = proxy.records.length;
  await apply(second());
  await allReady(second());
  const made = proxy.records.slice(before).filter(isWrite);
  assert.deepEqual(effectsOfCalls(made), effectsOfPlan(json.stdout));
});

test('plan with --prune deletes what the manifests omit only where ownership and policy allow it', async () => {
  // dan: adopted (made in the hub first), cat: created by hubops; both omitted from the manifests.
  await hub.users.createMany([dan ?? '']);
  await r.create('hubusers', dan ?? '', {});
  await allReady([{ kind: 'HubUser', name: dan ?? '', spec: {} }]);
  const kept = second().filter((m) => m.name !== cat);
  const path = write('pruned', kept);
  const out = await plan('-f', path, '--kubeconfig', env.kubeconfig, '--prune');
  const ns = r.namespace;
  assert.equal(out.code, 1, out.stderr);
  assert.equal(
    out.stdout,
    [
      `- remove 1 member from group ${course}: ${cat}  [HubGroup ${ns}/${course}]`,
      `- delete user ${cat}  [HubUser ${ns}/${cat}]`,
      'Plan: 2 hub calls for 5 resources: 0 to create, 0 to change, 2 destructive.',
      '',
    ].join('\n'),
  );
  const unpruned = await plan('-f', path, '--kubeconfig', env.kubeconfig);
  assert.equal(unpruned.code, 0, unpruned.stdout);
});

test('a bad manifest, a bad flag and an unreachable hub exit 2 with one line naming the cause', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'apiVersion: hubops.io/v1alpha1\nkind: HubUser\nmetadata: {name: a}\nspec: {}\n---\n' +
      'apiVersion: hubops.io/v1alpha1\nkind: HubUser\nmetadata: {name: b}\nspec: {admin: maybe}\n',
  );
  for (const [args, message] of [
    [['-f', bad], new RegExp(`^hubops: ${bad}: document 2: HubUser default/b: spec\\.admin: `)],
    [['-f', join(dir, 'missing.yaml')], /missing\.yaml: ENOENT/],
    [['-f', bad, '--output', 'xml'], /--output is text or json/],
    [['-f', bad, '--prune'], /--prune needs the live resources/],
    [[], /plan needs -f PATH/],
    [
      ['-f', write('first', first()), '--url', 'http://127.0.0.1:1/hub/api'],
      /ECONNREFUSED|unreachable/,
    ],
  ] as const) {
    const out = await plan(...args);
    assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.match(out.stderr, message);
    assert.equal(out.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(out.stdout, '');
  }
});
