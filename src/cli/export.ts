/**
 * `hubops export`: manifests that describe a hub as it is, so that applying them adopts every
 * object and changes nothing (deletionPolicy Retain, admin flags, exact members and properties as
 * the hub has them, running servers as Running), or that only watch it (managementPolicy Observe).
 * Pure: the hub's users and groups in, objects out.
 */
import { apiVersion } from '../api/meta.ts';
import type { HubGroup, HubUser } from '../hub/models.ts';
import { objectNames } from './object-names.ts';

export interface ExportOptions {
  readonly namespace: string;
  /** Written into every resource's spec.hubRef when set. */
  readonly hubRef?: { readonly name: string; readonly namespace?: string };
  readonly users: boolean;
  readonly groups: boolean;
  readonly servers: boolean;
  /** Only hub objects whose name matches (a group by its name, a server by its user's). */
  readonly match?: RegExp;
  /** Labels put on every exported HubUser (for a group's memberSelector, say). */
  readonly userLabels?: Readonly<Record<string, string>>;
  /** Every resource with managementPolicy Observe: watched, never written to the hub. */
  readonly observe?: boolean;
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: 'HubUser' | 'HubGroup' | 'HubServer';
  readonly metadata: { name: string; namespace: string; labels?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** The manifests, HubUsers first, each kind sorted by hub name. */
export function exportManifests(
  hub: {
    readonly users: ReadonlyMap<string, HubUser>;
    readonly groups: ReadonlyMap<string, HubGroup>;
  },
  options: ExportOptions,
): Manifest[] {
  const wanted = (name: string): boolean => options.match?.test(name) ?? true;
  const users = [...hub.users.values()].filter((u) => wanted(u.name));
  const groups = [...hub.groups.values()].filter((g) => wanted(g.name));
  const common = {
    ...(options.observe ? { managementPolicy: 'Observe' } : {}),
    ...(options.hubRef ? { hubRef: options.hubRef } : {}),
  };
  const meta = (name: string, labels?: Readonly<Record<string, string>>) => ({
    name,
    namespace: options.namespace,
    ...(labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
  });
  const manifests: Manifest[] = [];
  if (options.users) {
    const names = objectNames(users.map((u) => u.name));
    for (const user of sortedBy(users, (u) => u.name)) {
      const name = names.get(user.name) ?? user.name;
      manifests.push({
        apiVersion,
        kind: 'HubUser',
        metadata: meta(name, options.userLabels),
        spec: {
          ...(name === user.name ? {} : { username: user.name }),
          admin: user.admin,
          deletionPolicy: 'Retain',
          ...common,
        },
      });
    }
  }
  if (options.groups) {
    const names = objectNames(groups.map((g) => g.name));
    for (const group of sortedBy(groups, (g) => g.name)) {
      const name = names.get(group.name) ?? group.name;
      const properties = group.properties ?? {};
      manifests.push({
        apiVersion,
        kind: 'HubGroup',
        metadata: meta(name),
        spec: {
          ...(name === group.name ? {} : { groupName: group.name }),
          members: [...group.users].sort(),
          ...(Object.keys(properties).length > 0 ? { properties } : {}),
          deletionPolicy: 'Retain',
          ...common,
        },
      });
    }
  }
  if (options.servers) {
    const running = users.flatMap((user) =>
      Object.entries(user.servers ?? {})
        .filter(([, server]) => server.ready)
        .map(([serverName]) => ({ username: user.name, serverName })),
    );
    const label = (s: { username: string; serverName: string }): string =>
      `${s.username}-${s.serverName || 'default'}`;
    const names = objectNames(running.map(label));
    for (const server of sortedBy(running, label)) {
      manifests.push({
        apiVersion,
        kind: 'HubServer',
        metadata: meta(names.get(label(server)) ?? label(server)),
        spec: {
          username: server.username,
          serverName: server.serverName,
          state: 'Running',
          deletionPolicy: 'Retain',
          ...common,
        },
      });
    }
  }
  return manifests;
}

function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
