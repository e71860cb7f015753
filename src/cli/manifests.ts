/**
 * Reading manifests as `kubectl apply -f` would take them: a file, a folder of .yaml/.yml/.json
 * files (its subfolders with `recursive`), or `-` for standard input; YAML documents and `List`s.
 * The kinds hubops declares are checked with the schemas the operator uses; other kinds are
 * counted and left alone. A bad document is a ManifestError naming the file, the document and why.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { hubSpecSchema, type Hub } from '../api/hub.ts';
import { hubGroupSpecSchema, type HubGroup } from '../api/hubgroup.ts';
import { hubServerSpecSchema, type HubServer } from '../api/hubserver.ts';
import { hubUserSpecSchema, type HubUser } from '../api/hubuser.ts';
import { apiVersion, keyOf } from '../api/meta.ts';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** The objects of the kinds hubops declares, as read from the manifests, specs defaulted. */
export interface ManifestSet {
  readonly users: HubUser[];
  readonly groups: HubGroup[];
  readonly servers: HubServer[];
  readonly hubs: Hub[];
  /** Documents of other kinds, left to whatever applies them. */
  otherKinds: number;
}

const specSchemas = {
  HubUser: hubUserSpecSchema,
  HubGroup: hubGroupSpecSchema,
  HubServer: hubServerSpecSchema,
  Hub: hubSpecSchema,
} as const satisfies Record<string, z.ZodType>;
type DeclaredKind = keyof typeof specSchemas;

/** A DNS subdomain, as Kubernetes requires of a custom object's name. */
const objectName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u;
const namespaceName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u;
const manifestFile = /\.(ya?ml|json)$/u;

export interface ReadOptions {
  /** The namespace of objects that name none. */
  readonly namespace: string;
  readonly recursive?: boolean;
  /** Standard input, for the path `-`. */
  readonly stdin?: () => string;
}

export function readManifests(paths: readonly string[], options: ReadOptions): ManifestSet {
  const set: ManifestSet = { users: [], groups: [], servers: [], hubs: [], otherKinds: 0 };
  const seen = new Map<string, string>();
  for (const path of paths) {
    for (const file of filesOf(path, options.recursive ?? false)) {
      const text = file === '-' ? (options.stdin?.() ?? readFileSync(0, 'utf8')) : readText(file);
      readDocuments(file === '-' ? 'standard input' : file, text, options.namespace, set, seen);
    }
  }
  return set;
}

function filesOf(path: string, recursive: boolean): string[] {
  if (path === '-') return [path];
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (err) {
    throw new ManifestError(`${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (!isFolder) return [path];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const child = join(path, entry.name);
    if (entry.isDirectory() && recursive) files.push(...filesOf(child, true));
    else if (entry.isFile() && manifestFile.test(entry.name)) files.push(child);
  }
  return files;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

function readDocuments(
  file: string,
  text: string,
  namespace: string,
  set: ManifestSet,
  seen: Map<string, string>,
): void {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return;
  documents.forEach((document, index) => {
    const where = `${file}: document ${index + 1}`;
    const error = document.errors[0];
    if (error) throw new ManifestError(`${where}: not YAML: ${error.message.split('\n')[0]}`);
    const content: unknown = document.toJS();
    if (content === null || content === undefined) return;
    const items = isList(content) ? content.items : [content];
    items.forEach((item, i) => {
      const label = isList(content) ? `${where} item ${i + 1}` : where;
      addObject(label, item, namespace, set, seen);
    });
  });
}

function isList(content: unknown): content is { items: unknown[] } {
  const object = content as { kind?: unknown; items?: unknown };
  return (
    typeof object === 'object' &&
    typeof object.kind === 'string' &&
    object.kind.endsWith('List') &&
    Array.isArray(object.items)
  );
}

function addObject(
  where: string,
  item: unknown,
  namespace: string,
  set: ManifestSet,
  seen: Map<string, string>,
): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw new ManifestError(`${where}: not an object`);
  const object = item as Record<string, unknown>;
  const { kind } = object;
  if (typeof kind !== 'string' || typeof object['apiVersion'] !== 'string')
    throw new ManifestError(`${where}: has no apiVersion and kind`);
  const hubops = String(object['apiVersion']).split('/')[0] === apiVersion.split('/')[0];
  if (!hubops || !(kind in specSchemas)) {
    if (hubops && kind !== 'HubToken')
      throw new ManifestError(`${where}: hubops.io has no kind ${kind}`);
    set.otherKinds++;
    return;
  }
  if (object['apiVersion'] !== apiVersion)
    throw new ManifestError(`${where}: ${kind} is served as ${apiVersion}`);
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  const name = metadata['name'];
  if (typeof name !== 'string' || !objectName.test(name) || name.length > 253)
    throw new ManifestError(`${where}: ${kind} needs metadata.name, a DNS subdomain`);
  const ns = metadata['namespace'] ?? namespace;
  if (typeof ns !== 'string' || !namespaceName.test(ns))
    throw new ManifestError(`${where}: ${kind} ${name}: metadata.namespace is no namespace name`);
  const declared = kind as DeclaredKind;
  const spec = specSchemas[declared].safeParse(object['spec'] ?? {});
  if (!spec.success) {
    const issue = spec.error.issues[0];
    const field = ['spec', ...(issue?.path ?? [])].join('.');
    throw new ManifestError(`${where}: ${kind} ${ns}/${name}: ${field}: ${issue?.message}`);
  }
  const identity = `${kind} ${keyOf(ns, name)}`;
  const earlier = seen.get(identity);
  if (earlier)
    throw new ManifestError(`${where}: ${identity} is declared again (first in ${earlier})`);
  seen.set(identity, where);
  const parsed = {
    apiVersion,
    kind: declared,
    metadata: { ...metadata, name, namespace: ns },
    spec: spec.data,
  };
  if (declared === 'HubUser') set.users.push(parsed as HubUser);
  else if (declared === 'HubGroup') set.groups.push(parsed as HubGroup);
  else if (declared === 'HubServer') set.servers.push(parsed as HubServer);
  else set.hubs.push(parsed as Hub);
}
