// Smoke test of the test environment's real kube-apiserver: the wiring every controller suite
// relies on (TLS, token auth, CRDs, namespaces, list+watch through @kubernetes/client-node).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { untilServed } from '../support/kube.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const crds = kc.makeApiClient(k8s.ApiextensionsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);

const group = 'smoke.test.hubops.io';
const widgets = { group, version: 'v1', plural: 'widgets' };
// A namespace per run; it is never deleted: the test API server runs no namespace controller.
const namespace = `smoke-${randomBytes(4).toString('hex')}`;

interface Widget extends k8s.KubernetesObject {
  spec?: { size?: number };
}

/** Resolves with the first event of `verb` for `name`, or rejects after `ms`. */
function nextEvent(
  informer: k8s.Informer<Widget>,
  verb: 'add' | 'update' | 'delete',
  name: string,
  ms = 10_000,
): Promise<Widget> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${verb} event for ${name} in ${ms} ms`)),
      ms,
    );
    const listener = (obj: Widget): void => {
      if (obj.metadata?.name !== name) return;
      clearTimeout(timer);
      informer.off(verb, listener);
      resolve(obj);
    };
    informer.on(verb, listener);
  });
}

const widgetCrd: k8s.V1CustomResourceDefinition = {
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', minimum: 0 } } },
            },
          },
        },
      },
    ],
  },
};

async function ensureCrd(): Promise<void> {
  try {
    await crds.createCustomResourceDefinition({ body: widgetCrd });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  }
  for (let i = 0; i < 100; i++) {
    const crd = await crds.readCustomResourceDefinition({ name: `widgets.${group}` });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
      return untilServed(kc, widgetCrd);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the Widget CRD never became Established');
}

before(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await ensureCrd();
});

test('the API server is the release the test environment asked for', async () => {
  const version = await kc.makeApiClient(k8s.VersionApi).getCode();
  assert.ok(env.k8sVersion, 'the env file names K8S_VERSION');
  assert.equal(version.gitVersion, env.k8sVersion);
});

test('an informer sees a custom resource added, updated and deleted', async (t) => {
  const informer = k8s.makeInformer<Widget>(
    kc,
    `/apis/${group}/v1/namespaces/${namespace}/widgets`,
    () => objects.listNamespacedCustomObject({ ...widgets, namespace }),
  );
  informer.on('error', () => {}); // stop() aborts the watch and reports it as an error
  await informer.start();
  t.after(() => informer.stop());

  const added = nextEvent(informer, 'add', 'w1');
  await objects.createNamespacedCustomObject({
    ...widgets,
    namespace,
    body: {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 1 },
    },
  });
  assert.equal((await added).spec?.size, 1);

  const updated = nextEvent(informer, 'update', 'w1');
  await objects.patchNamespacedCustomObject(
    { ...widgets, namespace, name: 'w1', body: { spec: { size: 2 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  assert.equal((await updated).spec?.size, 2);
  assert.equal(informer.get('w1', namespace)?.spec?.size, 2);

  const deleted = nextEvent(informer, 'delete', 'w1');
  await objects.deleteNamespacedCustomObject({ ...widgets, namespace, name: 'w1' });
  await deleted;
  assert.equal(informer.get('w1', namespace), undefined);
});

test('the API server enforces the CRD schema', async () => {
  await assert.rejects(
    objects.createNamespacedCustomObject({
      ...widgets,
      namespace,
      body: {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'bad' },
        spec: { size: -1 },
      },
    }),
    (err: unknown) => err instanceof k8s.ApiException && err.code === 422,
  );
});

test('the operator identity is a service account without cluster-admin rights', async () => {
  const operator = new k8s.KubeConfig();
  operator.loadFromFile(env.operatorKubeconfig);
  const review = await operator
    .makeApiClient(k8s.AuthenticationV1Api)
    .createSelfSubjectReview({ body: {} });
  assert.equal(review.status?.userInfo?.username, 'system:serviceaccount:hubops-system:hubops');
  await assert.rejects(
    operator.makeApiClient(k8s.CoreV1Api).listNamespace(),
    (err: unknown) => err instanceof k8s.ApiException && err.code === 403,
  );
});
