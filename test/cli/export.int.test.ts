// `hubops export` against the real hub, then its manifests applied to the real kube-apiserver and
// served by the operator: everything adopts, and the hub sees no write at all (counted at a proxy),
// also after a full resync. The hub holds names Kubernetes cannot hold and names that convert
// alike, groups with members and properties, and a running named server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { HubProxy, isWrite } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub, uniqueName } from '../support/real-hub.ts';
import { Resources, condition, type CustomObject, type Plural } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const run = promisify(execFile);
const bin = new URL('../../bin/hubops', import.meta.url).pathname;
const prefix = uniqueName('exp');
const users = [
  `${prefix}-ada`,
  `${prefix}-odd@uni.edu`,
  `${prefix}-c+d`,
  `${prefix}-x_y`,
  `${prefix}-x-y`,
];
const groups = [`${prefix}-ml`, `${prefix} staff room`];
let r: Resources;
let proxy: HubProxy;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'export'));
  proxy = await HubProxy.start(env.hubApiUrl);
  await hub.users.createMany(users.slice(1));
  await hub.users.createMany(users.slice(0, 1), { admin: true });
  await hub.groups.create(groups[0] ?? '', { users: users.slice(0, 3) });
  await hub.groups.setProperties(groups[0] ?? '', { course: 'ML', seats: 30 });
  await hub.groups.create(groups[1] ?? '', { users: [] });
  await hub.servers.start(users[0] ?? '', 'lab');
  await until(
    async () => (await hub.users.get(users[0] ?? ''))?.servers?.['lab']?.ready === true,
    20_000,
  );
});
after(async () => {
  await operator?.stop('SIGKILL');
  await hub.servers.stop(users[0] ?? '', 'lab', { remove: true }).catch(() => {});
  for (const group of groups) await hub.groups.delete(group).catch(() => {});
  for (const user of users) await hub.users.delete(user).catch(() => {});
  await proxy.stop();
  await hub.close();
});

async function exported(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(bin, args, {
      env: {
        PATH: process.env['PATH'] ?? '',
        HUB_API_URL: env.hubApiUrl,
        HUB_API_TOKEN: env.hubApiToken,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

test('export, apply, serve: everything adopts and the hub sees no write, also after a resync', async (t) => {
  const started = Date.now();
  const out = await exported(
    'export',
    '--namespace',
    r.namespace,
    '--users',
    '--groups',
    '--servers',
    '--match',
    `^${prefix}`,
  );
  t.diagnostic(
    `export of the test hub took ${Date.now() - started} ms, ${out.stdout.length} bytes`,
  );
  assert.equal(out.code, 0, out.stderr);
  const manifests = parseAllDocuments(out.stdout).map(
    (d) => d.toJS() as CustomObject & { kind: string },
  );
  assert.deepEqual(
    manifests.map((m) => m.kind).sort(),
    [...Array.from({ length: 5 }, () => 'HubUser'), 'HubGroup', 'HubGroup', 'HubServer'].sort(),
  );
  const names = manifests.map((m) => m.metadata.name);
  assert.equal(new Set(names).size, names.length, 'x_y and x-y get two names');
  const plural: Record<string, Plural> = {
    HubUser: 'hubusers',
    HubGroup: 'hubgroups',
    HubServer: 'hubservers',
  };
  for (const m of manifests) await r.create(plural[m.kind] ?? 'hubusers', m.metadata.name, m.spec);
  operator = startOperator(env, {
    HUB_API_URL: proxy.url(),
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '3',
    LEASE_NAME: uniqueName('hubops'),
  });
  await operator.logged('Became the leader');
  for (const m of manifests) {
    const object = await r.settled(plural[m.kind] ?? 'hubusers', m.metadata.name, (o) => {
      const ready = condition(o, 'Ready');
      return ready?.status === 'True' && ready.observedGeneration === o.metadata.generation;
    });
    assert.equal(object.status?.['ownership'], 'Adopted', `${m.kind} ${m.metadata.name}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const writes = proxy.records.filter(isWrite).map((w) => `${w.method} ${w.path}`);
  assert.deepEqual(writes, [], 'hub writes after applying the export');
  t.diagnostic(
    `${manifests.length} objects adopted, ${writes.length} hub writes, ${proxy.records.length} hub requests`,
  );
});

test('a bad flag, a missing namespace, an unreachable hub and a refused token each say so in one line and exit 2', async () => {
  for (const [args, message] of [
    [['export', '--bogus'], /Unknown option '--bogus'/],
    [['export'], /export needs --namespace/],
    [
      ['export', '--namespace', 'x', '--url', 'http://127.0.0.1:1/hub/api'],
      /ECONNREFUSED|unreachable/,
    ],
    [['nonsense'], /unknown command "nonsense"/],
  ] as const) {
    const out = await exported(...args);
    assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.match(out.stderr, message);
    assert.equal(out.stderr.trim().split('\n').length, 1, 'one line');
  }
  const refused = await run(bin, ['export', '--namespace', 'x'], {
    env: { PATH: process.env['PATH'] ?? '', HUB_API_URL: env.hubApiUrl, HUB_API_TOKEN: 'wrong' },
  }).catch((err: { code: number; stderr: string }) => err);
  assert.equal((refused as { code: number }).code, 2);
  assert.match((refused as { stderr: string }).stderr, /403|credentials/);
});

test('--help on the command and on export', async () => {
  assert.match((await exported('--help')).stdout, /Commands:\n {2}export/);
  assert.match((await exported('export', '--help')).stdout, /--selector-labels/);
});
