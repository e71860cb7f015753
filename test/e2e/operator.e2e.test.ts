// The operator as users run it: the image built from the Dockerfile, the chart installed by Helm
// onto a one-node cluster with a real kubelet (make e2e, hack/e2e/node.sh), the pod reading its
// token from z2jh's Secret and serving the hub. The steps build on each other in file order, as
// an operator's life does: install, converge, kill, upgrade, fail over, uninstall.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { imageRecipe } from '../../hack/image/recipe.ts';
import { metricSum } from '../support/resources.ts';

const envFile = process.env['E2E_ENV_FILE'];
if (!envFile) throw new Error('run through `make e2e`: E2E_ENV_FILE names the node it starts');
const env = Object.fromEntries(
  readFileSync(envFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
) as Record<string, string>;
const root = new URL('../..', import.meta.url).pathname;
const namespace = 'jhub';
const release = 'hubops';
const course = 'physics-101';
const figures: string[] = [];

function run(program: string, args: readonly string[], input?: string): string {
  return execFileSync(program, args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: env['KUBECONFIG'] },
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}
const kubectl = (...args: string[]): string => run('kubectl', args);
const kubectlJson = <T>(...args: string[]): T => JSON.parse(kubectl(...args, '-o', 'json')) as T;
const apply = (manifest: string): string => run('kubectl', ['apply', '-f', '-'], manifest);
const helm = (...args: string[]): string => run(env['E2E_HELM'] as string, args);

async function until<T>(
  what: string,
  seconds: number,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${seconds} s${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}
interface Pod {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string; uid: string };
  status: { podIP?: string; phase?: string; conditions?: Condition[] };
}
interface Listed<T> {
  items: T[];
}
interface Resource {
  metadata: { name: string; namespace: string; finalizers?: string[] };
  status?: { conditions?: Condition[] };
}

const readyCondition = (object: { status?: { conditions?: Condition[] } }): Condition | undefined =>
  object.status?.conditions?.find((c) => c.type === 'Ready');
const podsOfRelease = (): Pod[] =>
  kubectlJson<Listed<Pod>>(
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `app.kubernetes.io/instance=${release}`,
  ).items.filter((pod) => !pod.metadata.deletionTimestamp);
const readyPods = (): Pod[] =>
  podsOfRelease().filter((pod) => readyCondition(pod)?.status === 'True');
const leaseHolder = (): string =>
  kubectl('get', 'lease', '-n', namespace, release, '-o', 'jsonpath={.spec.holderIdentity}');

async function hub(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${env['HUB_API_URL']}${path}`, {
    ...init,
    headers: { Authorization: `token ${env['HUB_API_TOKEN']}`, ...(init.headers ?? {}) },
  });
}
interface HubUserModel {
  name: string;
  created: string;
}
async function hubUsers(): Promise<HubUserModel[]> {
  const users: HubUserModel[] = [];
  for (let offset = 0; ; offset += 200) {
    const response = await hub(`/users?limit=200&offset=${offset}`, {
      headers: { Accept: 'application/jupyterhub-pagination+json' },
    });
    const page = (await response.json()) as { items: HubUserModel[] };
    users.push(...page.items);
    if (page.items.length < 200) return users;
  }
}
async function hubUserNames(): Promise<string[]> {
  return (await hubUsers()).map((user) => user.name);
}
/** Each HubUser, HubGroup and HubServer of NS that is not Ready, with its condition, for a failure. */
function notReady(ns: string): string {
  return ['hubusers', 'hubgroups', 'hubservers']
    .flatMap((kind) =>
      kubectlJson<Listed<Resource>>('get', kind, '-n', ns)
        .items.filter((item) => readyCondition(item)?.status !== 'True')
        .map(
          (item) =>
            `${kind}/${item.metadata.name}: ${JSON.stringify(readyCondition(item) ?? 'no Ready condition')}`,
        ),
    )
    .join('; ');
}
/** The warning and error lines of every operator pod's log, for a failure. */
function operatorWarnings(): string {
  return podsOfRelease()
    .flatMap((pod) =>
      kubectl('logs', '-n', namespace, pod.metadata.name)
        .split('\n')
        .filter((line) => /"level":"(warn|error)"/.test(line))
        .slice(-20)
        .map((line) => `${pod.metadata.name}: ${line}`),
    )
    .join('\n');
}
const allReady = (kind: string, ns: string): boolean => {
  const items = kubectlJson<Listed<Resource>>('get', kind, '-n', ns).items;
  return items.length > 0 && items.every((item) => readyCondition(item)?.status === 'True');
};

/** `helm upgrade` of the release, keeping its values and setting one more. */
function upgrade(setting: string): void {
  helm(
    'upgrade',
    release,
    join(root, 'charts/hubops'),
    '-n',
    namespace,
    '--reuse-values',
    '--set',
    setting,
  );
}

/** Creates a HubUser in the course namespace and waits until the operator has it Ready. */
async function createReadyUser(name: string, seconds: number): Promise<void> {
  apply(`apiVersion: hubops.io/v1alpha1
kind: HubUser
metadata: { name: ${name}, namespace: ${course} }
spec: {}
`);
  await until(
    `HubUser ${name} Ready`,
    seconds,
    () =>
      readyCondition(kubectlJson<Resource>('get', 'hubuser', '-n', course, name))?.status ===
      'True',
  );
}

after(() => {
  console.log(`\ne2e figures:\n${figures.map((line) => `  ${line}`).join('\n')}`);
});

test('the chart installs with its defaults and a z2jh token Secret, and the pod becomes Ready through its readiness probe', async () => {
  kubectl('create', 'namespace', namespace);
  // z2jh keeps service tokens in its Secret `hub`, one key per service.
  kubectl(
    'create',
    'secret',
    'generic',
    'hub',
    '-n',
    namespace,
    `--from-literal=hub.services.hubops.apiToken=${env['HUB_API_TOKEN']}`,
    `--from-literal=hub.config.JupyterHub.cookie_secret=${'0'.repeat(64)}`,
  );
  const started = Date.now();
  helm(
    'install',
    release,
    join(root, 'charts/hubops'),
    '-n',
    namespace,
    '--set',
    `hub.apiUrl=${env['HUB_API_URL']}`,
    '--set-json',
    `tenancy.allowedNamespaces=["${namespace}","${course}"]`,
    '--set-json',
    `tenancy.adminNamespaces=["${course}"]`,
  );
  const [pod] = await until('a Ready operator pod', 180, () => {
    const ready = readyPods();
    return ready.length === 1 ? ready : undefined;
  });
  const ready = readyCondition(pod as Pod)?.lastTransitionTime as string;
  figures.push(
    `helm install to pod Ready: ${((Date.now() - started) / 1000).toFixed(1)} s; pod created to Ready ${((Date.parse(ready) - Date.parse((pod as Pod).metadata.creationTimestamp)) / 1000).toFixed(0)} s`,
  );
  assert.equal(leaseHolder(), (pod as Pod).metadata.name, 'the only pod leads');
});

test('the running image is the Dockerfile runtime stage: entrypoint, command, user, working directory, environment and files', () => {
  const recipe = imageRecipe(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const [pod] = readyPods();
  const inside = JSON.parse(
    kubectl(
      'exec',
      '-n',
      namespace,
      (pod as Pod).metadata.name,
      '--',
      '/nodejs/bin/node',
      '-e',
      `const fs = require('node:fs');
       const one = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').filter(Boolean);
       const environ = Object.fromEntries(fs.readFileSync('/proc/1/environ', 'utf8').split('\\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
       const status = Object.fromEntries(fs.readFileSync('/proc/1/status', 'utf8').split('\\n').filter(Boolean).map((l) => l.split(/:\\s+/)));
       let rootWrite = 'written';
       try { fs.writeFileSync('/app/probe', 'x'); } catch (e) { rootWrite = e.code; }
       let tmpWrite = 'written';
       try { fs.writeFileSync('/tmp/probe', 'x'); fs.rmSync('/tmp/probe'); } catch (e) { tmpWrite = e.code; }
       const onPath = (process.env.PATH || '').split(':').map((dir) => dir + '/hubops').filter((file) => fs.existsSync(file));
       const command = onPath.map((file) => ({ file, mode: (fs.statSync(file).mode & 0o777).toString(8), first: fs.readFileSync(file, 'utf8').split('\\n')[0] }));
       const app = fs.readdirSync('/app').sort();
       const dist = fs.readdirSync('/app/dist').sort();
       const pkg = fs.readFileSync('/app/package.json', 'utf8');
       console.log(JSON.stringify({ one, environ, status, cwd: fs.readlinkSync('/proc/1/cwd'), uid: process.getuid(), gid: process.getgid(), rootWrite, tmpWrite, command, app, dist, pkg }));`,
    ),
  ) as {
    one: string[];
    environ: Record<string, string>;
    status: Record<string, string>;
    cwd: string;
    uid: number;
    gid: number;
    rootWrite: string;
    tmpWrite: string;
    command: { file: string; mode: string; first: string }[];
    app: string[];
    dist: string[];
    pkg: string;
  };
  assert.deepEqual(
    inside.one,
    [...recipe.entrypoint, ...recipe.cmd],
    'PID 1 runs ENTRYPOINT + CMD',
  );
  assert.equal(inside.cwd, recipe.workdir);
  for (const [key, value] of Object.entries(recipe.env)) {
    assert.equal(inside.environ[key], value, `ENV ${key}`);
  }
  assert.equal(`${inside.uid}:${inside.gid}`, recipe.user, 'USER, and the chart runs it unchanged');
  assert.equal(inside.rootWrite, 'EROFS', 'the root filesystem is read-only');
  assert.equal(inside.tmpWrite, 'written', '/tmp (the compile cache) is writable');
  assert.equal(inside.status['CapEff'], '0000000000000000', 'no capabilities');
  assert.equal(inside.status['NoNewPrivs'], '1');
  assert.equal(inside.status['Seccomp'], '2', 'a seccomp filter (RuntimeDefault)');
  // The files: the command line on PATH as the Dockerfile puts it, the bundle, the package.json
  // that makes it an ES module, and no node_modules (the bundle carries its dependencies).
  assert.deepEqual(
    inside.command,
    [{ file: '/usr/local/bin/hubops', mode: '755', first: '#!/nodejs/bin/node' }],
    'one hubops on PATH, executable, run by the image’s node',
  );
  assert.deepEqual(inside.app, ['dist', 'package.json']);
  assert.ok(
    inside.dist.includes('main.js') && inside.dist.includes('hubops.mjs'),
    inside.dist.join(),
  );
  assert.equal(
    inside.pkg,
    readFileSync(join(root, 'package.json'), 'utf8'),
    "the checkout's package.json",
  );
  const usage = kubectl(
    'exec',
    '-n',
    namespace,
    (pod as Pod).metadata.name,
    '--',
    'hubops',
    '--help',
  );
  assert.match(usage, /^Usage: hubops <command>/, 'the command runs by its name alone');
  const node = JSON.parse(
    kubectl('get', 'pod', '-n', namespace, (pod as Pod).metadata.name, '-o', 'json'),
  ) as {
    spec: { containers: { image: string }[] };
  };
  assert.equal(node.spec.containers[0]?.image, env['E2E_OPERATOR_IMAGE']);
  const archive = statSync(env['E2E_OPERATOR_ARCHIVE'] as string).size;
  figures.push(`image archive (one gzip layer): ${(archive / 1e6).toFixed(1)} MB`);
});

test('the examples converge through the operator in the pod', async () => {
  const started = Date.now();
  kubectl('apply', '-f', join(root, 'deploy/examples'));
  await until('every example Ready', 120, () =>
    ['hubusers', 'hubgroups', 'hubservers'].every((kind) => allReady(kind, course)),
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; not Ready: ${notReady(course)}`);
  });
  figures.push(
    `deploy/examples Ready from the pod: ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const names = await hubUserNames();
  for (const name of ['ada@example.org', 'grace'])
    assert.ok(names.includes(name), `${name} in the hub`);
});

test('the log is JSON lines, through kubectl logs and in the kubelet pod-log folder', () => {
  const [pod] = readyPods();
  const lines = kubectl('logs', '-n', namespace, (pod as Pod).metadata.name)
    .trim()
    .split('\n');
  assert.ok(lines.length >= 3, `${lines.length} lines`);
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  const folder = readdirSync(env['E2E_POD_LOGS'] as string).find((name) =>
    name.includes((pod as Pod).metadata.uid),
  );
  assert.ok(folder, 'the kubelet keeps the pod log');
  const onDisk = readFileSync(
    join(env['E2E_POD_LOGS'] as string, folder, 'operator', '0.log'),
    'utf8',
  );
  // CRI log format: time stream tag message.
  for (const line of onDisk.trim().split('\n')) {
    const message = line.split(' ').slice(3).join(' ');
    assert.doesNotThrow(() => JSON.parse(message), message);
  }
  assert.ok(!onDisk.includes(env['HUB_API_TOKEN'] as string), 'the hub token is never logged');
});

test('/metrics is served on the pod address', async () => {
  const [pod] = readyPods();
  const response = await fetch(`http://${(pod as Pod).status.podIP}:8080/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.match(text, /^hubops_leader 1$/m);
  assert.match(text, /^hubops_hub_up\{[^}]*\} 1$/m);
});

test("the pod's rights are the chart's and nothing more: a Secret outside its grant is refused, and the log shows it", async () => {
  const account = `system:serviceaccount:${namespace}:${release}`;
  const can = (...args: string[]): string => {
    try {
      return kubectl('auth', 'can-i', '--as', account, ...args).trim();
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? '').trim();
    }
  };
  assert.equal(can('list', 'secrets', '-A'), 'no');
  assert.equal(can('create', 'pods', '-n', namespace), 'no');
  assert.equal(can('get', 'secrets/hub', '-n', namespace), 'yes');
  assert.equal(can('get', 'secrets/course-hub', '-n', course), 'no');
  kubectl('create', 'secret', 'generic', 'course-hub', '-n', course, '--from-literal=token=x');
  apply(`apiVersion: hubops.io/v1alpha1
kind: Hub
metadata: { name: course-hub, namespace: ${course} }
spec:
  url: ${env['HUB_API_URL']}
  tokenSecretRef: { name: course-hub }
`);
  const condition = await until('the Hub refused its Secret', 60, () => {
    const hubObject = kubectlJson<Resource>('get', 'hub', '-n', course, 'course-hub');
    const ready = readyCondition(hubObject);
    return ready?.status === 'False' && /forbidden|403/i.test(ready.message ?? '')
      ? ready
      : undefined;
  });
  assert.match(condition.message ?? '', /course-hub/);
  const [pod] = readyPods();
  const log = kubectl('logs', '-n', namespace, (pod as Pod).metadata.name);
  const refused = log
    .split('\n')
    .find((line) => /course-hub/.test(line) && /forbidden|403/i.test(line));
  assert.ok(refused, 'the refused call is in the log');
  figures.push(`refused call in the log: ${refused.slice(0, 240)}`);
  kubectl('delete', 'hub', '-n', course, 'course-hub');
});

test('the pod killed mid-sync is replaced by the Deployment, which converges with each hub user created once', async () => {
  const users = Array.from({ length: 150 }, (_, i) => `e2e-${String(i).padStart(3, '0')}`);
  // The hub stamps a user at creation: a user deleted and created again gets a later stamp, so
  // the first stamp seen of each, kept while the pods change hands, tells any re-creation.
  const firstSeen = new Map<string, string>();
  const watchHub = async (): Promise<void> => {
    for (const user of await hubUsers())
      if (user.name.startsWith('e2e-') && !firstSeen.has(user.name))
        firstSeen.set(user.name, user.created);
  };
  apply(
    users
      .map(
        (name) => `apiVersion: hubops.io/v1alpha1
kind: HubUser
metadata: { name: ${name}, namespace: ${course} }
spec: {}
`,
      )
      .join('---\n'),
  );
  const [victim] = readyPods();
  await until('the sync under way', 30, async () => {
    await watchHub();
    return firstSeen.size > 0;
  });
  const started = Date.now();
  kubectl(
    'delete',
    'pod',
    '-n',
    namespace,
    (victim as Pod).metadata.name,
    '--grace-period=0',
    '--force',
    '--wait=false',
  );
  await watchHub();
  const beforeKill = firstSeen.size;
  const [replacement] = await until('a new Ready pod', 120, async () => {
    await watchHub();
    const fresh = readyPods().filter((pod) => pod.metadata.name !== (victim as Pod).metadata.name);
    return fresh.length > 0 ? fresh : undefined;
  });
  await until('every HubUser Ready', 180, async () => {
    await watchHub();
    return allReady('hubusers', course);
  }).catch((err: unknown) => {
    throw new Error(
      `${(err as Error).message}; not Ready: ${notReady(course)}; lease held by ${leaseHolder()}; pods: ${podsOfRelease()
        .map((pod) => `${pod.metadata.name} ${pod.status.phase ?? ''}`)
        .join(', ')}; the new pod's warnings: ${operatorWarnings()}`,
    );
  });
  figures.push(
    `killed mid-sync (${beforeKill} of ${users.length} users in the hub) to all ${users.length + 3} HubUsers Ready: ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const final = await hubUsers();
  const created = new Map(final.map((user) => [user.name, user.created]));
  const hubUserObjects = kubectlJson<Listed<Resource & { status?: { username?: string } }>>(
    'get',
    'hubusers',
    '-n',
    course,
  ).items;
  for (const object of hubUserObjects) {
    const name = object.status?.username ?? object.metadata.name;
    assert.ok(created.has(name), `HubUser ${object.metadata.name}: ${name} in the hub`);
  }
  assert.deepEqual(
    final
      .filter((user) => user.name.startsWith('e2e-'))
      .map((user) => user.name)
      .sort(),
    users,
    'one hub user per HubUser, none more',
  );
  for (const [name, stamp] of firstSeen) assert.match(stamp, /^\d{4}-\d\d-\d\dT/, name);
  assert.deepEqual(
    [...firstSeen].filter(([name, stamp]) => created.get(name) !== stamp),
    [],
    'no hub user deleted and created again',
  );
  const text = await (
    await fetch(`http://${(replacement as Pod).status.podIP}:8080/metrics`)
  ).text();
  assert.match(text, /^hubops_hub_requests_total\{/m, 'the new pod counts its hub requests');
  assert.equal(
    metricSum(text, 'hubops_hub_requests_total', ['method="DELETE"', 'route="/users/{name}"']),
    0,
    'the new pod deleted no hub user',
  );
});

test('helm upgrade to a changed value rolls out a new pod that keeps working', async () => {
  const before = readyPods().map((pod) => pod.metadata.name);
  upgrade('logLevel=debug');
  await until('the rollout', 120, () => {
    const ready = readyPods();
    return ready.length === 1 && !before.includes(ready[0]?.metadata.name as string);
  });
  await createReadyUser('after-upgrade', 60);
  assert.ok((await hubUserNames()).includes('after-upgrade'));
});

test('two replicas: one leader and one standby, and deleting the leader hands over', async () => {
  upgrade('replicaCount=2');
  const pods = await until('two pods, one Ready leader', 180, () => {
    const all = podsOfRelease();
    return all.length === 2 && all.every((pod) => pod.status.phase === 'Running') ? all : undefined;
  });
  const leader = await until('a leader', 60, () => {
    const holder = leaseHolder();
    return pods.some((pod) => pod.metadata.name === holder) ? holder : undefined;
  });
  const leaderMetric = async (pod: Pod): Promise<string | undefined> =>
    /^hubops_leader (\d)$/m.exec(
      await (await fetch(`http://${pod.status.podIP}:8080/metrics`)).text(),
    )?.[1];
  const states = await Promise.all(
    pods.map(async (pod) => [pod.metadata.name, await leaderMetric(pod)]),
  );
  assert.deepEqual(
    states.map(([, value]) => value).sort(),
    ['0', '1'],
    `one leader: ${JSON.stringify(states)}`,
  );
  const started = Date.now();
  kubectl('delete', 'pod', '-n', namespace, leader, '--wait=false');
  const next = await until('the standby takes the lease', 120, () => {
    const holder = leaseHolder();
    return holder && holder !== leader ? holder : undefined;
  });
  figures.push(
    `failover (leader pod deleted to lease held by ${next}): ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  await createReadyUser('after-failover', 90);
});

test('helm uninstall after the resources are deleted leaves no finalizer behind', async () => {
  kubectl(
    'delete',
    '-f',
    join(root, 'deploy/examples/30-servers.yaml'),
    '--wait=true',
    '--timeout=120s',
  );
  kubectl('delete', 'hubgroups,hubusers', '--all', '-n', course, '--wait=true', '--timeout=180s');
  helm('uninstall', release, '-n', namespace, '--wait');
  await until('the operator pods gone', 120, () => podsOfRelease().length === 0);
  for (const kind of ['hubusers', 'hubgroups', 'hubservers', 'hubs', 'hubtokens']) {
    const left = kubectlJson<Listed<Resource>>('get', kind, '-A').items.filter(
      (item) => (item.metadata.finalizers ?? []).length > 0,
    );
    assert.deepEqual(
      left.map((item) => `${item.metadata.namespace}/${item.metadata.name}`),
      [],
      kind,
    );
  }
  kubectl('delete', 'namespace', course, '--wait=true', '--timeout=60s');
});
