/**
 * `hubops export`: one paginated read of the hub, printed as manifests that adopt everything and
 * change nothing when applied (export.ts builds them).
 */
import { stringify } from 'yaml';
import { parseHubRef, parseLabels, parseOptions, regex, UsageError } from './arguments.ts';
import { exportManifests } from './export.ts';
import { connect } from './hub-connection.ts';

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
  --observe               set managementPolicy: Observe on every resource: applied, they
                          report the hub in status and never write to it
  --url URL, --token-file PATH
                          the hub connection
`;

export async function runExport(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, {
    namespace: { type: 'string' },
    users: { type: 'boolean' },
    groups: { type: 'boolean' },
    servers: { type: 'boolean' },
    'hub-ref': { type: 'string' },
    match: { type: 'string' },
    'selector-labels': { type: 'string' },
    observe: { type: 'boolean' },
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
        ...(values.observe ? { observe: true } : {}),
      },
    );
    process.stdout.write(manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n'));
    return 0;
  } finally {
    await hub.close();
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
