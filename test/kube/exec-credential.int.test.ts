// A kubeconfig whose user is an exec credential plugin (as EKS, GKE, AKS and OIDC login tools
// write them), against the real kube-apiserver: the operator (`npm start`'s entry) serves a
// HubUser with it, and `hubops plan --kubeconfig` reads the cluster with it. The plugin is a
// script of our own that prints an ExecCredential holding the test API server's admin token and
// counts its runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { Resources, ready } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const dir = mkdtempSync(join(tmpdir(), 'hubops-exec-int-'));
const execKubeconfig = join(dir, 'kubeconfig');
const runs = join(dir, 'runs');
const tag = randomBytes(3).toString('hex');
let r: Resources;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'exec'));
  // The admin kubeconfig of the test environment, its user replaced by the plugin.
  const admin = parse(readFileSync(env.kubeconfig, 'utf8')) as {
    users: { name: string; user: Record<string, unknown> }[];
  };
  const token = admin.users[0]?.user['token'] as string;
  writeFileSync(
    join(dir, 'plugin.sh'),
    `#!/bin/sh
echo run >> "${runs}"
expires=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$PLUGIN_TOKEN" "$expires"
`,
  );
  chmodSync(join(dir, 'plugin.sh'), 0o755);
  for (const entry of admin.users) {
    entry.user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: './plugin.sh',
        env: [{ name: 'PLUGIN_TOKEN', value: token }],
        interactiveMode: 'Never',
      },
    };
  }
  writeFileSync(execKubeconfig, stringify(admin));
});
after(async () => {
  await operator?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const pluginRuns = (): number => {
  try {
    return readFileSync(runs, 'utf8').trim().split('\n').length;
  } catch {
    return 0;
  }
};

test('the operator authenticates through the exec plugin, running it once for a credential valid an hour', async () => {
  operator = startOperator(env, {
    KUBECONFIG: execKubeconfig,
    WATCH_NAMESPACE: r.namespace,
    LEASE_NAME: `hubops-exec-${tag}`,
  });
  await operator.logged('Became the leader');
  await r.create('hubusers', `exec-${tag}`, {});
  await until(
    async () => ready((await r.get('hubusers', `exec-${tag}`))!),
    30_000,
    'HubUser Ready',
  );
  assert.equal(pluginRuns(), 1, 'the credential is kept until it expires');
  await operator.stop('SIGTERM');
  operator = undefined;
});

test('hubops plan reads the cluster through the same plugin', async () => {
  const manifest = join(dir, 'users.yaml');
  writeFileSync(
    manifest,
    `apiVersion: hubops.io/v1alpha1\nkind: HubUser\nmetadata: {name: exec-${tag}, namespace: ${r.namespace}}\nspec: {}\n`,
  );
  const before = pluginRuns();
  const { stdout } = await promisify(execFile)(
    new URL('../../bin/hubops', import.meta.url).pathname,
    ['plan', '-f', manifest, '--kubeconfig', execKubeconfig],
    { env: { ...process.env, HUB_API_URL: env.hubApiUrl, HUB_API_TOKEN: env.hubApiToken } },
  );
  assert.match(stdout, /no hub calls/);
  assert.equal(pluginRuns(), before + 1);
});
