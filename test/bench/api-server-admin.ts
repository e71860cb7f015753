// The bench's own way to the test kube-apiserver, with no Kubernetes client: the restart floor
// runs it in a fresh process, and importing a client there would bill its start-up to the floor.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { Testenv } from '../support/testenv.ts';

/**
 * Plain HTTPS access to the test kube-apiserver as its admin, from the files up.sh wrote: the
 * URL, the admin token and a dispatcher trusting its CA (close it when done).
 */
export function apiServerAdmin(env: Testenv): { server: string; token: string; dispatcher: Agent } {
  const kube = `${env.dir}/kube`;
  return {
    server: readFileSync(`${kube}/server`, 'utf8').trim(),
    token: readFileSync(`${kube}/pki/tokens.csv`, 'utf8').split(',')[0] ?? '',
    dispatcher: new Agent({ connect: { ca: readFileSync(`${kube}/pki/ca.crt`) } }),
  };
}
