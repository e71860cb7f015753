// GitOps health of hubops resources, judged on real objects the operator wrote: Argo CD's check
// (deploy/argocd/health.lua, run by Debian's Lua 5.1 as Argo's gopher-lua would run it, with
// `obj` set) and kstatus (sigs.k8s.io/cli-utils, what Flux's health checks use), for a resource
// Ready, one refused, one waiting for its user, one paused and one the operator never saw; and
// what `kubectl describe` shows of each kind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { reasons } from '../../src/controllers/runtime/reasons.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { Resources, condition, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const root = new URL('../../', import.meta.url).pathname;
const healthScript = join(root, 'deploy/argocd/health.lua');
const lua = execFileSync(join(root, 'hack/lua.sh'), { encoding: 'utf8' }).trim();
const kstatus = execFileSync(join(root, 'hack/kstatus.sh'), { encoding: 'utf8' }).trim();
const tag = randomBytes(3).toString('hex');
const n = (name: string): string => `${name}-${tag}`;
let watched: Resources;
let unwatched: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  watched = new Resources(kc, await freshNamespace(kc, 'gitops'));
  unwatched = new Resources(kc, await freshNamespace(kc, 'gitops-unwatched'));
  operator = startOperator(env, {
    WATCH_NAMESPACE: watched.namespace,
    LEASE_NAME: n('hubops-gitops'),
    ALLOWED_NAMESPACES: watched.namespace,
    ADMIN_NAMESPACES: 'nobody',
  });
  await operator.logged('Became the leader');
  await watched.create('hubusers', n('ready'), {});
  await watched.create('hubusers', n('admin'), { admin: true });
  await watched.create('hubservers', n('waiting'), { username: n('nobody') });
  await watched.create(
    'hubusers',
    n('paused'),
    {},
    { annotations: { 'hubops.io/paused': 'true' } },
  );
  await unwatched.create('hubusers', n('unseen'), {});
  await until(
    async () =>
      (
        await Promise.all([
          watched.get('hubusers', n('ready')),
          watched.get('hubusers', n('admin')),
          watched.get('hubservers', n('waiting')),
          watched.get('hubusers', n('paused')),
        ])
      ).every((object) => object && condition(object, 'Ready')),
    30_000,
    'every watched object judged',
  );
});
after(async () => {
  await operator.stop('SIGKILL');
});

/** A JSON value as a Lua 5.1 table constructor. */
function luaValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaValue).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, field]) => `[${JSON.stringify(key)}] = ${luaValue(field)}`)
    .join(', ')}}`;
}

function argoHealth(object: CustomObject): { status: string; message: string } {
  const program = `obj = ${luaValue(object)}
local hs = assert(loadfile(${JSON.stringify(healthScript)}))()
io.write(hs.status, "\\n", hs.message or "")`;
  const [status = '', message = ''] = execFileSync(lua, ['-e', program], {
    encoding: 'utf8',
  }).split('\n');
  return { status, message };
}

function kstatusOf(objects: CustomObject[]): { status: string; message: string }[] {
  return JSON.parse(
    execFileSync(kstatus, { input: JSON.stringify(objects), encoding: 'utf8' }),
  ) as {
    status: string;
    message: string;
  }[];
}

async function objects(): Promise<Record<string, CustomObject>> {
  const get = async (r: Resources, plural: 'hubusers' | 'hubservers', name: string) =>
    (await r.get(plural, name)) as CustomObject;
  return {
    ready: await get(watched, 'hubusers', n('ready')),
    refused: await get(watched, 'hubusers', n('admin')),
    waiting: await get(watched, 'hubservers', n('waiting')),
    paused: await get(watched, 'hubusers', n('paused')),
    unseen: await get(unwatched, 'hubusers', n('unseen')),
  };
}

test("Argo CD's health check reads real objects: Healthy, Degraded with the operator's words, Progressing, Suspended", async () => {
  const found = await objects();
  const health = Object.fromEntries(
    Object.entries(found).map(([name, object]) => [name, argoHealth(object)]),
  );
  assert.deepEqual(health['ready'], {
    status: 'Healthy',
    message: `Created: hub user ${n('ready')} is as the spec says`,
  });
  assert.equal(health['refused']?.status, 'Degraded');
  assert.match(health['refused']?.message ?? '', /^AdminNotAllowed: /);
  assert.equal(health['waiting']?.status, 'Progressing');
  assert.match(health['waiting']?.message ?? '', /^UserMissing: /);
  assert.equal(health['paused']?.status, 'Suspended');
  assert.deepEqual(health['unseen'], {
    status: 'Progressing',
    message: 'Waiting for the operator',
  });
});

test('a spec change is Progressing until the operator has reconciled the new generation', () => {
  const object = {
    metadata: { name: 'x', generation: 3 },
    status: {
      observedGeneration: 2,
      conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', message: 'ok' }],
    },
  } as unknown as CustomObject;
  assert.deepEqual(argoHealth(object), {
    status: 'Progressing',
    message: 'Waiting for the operator to reconcile generation 3',
  });
});

test("kstatus (Flux's health checks) calls a Ready resource Current and the judged others InProgress, with the operator's message", async () => {
  const found = await objects();
  const names = Object.keys(found);
  const computed = kstatusOf(Object.values(found));
  const byName = Object.fromEntries(names.map((name, i) => [name, computed[i]]));
  assert.equal(byName['ready']?.status, 'Current');
  for (const name of ['refused', 'waiting']) assert.equal(byName[name]?.status, 'InProgress', name);
  assert.equal(
    byName['refused']?.message,
    condition(found['refused'] as CustomObject, 'Ready')?.message,
  );
  // kstatus's rule for an object without status: nothing to wait for. README gives Flux's
  // healthCheckExprs, which wait for Ready instead.
  assert.equal(byName['unseen']?.status, 'Current');
});

test('argocd-cm.yaml registers the same script for every kind, and the script names only known reasons', () => {
  const script = readFileSync(healthScript, 'utf8');
  const configMap = parse(readFileSync(join(root, 'deploy/argocd/argocd-cm.yaml'), 'utf8')) as {
    data: Record<string, string>;
  };
  const keys = Object.keys(configMap.data).sort();
  assert.deepEqual(
    keys,
    ['Hub', 'HubGroup', 'HubServer', 'HubToken', 'HubUser'].map(
      (kind) => `resource.customizations.health.hubops.io_${kind}`,
    ),
  );
  for (const key of keys) assert.equal(configMap.data[key], script, key);
  const passing = /local passing = \{([^}]*)\}/.exec(script)?.[1] ?? '';
  const listed = [...passing.matchAll(/(\w+) = true/g)].map((match) => match[1] as string);
  assert.ok(listed.length > 5);
  for (const reason of listed)
    assert.ok(reason in reasons, `${reason} is a reason the operator writes`);
});

test('kubectl describe of a refused resource reads well: spec, conditions with the reason, the hub facts and the Event, nothing noisy', () => {
  const described = execFileSync(
    'kubectl',
    ['describe', 'hubuser', '-n', watched.namespace, n('admin')],
    {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: env.kubeconfig },
    },
  );
  const lines = described.trimEnd().split('\n');
  assert.ok(lines.length <= 45, `${lines.length} lines:\n${described}`);
  for (const expected of [
    /^Spec:\n {2}Admin: +true$/m,
    /^ {4}Reason: +AdminNotAllowed$/m,
    /^ {4}Type: +Ready$/m,
    /^ {2}Username: +admin-/m,
    /^ {2}Warning +AdminNotAllowed +\S+ +hubops\.io\/operator +namespace \S+ may not grant admin/m,
  ])
    assert.match(described, expected);
  assert.doesNotMatch(described, /Managed Fields|f:status|last-applied-configuration/);
});

/** `kubectl describe` of one object in the watched namespace, as a person would run it. */
function describe(kind: string, name: string): string {
  return execFileSync('kubectl', ['describe', kind, '-n', watched.namespace, name], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: env.kubeconfig },
  });
}

test('kubectl describe of a HubGroup, a HubServer, a Hub and a HubToken reads well: conditions with their reasons, the facts, the Events, and no token anywhere', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const hub2Url = env.hub2ApiUrl ?? '';
  const hub2Token = env.hub2ApiToken ?? '';
  assert.ok(hub2Url && hub2Token, 'the test environment has a second hub');
  await core.createNamespacedSecret({
    namespace: watched.namespace,
    body: { metadata: { name: n('second-token') }, stringData: { token: hub2Token } },
  });
  await watched.create('hubs', n('second'), {
    url: hub2Url,
    tokenSecretRef: { name: n('second-token') },
  });
  await watched.create('hubgroups', n('group'), { members: [n('ready')] });
  await watched.create('hubtokens', n('token'), { username: n('ready'), note: 'describe' });
  const ready = (o: CustomObject): boolean => condition(o, 'Ready')?.status === 'True';
  await watched.settled(
    'hubs',
    n('second'),
    (o) => ready(o) && typeof o.status?.['users'] === 'number',
    30_000,
  );
  await watched.settled('hubgroups', n('group'), ready);
  await watched.settled('hubtokens', n('token'), ready);
  const secret = await core.readNamespacedSecret({
    namespace: watched.namespace,
    name: n('token'),
  });
  const issued = Buffer.from(secret.data?.['token'] ?? '', 'base64').toString('utf8');
  assert.ok(issued.length > 10, 'the HubToken wrote its token');
  const tokenId = (await watched.get('hubtokens', n('token')))?.status?.['tokenId'] as string;
  const expected: [kind: string, name: string, lines: RegExp[]][] = [
    [
      'hubgroup',
      n('group'),
      [
        /^ {4}Reason: +Created$/m,
        new RegExp(`^ {4}Message: +hub group ${n('group')} has 1 members as declared$`, 'm'),
        /^ {2}Members Pending: +0$/m,
        new RegExp(
          `^ {2}Normal +Created +\\S+ +hubops\\.io/operator +created hub group ${n('group')} with ${n('ready')}$`,
          'm',
        ),
      ],
    ],
    [
      'hubserver',
      n('waiting'),
      [
        /^ {4}Reason: +UserMissing$/m,
        /^ {4}Status: +False$/m,
        new RegExp(`^ {4}Message: +hub user ${n('nobody')} does not exist; waiting for it$`, 'm'),
        /^ {2}Phase: +Pending$/m,
      ],
    ],
    [
      'hub',
      n('second'),
      [
        /^ {4}Reason: +Connected$/m,
        new RegExp(
          `^ {4}Message: +JupyterHub ${env.hubVersion.replaceAll('.', '\\.')} accepts the token$`,
          'm',
        ),
        /^ {2}Token Owner: +service hubops$/m,
        new RegExp(`^ {2}Version: +${env.hubVersion.replaceAll('.', '\\.')}$`, 'm'),
        /^ {2}Normal +Serving +/m,
      ],
    ],
    [
      'hubtoken',
      n('token'),
      [
        /^ {4}Reason: +Issued$/m,
        new RegExp(`^ {4}Message: +Secret ${n('token')} holds token ${tokenId}$`, 'm'),
        new RegExp(`^ {2}Token Id: +${tokenId}$`, 'm'),
        /^ {2}Issued At: +\d{4}-/m,
        new RegExp(
          `^ {2}Normal +TokenIssued +\\S+ +hubops\\.io/operator +issued the first token: ${tokenId} in Secret ${n('token')}$`,
          'm',
        ),
      ],
    ],
  ];
  for (const [kind, name, lines] of expected) {
    let described = '';
    // Events are written after the status: give them a moment to show.
    await until(
      () => {
        described = describe(kind, name);
        return lines.every((line) => line.test(described));
      },
      10_000,
      `kubectl describe ${kind}`,
    ).catch(() => undefined);
    for (const line of lines) assert.match(described, line, `${kind}:\n${described}`);
    assert.match(described, /^ {4}Type: +Ready$/m, kind);
    assert.match(described, /^ {4}Type: +Synced$/m, kind);
    assert.ok(described.split('\n').length <= 75, `${kind}: short enough to read:\n${described}`);
    assert.doesNotMatch(described, /Managed Fields|f:status|last-applied-configuration/, kind);
    for (const [what, value] of [
      ['the issued token', issued],
      ['the second hub’s token', hub2Token],
      ['the operator’s hub token', env.hubApiToken],
    ] as const)
      assert.ok(!described.includes(value), `${what} is in kubectl describe ${kind}`);
  }
  // Deleting revokes the token in the hub rather than leaving it to the shared test hub.
  await watched.delete('hubtokens', n('token'));
  await watched.gone('hubtokens', n('token'));
});
