// deploy/ against the real API server: deploy/hubops.yaml is what hack/render-deploy.sh makes of
// the chart today, and it and deploy/examples/ pass `kubectl apply --dry-run=server` (schemas,
// CEL rules, RBAC objects, admission) once the CRDs are installed for real.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ensureCrds, kubeConfig } from '../support/kube.ts';
import { loadTestenv } from '../support/testenv.ts';
import { parseManifests, root, run } from './tools.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const rendered = join(root, 'deploy/hubops.yaml');
const examples = join(root, 'deploy/examples');

/** Creates a namespace unless it exists: a server-side dry run needs it for real. */
async function ensureNamespace(name: string): Promise<void> {
  try {
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  }
}

async function dryRunApply(path: string): Promise<string[]> {
  const result = await run('kubectl', ['apply', '--dry-run=server', '-f', path], {
    KUBECONFIG: env.kubeconfig,
  });
  assert.equal(result.code, 0, `kubectl apply --dry-run=server -f ${path}:\n${result.stderr}`);
  return result.stdout.trim().split('\n');
}

before(async () => {
  await ensureCrds(kc);
});

test('deploy/hubops.yaml is the chart rendered today (else run hack/render-deploy.sh)', async () => {
  const result = await run(join(root, 'hack/render-deploy.sh'), ['-']);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(
    result.stdout === readFileSync(rendered, 'utf8'),
    'deploy/hubops.yaml is stale: run hack/render-deploy.sh',
  );
});

test('deploy/hubops.yaml holds the namespace, the CRDs and the chart for hubops-system', () => {
  const manifests = parseManifests(readFileSync(rendered, 'utf8'));
  assert.equal(manifests[0]?.kind, 'Namespace');
  assert.equal(manifests[0]?.metadata.name, 'hubops-system');
  const crds = manifests.filter((m) => m.kind === 'CustomResourceDefinition');
  assert.deepEqual(
    crds.map((m) => m.metadata.name),
    [
      'hubgroups.hubops.io',
      'hubs.hubops.io',
      'hubservers.hubops.io',
      'hubtokens.hubops.io',
      'hubusers.hubops.io',
    ],
  );
  // Every CRD before any object of its kinds (kubectl still maps a whole file before applying:
  // on a cluster without the CRDs, apply charts/hubops/crds/ first, as deploy/README.md says).
  const lastCrd = manifests.findLastIndex((m) => m.kind === 'CustomResourceDefinition');
  manifests.forEach((m, i) => {
    if (m.apiVersion.startsWith('hubops.io/')) assert.ok(i > lastCrd, `${m.kind} after the CRDs`);
  });
  for (const m of manifests) {
    if (['Namespace', 'CustomResourceDefinition'].includes(m.kind) || m.kind.startsWith('Cluster'))
      continue;
    assert.equal(m.metadata.namespace, 'hubops-system', `${m.kind} ${m.metadata.name}`);
  }
});

test('the API server accepts every object of deploy/hubops.yaml in a server-side dry run', async () => {
  await ensureNamespace('hubops-system');
  const lines = await dryRunApply(rendered);
  const manifests = parseManifests(readFileSync(rendered, 'utf8'));
  assert.equal(lines.length, manifests.length, lines.join('\n'));
  for (const line of lines) assert.match(line, /\(server dry run\)$/);
});

test('the API server accepts every example of deploy/examples/ in a server-side dry run', async () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
  const manifests = files.flatMap((f) => parseManifests(readFileSync(join(examples, f), 'utf8')));
  for (const m of manifests.filter((m) => m.kind === 'Namespace')) {
    await ensureNamespace(m.metadata.name);
  }
  const lines = await dryRunApply(examples);
  assert.equal(lines.length, manifests.length, lines.join('\n'));
  for (const m of manifests) {
    const kind = m.kind.toLowerCase();
    assert.ok(
      lines.some((l) => l.startsWith(`${kind}`) && l.includes(`/${m.metadata.name} `)),
      `${m.kind} ${m.metadata.name} in:\n${lines.join('\n')}`,
    );
  }
});
