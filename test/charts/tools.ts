/**
 * Helpers for the chart tests: the cached helm binary (hack/helm.sh builds it once), helm and
 * kubectl runs, the chart rendered with given values and parsed with the `yaml` package, and the
 * operator settings the README's Settings table names.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const root = new URL('../../', import.meta.url).pathname;
export const chartDir = join(root, 'charts/hubops');

/** A Kubernetes object as the tests read it: loosely typed, checked by assertions. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

let helmPath: string | undefined;

/** The helm binary's path; the first call may build it (about a minute and a half, cold). */
export function helmBinary(): string {
  helmPath ??= execFileSync(join(root, 'hack/helm.sh'), { encoding: 'utf8' }).trim();
  return helmPath;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion; never throws for a non-zero exit, the caller decides. */
export async function run(
  file: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      env: { ...process.env, ...env },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(err),
    };
  }
}

/** Helm state (repository cache, config) kept in a folder of the test's own, not in $HOME. */
export function helmHome(dir: string): Record<string, string> {
  return {
    HELM_CACHE_HOME: join(dir, 'cache'),
    HELM_CONFIG_HOME: join(dir, 'config'),
    HELM_DATA_HOME: join(dir, 'data'),
  };
}

/** Runs helm and throws with its stderr when it fails. */
export async function helm(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<string> {
  const result = await run(helmBinary(), args, env);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Writes values to a temporary file (JSON is YAML) and passes it with --values. */
export async function withValues<T>(
  values: object,
  use: (args: string[]) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hubops-values-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, JSON.stringify(values));
    return await use(['--values', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses a multi-document YAML stream, skipping empty documents. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
      return doc.toJS() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null);
}

/**
 * `helm template` of the chart as release `hubops`, parsed; for `kubeVersion` when given (the
 * chart's version checks read it, as `helm install` reads the cluster's), else helm's default.
 */
export async function render(
  values: object = {},
  namespace = 'hubops-system',
  kubeVersion?: string,
): Promise<Manifest[]> {
  const versionArgs = kubeVersion ? ['--kube-version', kubeVersion] : [];
  return withValues(values, async (valueArgs) =>
    parseManifests(
      await helm([
        'template',
        'hubops',
        chartDir,
        '--namespace',
        namespace,
        ...versionArgs,
        ...valueArgs,
      ]),
    ),
  );
}

/** The one object of a kind (and name, when given); throws when there is not exactly one. */
export function only(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  }
  return found[0] as Manifest;
}

/** The variables in the first column of the README's Settings table. */
export function readmeSettings(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('### Settings');
  if (start < 0) throw new Error('README.md has no "### Settings" section');
  const section = readme.slice(start).split(/\n#{2,3} /)[0] ?? '';
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const first = line.split('|')[1] ?? '';
    for (const match of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1] ?? '');
  }
  return [...names].sort();
}
