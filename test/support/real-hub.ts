/**
 * A Hub client for the test environment's real JupyterHub, with every attempt recorded so that
 * tests can count the calls an operation cost.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { systemClock } from '../../src/clock.ts';
import type { RequestSample } from '../../src/hub/request.ts';
import { Hub, type HubOptions } from '../../src/hub/hub.ts';
import { silentLogger } from './logs.ts';
import type { Testenv } from './testenv.ts';

export interface CountingHub {
  readonly hub: Hub;
  readonly samples: RequestSample[];
  /** Attempts matching method and route template since the last reset. */
  readonly count: (method: string, route: string) => number;
  readonly reset: () => void;
}

export function realHub(env: Testenv, options: Partial<HubOptions> = {}): CountingHub {
  const samples: RequestSample[] = [];
  const hub = new Hub({
    baseUrl: env.hubApiUrl,
    token: env.hubApiToken,
    clock: systemClock,
    logger: silentLogger,
    onRequest: (sample) => samples.push(sample),
    ...options,
  });
  return {
    hub,
    samples,
    count: (method, route) =>
      samples.filter((s) => s.method === method && s.route === route).length,
    reset: () => void samples.splice(0),
  };
}

/** A name no other test (or earlier run on the same hub) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Kills the test hub by PID (SIGKILL: a crash) and starts it again on the same port and database. */
export async function restartHub(env: Testenv, downMs: number): Promise<void> {
  killHub(env);
  await new Promise((resolve) => setTimeout(resolve, downMs));
  await startHub(env);
}

/** The folder and API of the test hub (`hub`) or the second one (`hub2`). */
function hubAt(env: Testenv, which: 'hub' | 'hub2'): { dir: string; apiUrl: string } {
  const apiUrl = which === 'hub' ? env.hubApiUrl : env.hub2ApiUrl;
  if (apiUrl === undefined) throw new Error('the test environment has no second hub');
  return { dir: `${env.dir}/${which}`, apiUrl };
}

/** Kills a test hub by PID (SIGKILL: a crash); its port and database stay for startHub. */
export function killHub(env: Testenv, which: 'hub' | 'hub2' = 'hub'): void {
  const { dir } = hubAt(env, which);
  process.kill(Number(readFileSync(`${dir}/jupyterhub.pid`, 'utf8')), 'SIGKILL');
}

/** Starts a killed test hub again with its run script; resolves once it answers. */
export async function startHub(env: Testenv, which: 'hub' | 'hub2' = 'hub'): Promise<void> {
  const { dir, apiUrl } = hubAt(env, which);
  execFileSync(`${dir}/jupyterhub.run.sh`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${apiUrl}/`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the ${which} did not come back within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
