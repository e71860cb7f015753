// The chart installed for real (helm upgrade --install, no --wait: nothing runs pods here) into
// hubops-system of the test API server, then the operator run as the chart's service account
// (OPERATOR_KUBECONFIG) through a real HubUser reconcile and real Hubs (the chart's own, and one
// whose token Secret rbac.hubTokenSecrets names), proving the RBAC is enough, and
// `kubectl auth can-i` as that identity proving it is not more: Secrets only by name. Uninstalls
// at the end.
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
const hubs = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubs' };
// The chart's Hub object (hubObject.name) and the Secret its defaults name (z2jh's).
const chartHub = 'jupyterhub';
const kinds = ['hubusers', 'hubgroups', 'hubservers', 'hubs'];
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
  // Leave the operator identity as the test environment describes it: without rights. A Hub the
  // operator saw keeps its finalizer once the operator is gone: let it go, or the next install
  // would meet it still terminating.
  await releaseHub(release.namespace, chartHub);
  await helm(
    ['uninstall', release.name, '--namespace', release.namespace, '--ignore-not-found'],
    helmEnv,
  );
  await releaseHub(release.namespace, chartHub);
  await deleteLease();
});

/** Removes the finalizers of a Hub, if it exists (what the operator does when it lets go). */
async function releaseHub(namespace: string, name: string): Promise<void> {
  try {
    await objects.patchNamespacedCustomObject(
      { ...hubs, namespace, name, body: { metadata: { finalizers: null } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
  }
}

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
    // The chart's default (hubTokens.enabled false): its RBAC then grants nothing on HubTokens or Secrets.
    HUB_TOKENS: 'false',
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
  assert.match(output, /It watches HubUsers, HubGroups, HubServers and Hubs in every namespace/);
  const role = await rbac.readClusterRole({ name: 'hubops' });
  assert.deepEqual(
    role.rules?.map((r) => [r.apiGroups, r.resources, r.verbs]),
    [
      [['hubops.io'], kinds, ['get', 'list', 'watch', 'patch']],
      [['hubops.io'], kinds.map((k) => `${k}/status`), ['get', 'patch', 'update']],
      [['hubops.io'], kinds.map((k) => `${k}/finalizers`), ['update']],
      [['events.k8s.io'], ['events'], ['create', 'patch']],
    ],
  );
  // The chart's Hub, and get on its token Secret by name, in the release namespace only.
  const hub = (await objects.getNamespacedCustomObject({
    ...hubs,
    namespace: release.namespace,
    name: chartHub,
  })) as { spec: Record<string, unknown> };
  assert.deepEqual(hub.spec['tokenSecretRef'], {
    name: 'hub',
    key: 'hub.services.hubops.apiToken',
  });
  const secretRole = await rbac.readNamespacedRole({
    name: 'hubops-read-secret-hub',
    namespace: release.namespace,
  });
  assert.deepEqual(
    secretRole.rules?.map((r) => [r.apiGroups, r.resources, r.resourceNames, r.verbs]),
    [[[''], ['secrets'], ['hub'], ['get']]],
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
  for (const kind of kinds) {
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
  // Secrets: get of the chart's Hub's token Secret, by name; nothing else.
  await assertCan(true, 'get', 'secrets/hub', '-n', release.namespace);
  await assertCan(false, 'get', 'secrets', '-n', release.namespace);
  await assertCan(false, 'get', 'secrets/hub-other', '-n', release.namespace);
  await assertCan(false, 'get', 'secrets/hub', '-n', other);
  await assertCan(false, 'list', 'secrets', '--all-namespaces');
  await assertCan(false, 'list', 'secrets', '-n', release.namespace);
  await assertCan(false, 'watch', 'secrets', '-n', release.namespace);
  await assertCan(false, 'update', 'secrets/hub', '-n', release.namespace);
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

interface HubObjectStatus {
  metadata: { finalizers?: string[]; generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

async function readHub(namespace: string, name: string): Promise<HubObjectStatus> {
  return (await objects.getNamespacedCustomObject({ ...hubs, namespace, name })) as HubObjectStatus;
}

const conditionOf = (hub: HubObjectStatus, type: string) =>
  hub.status?.conditions?.find((c) => c.type === type);

/** Waits until the operator has written condition `type` as `status` for the Hub's spec. */
async function hubCondition(
  namespace: string,
  name: string,
  type: 'Ready' | 'Synced',
  status: string,
): Promise<HubObjectStatus> {
  let hub: HubObjectStatus | undefined;
  await until(
    async () => {
      hub = await readHub(namespace, name);
      const condition = conditionOf(hub, type);
      return (
        condition?.status === status && hub.status?.observedGeneration === hub.metadata.generation
      );
    },
    20_000,
    `Hub ${namespace}/${name} ${type}=${status} (last seen: ${JSON.stringify(hub?.status)})`,
  );
  return readHub(namespace, name);
}

/** Deletes a Hub and waits until the operator has let it go (its finalizer removed). */
async function deleteHub(namespace: string, name: string): Promise<void> {
  await objects.deleteNamespacedCustomObject({ ...hubs, namespace, name });
  await until(
    async () => {
      try {
        await readHub(namespace, name);
        return false;
      } catch (err) {
        return err instanceof k8s.ApiException && err.code === 404;
      }
    },
    20_000,
    `the operator letting Hub ${namespace}/${name} go`,
  );
}

test("the operator serves the chart's Hub, reading its token Secret by name with the chart's RBAC alone", async () => {
  // The chart's own token Secret, for the test hub: the Hub names it, and a Role grants get on it.
  await install([
    '--set',
    'watchNamespace=',
    '--set',
    `hub.apiUrl=${env.hubApiUrl}`,
    '--set',
    `hub.token.value=${env.hubApiToken}`,
  ]);
  await assertCan(true, 'get', 'secrets/hubops-hub-token', '-n', release.namespace);
  await assertCan(false, 'get', 'secrets/hub', '-n', release.namespace);
  await assertCan(false, 'list', 'secrets', '-n', release.namespace);
  const operator = operatorAs({ WATCH_NAMESPACE: release.namespace });
  try {
    await operator.logged('Became the leader', 20_000);
    const hub = await hubCondition(release.namespace, chartHub, 'Ready', 'True');
    // No finalizer: `helm uninstall` removes the operator before the Hub, and must not hang on it.
    assert.equal(hub.metadata.finalizers, undefined);
    await deleteHub(release.namespace, chartHub);
    assert.deepEqual(refusals(operator), []);
    assert.equal(await operator.stop('SIGTERM'), 0);
  } finally {
    await operator.stop('SIGKILL');
    await releaseHub(release.namespace, chartHub);
  }
});

test('a Hub of its own in another namespace is served when rbac.hubTokenSecrets names its Secret, and only then', async () => {
  await install(
    ['--set', 'watchNamespace=', '--set', 'hubObject.enabled=false'].concat(
      ['--set', `rbac.hubTokenSecrets[0].namespace=${other}`],
      ['--set', 'rbac.hubTokenSecrets[0].name=course-hub-token'],
    ),
  );
  await assertCan(true, 'get', 'secrets/course-hub-token', '-n', other);
  await assertCan(false, 'get', 'secrets/unlisted-hub-token', '-n', other);
  await assertCan(false, 'get', 'secrets/hub', '-n', release.namespace);
  await assertCan(false, 'list', 'secrets', '-n', other);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const name of ['course-hub-token', 'unlisted-hub-token']) {
    await core.createNamespacedSecret({
      namespace: other,
      body: { metadata: { name }, stringData: { token: env.hubApiToken } },
    });
    await objects.createNamespacedCustomObject({
      ...hubs,
      namespace: other,
      body: {
        apiVersion: 'hubops.io/v1alpha1',
        kind: 'Hub',
        metadata: { name },
        spec: { url: env.hubApiUrl, tokenSecretRef: { name } },
      },
    });
  }
  const operator = operatorAs({ WATCH_NAMESPACE: other });
  try {
    await operator.logged('Became the leader', 20_000);
    await hubCondition(other, 'course-hub-token', 'Ready', 'True');
    // The Secret no entry names stays out of reach: the Hub is never Ready, and says why.
    const unlisted = await hubCondition(other, 'unlisted-hub-token', 'Synced', 'False');
    const synced = conditionOf(unlisted, 'Synced');
    assert.match(synced?.message ?? '', /secrets "unlisted-hub-token" is forbidden/);
    assert.notEqual(conditionOf(unlisted, 'Ready')?.status, 'True');
    for (const name of ['course-hub-token', 'unlisted-hub-token']) await deleteHub(other, name);
    assert.equal(await operator.stop('SIGTERM'), 0);
  } finally {
    await operator.stop('SIGKILL');
    for (const name of ['course-hub-token', 'unlisted-hub-token']) await releaseHub(other, name);
  }
});

test('upgraded to one namespace, the chart replaces the ClusterRole with a Role there', async () => {
  const output = await install(['--set', `watchNamespace=${watched}`]);
  assert.match(output, new RegExp(`in namespace ${watched} only`));
  assert.match(output, new RegExp(`WARNING: it watches only ${watched}`));
  await until(
    async () => {
      try {
        await objects.getNamespacedCustomObject({
          ...hubs,
          namespace: release.namespace,
          name: chartHub,
        });
        return false;
      } catch (err) {
        return err instanceof k8s.ApiException && err.code === 404;
      }
    },
    10_000,
    "the chart's Hub removed: the operator would not see it",
  );
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
  for (const kind of kinds) {
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
  // No Hub object where the operator does not look, so no Secret to read either.
  await assertCan(false, 'get', 'secrets/hub', '-n', release.namespace);
  await assertCan(false, 'create', 'rolebindings.rbac.authorization.k8s.io', '-n', watched);
  await assertCan(false, '*', '*', '-n', watched);
});
