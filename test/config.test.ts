import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, type Environment } from '../src/config.ts';

const token = { HUB_API_TOKEN: 'secret' };
const noFiles = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};
const load = (env: Environment, files: Record<string, string> = {}) =>
  loadConfig(env, (path) => files[path] ?? noFiles(path));

test('defaults follow the contract', () => {
  const config = load(token);
  assert.equal(config.hubApiUrl, 'http://hub:8081/hub/api');
  assert.equal(config.watchNamespace, '');
  assert.equal(config.resyncSeconds, 300);
  assert.equal(config.leaderElection, true);
  assert.equal(config.metricsPort, 8080);
  assert.equal(config.healthPort, 8081);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.kubeconfig, undefined);
  assert.equal(config.listenAddress, '0.0.0.0', 'in a cluster the probes come from the node');
  assert.equal(config.podNamespace, 'default');
  assert.ok(Object.isFrozen(config));
});

test('reads every setting from the environment', () => {
  const config = load({
    ...token,
    KUBECONFIG: '/k/config',
    HUB_API_URL: 'https://hub.example.org/base/hub/api',
    WATCH_NAMESPACE: 'class-a',
    RESYNC_SECONDS: '60',
    LEADER_ELECTION: 'false',
    METRICS_PORT: '9000',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'debug',
    POD_NAMESPACE: 'hubops-system',
    POD_NAME: 'hubops-0',
  });
  assert.deepEqual(
    [
      config.kubeconfig,
      config.hubApiUrl,
      config.watchNamespace,
      config.resyncSeconds,
      config.leaderElection,
    ],
    ['/k/config', 'https://hub.example.org/base/hub/api', 'class-a', 60, false],
  );
  assert.deepEqual(
    [config.metricsPort, config.healthPort, config.logLevel, config.podNamespace, config.podName],
    [9000, 0, 'debug', 'hubops-system', 'hubops-0'],
  );
  assert.equal(
    config.listenAddress,
    '127.0.0.1',
    'outside a cluster nothing listens beyond loopback',
  );
});

test('the token can come from a file, trimmed', () => {
  assert.equal(
    load({ HUB_API_TOKEN_FILE: '/t' }, { '/t': 'from-file\n' }).hubApiToken,
    'from-file',
  );
});

test('the lease namespace falls back to the service account namespace', () => {
  const files = { '/var/run/secrets/kubernetes.io/serviceaccount/namespace': 'jhub\n' };
  assert.equal(load(token, files).podNamespace, 'jhub');
});

const bad: [env: Environment, setting: string, problem: RegExp][] = [
  [{}, 'HUB_API_TOKEN', /missing/],
  [{ HUB_API_TOKEN: '  ' }, 'HUB_API_TOKEN', /missing/],
  [{ ...token, HUB_API_TOKEN_FILE: '/t' }, 'HUB_API_TOKEN', /not both/],
  [{ HUB_API_TOKEN_FILE: '/absent' }, 'HUB_API_TOKEN_FILE', /cannot read \/absent: ENOENT/],
  [{ ...token, HUB_API_URL: 'ftp://hub/api' }, 'HUB_API_URL', /got "ftp:\/\/hub\/api"/],
  [{ ...token, RESYNC_SECONDS: '0' }, 'RESYNC_SECONDS', /got "0"/],
  [{ ...token, RESYNC_SECONDS: 'often' }, 'RESYNC_SECONDS', /often/],
  [{ ...token, LEADER_ELECTION: 'maybe' }, 'LEADER_ELECTION', /maybe/],
  [{ ...token, METRICS_PORT: '70000' }, 'METRICS_PORT', /70000/],
  [{ ...token, LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /loud/],
  [
    { ...token, LEASE_RENEW_DEADLINE_SECONDS: '20' },
    'LEASE_RENEW_DEADLINE_SECONDS',
    /shorter than LEASE_DURATION_SECONDS/,
  ],
];

for (const [env, setting, problem] of bad) {
  test(`${JSON.stringify(env)} is refused, naming ${setting}`, () => {
    assert.throws(
      () => load(env, { '/t': 'x' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.setting === setting &&
        err.message.startsWith(`${setting}: `) &&
        problem.test(err.message),
    );
  });
}

test('the token never appears in an error message', () => {
  assert.throws(
    () => load({ HUB_API_TOKEN: 'super-secret-token', RESYNC_SECONDS: 'x' }),
    (err: unknown) => !String(err).includes('super-secret'),
  );
});

test('the namespaces of the settings hub: unset admits every namespace, a list only those', () => {
  const unset = load(token);
  assert.deepEqual(
    [unset.allowedNamespaces, unset.adminNamespaces, unset.adoptionNamespaces],
    [undefined, undefined, undefined],
  );
  const set = load({
    ...token,
    ALLOWED_NAMESPACES: ' jhub, course-a ,course-b',
    ADMIN_NAMESPACES: 'jhub',
    ADOPTION_NAMESPACES: '*',
  });
  assert.deepEqual(set.allowedNamespaces, ['jhub', 'course-a', 'course-b']);
  assert.deepEqual(set.adminNamespaces, ['jhub']);
  assert.deepEqual(set.adoptionNamespaces, ['*']);
});

test('a namespace list with something that is not a namespace name stops the start', () => {
  for (const [variable, value] of [
    ['ALLOWED_NAMESPACES', 'Course-A'],
    ['ADMIN_NAMESPACES', 'jhub,team/b'],
    ['ADOPTION_NAMESPACES', 'a*'],
  ] as const) {
    assert.throws(
      () => load({ ...token, [variable]: value }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.setting === variable &&
        /namespace name or \*/.test(err.message),
      `${variable}=${value}`,
    );
  }
});

test('DEFAULT_HUB names a Hub as namespace/name, or nothing', () => {
  assert.equal(load(token).defaultHub, undefined);
  assert.equal(load({ ...token, DEFAULT_HUB: 'jhub/jupyterhub' }).defaultHub, 'jhub/jupyterhub');
  assert.throws(
    () => load({ ...token, DEFAULT_HUB: 'jupyterhub' }),
    (err: unknown) => err instanceof ConfigError && err.setting === 'DEFAULT_HUB',
  );
});
