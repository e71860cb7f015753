// The chart as Helm renders it, without a cluster: `helm lint --strict` and `helm template` with
// the default values (cluster-wide), with watchNamespace set (namespaced), as a z2jh companion in
// the hub's namespace with every option on, and with a token of its own. The assertions cover
// what matters: least-privilege RBAC, the hardened pod, the hub wiring and the probes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chartDir,
  helm,
  only,
  readmeSettings,
  render,
  withValues,
  type Manifest,
} from './tools.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  image: string;
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: {
    name: string;
    secret?: { secretName: string; items?: { key: string; path: string }[] };
  }[];
}
interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
  };
}

/** The rules the operator's calls need where it watches (ClusterRole or Role). */
const watchRules: Rule[] = [
  {
    apiGroups: ['hubops.io'],
    resources: ['hubusers', 'hubgroups', 'hubservers'],
    verbs: ['get', 'list', 'watch', 'patch'],
  },
  {
    apiGroups: ['hubops.io'],
    resources: ['hubusers/status', 'hubgroups/status', 'hubservers/status'],
    verbs: ['get', 'patch', 'update'],
  },
  {
    apiGroups: ['hubops.io'],
    resources: ['hubusers/finalizers', 'hubgroups/finalizers', 'hubservers/finalizers'],
    verbs: ['update'],
  },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];
/** The Lease rules, in the release namespace. */
const leaseRules: Rule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: ['hubops'],
    verbs: ['get', 'update'],
  },
];
/** Settings the chart leaves to their in-cluster defaults, or never uses (an inline token). */
const unsetSettings = ['HUB_API_TOKEN', 'KUBECONFIG', 'LISTEN_ADDRESS'];

const deploymentOf = (manifests: Manifest[]): Deployment =>
  only(manifests, 'Deployment', 'hubops') as Deployment;
const containerOf = (manifests: Manifest[]): Container => {
  const containers = deploymentOf(manifests).spec.template.spec.containers;
  assert.equal(containers.length, 1);
  return containers[0] as Container;
};
const envOf = (manifests: Manifest[]): Map<string, EnvVar> =>
  new Map(containerOf(manifests).env.map((e) => [e.name, e]));
const rulesOf = (m: Manifest): Rule[] => (m['rules'] ?? []) as Rule[];
const allRules = (manifests: Manifest[]): Rule[] =>
  manifests.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole').flatMap(rulesOf);

function assertLeastPrivilege(manifests: Manifest[]): void {
  for (const rule of allRules(manifests)) {
    for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames]) {
      assert.ok(!(field ?? []).includes('*'), `no wildcard in ${JSON.stringify(rule)}`);
    }
    assert.ok(!(rule.resources ?? []).includes('secrets'), 'no rule on Secrets');
    assert.ok(
      !(rule.verbs ?? []).some((v) =>
        ['delete', 'deletecollection', 'escalate', 'bind', 'impersonate'].includes(v),
      ),
      `no delete, escalate, bind or impersonate in ${JSON.stringify(rule)}`,
    );
    if (rule.apiGroups?.includes('hubops.io')) {
      assert.ok(!rule.verbs?.includes('create'), 'the operator never creates custom resources');
    }
  }
}

function assertHardenedPod(manifests: Manifest[]): void {
  const pod = deploymentOf(manifests).spec.template.spec;
  assert.equal(pod.automountServiceAccountToken, true, 'it talks to the Kubernetes API');
  assert.equal(pod.serviceAccountName, 'hubops');
  assert.equal(pod.securityContext['runAsNonRoot'], true);
  assert.equal(pod.securityContext['runAsUser'], 65532);
  assert.equal(pod.securityContext['runAsGroup'], 65532);
  assert.deepEqual(pod.securityContext['seccompProfile'], { type: 'RuntimeDefault' });
  const container = containerOf(manifests);
  assert.equal(container.securityContext['allowPrivilegeEscalation'], false);
  assert.equal(container.securityContext['readOnlyRootFilesystem'], true);
  assert.equal(container.securityContext['privileged'], false);
  assert.deepEqual(container.securityContext['capabilities'], { drop: ['ALL'] });
  assert.ok(container.resources.requests?.['cpu'] && container.resources.requests['memory']);
  assert.ok(container.resources.limits?.['memory']);
}

function assertHubWiring(manifests: Manifest[], secretName: string, key: string): void {
  const env = envOf(manifests);
  assert.ok(!env.has('HUB_API_TOKEN'), 'the token is never an environment variable');
  const tokenFile = env.get('HUB_API_TOKEN_FILE')?.value ?? '';
  const pod = deploymentOf(manifests).spec.template.spec;
  const mount = containerOf(manifests).volumeMounts.find((m) =>
    tokenFile.startsWith(`${m.mountPath}/`),
  );
  assert.ok(mount, `a volume is mounted where HUB_API_TOKEN_FILE (${tokenFile}) points`);
  assert.equal(mount.readOnly, true);
  const volume = pod.volumes.find((v) => v.name === mount.name);
  assert.equal(volume?.secret?.secretName, secretName);
  assert.deepEqual(volume?.secret?.items, [
    { key, path: tokenFile.slice(mount.mountPath.length + 1) },
  ]);
}

test('helm lint --strict passes with the default values and with every option on', async () => {
  await helm(['lint', '--strict', chartDir]);
  await withValues(companionValues, (args) => helm(['lint', '--strict', chartDir, ...args]));
  await withValues({ watchNamespace: 'physics-101', hub: { token: { value: 't0ken' } } }, (args) =>
    helm(['lint', '--strict', chartDir, ...args]),
  );
});

test('the default render is cluster-wide: a ServiceAccount, RBAC, a metrics Service and the Deployment', async () => {
  const manifests = await render();
  assert.deepEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort(), [
    'ClusterRole/hubops',
    'ClusterRoleBinding/hubops',
    'Deployment/hubops',
    'Role/hubops-leader-election',
    'RoleBinding/hubops-leader-election',
    'Service/hubops-metrics',
    'ServiceAccount/hubops',
  ]);
  for (const m of manifests.filter((m) => !m.kind.startsWith('Cluster'))) {
    assert.equal(m.metadata.namespace, 'hubops-system', `${m.kind} ${m.metadata.name}`);
  }
});

test('the default RBAC grants exactly the calls the operator makes, cluster-wide and on its Lease', async () => {
  const manifests = await render();
  assert.deepEqual(rulesOf(only(manifests, 'ClusterRole')), watchRules);
  const lease = only(manifests, 'Role', 'hubops-leader-election');
  assert.equal(lease.metadata.namespace, 'hubops-system');
  assert.deepEqual(rulesOf(lease), leaseRules);
  for (const binding of [
    only(manifests, 'ClusterRoleBinding'),
    only(manifests, 'RoleBinding', 'hubops-leader-election'),
  ]) {
    assert.deepEqual(binding['subjects'], [
      { kind: 'ServiceAccount', name: 'hubops', namespace: 'hubops-system' },
    ]);
  }
  assert.deepEqual(only(manifests, 'ClusterRoleBinding')['roleRef'], {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'hubops',
  });
  assertLeastPrivilege(manifests);
});

test('the default pod is hardened and carries the label that admits it to the hub', async () => {
  const manifests = await render();
  assertHardenedPod(manifests);
  const deployment = deploymentOf(manifests);
  assert.equal(deployment.spec.replicas, 1);
  assert.equal(
    deployment.spec.template.metadata.labels['hub.jupyter.org/network-access-hub'],
    'true',
  );
  for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) {
    assert.equal(deployment.spec.template.metadata.labels[key], value);
  }
});

test("the default pod reaches z2jh's in-cluster hub with the token mounted from z2jh's Secret", async () => {
  const manifests = await render();
  const env = envOf(manifests);
  assert.equal(env.get('HUB_API_URL')?.value, 'http://hub:8081/hub/api');
  assertHubWiring(manifests, 'hub', 'hub.services.hubops.apiToken');
  assert.ok(!manifests.some((m) => m.kind === 'Secret'), 'no Secret of its own by default');
  assert.equal(env.get('WATCH_NAMESPACE')?.value, '');
  assert.equal(env.get('LEADER_ELECTION')?.value, 'true');
  assert.equal(env.get('LEASE_NAME')?.value, 'hubops');
  assert.deepEqual(env.get('POD_NAME')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  assert.deepEqual(env.get('POD_NAMESPACE')?.valueFrom, {
    fieldRef: { fieldPath: 'metadata.namespace' },
  });
});

test('the probes ask /healthz and /readyz on the health port, and the Service exposes metrics', async () => {
  const manifests = await render();
  const container = containerOf(manifests);
  const env = envOf(manifests);
  const port = (name: string): number | undefined =>
    container.ports.find((p) => p.name === name)?.containerPort;
  assert.equal(String(port('health')), env.get('HEALTH_PORT')?.value);
  assert.equal(String(port('metrics')), env.get('METRICS_PORT')?.value);
  assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'health' });
  assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
  const service = only(manifests, 'Service') as Manifest & {
    spec: { ports: { targetPort: string }[]; selector: Record<string, string> };
  };
  assert.deepEqual(
    service.spec.ports.map((p) => p.targetPort),
    ['metrics'],
  );
  assert.deepEqual(service.spec.selector, deploymentOf(manifests).spec.selector.matchLabels);
});

test("the image defaults to the chart's appVersion", async () => {
  const chart = await helm(['show', 'chart', chartDir]);
  const appVersion = /^appVersion: ['"]?([^'"\n]+)/m.exec(chart)?.[1];
  assert.equal(containerOf(await render()).image, `ghcr.io/hubops/hubops:${appVersion}`);
});

test("every setting of the README's table is in the chart's environment, or deliberately left out", async () => {
  const manifests = await render({
    resyncSeconds: 60,
    workers: 8,
    hubMaxInFlight: 3,
    hubRequestsPerSecond: 50,
    hubMaxSpawnsInFlight: 16,
    leaderElection: { leaseDurationSeconds: 20, renewDeadlineSeconds: 15, retryPeriodSeconds: 3 },
  });
  const names = [...envOf(manifests).keys()].sort();
  const expected = readmeSettings().filter((s) => !unsetSettings.includes(s));
  assert.deepEqual(names, expected);
  assert.equal(envOf(manifests).get('WORKERS')?.value, '8');
  // Left unset, tuning settings keep the operator's own defaults.
  const defaults = [...envOf(await render()).keys()];
  for (const name of ['RESYNC_SECONDS', 'WORKERS', 'LEASE_DURATION_SECONDS']) {
    assert.ok(!defaults.includes(name), `${name} is not set by default`);
  }
});

test('with watchNamespace the RBAC is a Role and RoleBinding in that namespace, nothing cluster-wide', async () => {
  const manifests = await render({ watchNamespace: 'physics-101' });
  assert.ok(!manifests.some((m) => m.kind.startsWith('Cluster')), 'no cluster-scoped object');
  const role = only(manifests, 'Role', 'hubops');
  assert.equal(role.metadata.namespace, 'physics-101');
  assert.deepEqual(rulesOf(role), watchRules);
  const binding = only(manifests, 'RoleBinding', 'hubops');
  assert.equal(binding.metadata.namespace, 'physics-101');
  assert.deepEqual(binding['roleRef'], {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'Role',
    name: 'hubops',
  });
  assert.deepEqual(binding['subjects'], [
    { kind: 'ServiceAccount', name: 'hubops', namespace: 'hubops-system' },
  ]);
  assert.equal(
    only(manifests, 'Role', 'hubops-leader-election').metadata.namespace,
    'hubops-system',
  );
  assert.equal(envOf(manifests).get('WATCH_NAMESPACE')?.value, 'physics-101');
  assertLeastPrivilege(manifests);
});

/** hubops beside z2jh in the hub's namespace, highly available, with every option on. */
const companionValues = {
  replicaCount: 2,
  podDisruptionBudget: { enabled: true },
  networkPolicy: { enabled: true },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'hubops' } },
          },
        },
      ],
    },
  },
};

test('as a z2jh companion with two replicas it leads by Lease, and adds a PDB, a ServiceMonitor and a NetworkPolicy', async () => {
  const manifests = await render(companionValues, 'jhub');
  const deployment = deploymentOf(manifests);
  assert.equal(deployment.spec.replicas, 2);
  assert.equal(envOf(manifests).get('LEADER_ELECTION')?.value, 'true');
  assertHubWiring(manifests, 'hub', 'hub.services.hubops.apiToken');
  assertHardenedPod(manifests);
  assertLeastPrivilege(manifests);
  const podLabels = deployment.spec.template.metadata.labels;
  const pdb = only(manifests, 'PodDisruptionBudget') as Manifest & {
    spec: { maxUnavailable?: number; selector: { matchLabels: Record<string, string> } };
  };
  assert.equal(pdb.spec.maxUnavailable, 1);
  for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(podLabels[k], v);
  const monitor = only(manifests, 'ServiceMonitor') as Manifest & {
    spec: { endpoints: { port: string; path: string }[] };
  };
  assert.equal(monitor.metadata.labels?.['release'], 'prometheus');
  assert.deepEqual(
    monitor.spec.endpoints.map((e) => [e.port, e.path]),
    [['metrics', '/metrics']],
  );
});

test("the NetworkPolicy lets in only the metrics and health ports and out only DNS, the API server and the hub's API", async () => {
  const policy = only(await render(companionValues, 'jhub'), 'NetworkPolicy') as Manifest & {
    spec: {
      policyTypes: string[];
      ingress: { ports: { port: string | number }[] }[];
      egress: { ports: { port: number; protocol: string }[]; to?: Record<string, unknown>[] }[];
    };
  };
  assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(
    policy.spec.ingress.flatMap((r) => r.ports.map((p) => p.port)),
    ['metrics', 'health'],
  );
  const egress = policy.spec.egress.map((r) => r.ports.map((p) => `${p.port}/${p.protocol}`));
  assert.deepEqual(egress, [['53/UDP', '53/TCP'], ['443/TCP', '6443/TCP'], ['8081/TCP']]);
  assert.deepEqual(policy.spec.egress[2]?.to, [
    { podSelector: { matchLabels: { app: 'jupyterhub', component: 'hub' } } },
  ]);
});

test("a token given as a value becomes a Secret of the chart, mounted in place of z2jh's", async () => {
  const manifests = await render({
    hub: { apiUrl: 'http://hub.jhub.svc:8081/hub/api', token: { value: 's3cret-token' } },
  });
  const secret = only(manifests, 'Secret') as Manifest & { data: Record<string, string> };
  assert.equal(secret.metadata.name, 'hubops-hub-token');
  assert.equal(Buffer.from(secret.data['token'] ?? '', 'base64').toString(), 's3cret-token');
  assertHubWiring(manifests, 'hubops-hub-token', 'token');
  assert.equal(envOf(manifests).get('HUB_API_URL')?.value, 'http://hub.jhub.svc:8081/hub/api');
  const annotations = deploymentOf(manifests).spec.template.metadata.annotations ?? {};
  assert.ok(annotations['checksum/hub-token'], 'a new token rolls the pods');
});

for (const [values, message] of [
  [
    { replicaCount: 2, leaderElection: { enabled: false } },
    /replicaCount > 1 needs leaderElection/,
  ],
  [{ watchNamespce: 'typo' }, /additional properties 'watchNamespce' not allowed/],
  [{ watchNamespace: 'Not A Namespace' }, /watchNamespace/],
  [{ hub: { apiUrl: 'hub:8081' } }, /apiUrl/],
  [
    { hub: { token: { existingSecret: '' } } },
    /hub.token.existingSecret \(or hub.token.value\) is required/,
  ],
  [
    { leaderElection: { leaseDurationSeconds: 10, renewDeadlineSeconds: 10 } },
    /renewDeadlineSeconds must be shorter/,
  ],
] as const) {
  test(`values ${JSON.stringify(values)} are refused with a message that names the problem`, async () => {
    await assert.rejects(render(values), message);
  });
}
