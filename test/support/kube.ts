/**
 * Kubernetes helpers for integration tests: clients for the test environment, the operator's
 * CRDs installed (idempotently), a fresh namespace per test file, and polling.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { systemClock } from '../../src/clock.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { kubeconfigTarget } from '../../src/kube/kube-target.ts';
import type { Testenv } from './testenv.ts';

const crdDir = new URL('../../crds/', import.meta.url);

export function kubeConfig(path: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** The operator's own Kubernetes client, for tests that drive its kube/ parts directly. */
export function operatorKubeClient(path: string): KubeClient {
  return new KubeClient(kubeconfigTarget(path, systemClock));
}

/** Creates or replaces the operator's CRDs and waits until the API server serves them. */
export async function ensureCrds(kc: k8s.KubeConfig): Promise<void> {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const files = readdirSync(crdDir).filter((f) => f.endsWith('.yaml'));
  for (const file of files) {
    // loadYaml keeps defaults, CEL rules and preserve-unknown-fields, which the typed client's
    // serializer drops from a plainly parsed object.
    const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(
      readFileSync(new URL(file, crdDir), 'utf8'),
    );
    const name = crd.metadata?.name ?? '';
    try {
      await api.createCustomResourceDefinition({ body: crd });
    } catch (err) {
      if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
      const current = await api.readCustomResourceDefinition({ name });
      await api.replaceCustomResourceDefinition({
        name,
        body: {
          ...crd,
          metadata: { ...crd.metadata, resourceVersion: current.metadata?.resourceVersion },
        },
      });
    }
    await until(async () => {
      const read = await api.readCustomResourceDefinition({ name });
      return (
        read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ??
        false
      );
    }, 30_000);
    await untilServed(kc, crd);
  }
}

/**
 * Until the API server answers a list of the CRD's objects. Established is not enough: from
 * Kubernetes 1.31, on an etcd that answers progress requests, a new resource's lists are refused
 * (429, "storage is (re)initializing") until its watch cache has loaded.
 */
export async function untilServed(
  kc: k8s.KubeConfig,
  crd: k8s.V1CustomResourceDefinition,
): Promise<void> {
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  const version = crd.spec.versions.find((v) => v.served)?.name ?? '';
  const { group, names } = crd.spec;
  await until(
    async () => {
      await objects.listClusterCustomObject({ group, version, plural: names.plural, limit: 1 });
      return true;
    },
    30_000,
    `${names.plural}.${group} served`,
  );
}

/** A new namespace for one test file; never deleted (the test API server cannot finalize one). */
export async function freshNamespace(kc: k8s.KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/**
 * Polls `condition` every `everyMs` (50 by default; more for conditions that list many objects)
 * until it holds; throws with `what` after `timeoutMs`.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not yet: the object may not exist, or the server may be restarting
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Kills the test kube-apiserver by PID (SIGKILL: a crash; a graceful stop with open watches
 * takes over 30 s) and starts it again on the same port and etcd data after `downMs`.
 */
export async function restartApiServer(env: Testenv, downMs: number): Promise<void> {
  const dir = `${env.dir}/kube`;
  const pid = Number(readFileSync(`${dir}/kube-apiserver.pid`, 'utf8'));
  process.kill(pid, 'SIGKILL');
  await until(() => !alive(pid), 10_000, 'kube-apiserver exit');
  await new Promise((resolve) => setTimeout(resolve, downMs));
  const { execFileSync } = await import('node:child_process');
  execFileSync(`${dir}/kube-apiserver.run.sh`);
  // /version answers before custom resources are served again: wait for those.
  const objects = kubeConfig(env.kubeconfig).makeApiClient(k8s.CustomObjectsApi);
  const hubusers = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubusers' };
  await until(
    async () => Boolean(await objects.listClusterCustomObject(hubusers)),
    60_000,
    'kube-apiserver ready',
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
