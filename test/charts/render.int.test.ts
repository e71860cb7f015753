// The chart as Helm renders it, without a cluster: `helm lint --strict` and `helm template` with
// the default values (cluster-wide), with watchNamespace set (namespaced), as a z2jh companion in
// the hub's namespace with every option on, and with a token of its own. The assertions cover
// what matters: least-privilege RBAC (Secrets only by name), the hardened pod, the hub wiring,
// the tenancy settings, the chart's Hub object and the probes.
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
    resources: ['hubusers', 'hubgroups', 'hubservers', 'hubs'],
    verbs: ['get', 'list', 'watch', 'patch'],
  },
  {
    apiGroups: ['hubops.io'],
    resources: ['hubusers/status', 'hubgroups/status', 'hubservers/status', 'hubs/status'],
    verbs: ['get', 'patch', 'update'],
  },
  {
    apiGroups: ['hubops.io'],
    resources: [
      'hubusers/finalizers',
      'hubgroups/finalizers',
      'hubservers/finalizers',
      'hubs/finalizers',
    ],
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
const roles = (manifests: Manifest[]): Manifest[] =>
  manifests.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole');
const allRules = (manifests: Manifest[]): Rule[] => roles(manifests).flatMap(rulesOf);

/** The Role granting `get` on one Secret, and its binding to the operator, both in `namespace`. */
function assertSecretRole(
  manifests: Manifest[],
  namespace: string,
  secret: string,
  serviceAccountNamespace = namespace,
): void {
  const name = `hubops-read-secret-${secret}`;
  const role = manifests.find(
    (m) => m.kind === 'Role' && m.metadata.name === name && m.metadata.namespace === namespace,
  );
  assert.ok(role, `a Role ${namespace}/${name}`);
  assert.deepEqual(rulesOf(role), [
    { apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get'] },
  ]);
  const binding = manifests.find(
    (m) =>
      m.kind === 'RoleBinding' && m.metadata.name === name && m.metadata.namespace === namespace,
  );
  assert.ok(binding, `a RoleBinding ${namespace}/${name}`);
  assert.deepEqual(binding['roleRef'], {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'Role',
    name,
  });
  assert.deepEqual(binding['subjects'], [
    { kind: 'ServiceAccount', name: 'hubops', namespace: serviceAccountNamespace },
  ]);
}

/** The Secrets the RBAC lets the operator read, as `namespace/name`. */
const readableSecrets = (manifests: Manifest[]): string[] =>
  roles(manifests)
    .flatMap((role) =>
      rulesOf(role)
        .filter((rule) => rule.resources?.includes('secrets'))
        .flatMap((rule) =>
          (rule.resourceNames ?? []).map((n) => `${role.metadata.namespace}/${n}`),
        ),
    )
    .sort();

function assertLeastPrivilege(manifests: Manifest[]): void {
  for (const role of roles(manifests)) {
    for (const rule of rulesOf(role)) {
      if (!(rule.resources ?? []).some((r) => r === 'secrets' || r.startsWith('secrets/')))
        continue;
      const where = `${role.kind} ${role.metadata.name}: ${JSON.stringify(rule)}`;
      assert.equal(role.kind, 'Role', `Secrets never cluster-wide (${where})`);
      assert.deepEqual(rule.resources, ['secrets'], where);
      assert.deepEqual(rule.verbs, ['get'], `Secrets: get only (${where})`);
      assert.ok((rule.resourceNames ?? []).length > 0, `Secrets only by name (${where})`);
    }
  }
  for (const rule of allRules(manifests)) {
    for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames]) {
      assert.ok(!(field ?? []).includes('*'), `no wildcard in ${JSON.stringify(rule)}`);
    }
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

test('the default render is cluster-wide: a ServiceAccount, RBAC, a metrics Service, the Deployment and a Hub', async () => {
  const manifests = await render();
  assert.deepEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort(), [
    'ClusterRole/hubops',
    'ClusterRoleBinding/hubops',
    'Deployment/hubops',
    'Hub/jupyterhub',
    'Role/hubops-leader-election',
    'Role/hubops-read-secret-hub',
    'RoleBinding/hubops-leader-election',
    'RoleBinding/hubops-read-secret-hub',
    'Service/hubops-metrics',
    'ServiceAccount/hubops',
  ]);
  for (const m of manifests.filter((m) => !m.kind.startsWith('Cluster'))) {
    assert.equal(m.metadata.namespace, 'hubops-system', `${m.kind} ${m.metadata.name}`);
  }
});

test("the default RBAC grants exactly the calls the operator makes, cluster-wide, on its Lease and on its Hub's Secret", async () => {
  const manifests = await render();
  assert.deepEqual(rulesOf(only(manifests, 'ClusterRole')), watchRules);
  assertSecretRole(manifests, 'hubops-system', 'hub');
  assert.deepEqual(readableSecrets(manifests), ['hubops-system/hub']);
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
  assert.ok(!manifests.some((m) => m.kind === 'Hub'), 'no Hub where the operator does not look');
  assert.deepEqual(readableSecrets(manifests), []);
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
  assertSecretRole(manifests, 'jhub', 'hub');
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

interface HubObject extends Manifest {
  spec: Record<string, unknown>;
}
const hubOf = (manifests: Manifest[]): HubObject => only(manifests, 'Hub') as HubObject;
const tenancyEnv = (manifests: Manifest[]): (string | undefined)[] => {
  const env = envOf(manifests);
  return ['ALLOWED_NAMESPACES', 'ADMIN_NAMESPACES', 'ADOPTION_NAMESPACES'].map(
    (name) => env.get(name)?.value,
  );
};

test('the tenancy settings are always set, by default to the release namespace alone', async () => {
  assert.deepEqual(tenancyEnv(await render()), ['hubops-system', 'hubops-system', 'hubops-system']);
  assert.deepEqual(tenancyEnv(await render({}, 'jhub')), ['jhub', 'jhub', 'jhub']);
  // Watching another namespace does not widen them (NOTES.txt warns instead).
  assert.deepEqual(tenancyEnv(await render({ watchNamespace: 'physics-101' })), [
    'hubops-system',
    'hubops-system',
    'hubops-system',
  ]);
});

test('tenancy lists become comma-separated settings and the lists of the Hub, ["*"] every namespace', async () => {
  const tenancy = {
    allowedNamespaces: ['jhub', 'physics-101', 'chemistry-2'],
    adminNamespaces: ['physics-101'],
    adoptionNamespaces: ['*'],
  };
  const manifests = await render({ tenancy }, 'jhub');
  assert.deepEqual(tenancyEnv(manifests), ['jhub,physics-101,chemistry-2', 'physics-101', '*']);
  assert.deepEqual(hubOf(manifests).spec, {
    url: 'http://hub:8081/hub/api',
    tokenSecretRef: { name: 'hub', key: 'hub.services.hubops.apiToken' },
    ...tenancy,
  });
  const every = { allowedNamespaces: ['*'], adminNamespaces: ['*'], adoptionNamespaces: ['*'] };
  assert.deepEqual(tenancyEnv(await render({ tenancy: every })), ['*', '*', '*']);
});

test("the Hub object is the settings' hub with the Secret and key the pod mounts, empty lists left out", async () => {
  const manifests = await render({}, 'jhub');
  const hub = hubOf(manifests);
  assert.equal(hub.apiVersion, 'hubops.io/v1alpha1');
  assert.equal(hub.metadata.name, 'jupyterhub');
  assert.equal(hub.metadata.namespace, 'jhub');
  // No tenancy list: for a Hub that is its own namespace alone, as the settings' default.
  assert.deepEqual(hub.spec, {
    url: 'http://hub:8081/hub/api',
    tokenSecretRef: { name: 'hub', key: 'hub.services.hubops.apiToken' },
  });
  assertHubWiring(manifests, 'hub', 'hub.services.hubops.apiToken');
  assert.equal(hub.metadata.labels?.['app.kubernetes.io/instance'], 'hubops');
});

test("with a token of the chart's own and tuning set, the Hub names the chart's Secret, its resync and budget", async () => {
  const manifests = await render({
    hub: { apiUrl: 'http://hub.jhub.svc:8081/hub/api', token: { value: 's3cret-token' } },
    hubObject: { name: 'physics' },
    resyncSeconds: 90.5,
    hubMaxInFlight: 4,
    hubRequestsPerSecond: 20,
    hubMaxSpawnsInFlight: 8,
  });
  const hub = only(manifests, 'Hub', 'physics') as HubObject;
  assert.deepEqual(hub.spec, {
    url: 'http://hub.jhub.svc:8081/hub/api',
    tokenSecretRef: { name: 'hubops-hub-token', key: 'token' },
    resyncSeconds: 91, // a Hub counts whole seconds
    requestBudget: { maxInFlight: 4, requestsPerSecond: 20, maxSpawnsInFlight: 8 },
  });
  assertHubWiring(manifests, 'hubops-hub-token', 'token');
  assertSecretRole(manifests, 'hubops-system', 'hubops-hub-token');
  assert.deepEqual(readableSecrets(manifests), ['hubops-system/hubops-hub-token']);
  assertLeastPrivilege(manifests);
});

test('without the Hub object (disabled, or the operator watching elsewhere) no Secret is readable', async () => {
  for (const values of [{ hubObject: { enabled: false } }, { watchNamespace: 'physics-101' }]) {
    const manifests = await render(values);
    assert.ok(!manifests.some((m) => m.kind === 'Hub'), JSON.stringify(values));
    assert.deepEqual(readableSecrets(manifests), [], JSON.stringify(values));
    assertLeastPrivilege(manifests);
  }
  // Watching the release namespace itself, the operator sees the Hub: it is rendered.
  const manifests = await render({ watchNamespace: 'hubops-system' });
  assert.equal(hubOf(manifests).metadata.namespace, 'hubops-system');
  assert.equal(only(manifests, 'Role', 'hubops').metadata.namespace, 'hubops-system');
  assertSecretRole(manifests, 'hubops-system', 'hub');
});

test('rbac.hubTokenSecrets: per Secret a Role and RoleBinding in its namespace, get by name, each once', async () => {
  const hubTokenSecrets = [
    { namespace: 'physics-101', name: 'physics-token' },
    { namespace: 'chemistry-2', name: 'hub.token' },
    { namespace: 'physics-101', name: 'physics-token' },
    { namespace: 'hubops-system', name: 'hub' }, // the chart's Hub's own, again
  ];
  const manifests = await render({ rbac: { hubTokenSecrets } });
  assert.deepEqual(readableSecrets(manifests), [
    'chemistry-2/hub.token',
    'hubops-system/hub',
    'physics-101/physics-token',
  ]);
  assertSecretRole(manifests, 'physics-101', 'physics-token', 'hubops-system');
  assertSecretRole(manifests, 'chemistry-2', 'hub.token', 'hubops-system');
  assertSecretRole(manifests, 'hubops-system', 'hub');
  assertLeastPrivilege(manifests);
  // They do not depend on the chart's Hub (whose Secret is listed here too); rbac.create=false
  // leaves all RBAC to the installer.
  const alone = await render({ hubObject: { enabled: false }, rbac: { hubTokenSecrets } });
  assert.deepEqual(readableSecrets(alone), readableSecrets(manifests));
  const none = await render({ rbac: { create: false, hubTokenSecrets } });
  assert.deepEqual(roles(none), []);
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
  [{ tenancy: { allowedNamespaces: ['physics-101', 'Physics 101'] } }, /allowedNamespaces/],
  [{ tenancy: { adminNamespaces: ['**'] } }, /adminNamespaces/],
  [{ tenancy: { adoptionNamespaces: 'physics-101' } }, /adoptionNamespaces/],
  [{ tenancy: { allowedNamespaces: ['jhub', 'jhub'] } }, /allowedNamespaces/],
  [{ tenancy: { allowedNamespace: ['jhub'] } }, /'allowedNamespace' not allowed/],
  [{ hubObject: { name: 'Not_A_Name' } }, /hubObject/],
  [{ rbac: { hubTokenSecrets: [{ namespace: 'physics-101' }] } }, /hubTokenSecrets/],
  [{ rbac: { hubTokenSecrets: [{ namespace: 'a b', name: 'token' }] } }, /hubTokenSecrets/],
] as const) {
  test(`values ${JSON.stringify(values)} are refused with a message that names the problem`, async () => {
    await assert.rejects(render(values), message);
  });
}

test('hubTokens with its admission policy is refused below Kubernetes 1.30, where ValidatingAdmissionPolicy v1 does not exist; without the policy it renders', async () => {
  const template = (values: object, kubeVersion: string): Promise<string> =>
    withValues(values, (args) =>
      helm(['template', 'hubops', chartDir, '--kube-version', kubeVersion, ...args]),
    );
  await assert.rejects(
    template({ hubTokens: { enabled: true } }, '1.29.9'),
    /hubTokens.admissionPolicy needs Kubernetes 1.30 or newer .*this is v1.29.9/,
  );
  const older = await template({ hubTokens: { enabled: true, admissionPolicy: false } }, '1.29.9');
  assert.doesNotMatch(older, /kind: ValidatingAdmissionPolicy/);
  assert.match(
    await template({ hubTokens: { enabled: true } }, '1.30.0'),
    /kind: ValidatingAdmissionPolicy\n/,
  );
});
