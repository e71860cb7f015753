/**
 * The naive contender: a straightforward per-object controller, as most operators are written.
 * Each pass lists the custom resources, then for every object reads its hub counterpart and
 * creates or patches it (one member per membership call), and marks it Ready. It runs a pass
 * per resync period; users go before groups so its groups never wait for a requeue.
 */
import * as k8s from '@kubernetes/client-node';
import { inParallel, ready, type CustomObject, type Plural } from '../support/resources.ts';
import type { RawHub } from './raw-hub.ts';

export class NaiveController {
  readonly #api: k8s.CustomObjectsApi;
  readonly #namespace: string;
  readonly #raw: RawHub;
  readonly #width: number;
  kubeWrites = 0;

  constructor(kc: k8s.KubeConfig, namespace: string, raw: RawHub, width: number) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.#namespace = namespace;
    this.#raw = raw;
    this.#width = width;
  }

  /** One pass over every object; objects that fail are left for the next pass. */
  async pass(): Promise<void> {
    const users = await this.#list('hubusers');
    await inParallel(users, this.#width, (o) => this.#reconcileUser(o).catch(() => undefined));
    const groups = await this.#list('hubgroups');
    await inParallel(groups, this.#width, (o) => this.#reconcileGroup(o).catch(() => undefined));
  }

  async #reconcileUser(o: CustomObject): Promise<void> {
    const name = (o.spec['username'] as string | undefined) ?? o.metadata.name;
    const admin = (o.spec['admin'] as boolean | undefined) ?? false;
    const path = `users/${encodeURIComponent(name)}`;
    const found = await this.#raw.call('GET', path);
    if (found.status === 404) await this.#raw.ok('POST', path, { admin });
    else if ((found.body as { admin?: boolean }).admin !== admin)
      await this.#raw.ok('PATCH', path, { admin });
    await this.#markReady('hubusers', o);
  }

  async #reconcileGroup(o: CustomObject): Promise<void> {
    const name = (o.spec['groupName'] as string | undefined) ?? o.metadata.name;
    const path = `groups/${encodeURIComponent(name)}`;
    const found = await this.#raw.call('GET', path);
    let members: string[] = [];
    if (found.status === 404) await this.#raw.ok('POST', path, {});
    else members = (found.body as { users: string[] }).users;
    for (const member of (o.spec['members'] as string[] | undefined) ?? []) {
      if (!members.includes(member))
        await this.#raw.ok('POST', `${path}/users`, { users: [member] });
    }
    await this.#markReady('hubgroups', o);
  }

  async #markReady(plural: Plural, o: CustomObject): Promise<void> {
    if (ready(o)) return;
    const generation = (o.metadata as { generation?: number }).generation ?? 1;
    const now = new Date().toISOString();
    const conditions = ['Ready', 'Synced'].map((type) => ({
      type,
      status: 'True',
      reason: 'Synced',
      message: '',
      lastTransitionTime: now,
      observedGeneration: generation,
    }));
    this.kubeWrites++;
    await this.#api.patchNamespacedCustomObjectStatus(
      {
        group: 'hubops.io',
        version: 'v1alpha1',
        plural,
        namespace: this.#namespace,
        name: o.metadata.name,
        body: { status: { observedGeneration: generation, conditions } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  async #list(plural: Plural): Promise<CustomObject[]> {
    const list = (await this.#api.listNamespacedCustomObject({
      group: 'hubops.io',
      version: 'v1alpha1',
      namespace: this.#namespace,
      plural,
    })) as { items: CustomObject[] };
    return list.items;
  }
}
