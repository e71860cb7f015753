/**
 * The parts of `make demo` (hack/demo.sh) that read JSON: waiting for the examples to become
 * Ready while saying what is ready and what is waiting, the hub's own view of users, groups and
 * servers, and a readable tail of the operator's JSON log. Run by hack/demo.sh:
 *
 *   node hack/demo/demo.ts wait DIR TIMEOUT_SECONDS OPERATOR_PID   exit 0 all Ready, 1 timeout, 3 operator gone
 *   node hack/demo/demo.ts namespaces DIR                          the examples' namespaces, one a line
 *   node hack/demo/demo.ts hub                                     the hub's view (HUB_API_URL, HUB_API_TOKEN)
 *   node hack/demo/demo.ts log FILE [LINES]                        the last lines of a JSON log, readable
 *
 * kubectl (with the demo's KUBECONFIG from the environment) is the only way in to Kubernetes,
 * so the demo sees exactly what a user typing the same commands would.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly observedGeneration?: number;
}

export interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; generation?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: readonly Condition[];
    readonly phase?: string;
    readonly message?: string;
  };
}

export interface Readiness {
  readonly ready: boolean;
  /** Why it is (not) ready, in one line: the Ready reason and message, or what is missing. */
  readonly why: string;
}

/** `HubUser physics-101/ada`. */
export function refOf(resource: Resource): string {
  const { namespace, name } = resource.metadata;
  return `${resource.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * Ready means the condition Ready is True and was written for the current spec: its
 * observedGeneration (else the status's) equals metadata.generation.
 */
export function readiness(resource: Resource): Readiness {
  const status = resource.status;
  if (!status?.conditions?.length) return { ready: false, why: 'no status yet' };
  const ready = status.conditions.find((c) => c.type === 'Ready');
  if (!ready) return { ready: false, why: 'no Ready condition yet' };
  const said = `${ready.reason ?? 'no reason'}${ready.message ? `: ${ready.message}` : ''}`;
  const observed = ready.observedGeneration ?? status.observedGeneration;
  const generation = resource.metadata.generation;
  if (generation !== undefined && observed !== generation) {
    return {
      ready: false,
      why: `Ready=${ready.status} is for generation ${observed ?? '(none)'}, the spec is at ${generation}`,
    };
  }
  if (ready.status !== 'True') return { ready: false, why: `Ready=${ready.status} ${said}` };
  return { ready: true, why: said };
}

/** The hubops resources in `kubectl get -f DIR -o json` output (a List, or one object). */
export function hubopsResources(json: string): Resource[] {
  const parsed = JSON.parse(json) as { kind?: string; items?: Resource[] } & Partial<Resource>;
  const all = parsed.kind === 'List' ? (parsed.items ?? []) : [parsed as Resource];
  return all.filter(
    (r) => typeof r.apiVersion === 'string' && r.apiVersion.startsWith('hubops.io/'),
  );
}

/** The full story of a resource that is not Ready: every condition, and a server's phase. */
export function describeNotReady(resource: Resource): string[] {
  const lines = [`${refOf(resource)}: ${readiness(resource).why}`];
  const status = resource.status;
  if (!status?.conditions?.length) {
    lines.push(
      `    no condition was ever written: is a ${resource.kind} controller running in the operator? (its log is below)`,
    );
    return lines;
  }
  lines.push(
    `    generation ${resource.metadata.generation ?? '?'}, status.observedGeneration ${status.observedGeneration ?? '-'}`,
  );
  for (const c of status.conditions) {
    lines.push(
      `    ${c.type}=${c.status} ${c.reason ?? ''} (generation ${c.observedGeneration ?? '-'}): ${c.message ?? ''}`,
    );
  }
  if (status.phase)
    lines.push(`    phase ${status.phase}${status.message ? `: ${status.message}` : ''}`);
  return lines;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

const pexec = promisify(execFile);

async function kubectlGet(dir: string): Promise<Resource[]> {
  const { stdout } = await pexec('kubectl', ['get', '-f', dir, '-o', 'json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return hubopsResources(stdout);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls every second until every resource is Ready. Prints each resource as it becomes Ready,
 * and a line of what is still waiting whenever that changes and at least every 5 seconds.
 */
async function waitReady(dir: string, timeoutS: number, operatorPid: number): Promise<number> {
  const started = Date.now();
  const elapsed = (): string => `${Math.round((Date.now() - started) / 1000)}s`.padStart(5);
  const say = (text: string): void => console.log(`demo: ${elapsed()}  ${text}`);
  const announced = new Set<string>();
  let lastWaiting = '';
  let lastPrint = 0;
  let resources: Resource[] = [];
  for (;;) {
    try {
      resources = await kubectlGet(dir);
    } catch (err) {
      say(`kubectl get -f ${dir} failed: ${clip(String((err as Error).message), 300)}`);
      if (Date.now() - started >= timeoutS * 1000) return 1;
      await sleep(1000);
      continue;
    }
    if (resources.length === 0) {
      say(`no hubops resources found in ${dir}`);
      return 1;
    }
    const waiting: { ref: string; text: string }[] = [];
    for (const resource of resources) {
      const state = readiness(resource);
      const ref = refOf(resource);
      if (state.ready && !announced.has(ref)) {
        announced.add(ref);
        say(`Ready    ${ref} (${clip(state.why, 110)})`);
      } else if (!state.ready) {
        announced.delete(ref);
        waiting.push({ ref, text: `${ref} (${clip(state.why, 110)})` });
      }
    }
    if (waiting.length === 0) {
      say(`all ${resources.length} examples are Ready`);
      return 0;
    }
    // What is waiting, in full when it changed; every 5 s otherwise, one line of names only.
    const summary = waiting.map((w) => w.text).join('\n              ');
    if (summary !== lastWaiting) {
      say(`${resources.length - waiting.length}/${resources.length} Ready; waiting for:`);
      console.log(`              ${summary}`);
      lastWaiting = summary;
      lastPrint = Date.now();
    } else if (Date.now() - lastPrint >= 5000) {
      const names = waiting.map((w) => w.ref);
      const shown = names.slice(0, 4).join(', ');
      const more = names.length > 4 ? ` and ${names.length - 4} more` : '';
      say(
        `${resources.length - waiting.length}/${resources.length} Ready; still waiting for ${shown}${more}`,
      );
      lastPrint = Date.now();
    }
    if (!alive(operatorPid)) {
      console.error(`demo: the operator (pid ${operatorPid}) is no longer running`);
      return 3;
    }
    if (Date.now() - started >= timeoutS * 1000) {
      console.error(
        `demo: FAILED: ${waiting.length} of ${resources.length} examples did not become Ready within ${timeoutS} s:`,
      );
      for (const resource of resources) {
        if (!readiness(resource).ready)
          for (const line of describeNotReady(resource)) console.error(`  ${line}`);
      }
      return 1;
    }
    await sleep(1000);
  }
}

/** The namespaces of the hubops resources in DIR, sorted. */
async function namespaces(dir: string): Promise<string[]> {
  const found = new Set((await kubectlGet(dir)).map((r) => r.metadata.namespace ?? 'default'));
  return [...found].sort();
}

export interface HubServerModel {
  readonly name?: string;
  readonly ready?: boolean;
  readonly pending?: string | null;
  readonly url?: string;
}
export interface HubUserModel {
  readonly name: string;
  readonly admin?: boolean;
  readonly groups?: readonly string[];
  readonly servers?: Readonly<Record<string, HubServerModel>>;
}
export interface HubGroupModel {
  readonly name: string;
  readonly users?: readonly string[];
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** Rows as aligned columns, the first row being the header. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
}

function serverText(name: string, server: HubServerModel): string {
  const state = server.pending ? `pending ${server.pending}` : server.ready ? 'ready' : 'not ready';
  return `${name === '' ? '(default)' : name} ${state}${server.url ? ` ${server.url}` : ''}`;
}

/** The hub's users (admin flag, servers) and groups (members, properties), as two tables. */
export function hubView(
  users: readonly HubUserModel[],
  groups: readonly HubGroupModel[],
): string[] {
  const userRows = [...users]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((u) => {
      const servers = Object.entries(u.servers ?? {}).map(([name, s]) => serverText(name, s));
      return [u.name, u.admin ? 'yes' : 'no', servers.length ? servers.join(', ') : '-'];
    });
  const groupRows = [...groups]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((g) => [
      g.name,
      g.users?.length ? [...g.users].sort().join(', ') : '-',
      g.properties && Object.keys(g.properties).length ? JSON.stringify(g.properties) : '-',
    ]);
  return [
    `users (${users.length})`,
    ...table([['NAME', 'ADMIN', 'SERVERS'], ...userRows]).map((l) => `  ${l}`),
    '',
    `groups (${groups.length})`,
    ...table([['NAME', 'MEMBERS', 'PROPERTIES'], ...groupRows]).map((l) => `  ${l}`),
  ];
}

async function hubGet<T>(url: string, token: string, path: string): Promise<T> {
  const response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
    headers: { Authorization: `token ${token}` },
  });
  if (!response.ok)
    throw new Error(`GET ${path}: HTTP ${response.status} ${clip(await response.text(), 200)}`);
  return (await response.json()) as T;
}

async function printHub(): Promise<number> {
  const url = process.env['HUB_API_URL'];
  const token = process.env['HUB_API_TOKEN'];
  if (!url || !token) {
    console.error('demo: HUB_API_URL and HUB_API_TOKEN must be set');
    return 2;
  }
  // A demo hub holds a handful of users; 200 is the hub's page size limit.
  const [users, groups] = await Promise.all([
    hubGet<HubUserModel[]>(url, token, '/users?limit=200'),
    hubGet<HubGroupModel[]>(url, token, '/groups?limit=200'),
  ]);
  for (const line of hubView(users, groups)) console.log(line);
  return 0;
}

/** One operator log line (pino JSON) as `time level msg key=value ...`; other lines as they are. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, name: _name, pid: _pid, hostname: _host, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const text = (v: unknown): string =>
    typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${text(v)}`);
  return [clock, text(level).toUpperCase().padEnd(5), text(msg), ...fields]
    .filter((part) => part !== '')
    .join(' ');
}

function printLog(file: string, count: number): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    console.error(`  (no log at ${file})`);
    return 0;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.slice(-count)) console.error(`  ${formatLogLine(line)}`);
  return 0;
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'wait':
      return waitReady(rest[0] ?? '', Number(rest[1] ?? 180), Number(rest[2] ?? 0));
    case 'namespaces':
      for (const ns of await namespaces(rest[0] ?? '')) console.log(ns);
      return 0;
    case 'hub':
      return printHub();
    case 'log':
      return printLog(rest[0] ?? '', Number(rest[1] ?? 30));
    default:
      console.error(
        'usage: demo.ts wait DIR TIMEOUT PID | namespaces DIR | hub | log FILE [LINES]',
      );
      return 2;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
