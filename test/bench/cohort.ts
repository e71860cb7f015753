/**
 * The population a bench run manages: N users in groups of 50, a few probe users whose admin
 * flag the latency scenario toggles, and the custom resources that declare them.
 */
import type { Cohort } from './floor.ts';
import type { Resources } from '../support/resources.ts';
import { inParallel } from '../support/resources.ts';

export const groupSize = 50;

export function cohortOf(n: number): Cohort {
  const pad = (i: number): string => String(i).padStart(String(n).length, '0');
  const users = Array.from({ length: n }, (_, i) => `u${pad(i)}`);
  const groups = [];
  for (let i = 0; i < n; i += groupSize)
    groups.push({ name: `g${pad(i / groupSize)}`, members: users.slice(i, i + groupSize) });
  return { users, groups };
}

/** Probe users for edit latency: declared beside the cohort, never part of a group. */
export const probes = ['probe-0', 'probe-1', 'probe-2', 'probe-3', 'probe-4'];

/** Declares the cohort (and optionally the probes) as HubUsers and HubGroups. */
export async function declare(r: Resources, cohort: Cohort, withProbes: boolean): Promise<void> {
  const users = [...cohort.users, ...(withProbes ? probes : [])];
  await inParallel(users, 24, (name) => r.create('hubusers', name, { admin: false }));
  await inParallel(cohort.groups, 8, (g) =>
    r.create('hubgroups', g.name, { members: [...g.members] }),
  );
}
