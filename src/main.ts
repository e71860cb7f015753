/**
 * The composition root: reads the settings, builds the hub client, the Kubernetes clients and
 * one controller per kind, serves health and metrics, and runs the controllers while this
 * replica leads. SIGTERM stops taking work, lets work in flight finish (bounded), hands the
 * lease back (or leaves it to expire when work outlasts the drain) and exits 0.
 */
import { systemClock, type Clock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { RequestBudget } from './api/hub.ts';
import { hubLabel } from './api/hub-ref.ts';
import { buildControllers } from './controllers/hub-controllers.ts';
import { Manager } from './controllers/manager.ts';
import { interactiveWorkers } from './controllers/runtime/runner.ts';
import { healthRoutes, metricsRoutes, serve } from './endpoints.ts';
import { Hub } from './hub/hub.ts';
import { EventRecorder } from './kube/events.ts';
import { KubeClient } from './kube/kube-client.ts';
import { KubeConfigError } from './kube/kube-errors.ts';
import { inClusterTarget, kubeconfigTarget, type KubeTarget } from './kube/kube-target.ts';
import { LeaderElector } from './kube/leader.ts';
import { createLogger } from './log.ts';
import { OperatorMetrics } from './metrics.ts';
import { settingsPolicy } from './plan/tenancy.ts';

/** The API server to talk to; a kubeconfig or service account that cannot be used stops the start. */
function kubeTarget(config: Config, clock: Clock): KubeTarget {
  try {
    return config.kubeconfig
      ? kubeconfigTarget(config.kubeconfig, clock, { environment: config.pluginEnvironment })
      : inClusterTarget(config.kubernetesService.host, config.kubernetesService.port, clock);
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    process.stderr.write(`hubops: invalid setting KUBECONFIG: ${err.message}\n`);
    process.exit(1);
  }
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`hubops: invalid setting ${err.message}\n`);
    process.exit(1);
  }
}

/**
 * A hub client, its requests counted and timed in `metrics` under the label `hub`: `settings` for
 * the hub of HUB_API_URL, the Hub's `namespace/name` for the others.
 */
function connectHub(
  key: string,
  url: string,
  token: string,
  budget: RequestBudget,
  deps: { clock: Clock; logger: ReturnType<typeof createLogger>; metrics: OperatorMetrics },
): Hub {
  const { metrics } = deps;
  const label = hubLabel(key);
  const hub = new Hub({
    baseUrl: url,
    token,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'hub', hub: label }),
    budget: {
      maxInFlight: budget.maxInFlight,
      ratePerSecond: budget.requestsPerSecond,
      maxSpawnsInFlight: budget.maxSpawnsInFlight,
    },
    onRequest: (sample) => {
      metrics.hubRequests.inc({
        hub: label,
        method: sample.method,
        route: sample.route,
        code: String(sample.outcome),
      });
      metrics.hubRequestSeconds.observe(
        { hub: label, method: sample.method, route: sample.route },
        sample.durationMs / 1000,
      );
    },
  });
  hub.health.onChange((state) =>
    metrics.hubUp.set({ hub: label }, state.status === 'down' ? 0 : 1),
  );
  return hub;
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const clock = systemClock;
  const target = kubeTarget(config, clock);
  // Three watches and one request per worker of a kind at most; Events wait their turn.
  const kube = new KubeClient(target, {
    connections: config.workers + interactiveWorkers(config.workers) + 3,
  });
  const metrics = new OperatorMetrics();
  const budget = {
    maxInFlight: config.hubMaxInFlight,
    requestsPerSecond: config.hubRequestsPerSecond,
    maxSpawnsInFlight: config.hubMaxSpawnsInFlight,
  };
  const hubDeps = { clock, logger, metrics };
  const hub = connectHub('', config.hubApiUrl, config.hubApiToken, budget, hubDeps);
  void describeHub(hub, logger);
  const events = new EventRecorder(
    kube,
    { controller: 'hubops.io/operator', instance: config.podName },
    { clock, logger },
  );
  const controllers = buildControllers(
    {
      hub,
      url: config.hubApiUrl,
      budget,
      policy: settingsPolicy(config, config.podNamespace),
      resyncMs: config.resyncSeconds * 1000,
      hubTokens: config.hubTokens,
      ...(config.defaultHub ? { defaultHub: config.defaultHub } : {}),
      connect: (key, url, token, hubBudget) => connectHub(key, url, token, hubBudget, hubDeps),
    },
    { kube, namespace: config.watchNamespace, clock, logger, metrics, events },
  );
  // Its own connection: a renewal must not queue behind a burst of status writes.
  const leaseKube = config.leaderElection
    ? new KubeClient(target, { connections: 1, timeoutMs: config.leaseRenewDeadlineSeconds * 1000 })
    : undefined;
  const elector =
    leaseKube &&
    new LeaderElector(
      leaseKube,
      {
        namespace: config.podNamespace,
        name: config.leaseName,
        identity: config.podName,
        leaseDurationMs: config.leaseDurationSeconds * 1000,
        renewDeadlineMs: config.leaseRenewDeadlineSeconds * 1000,
        retryPeriodMs: config.leaseRetryPeriodSeconds * 1000,
      },
      { clock, logger },
    );
  const manager = new Manager({
    controllers,
    workers: config.workers,
    ...(elector ? { elector } : {}),
    clock,
    logger,
    leading: () => metrics.leader.set(1),
    lostLeadership: () => {
      logger.fatal('Lost the leader lease; exiting so that a fresh process rejoins as a follower');
      process.exit(1);
    },
  });

  const health = await serve(
    config.listenAddress,
    config.healthPort,
    healthRoutes(
      () => ({ ok: true, detail: 'ok' }),
      () => manager.readiness(),
    ),
  );
  const scrape = await serve(
    config.listenAddress,
    config.metricsPort,
    metricsRoutes(metrics.registry),
  );
  logger.info(
    {
      healthPort: health.port,
      metricsPort: scrape.port,
      namespace: config.watchNamespace || '(all)',
    },
    'Started',
  );
  manager.start();

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: finishing work in flight');
    await manager.stop();
    await kube.close();
    await leaseKube?.close();
    health.server.close();
    scrape.server.close();
    logger.info('Stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Logs what the hub says about itself and the token; a failure here is only a warning. */
async function describeHub(hub: Hub, logger: ReturnType<typeof createLogger>): Promise<void> {
  try {
    const [version, owner] = await Promise.all([hub.version(), hub.tokenOwner()]);
    logger.info(
      { hubVersion: version, tokenOwner: `${owner.kind} ${owner.name}`, admin: owner.admin },
      'Connected to JupyterHub',
    );
  } catch (err) {
    logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'JupyterHub did not answer at start-up; will keep trying',
    );
  }
}

await main();
