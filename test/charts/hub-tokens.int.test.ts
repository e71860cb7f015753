// The chart with hubTokens.enabled, against the real kube-apiserver: the operator's service
// account may write Secrets only where they carry the hub-token labels (a ValidatingAdmissionPolicy
// narrows what RBAC cannot), tried as an attacker would, impersonating that account. Below
// Kubernetes 1.30, which has no such policy, the chart refuses to render it for the cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freshNamespace, kubeConfig } from '../support/kube.ts';
import { loadTestenv } from '../support/testenv.ts';
import { render, run, type Manifest } from './tools.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
let release: string;
let target: string;
let files: string;
let applied: Manifest[] = [];
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', env.kubeconfig, ...args]);
/** The API server's release, as the environment file names it: `helm install` renders for it. */
const clusterVersion =
  env.k8sVersion ?? assert.fail('the test environment file names no K8S_VERSION');
/** ValidatingAdmissionPolicy v1 exists from Kubernetes 1.30 on. */
const withoutPolicy =
  Number(/^v1\.(\d+)\./.exec(clusterVersion)?.[1] ?? 0) < 30
    ? `Kubernetes ${clusterVersion} has no ValidatingAdmissionPolicy v1: the chart refuses hubTokens with the policy`
    : false;
const asOperator = (...args: string[]) =>
  kubectl(`--as=system:serviceaccount:${release}:hubops`, '-n', target, ...args);
const labelled = {
  'app.kubernetes.io/managed-by': 'hubops',
  'app.kubernetes.io/component': 'hub-token',
};

/** Applies `objects` as the operator would send them: a Secret written by that account. */
async function writeAsOperator(verb: 'create' | 'replace', secret: object) {
  const file = join(files, `secret-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(secret));
  return asOperator(verb, '-f', file);
}

before(async () => {
  release = await freshNamespace(kc, 'tokens-chart');
  target = await freshNamespace(kc, 'tokens-target');
  files = mkdtempSync(join(tmpdir(), 'hubops-hub-tokens-'));
  if (withoutPolicy) return;
  const manifests = await render({ hubTokens: { enabled: true } }, release, clusterVersion);
  // Only what hubTokens adds: the install tests own the chart's other cluster-wide objects.
  applied = manifests.filter((m) => m.metadata.name.includes('hub-tokens'));
  const file = join(files, 'chart.yaml');
  writeFileSync(file, applied.map((m) => stringify(m)).join('---\n'));
  const result = await kubectl('apply', '-f', file);
  assert.equal(result.code, 0, result.stderr);
  // The policy takes a moment to be compiled and enforced.
  for (let i = 0; i < 50; i++) {
    const probe = await asOperator(
      'create',
      'secret',
      'generic',
      `probe-${i}`,
      '--from-literal=a=b',
    );
    if (probe.code !== 0 && /ValidatingAdmissionPolicy/.test(probe.stderr)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});
after(async () => {
  if (applied.length > 0)
    await kubectl('delete', '-f', join(files, 'chart.yaml'), '--ignore-not-found');
  rmSync(files, { recursive: true, force: true });
});

test(
  'below Kubernetes 1.30 the chart refuses hubTokens with its admission policy for this cluster, and says what to do',
  {
    skip: !withoutPolicy && `Kubernetes ${clusterVersion} has ValidatingAdmissionPolicy v1`,
  },
  async () => {
    await assert.rejects(
      render({ hubTokens: { enabled: true } }, 'hubops-system', clusterVersion),
      /hubTokens.admissionPolicy needs Kubernetes 1.30 or newer .*set hubTokens.admissionPolicy=false/,
    );
  },
);

test(
  'with hubTokens on, the chart grants Secret access only with the admission policy beside it',
  { skip: withoutPolicy },
  () => {
    const kinds = applied.map((m) => m.kind).sort();
    assert.deepEqual(kinds, [
      'ClusterRole',
      'ClusterRoleBinding',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
  },
);

test(
  'the operator account may create, replace and delete a Secret labelled as a hub token',
  { skip: withoutPolicy },
  async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hub-token', namespace: target, labels: labelled },
      stringData: { token: 'x' },
    };
    assert.equal((await writeAsOperator('create', secret)).code, 0);
    assert.equal((await asOperator('delete', 'secret', 'hub-token')).code, 0);
  },
);

test(
  'the operator account may not create, take over or delete any other Secret',
  { skip: withoutPolicy },
  async () => {
    const plain = await asOperator('create', 'secret', 'generic', 'plain', '--from-literal=a=b');
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /ValidatingAdmissionPolicy/);
    // Someone's Secret: the operator may neither relabel it into its own nor delete it.
    assert.equal(
      (await kubectl('-n', target, 'create', 'secret', 'generic', 'theirs', '--from-literal=a=b'))
        .code,
      0,
    );
    const taken = await writeAsOperator('replace', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'theirs', namespace: target, labels: labelled },
      stringData: { token: 'mine now' },
    });
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /ValidatingAdmissionPolicy/);
    const deleted = await asOperator('delete', 'secret', 'theirs');
    assert.notEqual(deleted.code, 0);
    assert.match(deleted.stderr, /ValidatingAdmissionPolicy/);
    const still = await kubectl(
      '-n',
      target,
      'get',
      'secret',
      'theirs',
      '-o',
      'jsonpath={.data.a}',
    );
    assert.equal(Buffer.from(still.stdout, 'base64').toString(), 'b', 'their Secret is unchanged');
  },
);
