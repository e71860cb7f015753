/**
 * `hubops plan -f PATH`: the hub calls the operator would make for manifests, without making any.
 * Reads the manifests, the hub (one paginated read), and with --kubeconfig or --in-cluster the live
 * resources and the Hub, then judges as the operator would (preview.ts). Exits as `kubectl diff`.
 */
import { systemClock } from '../clock.ts';
import { clusterFromEnvironment, tenancyFromEnvironment } from '../config.ts';
import type { Hub } from '../api/hub.ts';
import { hubKeyOf } from '../api/hub-ref.ts';
import { keyOf } from '../api/meta.ts';
import { KubeClient } from '../kube/kube-client.ts';
import { inClusterTarget, kubeconfigTarget } from '../kube/kube-target.ts';
import { policyOfHub, settingsPolicy, type TenancyPolicy } from '../plan/tenancy.ts';
import { parseHubRef, parseOptions, UsageError } from './arguments.ts';
import { connect } from './hub-connection.ts';
import { liveHub, liveResources } from './live.ts';
import { readManifests, type ManifestSet } from './manifests.ts';
import { asJson, asText } from './plan-output.ts';
import type { Declared } from './preview/model.ts';
import { preview } from './preview/preview.ts';

const planUsage = `Usage: hubops plan -f PATH [options]

Prints the hub calls the operator would make for the manifests in PATH (a file, a folder of
.yaml/.yml/.json files, or - for standard input), one line each, marked + (create), ~ (change)
or - (destructive), and a summary line; findings (refusals, conflicts, waits) and a warning for
destructive calls go to standard error. It makes no call that changes anything.
Exits 0 when there is nothing to do, 1 when there are calls, 2 on an error.

Options:
  -f, --filename PATH     manifests; repeat for several
  -R, --recursive         read the subfolders of a folder too
  -n, --namespace NS      the namespace of manifests that name none (default "default")
  --hub-ref NAME[/NS]     plan the resources of this Hub (default: those without spec.hubRef,
                          or DEFAULT_HUB's); NS defaults to --namespace
  --kubeconfig PATH       also read the live resources (claims, ownership, selector members,
                          the Hub's policy) from this cluster; KUBECONFIG with --in-cluster
  --in-cluster            read the live resources with the pod's service account (or KUBECONFIG)
  --prune                 with a cluster: live resources of the manifests' namespaces that the
                          manifests omit count as deleted (as kubectl apply --prune)
  -o, --output text|json  json: one document for machines
  --url URL, --token-file PATH
                          the hub connection (default: HUB_API_URL, HUB_API_TOKEN(_FILE), or
                          the Hub's spec.url)

Without a cluster the tenancy is that of the operator's settings (ALLOWED_NAMESPACES,
ADMIN_NAMESPACES, ADOPTION_NAMESPACES: unset admits every namespace) or, with --hub-ref, of a
Hub among the manifests.
`;

export async function runPlan(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R' },
    namespace: { type: 'string', short: 'n' },
    'hub-ref': { type: 'string' },
    kubeconfig: { type: 'string' },
    'in-cluster': { type: 'boolean' },
    prune: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    url: { type: 'string' },
    'token-file': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(planUsage);
    return 0;
  }
  const paths = values.filename ?? [];
  if (paths.length === 0) throw new UsageError('plan needs -f PATH');
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json')
    throw new UsageError(`--output is text or json, not ${output}`);
  const readsCluster = Boolean(values.kubeconfig || values['in-cluster']);
  if (values.prune && !readsCluster)
    throw new UsageError('--prune needs the live resources: give --kubeconfig or --in-cluster');
  const namespace = values.namespace ?? 'default';
  const manifests = readManifests(paths, { namespace, recursive: Boolean(values.recursive) });
  const tenancy = tenancyFromEnvironment();
  const ref = values['hub-ref'] ? parseHubRef(values['hub-ref']) : undefined;
  const hubKey = ref ? keyOf(ref.namespace ?? namespace, ref.name) : (tenancy.defaultHub ?? '');

  const kube = readsCluster ? kubeClient(values.kubeconfig) : undefined;
  try {
    const live = kube ? await liveResources(kube, namespacesOf(manifests)) : undefined;
    const hubObject = hubKey ? await hubOf(hubKey, manifests, kube) : undefined;
    const policy: TenancyPolicy = hubObject ? policyOfHub(hubObject) : settingsPolicy(tenancy);
    const hub = connect(values.url, values['token-file'], hubObject?.spec.url);
    try {
      const [users, groups, features] = await Promise.all([
        hub.users.list({ priority: 'interactive' }),
        hub.groups.list({ priority: 'interactive' }),
        hub.features(),
      ]);
      const result = preview({
        manifests,
        live,
        prune: Boolean(values.prune),
        hubKey,
        keyOf: (object) => hubKeyOf(object) || (tenancy.defaultHub ?? ''),
        policy,
        hub: { users, groups, canSetProperties: features.groupProperties },
      });
      if (output === 'json') process.stdout.write(asJson(result));
      else {
        const text = asText(result);
        process.stdout.write(text.stdout);
        process.stderr.write(text.stderr);
      }
      return result.calls.length > 0 ? 1 : 0;
    } finally {
      await hub.close();
    }
  } finally {
    await kube?.close();
  }
}

function kubeClient(kubeconfig: string | undefined): KubeClient {
  const cluster = clusterFromEnvironment();
  const path = kubeconfig ?? cluster.kubeconfig;
  const target = path
    ? kubeconfigTarget(path, systemClock, { environment: cluster.pluginEnvironment })
    : inClusterTarget(cluster.host, cluster.port, systemClock);
  return new KubeClient(target, { connections: 4, timeoutMs: 30_000 });
}

function namespacesOf(manifests: Declared): Set<string> {
  return new Set(
    [...manifests.users, ...manifests.groups, ...manifests.servers].map(
      (object) => object.metadata.namespace,
    ),
  );
}

/** The Hub whose resources are planned: the cluster's when read, else the manifests'. */
async function hubOf(
  key: string,
  manifests: ManifestSet,
  kube: KubeClient | undefined,
): Promise<Hub> {
  const [namespace = '', name = ''] = key.split('/');
  const declared = manifests.hubs.find(
    (hub) => hub.metadata.namespace === namespace && hub.metadata.name === name,
  );
  const live = kube ? await liveHub(kube, namespace, name) : undefined;
  const hub = declared ?? live;
  if (!hub)
    throw new UsageError(
      kube
        ? `the Hub ${key} is neither in the cluster nor in the manifests`
        : `the Hub ${key} is not in the manifests: add its manifest, or give --kubeconfig to read it`,
    );
  return hub;
}
