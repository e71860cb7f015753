/**
 * Gives each contender of a cold run the same starting point: the bench's hub stopped by PID
 * (SIGTERM, so it stops the servers it spawned), its database removed, and started again on the
 * same port and token, empty, and placed on the cores the run gives it (hub-core.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { Testenv } from '../support/testenv.ts';
import { until } from '../support/kube.ts';
import { placeHub, type HubCore } from './hub-core.ts';
import { testenvPids } from './cpu.ts';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freshHub(env: Testenv, hubCore: HubCore): Promise<void> {
  const dir = `${env.dir}/hub`;
  const pid = Number(readFileSync(`${dir}/jupyterhub.pid`, 'utf8'));
  if (running(pid)) {
    process.kill(pid, 'SIGTERM');
    await until(() => !running(pid), 30_000, 'the hub to stop');
  }
  rmSync(`${dir}/jupyterhub.sqlite`, { force: true });
  execFileSync(`${dir}/jupyterhub.run.sh`);
  await until(async () => (await fetch(`${env.hubApiUrl}/`)).ok, 60_000, 'the fresh hub to answer');
  if (hubCore === 'own') {
    const { hub, ...others } = testenvPids(env);
    if (hub === undefined) throw new Error('the test environment names no hub process');
    placeHub(hub, [...Object.values(others), process.pid]);
  }
}
