/**
 * The `hubops` command line: one entry, one subcommand per job, each with `--help`. Exit codes
 * as `kubectl diff`: 0 done (or nothing to do), 1 changes found, 2 an error, said in one line on
 * standard error. It loads only the hub client and the pure layers, none of the controllers.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { systemClock } from '../clock.ts';
import { ConfigError, hubConnectionFromEnvironment, tokenFromFile } from '../config.ts';
import { OperatorError } from '../errors.ts';
import { Hub } from '../hub/hub.ts';
import { createLogger } from '../log.ts';
import { exportManifests } from './export.ts';

const usage = `Usage: hubops <command> [options]

Commands:
  export   print manifests (HubUsers, HubGroups, HubServers) that describe a hub as it is

Connection (every command): --url URL and --token-file PATH, or the operator's variables
HUB_API_URL and HUB_API_TOKEN / HUB_API_TOKEN_FILE.
Run "hubops <command> --help" for a command's options.
`;

const exportUsage = `Usage: hubops export --namespace NS [options]

Prints YAML documents for the hub's users (HubUser), groups with their members and properties
(HubGroup) and, with --servers, its running servers (HubServer), each with deletionPolicy Retain:
applied, they adopt everything and change nothing. Object names are the hub names where
Kubernetes can hold them; otherwise the name is lowercased, other characters become "-", and
"-" plus 8 hex digits of the hub name's SHA-256 are appended, with the hub name kept in
spec.username / spec.groupName.

Options:
  --namespace NS          the namespace of the manifests (required)
  --users, --groups, --servers
                          which kinds; default: users and groups
  --hub-ref NAME[/NS]     set spec.hubRef to this Hub (NS defaults to --namespace)
  --match REGEX           only hub objects whose name matches
  --selector-labels K=V[,K=V]
                          labels to put on every exported HubUser
  --url URL, --token-file PATH
                          the hub connection
`;

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  if (command === 'export') return runExport(rest);
  throw new UsageError(`unknown command "${command}" (commands: export)`);
}

async function runExport(args: readonly string[]): Promise<number> {
  const { values } = parse(args, {
    namespace: { type: 'string' },
    users: { type: 'boolean' },
    groups: { type: 'boolean' },
    servers: { type: 'boolean' },
    'hub-ref': { type: 'string' },
    match: { type: 'string' },
    'selector-labels': { type: 'string' },
    url: { type: 'string' },
    'token-file': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(exportUsage);
    return 0;
  }
  const namespace = values.namespace;
  if (!namespace) throw new UsageError('export needs --namespace');
  const kinds = { users: values.users, groups: values.groups, servers: values.servers };
  const any = Object.values(kinds).some(Boolean);
  const hubRef = values['hub-ref'] ? parseHubRef(values['hub-ref']) : undefined;
  const match = values.match ? regex(values.match) : undefined;
  const userLabels = values['selector-labels'] ? parseLabels(values['selector-labels']) : undefined;
  const hub = connect(values.url, values['token-file']);
  try {
    const progress = progressLine();
    const [users, groups] = await Promise.all([
      hub.users.list({ priority: 'interactive' }),
      hub.groups.list({ priority: 'interactive' }),
    ]);
    progress.done(`read ${users.size} users and ${groups.size} groups`);
    const manifests = exportManifests(
      { users, groups },
      {
        namespace,
        ...(hubRef ? { hubRef } : {}),
        users: any ? Boolean(kinds.users) : true,
        groups: any ? Boolean(kinds.groups) : true,
        servers: Boolean(kinds.servers),
        ...(match ? { match } : {}),
        ...(userLabels ? { userLabels } : {}),
      },
    );
    process.stdout.write(manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n'));
    return 0;
  } finally {
    await hub.close();
  }
}

function parse<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function connect(urlFlag: string | undefined, tokenFile: string | undefined): Hub {
  const fromEnv = hubConnectionFromEnvironment();
  const url = urlFlag ?? fromEnv.url;
  if (!url) throw new UsageError('no hub: give --url or set HUB_API_URL');
  const token = tokenFile ? tokenFromFile(tokenFile, '--token-file') : fromEnv.token;
  if (!token) throw new UsageError('no token: give --token-file or set HUB_API_TOKEN(_FILE)');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  return new Hub({ baseUrl: url, token, clock: systemClock, logger: createLogger('silent') });
}

function parseHubRef(text: string): { name: string; namespace?: string } {
  const [name, namespace, extra] = text.split('/');
  if (!name || extra !== undefined) throw new UsageError(`--hub-ref is NAME or NAME/NS: ${text}`);
  return namespace ? { name, namespace } : { name };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [key, value, extra] = pair.split('=');
    if (!key || value === undefined || extra !== undefined)
      throw new UsageError(`--selector-labels is K=V[,K=V]: ${text}`);
    labels[key.trim()] = value.trim();
  }
  return labels;
}

function regex(text: string): RegExp {
  try {
    return new RegExp(text, 'u');
  } catch (err) {
    throw new UsageError(`--match is not a regular expression: ${(err as Error).message}`);
  }
}

/** A line on standard error when it is a terminal and the read takes more than a moment. */
function progressLine(): { done: (what: string) => void } {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  const timer = tty
    ? setInterval(() => {
        process.stderr.write(
          `hubops: reading the hub... ${Math.round((Date.now() - started) / 1000)} s\n`,
        );
      }, 2_000)
    : undefined;
  return {
    done: (what) => {
      if (timer) clearInterval(timer);
      if (tty)
        process.stderr.write(
          `hubops: ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
    },
  };
}

/** Runs the command line when this module is the entry point (not when a test imports it). */
export async function runCommandLine(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (err) {
    const message =
      err instanceof UsageError || err instanceof ConfigError || err instanceof OperatorError
        ? err.message
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`hubops: ${message}\n`);
    return 2;
  }
}

if (import.meta.main) process.exitCode = await runCommandLine(process.argv.slice(2));
