// The chart installed for real (helm upgrade --install, no --wait: nothing runs pods here) into
// hubops-system of the test API server, then the operator run as the chart's service account
// (OPERATOR_KUBECONFIG) through a real HubUser reconcile, proving the RBAC is enough, and
// `kubectl auth can-i` as that identity proving it is not more. Uninstalls at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { loadTestenv } from '../support/testenv.ts';
import { chartDir, helm, helmHome, run } from './tools.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);
const leases = kc.makeApiClient(k8s.CoordinationV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const release = { name: 'hubops', namespace: 'hubops-system' };
// The chart's Lease name (the release's), which its Role grants get/update on by name.
const leaseName = 'hubops';
const hubusers = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubusers' };
const tag = randomBytes(3).toString('hex');
const helmEnv = { KUBECONFIG: env.kubeconfig, ...helmHome(join(env.dir, 'helm')) };
let watched = '';
let other = '';

before(async () => {
  mkdirSync(join(env.dir, 'helm'), { recursive: true });
  watched = await freshNamespace(kc, 'charts');
  other = await freshNamespace(kc, 'charts-other');
});
after(async () => {
  // Leave the operator identity as the test environment describes it: without rights.
  await helm(
    ['uninstall', release.name, '--namespace', release.namespace, '--ignore-not-found'],
    helmEnv,
  );
  await deleteLease();
});

/** helm upgrade --install of the chart; resolves with Helm's output, NOTES.txt included. */
async function install(values: string[]): Promise<string> {
  return helm(
    [
      'upgrade',
      '--install',
      release.name,
      chartDir,
      '--namespace',
      release.namespace,
      '--create-namespace',
      ...values,
    ],
    helmEnv,
  );
}

/** `kubectl auth can-i` as the operator's service account: true for yes, false for no. */
async function operatorCan(...args: string[]): Promise<boolean> {
  const result = await run('kubectl', [
    '--kubeconfig',
    env.operatorKubeconfig,
    'auth',
    'can-i',
    ...args,
  ]);
  const answer = result.stdout.trim();
  if (answer !== 'yes' && answer !== 'no') {
    throw new Error(`kubectl auth can-i ${args.join(' ')}: ${result.stderr}`);
  }
  return answer === 'yes';
}

async function assertCan(expected: boolean, ...args: string[]): Promise<void> {
  assert.equal(await operatorCan(...args), expected, `can-i ${args.join(' ')}`);
}

async function deleteLease(): Promise<void> {
  try {
    await leases.deleteNamespacedLease({ name: leaseName, namespace: release.namespace });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
  }
}

/** The operator as the chart's service account, with the chart's Lease, against the test hub. */
function operatorAs(settings: Record<string, string>): OperatorProcess {
  return startOperator(env, {
    KUBECONFIG: env.operatorKubeconfig,
    POD_NAMESPACE: release.namespace,
    LEASE_NAME: leaseName,
    ...settings,
  });
}

/** Log lines that report a refusal by the API server: there must be none. */
function refusals(operator: OperatorProcess): Record<string, unknown>[] {
  return operator.lines.filter((line) => /forbidden|\b403\b/i.test(JSON.stringify(line)));
}

async function readyz(operator: OperatorProcess): Promise<number> {
  return (await fetch(`http://127.0.0.1:${await operator.healthPort()}/readyz`)).status;
}

interface HubUserObject {
  metadata: { finalizers?: string[]; generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string }[];
  };
}

/**
 * Creates a HubUser, waits for the operator's finalizer and a status for generation 1 with
 * Synced True, then deletes it and waits until the operator has let it go.
 */
async function reconcileOneHubUser(namespace: string, operator: OperatorProcess): Promise<void> {
  const name = `u-${randomBytes(3).toString('hex')}`;
  await objects.createNamespacedCustomObject({
    ...hubusers,
    namespace,
    body: {
      apiVersion: 'hubops.io/v1alpha1',
      kind: 'HubUser',
      metadata: { name },
      spec: { username: `charts-${tag}-${name}@example.org` },
    },
  });
  const read = async (): Promise<HubUserObject> =>
    (await objects.getNamespacedCustomObject({ ...hubusers, namespace, name })) as HubUserObject;
  await until(
    async () => (await read()).status?.observedGeneration === 1,
    20_000,
    `status of HubUser ${namespace}/${name}`,
  );
  const object = await read();
  assert.deepEqual(object.metadata.finalizers, ['hubops.io/cleanup']);
  const synced = object.status?.conditions?.find((c) => c.type === 'Synced');
  assert.equal(synced?.status, 'True', JSON.stringify(object.status));
  await objects.deleteNamespacedCustomObject({ ...hubusers, namespace, name });
  await until(
    async () => {
      try {
        await read();
        return false;
      } catch (err) {
        return err instanceof k8s.ApiException && err.code === 404;
      }
    },
    20_000,
    `the operator letting HubUser ${namespace}/${name} go`,
  );
  assert.deepEqual(refusals(operator), []);
}

test('installed cluster-wide, the chart creates a ClusterRole with exactly the intended rules', async () => {
  const output = await install(['--set', 'watchNamespace=']);
  assert.match(output, /It watches HubUsers, HubGroups and HubServers in every namespace/);
  const role = await rbac.readClusterRole({ name: 'hubops' });
  assert.deepEqual(
    role.rules?.map((r) => [r.apiGroups, r.resources, r.verbs]),
    [
      [['hubops.io'], ['hubusers', 'hubgroups', 'hubservers'], ['get', 'list', 'watch', 'patch']],
      [
        ['hubops.io'],
        ['hubusers/status', 'hubgroups/status', 'hubservers/status'],
        ['get', 'patch', 'update'],
      ],
      [
        ['hubops.io'],
        ['hubusers/finalizers', 'hubgroups/finalizers', 'hubservers/finalizers'],
        ['update'],
      ],
      [['events.k8s.io'], ['events'], ['create', 'patch']],
    ],
  );
  const lease = await rbac.readNamespacedRole({
    name: 'hubops-leader-election',
    namespace: release.namespace,
  });
  assert.deepEqual(
    lease.rules?.map((r) => [r.resources, r.resourceNames ?? [], r.verbs]),
    [
      [['leases'], [], ['create']],
      [['leases'], [leaseName], ['get', 'update']],
    ],
  );
});

test('cluster-wide, the operator identity may watch every namespace and write only what the operator writes', async () => {
  for (const kind of ['hubusers', 'hubgroups', 'hubservers']) {
    await assertCan(true, 'list', `${kind}.hubops.io`, '--all-namespaces');
    await assertCan(true, 'watch', `${kind}.hubops.io`, '--all-namespaces');
    await assertCan(true, 'patch', `${kind}.hubops.io`, '-n', other);
    await assertCan(true, 'patch', `${kind}.hubops.io`, '--subresource=status', '-n', other);
    await assertCan(true, 'update', `${kind}.hubops.io`, '--subresource=finalizers', '-n', other);
    await assertCan(false, 'delete', `${kind}.hubops.io`, '-n', other);
    await assertCan(false, 'create', `${kind}.hubops.io`, '-n', other);
    await assertCan(false, 'update', `${kind}.hubops.io`, '-n', other);
  }
  await assertCan(true, 'create', 'events.events.k8s.io', '-n', other);
  await assertCan(false, 'delete', 'events.events.k8s.io', '-n', other);
  await assertCan(false, 'create', 'events', '-n', other); // the core/v1 Events API
  await assertCan(false, 'list', 'secrets', '--all-namespaces');
  await assertCan(false, 'get', 'secrets', '-n', release.namespace);
  await assertCan(false, 'get', 'secrets/hub', '-n', release.namespace);
  await assertCan(false, 'create', 'leases.coordination.k8s.io', '-n', other);
  await assertCan(
    false,
    'update',
    'leases.coordination.k8s.io/someone-else',
    '-n',
    release.namespace,
  );
  await assertCan(false, 'list', 'namespaces');
  await assertCan(false, '*', '*');
});

test('cluster-wide, the operator lists every namespace and waits as a follower while another replica leads', async () => {
  // Another replica holds the Lease, so this one lists and watches the whole cluster (its
  // readiness) but reconciles nothing: other test files' objects in this shared API server are
  // left alone.
  await deleteLease();
  const now = new k8s.V1MicroTime(Date.now());
  await leases.createNamespacedLease({
    namespace: release.namespace,
    body: {
      metadata: { name: leaseName },
      spec: {
        holderIdentity: 'another-replica',
        leaseDurationSeconds: 3600,
        acquireTime: now,
        renewTime: now,
      },
    },
  });
  const operator = operatorAs({});
  try {
    await until(async () => (await readyz(operator)) === 200, 20_000, 'ready');
    await operator.logged('Started');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.ok(!operator.lines.some((l) => l['msg'] === 'Became the leader'));
    assert.deepEqual(refusals(operator), []);
    assert.equal(await operator.stop('SIGTERM'), 0);
  } finally {
    await operator.stop('SIGKILL');
    await deleteLease();
  }
});

test('cluster-wide, the operator leads and reconciles a HubUser with no more rights than the chart grants', async () => {
  const operator = operatorAs({ WATCH_NAMESPACE: other });
  try {
    await operator.logged('Became the leader', 20_000);
    await reconcileOneHubUser(other, operator);
    assert.equal(await operator.stop('SIGTERM'), 0);
  } finally {
    await operator.stop('SIGKILL');
  }
});

test('upgraded to one namespace, the chart replaces the ClusterRole with a Role there', async () => {
  const output = await install(['--set', `watchNamespace=${watched}`]);
  assert.match(output, new RegExp(`in namespace ${watched} only`));
  await assert.rejects(rbac.readClusterRole({ name: 'hubops' }), (err: unknown) => {
    return err instanceof k8s.ApiException && err.code === 404;
  });
  await assert.rejects(rbac.readClusterRoleBinding({ name: 'hubops' }), (err: unknown) => {
    return err instanceof k8s.ApiException && err.code === 404;
  });
  const role = await rbac.readNamespacedRole({ name: 'hubops', namespace: watched });
  assert.equal(role.rules?.length, 4);
  const binding = await rbac.readNamespacedRoleBinding({ name: 'hubops', namespace: watched });
  assert.deepEqual(
    binding.subjects?.map((s) => [s.kind, s.name, s.namespace]),
    [['ServiceAccount', 'hubops', release.namespace]],
  );
});

test('namespaced, the operator reconciles a HubUser in the watched namespace with the Role alone', async () => {
  const operator = operatorAs({ WATCH_NAMESPACE: watched });
  try {
    await operator.logged('Became the leader', 20_000);
    await until(async () => (await readyz(operator)) === 200, 20_000, 'ready');
    await reconcileOneHubUser(watched, operator);
    assert.equal(await operator.stop('SIGTERM'), 0);
  } finally {
    await operator.stop('SIGKILL');
  }
});

test('namespaced, the operator identity can write nothing outside the watched namespace and its Lease', async () => {
  for (const kind of ['hubusers', 'hubgroups', 'hubservers']) {
    await assertCan(true, 'watch', `${kind}.hubops.io`, '-n', watched);
    await assertCan(true, 'patch', `${kind}.hubops.io`, '--subresource=status', '-n', watched);
    await assertCan(false, 'list', `${kind}.hubops.io`, '--all-namespaces');
    await assertCan(false, 'list', `${kind}.hubops.io`, '-n', other);
    await assertCan(false, 'patch', `${kind}.hubops.io`, '-n', other);
    await assertCan(false, 'patch', `${kind}.hubops.io`, '--subresource=status', '-n', other);
    await assertCan(false, 'delete', `${kind}.hubops.io`, '-n', watched);
    await assertCan(false, 'create', `${kind}.hubops.io`, '-n', watched);
  }
  await assertCan(true, 'create', 'events.events.k8s.io', '-n', watched);
  await assertCan(false, 'create', 'events.events.k8s.io', '-n', other);
  await assertCan(true, 'get', `leases.coordination.k8s.io/${leaseName}`, '-n', release.namespace);
  await assertCan(false, 'list', 'secrets', '-n', watched);
  await assertCan(false, 'list', 'secrets', '-n', release.namespace);
  await assertCan(false, 'create', 'rolebindings.rbac.authorization.k8s.io', '-n', watched);
  await assertCan(false, '*', '*', '-n', watched);
});
