/**
 * What a plan asks the hub to do, as plain data: the controllers execute these in order, tests
 * compare them, and `describe` turns one into the words of an Event or a log line.
 */

export type Action =
  | { readonly op: 'createUser'; readonly user: string; readonly admin: boolean }
  | { readonly op: 'setAdmin'; readonly user: string; readonly admin: boolean }
  | { readonly op: 'deleteUser'; readonly user: string }
  | { readonly op: 'createGroup'; readonly group: string; readonly users: readonly string[] }
  | { readonly op: 'deleteGroup'; readonly group: string }
  | { readonly op: 'addMembers'; readonly group: string; readonly users: readonly string[] }
  | { readonly op: 'removeMembers'; readonly group: string; readonly users: readonly string[] }
  | {
      readonly op: 'setProperties';
      readonly group: string;
      readonly properties: Record<string, unknown>;
    };

/** One sentence, e.g. "created hub user ada (admin)". */
export function describe(action: Action): string {
  switch (action.op) {
    case 'createUser':
      return `created hub user ${action.user}${action.admin ? ' (admin)' : ''}`;
    case 'setAdmin':
      return `${action.admin ? 'granted' : 'revoked'} admin for hub user ${action.user}`;
    case 'deleteUser':
      return `deleted hub user ${action.user}`;
    case 'createGroup':
      return `created hub group ${action.group}${action.users.length > 0 ? ` with ${list(action.users)}` : ''}`;
    case 'deleteGroup':
      return `deleted hub group ${action.group}`;
    case 'addMembers':
      return `added ${list(action.users)} to hub group ${action.group}`;
    case 'removeMembers':
      return `removed ${list(action.users)} from hub group ${action.group}`;
    case 'setProperties':
      return `set the properties of hub group ${action.group}`;
  }
}

function list(users: readonly string[]): string {
  return users.length <= 5
    ? users.join(', ')
    : `${users.slice(0, 5).join(', ')} and ${users.length - 5} more`;
}
