/**
 * The test environment as the integration suites see it: the file `make testenv` (or
 * hack/test-integration.sh) writes, per CONTRACT §2. Integration tests fail loudly when it is
 * missing; they never skip themselves into a green run.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Testenv {
  readonly kubeconfig: string;
  readonly operatorKubeconfig: string;
  readonly hubApiUrl: string;
  readonly hubApiToken: string;
  readonly hubVersion: string;
  readonly dir: string;
  /** The API server's release, e.g. v1.36.3 (absent only in env files older than it). */
  readonly k8sVersion?: string;
  /** The second, independent hub of the same release (absent only in env files older than it). */
  readonly hub2ApiUrl?: string;
  readonly hub2ApiToken?: string;
}

/** Parses shell-style `KEY=value` lines; blank lines and `#` comments are skipped. */
export function parseEnvFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`line ${index + 1} is not KEY=value: ${line}`);
    entries.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return entries;
}

/** Builds a Testenv from parsed entries; names every missing key at once. */
export function testenvFrom(entries: Map<string, string>): Testenv {
  const keys = [
    'KUBECONFIG',
    'OPERATOR_KUBECONFIG',
    'HUB_API_URL',
    'HUB_API_TOKEN',
    'HUB_VERSION',
    'TESTENV_DIR',
  ];
  const missing = keys.filter((key) => !entries.get(key));
  if (missing.length > 0) throw new Error(`the test environment file lacks ${missing.join(', ')}`);
  const get = (key: string): string => entries.get(key) ?? '';
  // The second hub's keys come as a pair: both or neither.
  const hub2Keys = ['HUB2_API_URL', 'HUB2_API_TOKEN'];
  const hub2Missing = hub2Keys.filter((key) => !entries.get(key));
  if (hub2Missing.length === 1) {
    throw new Error(`the test environment file lacks ${hub2Missing.join(', ')}`);
  }
  return {
    kubeconfig: get('KUBECONFIG'),
    operatorKubeconfig: get('OPERATOR_KUBECONFIG'),
    hubApiUrl: get('HUB_API_URL'),
    hubApiToken: get('HUB_API_TOKEN'),
    hubVersion: get('HUB_VERSION'),
    dir: get('TESTENV_DIR'),
    ...(entries.get('K8S_VERSION') ? { k8sVersion: get('K8S_VERSION') } : {}),
    ...(hub2Missing.length === 0
      ? { hub2ApiUrl: get('HUB2_API_URL'), hub2ApiToken: get('HUB2_API_TOKEN') }
      : {}),
  };
}

/** The second hub's URL and token; throws with the fix when the env file predates it. */
export function secondHub(env: Testenv): { readonly apiUrl: string; readonly apiToken: string } {
  if (env.hub2ApiUrl === undefined || env.hub2ApiToken === undefined) {
    throw new Error(
      "the test environment file has no second hub (HUB2_API_URL): re-run 'make testenv'",
    );
  }
  return { apiUrl: env.hub2ApiUrl, apiToken: env.hub2ApiToken };
}

/** Loads the file named by HUBOPS_TESTENV_FILE, else `.testenv/env`; throws with the fix when absent. */
export function loadTestenv(): Testenv {
  const path = resolve(process.env['HUBOPS_TESTENV_FILE'] ?? '.testenv/env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(
      `no test environment at ${path}: run 'make testenv' (or 'make test-integration')`,
    );
  }
  return testenvFrom(parseEnvFile(text));
}
