// A kubeconfig user's exec plugin, run as client-go runs it: the ExecCredential exchange, the
// credential kept until a minute before it expires, failures named without the plugin's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execAuthorization, type RunPlugin } from '../../src/kube/exec-credential.ts';
import { KubeConfigError } from '../../src/kube/kube-errors.ts';
import { ManualClock } from '../support/manual-clock.ts';

const v1 = 'client.authentication.k8s.io/v1';
const cluster = { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'Q0E=' };
const credential = (token: string, expiresAtMs?: number): string =>
  JSON.stringify({
    apiVersion: v1,
    kind: 'ExecCredential',
    status: {
      token,
      ...(expiresAtMs === undefined
        ? {}
        : { expirationTimestamp: new Date(expiresAtMs).toISOString() }),
    },
  });

/** A plugin that answers from a list and records how it was called. */
function recordingPlugin(answers: (() => string)[]) {
  const calls: { command: string; args: string[]; env: NodeJS.ProcessEnv }[] = [];
  const run: RunPlugin = (command, args, env) => {
    calls.push({ command, args, env });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    return (answer as () => string)();
  };
  return { calls, run };
}

test('the token is kept until a minute before it expires, then the plugin runs again', async () => {
  const clock = new ManualClock('manual', 0);
  const { calls, run } = recordingPlugin([
    () => credential('first', 15 * 60_000),
    () => credential('second', 30 * 60_000),
  ]);
  const authorization = execAuthorization(
    'eks',
    { apiVersion: v1, command: 'aws', args: ['eks', 'get-token'] },
    { base: '/k', clock, cluster, run },
  );
  assert.equal(authorization(), 'Bearer first');
  await clock.advance(13 * 60_000);
  assert.equal(authorization(), 'Bearer first');
  assert.equal(calls.length, 1, 'one run at start, none per request');
  await clock.advance(60_000 + 1);
  assert.equal(authorization(), 'Bearer second');
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[0]?.args, ['eks', 'get-token']);
});

test('a credential without expiry is kept for the run', async () => {
  const clock = new ManualClock('manual', 0);
  const { calls, run } = recordingPlugin([() => credential('forever')]);
  const authorization = execAuthorization(
    'u',
    { apiVersion: v1, command: 'x' },
    { base: '/', clock, cluster, run },
  );
  await clock.advance(24 * 3600_000);
  assert.equal(authorization(), 'Bearer forever');
  assert.equal(calls.length, 1);
});

test('the plugin gets its env, KUBERNETES_EXEC_INFO (with the cluster only when asked) and a command relative to the kubeconfig', () => {
  const clock = new ManualClock('manual', 0);
  const { calls, run } = recordingPlugin([() => credential('t')]);
  execAuthorization(
    'oidc',
    {
      apiVersion: v1,
      command: './bin/login',
      env: [{ name: 'OIDC_ISSUER', value: 'https://idp' }],
      provideClusterInfo: true,
    },
    { base: '/home/me/.kube', clock, cluster, run },
  );
  execAuthorization(
    'plain',
    { apiVersion: v1, command: 'kubelogin' },
    { base: '/home/me/.kube', clock, cluster, run },
  );
  const [withCluster, plain] = calls;
  assert.equal(withCluster?.command, '/home/me/.kube/bin/login');
  assert.equal(withCluster?.env['OIDC_ISSUER'], 'https://idp');
  assert.deepEqual(JSON.parse(withCluster?.env['KUBERNETES_EXEC_INFO'] ?? ''), {
    apiVersion: v1,
    kind: 'ExecCredential',
    spec: { interactive: false, cluster },
  });
  assert.equal(plain?.command, 'kubelogin', 'a bare name is looked up on PATH');
  const info = JSON.parse(plain?.env['KUBERNETES_EXEC_INFO'] ?? '') as { spec: unknown };
  assert.deepEqual(info.spec, {
    interactive: false,
  });
});

test('a renewal that fails keeps the last token and tries again at the next request', async () => {
  const clock = new ManualClock('manual', 0);
  let fail = false;
  const { calls, run } = recordingPlugin([
    () => {
      if (fail) throw Object.assign(new Error('exit'), { status: 1, stderr: 'network down' });
      return credential(`t${calls.length}`, clock.now() + 5 * 60_000);
    },
  ]);
  const authorization = execAuthorization(
    'u',
    { apiVersion: v1, command: 'x' },
    { base: '/', clock, cluster, run },
  );
  assert.equal(authorization(), 'Bearer t1');
  fail = true;
  await clock.advance(4 * 60_000 + 1);
  assert.equal(authorization(), 'Bearer t1');
  fail = false;
  assert.equal(authorization(), 'Bearer t3');
});

test('what a plugin gets wrong is refused at start-up with words that name it, never its output', () => {
  const clock = new ManualClock('manual', 0);
  const cases: [string, Parameters<typeof execAuthorization>[1], () => string, RegExp][] = [
    [
      'an old apiVersion',
      { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' },
      () => credential('t'),
      /v1alpha1" is not one hubops speaks/,
    ],
    ['no command', { apiVersion: v1 }, () => credential('t'), /exec has no command/],
    [
      'a terminal login',
      { apiVersion: v1, command: 'x', interactiveMode: 'Always' },
      () => credential('t'),
      /needs a terminal/,
    ],
    [
      'a failing plugin, with its install hint',
      {
        apiVersion: v1,
        command: 'gke-gcloud-auth-plugin',
        installHint: 'Install it with gcloud components install.',
      },
      () => {
        throw Object.assign(new Error('spawn'), { code: 'ENOENT' });
      },
      /plugin gke-gcloud-auth-plugin failed: ENOENT Install it with gcloud/,
    ],
    [
      'output that is not an ExecCredential',
      { apiVersion: v1, command: 'x' },
      () => 'secret-looking-output',
      /did not print an ExecCredential of client.authentication.k8s.io\/v1$/,
    ],
    [
      'a client certificate',
      { apiVersion: v1, command: 'x' },
      () =>
        JSON.stringify({
          apiVersion: v1,
          kind: 'ExecCredential',
          status: { clientCertificateData: 'PEM' },
        }),
      /takes tokens from plugins only/,
    ],
  ];
  for (const [name, exec, answer, message] of cases) {
    assert.throws(
      () =>
        execAuthorization('u', exec, {
          base: '/',
          clock,
          cluster,
          run: recordingPlugin([answer]).run,
        }),
      (err: unknown) =>
        err instanceof KubeConfigError &&
        message.test(err.message) &&
        !err.message.includes('secret-looking'),
      name,
    );
  }
});

test('a real plugin script is run with its arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hubops-exec-'));
  try {
    const script = join(dir, 'plugin.sh');
    writeFileSync(
      script,
      `#!/bin/sh\nprintf '{"apiVersion":"${v1}","kind":"ExecCredential","status":{"token":"%s-%s"}}' "$1" "$PLUGIN_SUFFIX"\n`,
    );
    chmodSync(script, 0o755);
    const authorization = execAuthorization(
      'script',
      {
        apiVersion: v1,
        command: './plugin.sh',
        args: ['abc'],
        env: [{ name: 'PLUGIN_SUFFIX', value: 'xyz' }],
      },
      { base: dir, clock: new ManualClock('manual', 0), cluster },
    );
    assert.equal(authorization(), 'Bearer abc-xyz');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
