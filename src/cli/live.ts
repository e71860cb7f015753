/**
 * The live custom resources `hubops plan` judges the manifests against: every HubUser, HubGroup
 * and HubServer the caller may list (the whole cluster, else the manifests' namespaces), and the
 * Hub a plan names. Read in pages, as the operator's informers list them; it writes nothing.
 */
import type { Hub } from '../api/hub.ts';
import { hubGroupSpecSchema, type HubGroup } from '../api/hubgroup.ts';
import { hubServerSpecSchema, type HubServer } from '../api/hubserver.ts';
import { hubUserSpecSchema, type HubUser } from '../api/hubuser.ts';
import { apiVersion, group, kinds, version, type KindDescriptor } from '../api/meta.ts';
import type { z } from 'zod';
import type { KubeClient } from '../kube/kube-client.ts';
import { KubeApiError, undefinedIfNotFound } from '../kube/kube-errors.ts';
import { collectionPath, objectPath, type ResourceRef } from '../kube/resource.ts';
import type { Declared } from './preview/model.ts';

const pageSize = 500;

function refOf(kind: KindDescriptor): ResourceRef {
  return { group, version, plural: kind.plural, kind: kind.kind };
}

/**
 * The declaring resources of the cluster; when the caller may not list across namespaces (a
 * namespace's own role), those of `namespaces`. A missing CRD reads as no objects.
 */
export async function liveResources(
  kube: KubeClient,
  namespaces: ReadonlySet<string>,
): Promise<Declared> {
  const [users, groups, servers] = await Promise.all([
    listKind<HubUser>(kube, kinds.HubUser, hubUserSpecSchema, namespaces),
    listKind<HubGroup>(kube, kinds.HubGroup, hubGroupSpecSchema, namespaces),
    listKind<HubServer>(kube, kinds.HubServer, hubServerSpecSchema, namespaces),
  ]);
  return { users, groups, servers };
}

/** The Hub `namespace/name`, or undefined when there is none. */
export async function liveHub(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<Hub | undefined> {
  return undefinedIfNotFound(
    kube.request<Hub>('GET', objectPath(refOf(kinds.Hub), { metadata: { namespace, name } })),
  );
}

/**
 * The objects of `kind`, each with its kind (a list's items have none) and its spec defaulted
 * by the operator's schema; one the operator would refuse as InvalidSpec makes no call, so it
 * is left out.
 */
async function listKind<T>(
  kube: KubeClient,
  kind: KindDescriptor,
  specSchema: z.ZodType,
  namespaces: ReadonlySet<string>,
): Promise<T[]> {
  let items: Listed[];
  try {
    items = await listAll(kube, collectionPath(refOf(kind)));
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.status !== 403) return missingIsEmpty(err);
    const lists = await Promise.all(
      [...namespaces].map((namespace) =>
        listAll(kube, collectionPath(refOf(kind), namespace)).catch(missingIsEmpty<Listed>),
      ),
    );
    items = lists.flat();
  }
  return items.flatMap((item) => {
    const spec = specSchema.safeParse(item.spec ?? {});
    return spec.success ? [{ ...item, apiVersion, kind: kind.kind, spec: spec.data } as T] : [];
  });
}

interface Listed {
  readonly spec?: unknown;
}

function missingIsEmpty<T>(err: unknown): T[] {
  if (err instanceof KubeApiError && err.status === 404) return [];
  throw err;
}

async function listAll(kube: KubeClient, path: string): Promise<Listed[]> {
  const objects: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await kube.request<{ items: Listed[]; metadata?: { continue?: string } }>(
      'GET',
      path,
      {
        query: { limit: pageSize, ...(token ? { continue: token } : {}) },
      },
    );
    objects.push(...page.items);
    token = page.metadata?.continue || undefined;
  } while (token);
  return objects;
}
