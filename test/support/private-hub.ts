/**
 * A JupyterHub of a test's own, for behaviour the shared testenv hubs are not set up for (the idle
 * culler, authenticator-managed groups, fast activity tracking). Same release, configuration and
 * stand-in servers as the shared hubs, in a fresh folder under TESTENV_DIR, on free loopback ports.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPorts } from './free-ports.ts';
import { logInThroughForm } from './hub-login.ts';
import { childPids, commandLine, stopPid } from './pids.ts';
import { systemClock } from '../../src/clock.ts';
import { Hub } from '../../src/hub/hub.ts';
import { silentLogger } from './logs.ts';
import type { Testenv } from './testenv.ts';

const testenvScripts = resolve(import.meta.dirname, '../../hack/testenv');

export interface CullerOptions {
  readonly timeoutSeconds: number;
  readonly everySeconds: number;
  readonly cullUsers: boolean;
  readonly removeNamedServers: boolean;
}

export interface PrivateHubOptions {
  /** Runs jupyterhub-idle-culler as a hub-managed service with these settings. */
  readonly culler?: CullerOptions;
  /** An authenticator with manage_groups: each login sets the user's groups to login()'s list. */
  readonly managedGroups?: boolean;
  /** How often the hub records activity (JupyterHub's default is 300 s); 2 s unless given. */
  readonly lastActivityIntervalSeconds?: number;
}

export interface PrivateHub {
  readonly apiUrl: string;
  /** The `hubops` service's token, with the same scopes and admin role as on the shared hubs. */
  readonly apiToken: string;
  readonly version: string;
  readonly dir: string;
  /** Stops the hub (and the culler, should the hub leave it behind) by PID; removes dir. */
  stop(): Promise<void>;
  /** A form login, as a browser does; with managedGroups the user ends up in exactly `groups`. */
  login(username: string, groups?: readonly string[]): Promise<void>;
}

/**
 * The hub release to run: env.hubVersion, unless PRIVATE_HUB_VERSION names another, so that one
 * shared testenv serves private hubs of every release the suite covers.
 */
export function privateHubVersion(env: Testenv): string {
  return process.env['PRIVATE_HUB_VERSION'] || env.hubVersion;
}

export async function startPrivateHub(
  env: Testenv,
  options: PrivateHubOptions = {},
): Promise<PrivateHub> {
  const version = privateHubVersion(env);
  // hub-venv.sh may install (minutes, once per release), so it must not block the event loop.
  const venv = (
    await promisify(execFile)(`${testenvScripts}/hub-venv.sh`, [version])
  ).stdout.trim();
  const dir = mkdtempSync(join(env.dir, 'private-'));
  writeFileSync(
    join(dir, 'private-hub.json'),
    JSON.stringify({
      lastActivityIntervalSeconds: options.lastActivityIntervalSeconds ?? 2,
      culler: options.culler ?? null,
      managedGroups: options.managedGroups ?? false,
    }),
  );
  const [port, publicPort] = (await freeLoopbackPorts(2)) as [number, number];
  const apiToken = randomBytes(32).toString('hex');
  const hubUrl = `http://127.0.0.1:${port}/hub`;
  const hub = spawnHub(venv, dir, {
    HUBOPS_HUB_DIR: dir,
    HUBOPS_HUB_PORT: String(port),
    HUBOPS_PUBLIC_PORT: String(publicPort),
    HUBOPS_HUB_TOKEN: apiToken,
    HUBOPS_STUB_SERVER: `${testenvScripts}/stub_server.py`,
    HUBOPS_HUB_EXTRA_CONFIG: `${testenvScripts}/private_hub_config.py`,
  });
  // A test process that dies without stop() must not leave a hub behind; SIGTERM lets the hub
  // stop its culler and stand-in servers itself.
  const killOnExit = (): void => void hub.kill('SIGTERM');
  process.on('exit', killOnExit);
  const hubPid = hub.pid ?? 0;

  let stopped = false;
  let cullerPid: number | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    await stopPid(hubPid, 'jupyterhub');
    // The hub stops its managed services on SIGTERM; not after a SIGKILL.
    if (cullerPid !== undefined) await stopPid(cullerPid, 'jupyterhub_idle_culler');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const got = await waitForApi(`${hubUrl}/api`, hub, dir);
    if (got !== version) throw new Error(`asked for JupyterHub ${version}, got ${got}`);
    if (options.culler) cullerPid = await waitForChild(hubPid, 'jupyterhub_idle_culler', dir);
  } catch (error) {
    await stop();
    throw error;
  }

  const groupsFile = join(dir, 'login-groups.json');
  return {
    apiUrl: `${hubUrl}/api`,
    apiToken,
    version,
    dir,
    stop,
    login: async (username, groups = []) => {
      if (options.managedGroups) {
        const byUser = readJson(groupsFile);
        writeFileSync(groupsFile, JSON.stringify({ ...byUser, [username]: groups }));
      } else if (groups.length > 0) {
        throw new Error('login groups need a private hub started with managedGroups');
      }
      await logInThroughForm(hubUrl, username);
    },
  };
}

/**
 * Starts jupyterhub with the shared hubs' configuration and the private hub's extra settings,
 * logging to dir/jupyterhub.log. The environment drops inherited HUBOPS_* variables, which
 * belong to whatever started this test (the shared testenv's run scripts bake theirs in).
 */
function spawnHub(venv: string, dir: string, variables: Record<string, string>): ChildProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('HUBOPS_')),
  );
  const log = openSync(join(dir, 'jupyterhub.log'), 'a');
  try {
    return spawn(`${venv}/bin/jupyterhub`, ['-f', `${testenvScripts}/jupyterhub_config.py`], {
      cwd: dir,
      env: { ...inherited, ...variables },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
}

/** Polls GET apiUrl/ until it answers (90 s at most); resolves with the hub's version. */
async function waitForApi(apiUrl: string, hub: ChildProcess, dir: string): Promise<string> {
  let spawnError: Error | undefined;
  hub.once('error', (error) => (spawnError = error));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (spawnError !== undefined) throw spawnError;
    if (hub.exitCode !== null || hub.signalCode !== null) {
      throw new Error(`the private hub exited while starting:\n${logTail(dir)}`);
    }
    try {
      const response = await fetch(`${apiUrl}/`);
      if (response.ok) return ((await response.json()) as { version: string }).version;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`the private hub did not answer within 90 s:\n${logTail(dir)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The hub starts managed services just after its API listens: waits up to 30 s for one. */
async function waitForChild(parent: number, program: string, dir: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pid = childPids(parent).find((child) => commandLine(child)?.includes(program));
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) {
      throw new Error(`the private hub started no ${program} within 30 s:\n${logTail(dir)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'jupyterhub.log'), 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A client of `hub` with its service token, as the operator has it. */
export function clientOf(hub: Pick<PrivateHub, 'apiUrl' | 'apiToken'>): Hub {
  return new Hub({
    baseUrl: hub.apiUrl,
    token: hub.apiToken,
    clock: systemClock,
    logger: silentLogger,
  });
}
