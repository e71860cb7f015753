// What the chart ships for watching the operator, checked against real tools: the alert rules
// with promtool's unit tests (Debian's Prometheus 2.42), the rules and the dashboard rendered into
// a PrometheusRule and a sidecar ConfigMap, and every dashboard query run by a real Prometheus
// that scrapes a real operator serving the test hub: each must parse and evaluate, and may name
// only metrics the operator exports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { Resources, ready } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';
import { chartDir, only, render, root } from './tools.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const promBin = execFileSync(join(root, 'hack/prometheus.sh'), { encoding: 'utf8' }).trim();
const alertsFile = join(chartDir, 'files/alerts.yaml');
const dashboardFile = join(chartDir, 'files/dashboard.json');
const dir = mkdtempSync(join(tmpdir(), 'hubops-observability-'));
const tag = randomBytes(3).toString('hex');
let operator: OperatorProcess;
let prometheus: ChildProcess | undefined;
let promUrl = '';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; definition?: string }[] };
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The names of the series a PromQL expression selects (not functions, labels or keywords). */
export function metricNames(expr: string): string[] {
  const keywords = new Set([
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'bool',
    'and',
    'or',
    'unless',
    'offset',
    'inf',
    'nan',
  ]);
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) {
    const name = match[1] as string;
    if (!keywords.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** Grafana's variables as a query at run time would have them: every namespace and hub. */
function expand(expr: string): string {
  return expr
    .replaceAll('$namespace', '.*')
    .replaceAll('$hub', '.*')
    .replaceAll('$__rate_interval', '20s');
}

before(async () => {
  await ensureCrds(kc);
  const r = new Resources(kc, await freshNamespace(kc, 'observe'));
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '5',
    LEASE_NAME: `hubops-observe-${tag}`,
  });
  await operator.logged('Became the leader');
  for (const name of ['ada', 'bob', 'cy']) await r.create('hubusers', `${name}-${tag}`, {});
  await r.create('hubgroups', `course-${tag}`, { members: [`ada-${tag}`, `bob-${tag}`] });
  await until(
    async () =>
      (await Promise.all(['ada', 'bob', 'cy'].map((n) => r.get('hubusers', `${n}-${tag}`)))).every(
        (o) => o && ready(o),
      ),
    30_000,
    'HubUsers Ready',
  );
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${alertsFile}]
scrape_configs:
  - job_name: hubops
    static_configs:
      - targets: ['127.0.0.1:${await operator.metricsPort()}']
        labels: { namespace: hubops-test, pod: hubops-0 }
`,
  );
  prometheus = spawn(
    join(promBin, 'prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  promUrl = `http://127.0.0.1:${port}`;
  // A minute of samples at least for rate() windows of 20 s: wait for 25 scrapes.
  await until(
    async () => {
      const result = await query('count_over_time(up{job="hubops"}[1m])');
      return Number(result.data.result[0]?.value[1] ?? 0) >= 25;
    },
    90_000,
    'Prometheus scraping the operator',
    1_000,
  );
});
after(async () => {
  prometheus?.kill('SIGKILL');
  await operator.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface QueryAnswer {
  status: string;
  error?: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}
async function query(expr: string): Promise<QueryAnswer> {
  const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as QueryAnswer;
}

test('promtool checks the alert rules and passes their unit tests', async () => {
  const run = promisify(execFile);
  const checked = await run(join(promBin, 'promtool'), ['check', 'rules', alertsFile]);
  assert.match(checked.stdout, /SUCCESS: 6 rules found/);
  const tested = await run(join(promBin, 'promtool'), [
    'test',
    'rules',
    join(root, 'test/charts/alerts.test.yaml'),
  ]);
  assert.match(tested.stdout, /SUCCESS/);
});

test('the chart renders the rules as a PrometheusRule and the dashboard for the Grafana sidecar, only when asked', async () => {
  const plain = await render();
  assert.equal(
    plain.filter((m) => m.kind === 'PrometheusRule' || m.kind === 'ConfigMap').length,
    0,
  );
  const manifests = await render({
    metrics: {
      prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      grafanaDashboard: { enabled: true, annotations: { grafana_folder: 'JupyterHub' } },
    },
  });
  const rule = only(manifests, 'PrometheusRule') as unknown as {
    metadata: { labels: Record<string, string> };
    spec: unknown;
  };
  assert.equal(rule.metadata.labels['release'], 'kube-prometheus-stack');
  assert.deepEqual(rule.spec, parse(readFileSync(alertsFile, 'utf8')));
  const configMap = only(manifests, 'ConfigMap') as unknown as {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    data: Record<string, string>;
  };
  assert.equal(configMap.metadata.labels['grafana_dashboard'], '1');
  assert.equal(configMap.metadata.annotations['grafana_folder'], 'JupyterHub');
  assert.deepEqual(JSON.parse(configMap.data['hubops.json'] ?? ''), dashboard);
});

test('every dashboard query parses and runs in a real Prometheus, and names only metrics the operator exports', async () => {
  const exposition = await (
    await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)
  ).text();
  const exported = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    exported.add(name);
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) exported.add(name + suffix);
  }
  const targets = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );
  assert.ok(targets.length >= 20, `${targets.length} queries`);
  const variables = dashboard.templating.list
    .map((variable) => /label_values\((.*),\s*\w+\)$/.exec(variable.definition ?? '')?.[1])
    .filter((expr): expr is string => expr !== undefined)
    .map((expr) => ({ panel: 'variable', expr }));
  const empty: string[] = [];
  for (const { panel, expr } of [...targets, ...variables]) {
    for (const name of metricNames(expr))
      assert.ok(exported.has(name), `${panel}: ${name} is not exported`);
    const answer = await query(expand(expr));
    assert.equal(answer.status, 'success', `${panel}: ${expr}: ${answer.error ?? ''}`);
    if (answer.data.result.length === 0) empty.push(panel);
  }
  console.log(
    `dashboard: ${targets.length} queries, ${targets.length + variables.length - empty.length} with data; empty: ${empty.join(', ') || 'none'}`,
  );
  // Only what this run cannot have: no 429s, no watch restarts, no tokens.
  assert.ok(
    empty.every((panel) => /Retry-After|restarts/.test(panel)),
    `empty: ${empty.join(', ')}`,
  );
});

test('the metric-name reader finds series, not functions, labels, keywords or durations', () => {
  assert.deepEqual(
    metricNames(
      'histogram_quantile(0.99, sum by (le, kind) (rate(a_bucket{x="y{z}"}[5m]))) / on (kind) group_left b offset 1m and bool c',
    ),
    ['a_bucket', 'b', 'c'],
  );
});
