/**
 * How `hubops plan` prints its calls: one line per hub call, marked `+` (creates), `~` (changes)
 * or `-` (destructive: deletes, removes, stops), with the resource that makes it; findings; a
 * warning for anything destructive; a summary line. Or all of it as one JSON document.
 */
import type { Call, Finding, PlannedCall, Preview, ResourceId } from './preview/model.ts';

/** One hub call in words, e.g. `add 3 members to group physics-101: ada, bob, carol`. */
export function sentence(call: Call): string {
  switch (call.op) {
    case 'createUser':
      return `create user ${call.user}${call.admin ? ' (admin)' : ''}`;
    case 'setAdmin':
      return `${call.admin ? 'grant admin to' : 'revoke admin from'} user ${call.user}`;
    case 'deleteUser':
      return `delete user ${call.user}`;
    case 'createGroup':
      return `create group ${call.group} with ${count(call.users)}${names(call.users)}`;
    case 'deleteGroup':
      return `delete group ${call.group}`;
    case 'addMembers':
      return `add ${count(call.users)} to group ${call.group}${names(call.users)}`;
    case 'removeMembers':
      return `remove ${count(call.users)} from group ${call.group}${names(call.users)}`;
    case 'setProperties':
      return `set the properties of group ${call.group}`;
    case 'startServer':
      return `start server ${server(call.user, call.server)}`;
    case 'stopServer':
      return `${call.remove ? 'stop and remove' : 'stop'} server ${server(call.user, call.server)}`;
  }
}

function count(users: readonly string[]): string {
  return `${users.length} member${users.length === 1 ? '' : 's'}`;
}

/** The first five names after a colon; nothing for none. */
function names(users: readonly string[]): string {
  if (users.length === 0) return '';
  const shown = users.slice(0, 5).join(', ');
  return `: ${shown}${users.length > 5 ? `, and ${users.length - 5} more` : ''}`;
}

function server(user: string, name: string): string {
  return name === '' ? `${user} (default)` : `${user}/${name}`;
}

function marker(planned: PlannedCall): '+' | '~' | '-' {
  if (planned.destructive) return '-';
  return planned.call.op === 'createUser' || planned.call.op === 'createGroup' ? '+' : '~';
}

function resource(id: ResourceId): string {
  return `${id.kind} ${id.namespace}/${id.name}`;
}

export function summary(result: Preview): {
  calls: number;
  create: number;
  change: number;
  destructive: number;
  resources: number;
  findings: number;
} {
  const marks = result.calls.map(marker);
  return {
    calls: result.calls.length,
    create: marks.filter((m) => m === '+').length,
    change: marks.filter((m) => m === '~').length,
    destructive: marks.filter((m) => m === '-').length,
    resources: result.resources,
    findings: result.findings.length,
  };
}

/** Calls and the summary for standard output; findings and the warning for standard error. */
export function asText(result: Preview): { stdout: string; stderr: string } {
  const lines = result.calls.map(
    (planned) => `${marker(planned)} ${sentence(planned.call)}  [${resource(planned.resource)}]`,
  );
  const totals = summary(result);
  const of = `${totals.resources} resource${totals.resources === 1 ? '' : 's'}`;
  lines.push(
    totals.calls === 0
      ? `Plan: no hub calls for ${of}.`
      : `Plan: ${totals.calls} hub call${totals.calls === 1 ? '' : 's'} for ${of}: ${totals.create} to create, ${totals.change} to change, ${totals.destructive} destructive.`,
  );
  const notes = result.findings.map(
    (finding: Finding) =>
      `hubops: ${resource(finding.resource)}: ${finding.reason}: ${finding.message}`,
  );
  if (totals.destructive > 0)
    notes.push(
      `hubops: warning: ${totals.destructive} destructive call${totals.destructive === 1 ? '' : 's'} (marked -): the hub loses what they delete, remove or stop`,
    );
  if (result.otherHubs > 0)
    notes.push(
      `hubops: ${result.otherHubs} resource(s) of the manifests use another hub and are not planned (see --hub-ref)`,
    );
  return { stdout: `${lines.join('\n')}\n`, stderr: notes.map((n) => `${n}\n`).join('') };
}

export function asJson(result: Preview): string {
  return `${JSON.stringify(
    {
      calls: result.calls.map((planned) => ({
        ...planned.call,
        text: sentence(planned.call),
        destructive: planned.destructive,
        resource: planned.resource,
      })),
      findings: result.findings,
      summary: { ...summary(result), otherHubs: result.otherHubs },
    },
    null,
    2,
  )}\n`;
}
