/**
 * A Hub client for the test environment's real JupyterHub, with every attempt recorded so that
 * tests can count the calls an operation cost.
 */
import { randomBytes } from 'node:crypto';
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
