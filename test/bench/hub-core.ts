/**
 * BENCH_HUB_CORE: `shared` lets the machine schedule everything; `own` pins the hub (and the
 * servers it spawns) to one core and the rest to the others, as a cluster keeps the hub's node
 * apart from the control plane. The pins end with make bench's test environment.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type HubCore = 'own' | 'shared';

/** The cores this process may run on, e.g. `0-3,8` -> [0, 1, 2, 3, 8] (Cpus_allowed_list). */
export function parseCoreList(list: string): number[] {
  return list
    .trim()
    .split(',')
    .flatMap((range) => {
      const [from, to = from] = range.split('-').map(Number) as [number, number?];
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
}

/** Read once, before placeHub narrows this process to the others' cores. */
let allowed: number[] | undefined;
function allowedCores(): number[] {
  allowed ??= parseCoreList(
    /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0',
  );
  return allowed;
}

/** BENCH_HUB_CORE: `shared` (the default) or `own`, which needs two cores or more. */
export function hubCoreFrom(setting: string | undefined, cores = allowedCores().length): HubCore {
  if (setting === undefined || setting === '' || setting === 'shared') return 'shared';
  if (setting !== 'own') throw new Error(`BENCH_HUB_CORE must be own or shared, not ${setting}`);
  if (cores < 2) throw new Error('BENCH_HUB_CORE=own needs two cores or more');
  return 'own';
}

/** Core lists for taskset: the last core for the hub, the rest for everything else. */
export function coreLists(cores: readonly number[]): { hub: string; rest: string } {
  const hub = cores.at(-1);
  if (hub === undefined || cores.length < 2)
    throw new Error('a core of its own for the hub needs two cores or more');
  return { hub: String(hub), rest: cores.slice(0, -1).join(',') };
}

/**
 * Pins every thread of the hub to its core and every thread of the others away from it. Threads
 * and children started later inherit their parent's placement, so a restarted hub must be
 * placed again.
 */
export function placeHub(hubPid: number, otherPids: readonly number[]): void {
  const { hub, rest } = coreLists(allowedCores());
  const pin = (cores: string, pid: number): void =>
    void execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cores, String(pid)], {
      stdio: 'ignore',
    });
  pin(hub, hubPid);
  for (const pid of otherPids) pin(rest, pid);
}
