// The restart floor, run as a process of its own by the bench: what any client that restarts
// must do before it knows everything is in sync: start, list the HubUsers and HubGroups from
// the API server, and read the hub's users and groups at the largest page size. Plain fetch,
// no libraries. Usage: node test/bench/floor-restart.ts NAMESPACE (with HUBOPS_TESTENV_FILE).
import { request } from 'undici';
import { loadTestenv } from '../support/testenv.ts';
import { apiServerAdmin } from './api-server-admin.ts';

const env = loadTestenv();
const namespace = process.argv[2] ?? '';
const { server, token, dispatcher: tls } = apiServerAdmin(env);

async function kubeList(plural: string): Promise<number> {
  const res = await request(`${server}/apis/hubops.io/v1alpha1/namespaces/${namespace}/${plural}`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher: tls,
  });
  return ((await res.body.json()) as { items: unknown[] }).items.length;
}

async function hubList(path: string): Promise<number> {
  let count = 0;
  for (let offset = 0; ;) {
    const res = await fetch(`${env.hubApiUrl}/${path}?limit=200&offset=${offset}`, {
      headers: {
        authorization: `token ${env.hubApiToken}`,
        accept: 'application/jupyterhub-pagination+json',
      },
    });
    const page = (await res.json()) as {
      items: unknown[];
      _pagination: { next: { offset: number } | null };
    };
    count += page.items.length;
    if (!page._pagination.next) return count;
    offset = page._pagination.next.offset;
  }
}

const counts = await Promise.all([
  kubeList('hubusers'),
  kubeList('hubgroups'),
  hubList('users'),
  hubList('groups'),
]);
console.log(JSON.stringify(counts));
await tls.close();
