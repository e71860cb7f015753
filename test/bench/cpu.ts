// CPU time of the test environment's servers, the operator and the bench, read from /proc, so
// that a run bound by the machine's cores (the hub, the API server and etcd share them with the
// operator) can be told from one bound by waiting: sum / cores is a lower bound on its wall time.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Testenv } from '../support/testenv.ts';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export type CpuSeconds = Readonly<Record<string, number>>;

/** The hub, kube-apiserver and etcd of a test environment, by the pid files it keeps. */
export function testenvPids(env: Testenv): Record<string, number> {
  const pid = (file: string): number => Number(readFileSync(join(env.dir, file), 'utf8').trim());
  return {
    hub: pid('hub/jupyterhub.pid'),
    'kube-apiserver': pid('kube/kube-apiserver.pid'),
    etcd: pid('kube/etcd.pid'),
  };
}

/** CPU seconds (user + system) each process and its live descendants have used so far. */
export function cpuOf(pids: Readonly<Record<string, number>>): CpuSeconds {
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: fields count from its end.
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        parent: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number, root: number): boolean => {
    for (let at = pid, hops = 0; at > 1 && hops < 64; hops++) {
      if (at === root) return true;
      at = stats.get(at)?.parent ?? 0;
    }
    return false;
  };
  const result: Record<string, number> = {};
  for (const [name, root] of Object.entries(pids)) {
    let ticks = 0;
    for (const [pid, stat] of stats) if (under(pid, root)) ticks += stat.ticks;
    result[name] = ticks / ticksPerSecond;
  }
  return result;
}

/** What each process used between two readings (a process started in between: all of it). */
export function cpuBetween(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  return Object.fromEntries(
    Object.entries(after).map(([name, total]) => [name, total - (before[name] ?? 0)]),
  );
}

/** `hub 9.1 s, kube-apiserver 7.0 s, ...; sum 20.3 s = at least 10.2 s on 2 cores` */
export function describeCpu(spent: CpuSeconds, cores: number): string {
  const sum = Object.values(spent).reduce((a, b) => a + b, 0);
  const parts = Object.entries(spent).map(([name, s]) => `${name} ${s.toFixed(1)} s`);
  return `${parts.join(', ')}; sum ${sum.toFixed(1)} s = at least ${(sum / cores).toFixed(1)} s on ${cores} cores`;
}

/**
 * Seconds a process's threads have spent runnable but waiting for a core (the second field of
 * /proc/PID/task/TID/schedstat): how much a single-threaded server was held up by the processes
 * beside it, as opposed to waiting for work or for the disk.
 */
export function runQueueSeconds(pid: number): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').trim().split(' ');
      nanoseconds += Number(fields[1] ?? 0);
    } catch {
      // the thread ended meanwhile
    }
  }
  return nanoseconds / 1e9;
}

/** CPU seconds of this process (the bench: its watches and baselines share the cores too). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
