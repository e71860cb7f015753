import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inClusterTarget, kubeconfigTarget } from '../../src/kube/kube-target.ts';
import { KubeConfigError } from '../../src/kube/kube-errors.ts';
import { microTime } from '../../src/kube/micro-time.ts';
import { ManualClock } from '../support/manual-clock.ts';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

function kubeconfig(user: string, cluster = 'server: https://10.0.0.1:6443/'): string {
  return `apiVersion: v1
kind: Config
current-context: b
contexts:
- name: a
  context: {cluster: other, user: other}
- name: b
  context: {cluster: c, user: u}
clusters:
- name: other
  cluster: {server: https://wrong:1}
- name: c
  cluster:
    ${cluster}
users:
- name: other
  user: {token: wrong}
- name: u
  user:
    ${user}
`;
}

function files(entries: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = entries[path];
    if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return text;
  };
}

test('the current context picks the cluster and user, inline data is decoded', () => {
  const read = files({
    '/k/config': kubeconfig(
      `{client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')}}`,
      `{server: "https://10.0.0.1:6443/", certificate-authority-data: ${b64('CA')}, tls-server-name: api}`,
    ),
  });
  const target = kubeconfigTarget('/k/config', new ManualClock('manual', 0), { read });
  assert.equal(target.server, 'https://10.0.0.1:6443');
  assert.deepEqual([target.ca, target.cert, target.key], ['CA', 'CERT', 'KEY']);
  assert.equal(target.tlsServerName, 'api');
  assert.equal(target.insecureSkipTlsVerify, false);
  assert.equal(target.authorization(), undefined);
});

test('file references are read relative to the kubeconfig', () => {
  const read = files({
    '/k/config': kubeconfig(
      '{token: t0k3n}',
      '{server: "https://h:1", certificate-authority: pki/ca.crt, insecure-skip-tls-verify: true}',
    ),
    '/k/pki/ca.crt': 'CA FROM FILE',
  });
  const target = kubeconfigTarget('/k/config', new ManualClock('manual', 0), { read });
  assert.equal(target.ca, 'CA FROM FILE');
  assert.equal(target.insecureSkipTlsVerify, true);
  assert.equal(target.authorization(), 'Bearer t0k3n');
});

test('a token file is read again once a minute, and a failed read keeps the last token', async () => {
  const tokens: Record<string, string> = {
    '/k/config': kubeconfig('{tokenFile: /run/token}'),
    '/run/token': 'one\n',
  };
  const clock = new ManualClock('manual', 0);
  const target = kubeconfigTarget('/k/config', clock, { read: files(tokens) });
  tokens['/run/token'] = 'two';
  await clock.advance(59_000);
  assert.equal(target.authorization(), 'Bearer one', 'not read again within the minute');
  await clock.advance(1_000);
  assert.equal(target.authorization(), 'Bearer two');
  delete tokens['/run/token'];
  await clock.advance(60_000);
  assert.equal(target.authorization(), 'Bearer two');
});

test('basic auth becomes a Basic header', () => {
  const read = files({ '/k/config': kubeconfig('{username: admin, password: secret}') });
  const target = kubeconfigTarget('/k/config', new ManualClock('manual', 0), { read });
  assert.equal(target.authorization(), `Basic ${b64('admin:secret')}`);
});

test('what hubops cannot use is refused with a message that says what and where', () => {
  const clock = new ManualClock('manual', 0);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a missing file', {}, /cannot read \/k\/config: ENOENT/],
    [
      'an auth-provider plugin',
      { '/k/config': kubeconfig('{auth-provider: {name: oidc}}') },
      /auth-provider plugin/,
    ],
    [
      'an exec plugin without an apiVersion',
      { '/k/config': kubeconfig('{exec: {command: aws}}') },
      /exec apiVersion "" is not one hubops speaks/,
    ],
    [
      'a missing certificate file',
      { '/k/config': kubeconfig('{client-certificate: missing.crt}') },
      /cannot read missing.crt: ENOENT/,
    ],
    [
      'a context that is not there',
      { '/k/config': kubeconfig('{}').replace('current-context: b', 'current-context: z') },
      /no context named "z"/,
    ],
    ['a cluster without a server', { '/k/config': kubeconfig('{}', '{}') }, /has no server/],
  ];
  for (const [name, entries, message] of cases) {
    assert.throws(
      () => kubeconfigTarget('/k/config', clock, { read: files(entries) }),
      (err: unknown) => err instanceof KubeConfigError && message.test(err.message),
      name,
    );
  }
});

test('in a cluster, the service account gives the CA and a token, and IPv6 hosts get brackets', () => {
  const read = files({
    '/var/run/secrets/kubernetes.io/serviceaccount/token': 'sa-token',
    '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': 'SA CA',
  });
  const clock = new ManualClock('manual', 0);
  const target = inClusterTarget('fd00::1', '443', clock, read);
  assert.equal(target.server, 'https://[fd00::1]:443');
  assert.equal(target.ca, 'SA CA');
  assert.equal(target.authorization(), 'Bearer sa-token');
  assert.equal(inClusterTarget('10.96.0.1', '443', clock, read).server, 'https://10.96.0.1:443');
  assert.throws(() => inClusterTarget(undefined, undefined, clock, read), /set KUBECONFIG/);
});

test('MicroTime has six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2026, 10, 30, 20, 1, 2, 345)), '2026-11-30T20:01:02.345000Z');
});
