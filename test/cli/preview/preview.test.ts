// What `hubops plan` predicts, row by row: for manifests, live resources and one read of the hub,
// the exact hub calls (and which resource makes each) and the findings that hold calls back,
// decided as the operator's reconcilers decide them: tenancy, name claims, trusted ownership,
// pause, selectors, servers and pruning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../../../src/api/conditions.ts';
import type { Ownership } from '../../../src/api/fields.ts';
import type { HubGroup, HubGroupSpec } from '../../../src/api/hubgroup.ts';
import type { HubServer, HubServerSpec, HubServerStatus } from '../../../src/api/hubserver.ts';
import type { HubUser, HubUserSpec, HubUserStatus } from '../../../src/api/hubuser.ts';
import { apiVersion, parseKey, type ObjectMeta } from '../../../src/api/meta.ts';
import { preview } from '../../../src/cli/preview/preview.ts';
import type {
  Declared,
  Preview,
  PreviewInput,
  ResourceId,
} from '../../../src/cli/preview/model.ts';
import type {
  HubGroup as GroupModel,
  HubServer as ServerModel,
  HubUser as UserModel,
} from '../../../src/hub/models.ts';
import { settingsPolicy, type TenancyPolicy } from '../../../src/plan/tenancy.ts';

type Meta = Omit<ObjectMeta, 'name' | 'namespace'>;

const metadata = (key: string, meta: Meta): ObjectMeta => ({ ...parseKey(key), ...meta });

/** A HubUser as read back from the API server: `key` is `namespace/name`, spec defaulted. */
const hubUser = (
  key: string,
  spec: Partial<HubUserSpec> = {},
  meta: Meta = {},
  status?: HubUserStatus,
): HubUser => ({
  apiVersion,
  kind: 'HubUser',
  metadata: metadata(key, meta),
  spec: { admin: false, ...spec },
  ...(status ? { status } : {}),
});

const hubGroup = (key: string, spec: Partial<HubGroupSpec> = {}, meta: Meta = {}): HubGroup => ({
  apiVersion,
  kind: 'HubGroup',
  metadata: metadata(key, meta),
  spec: { membershipPolicy: 'Exact', ...spec },
});

const hubServer = (
  key: string,
  spec: Partial<HubServerSpec> & { username: string },
  meta: Meta = {},
  status?: HubServerStatus,
): HubServer => ({
  apiVersion,
  kind: 'HubServer',
  metadata: metadata(key, meta),
  spec: { serverName: '', state: 'Running', keepRunning: false, ...spec },
  ...(status ? { status } : {}),
});

/** A live object of the operator's: it is older than any manifest and says who made its hub object. */
const live = (ownership: Ownership): [Meta, { ownership: Ownership }] => [
  { creationTimestamp: '2024-01-01T00:00:00Z', generation: 1 },
  { ownership },
];

const hubUserModel = (
  name: string,
  admin = false,
  servers?: Record<string, ServerModel>,
): UserModel => ({ name, admin, ...(servers ? { servers } : {}) });
const server = (name: string, ready: boolean, pending: string | null): ServerModel => ({
  name,
  ready,
  pending,
});
const group = (
  name: string,
  users: string[],
  properties?: Record<string, unknown>,
): GroupModel => ({ name, users, ...(properties ? { properties } : {}) });

/** Each list left unset admits every namespace, as the operator's settings do on a local run. */
const policy = (lists: { allowed?: string[]; admin?: string[]; adoption?: string[] } = {}) =>
  settingsPolicy({
    allowedNamespaces: lists.allowed,
    adminNamespaces: lists.admin,
    adoptionNamespaces: lists.adoption,
  });

const refusedReady = (reason: string): Condition => ({
  type: 'Ready',
  status: 'False',
  lastTransitionTime: '2024-01-01T00:00:00Z',
  reason,
  message: 'refused',
});

/** Ready True for `generation`: the hub user was as declared. */
const asDeclaredAt = (generation: number): Condition => ({
  type: 'Ready',
  status: 'True',
  lastTransitionTime: '2024-01-01T00:00:00Z',
  observedGeneration: generation,
  reason: 'Created',
  message: 'hub user let is as the spec says',
});

const paused = { annotations: { 'hubops.io/paused': 'true' } };

interface Case {
  readonly manifests?: Partial<Declared>;
  readonly live?: Partial<Declared>;
  readonly prune?: boolean;
  readonly policy?: TenancyPolicy;
  readonly users?: UserModel[];
  readonly groups?: GroupModel[];
  readonly canSetProperties?: boolean;
  readonly keyOf?: PreviewInput['keyOf'];
}

const declared = (objects: Partial<Declared> = {}): Declared => ({
  users: objects.users ?? [],
  groups: objects.groups ?? [],
  servers: objects.servers ?? [],
});

function run(c: Case): Preview {
  return preview({
    manifests: declared(c.manifests),
    live: c.live ? declared(c.live) : undefined,
    prune: c.prune ?? false,
    hubKey: '',
    keyOf: c.keyOf ?? (() => ''),
    policy: c.policy ?? policy(),
    hub: {
      users: new Map((c.users ?? []).map((user) => [user.name, user])),
      groups: new Map((c.groups ?? []).map((g) => [g.name, g])),
      canSetProperties: c.canSetProperties ?? true,
    },
  });
}

const idText = (id: ResourceId): string => `${id.kind} ${id.namespace}/${id.name}`;

/** A call with the resource that makes it (`by`), and `destructive` only where it is. */
type Expected = Record<string, unknown> & { op: string; by: string };

interface Row {
  readonly name: string;
  readonly input: Case;
  readonly calls: Expected[];
  /** `Kind namespace/name: Reason`, in order. */
  readonly findings: string[];
}

const rows: Row[] = [
  {
    name: 'a hub user deleted outside hubops stays deleted under Respect, and its group does not wait for it',
    input: {
      manifests: {
        users: [hubUser('course/let', { whenDeletedInHub: 'Respect' })],
        groups: [hubGroup('course/team', { members: ['let'] })],
      },
      live: {
        users: [
          hubUser('course/let', { whenDeletedInHub: 'Respect' }, live('Created')[0], {
            ownership: 'Created',
            conditions: [asDeclaredAt(1)],
          }),
        ],
      },
    },
    calls: [{ op: 'createGroup', group: 'team', users: [], by: 'HubGroup course/team' }],
    findings: ['HubUser course/let: DeletedInHub'],
  },
  {
    name: 'a HubUser left deleted whose spec changes is a new wish: its user is created again',
    input: {
      manifests: { users: [hubUser('course/let', { whenDeletedInHub: 'Respect', admin: true })] },
      live: {
        users: [
          hubUser('course/let', { whenDeletedInHub: 'Respect' }, live('Created')[0], {
            ownership: 'Created',
            conditions: [asDeclaredAt(1)],
          }),
        ],
      },
    },
    calls: [{ op: 'createUser', user: 'let', admin: true, by: 'HubUser course/let' }],
    findings: [],
  },
  {
    name: 'under Recreate a hub user deleted outside hubops is created again',
    input: {
      manifests: { users: [hubUser('course/let')] },
      live: {
        users: [
          hubUser('course/let', {}, live('Created')[0], {
            ownership: 'Created',
            conditions: [asDeclaredAt(1)],
          }),
        ],
      },
    },
    calls: [{ op: 'createUser', user: 'let', admin: false, by: 'HubUser course/let' }],
    findings: [],
  },
  {
    name: 'a hub that already matches the manifests needs no call and reports nothing',
    input: {
      manifests: {
        users: [hubUser('course/ada', { admin: true })],
        groups: [hubGroup('course/ml', { members: ['ada', 'bob'] })],
      },
      users: [hubUserModel('ada', true), hubUserModel('bob')],
      groups: [group('ml', ['bob', 'ada'])],
    },
    calls: [],
    findings: [],
  },
  {
    name: 'a new HubUser with admin creates its hub user as an admin',
    input: { manifests: { users: [hubUser('course/ada', { admin: true })] } },
    calls: [{ op: 'createUser', user: 'ada', admin: true, by: 'HubUser course/ada' }],
    findings: [],
  },
  {
    name: 'admin from a namespace that may not grant it makes no call and says AdminNotAllowed',
    input: {
      manifests: { users: [hubUser('course/ada', { admin: true })] },
      policy: policy({ admin: ['staff'] }),
    },
    calls: [],
    findings: ['HubUser course/ada: AdminNotAllowed'],
  },
  {
    name: 'changing a hub user hubops did not create is refused where the namespace may not adopt',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      users: [hubUserModel('ada', true)],
      policy: policy({ adoption: ['ops'] }),
    },
    calls: [],
    findings: ['HubUser course/ada: AdoptionNotAllowed'],
  },
  {
    // The annotation is on the object, which any editor of it may set; only status is trusted.
    name: 'an ownership annotation alone does not make a hub user ours to change',
    input: {
      manifests: {
        users: [hubUser('course/ada', {}, { annotations: { 'hubops.io/ownership': 'Created' } })],
      },
      users: [hubUserModel('ada', true)],
      policy: policy({ adoption: ['ops'] }),
    },
    calls: [],
    findings: ['HubUser course/ada: AdoptionNotAllowed'],
  },
  {
    name: 'a hub user whose live HubUser records it as Created is changed without adopting',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: { users: [hubUser('course/ada', { admin: true }, ...live('Created'))] },
      users: [hubUserModel('ada', true)],
      policy: policy({ adoption: ['ops'] }),
    },
    calls: [{ op: 'setAdmin', user: 'ada', admin: false, by: 'HubUser course/ada' }],
    findings: [],
  },
  {
    name: 'a namespace the hub does not admit is refused before its admin grant is judged',
    input: {
      manifests: { users: [hubUser('lab/ada', { admin: true })] },
      policy: policy({ allowed: ['course'], admin: ['course'] }),
    },
    calls: [],
    findings: ['HubUser lab/ada: NamespaceNotAllowed'],
  },
  {
    name: 'of two HubUsers of one username the older live one holds it and the manifest conflicts',
    input: {
      manifests: { users: [hubUser('beta/ada', { admin: true })] },
      live: { users: [hubUser('alpha/ada', {}, ...live('Created'))] },
      users: [hubUserModel('ada')],
    },
    calls: [],
    findings: ['HubUser beta/ada: Conflict'],
  },
  {
    // Neither exists yet: both are as young, and the key decides, as every replica agrees.
    name: 'of two new HubUsers of one username the first by key creates it',
    input: { manifests: { users: [hubUser('beta/ada'), hubUser('alpha/ada')] } },
    calls: [{ op: 'createUser', user: 'ada', admin: false, by: 'HubUser alpha/ada' }],
    findings: ['HubUser beta/ada: Conflict'],
  },
  {
    // The operator's claims (hubuser/kind.ts, mayHoldName) let no HubUser that its hub refuses
    // admin hold a name, so a refused older claimant cannot block a younger allowed one.
    name: 'an older HubUser refused its admin grant does not keep a younger one from the username',
    input: {
      manifests: { users: [hubUser('beta/ada')] },
      live: { users: [hubUser('alpha/ada', { admin: true }, ...live('Created'))] },
      policy: policy({ admin: ['staff'] }),
    },
    calls: [{ op: 'createUser', user: 'ada', admin: false, by: 'HubUser beta/ada' }],
    findings: [],
  },
  {
    // Nor does one whose last round found it taking over what its namespace may not adopt.
    name: 'an older HubUser refused adoption does not keep a younger one from the username',
    input: {
      manifests: { users: [hubUser('beta/ada')] },
      live: {
        users: [
          hubUser(
            'alpha/ada',
            {},
            { creationTimestamp: '2024-01-01T00:00:00Z' },
            { conditions: [refusedReady('AdoptionNotAllowed')] },
          ),
        ],
      },
      users: [hubUserModel('ada', true)],
      policy: policy({ adoption: ['beta'] }),
    },
    calls: [{ op: 'setAdmin', user: 'ada', admin: false, by: 'HubUser beta/ada' }],
    findings: [],
  },
  {
    name: 'a paused HubUser with a change pending makes no call and says Paused',
    input: {
      manifests: { users: [hubUser('course/ada', { admin: true }, paused)] },
      users: [hubUserModel('ada')],
    },
    calls: [],
    findings: ['HubUser course/ada: Paused'],
  },
  {
    name: 'a paused HubUser with nothing pending says nothing',
    input: {
      manifests: { users: [hubUser('course/ada', {}, paused)] },
      users: [hubUserModel('ada')],
    },
    calls: [],
    findings: [],
  },
  {
    name: 'observed resources make no call, whatever their specs say',
    input: {
      manifests: {
        users: [
          hubUser('course/ada', { admin: true, managementPolicy: 'Observe' }),
          hubUser('course/ghost', { managementPolicy: 'Observe' }),
        ],
        groups: [hubGroup('course/team', { members: [], managementPolicy: 'Observe' })],
        servers: [
          hubServer('course/ada', {
            username: 'ada',
            state: 'Stopped',
            managementPolicy: 'Observe',
          }),
        ],
      },
      users: [hubUserModel('ada', false, { '': server('', true, null) })],
      groups: [{ name: 'team', users: ['ada'] }],
    },
    calls: [],
    findings: [],
  },
  {
    name: 'an observed HubUser that says admin is not refused where admin may not be granted',
    input: {
      manifests: { users: [hubUser('course/ada', { admin: true, managementPolicy: 'Observe' })] },
      users: [hubUserModel('ada', true)],
      policy: policy({ admin: [] }),
    },
    calls: [],
    findings: [],
  },
  {
    name: 'an observed resource the namespace may not adopt is refused, as adopting it would be',
    input: {
      manifests: { users: [hubUser('course/ada', { managementPolicy: 'Observe' })] },
      users: [hubUserModel('ada')],
      policy: policy({ adoption: [] }),
    },
    calls: [],
    findings: ['HubUser course/ada: AdoptionNotAllowed'],
  },
  {
    name: 'a group creates a member whose HubUser is observed only, rather than wait for it',
    input: {
      manifests: {
        users: [hubUser('course/bo', { managementPolicy: 'Observe' })],
        groups: [hubGroup('course/team', { members: ['bo'] })],
      },
    },
    calls: [
      { op: 'createUser', user: 'bo', admin: false, by: 'HubGroup course/team' },
      { op: 'createGroup', group: 'team', users: ['bo'], by: 'HubGroup course/team' },
    ],
    findings: [],
  },
  {
    name: "a selector takes the matching HubUsers of the group's own namespace, sorted",
    input: {
      manifests: {
        users: [
          hubUser('course/bo', {}, { labels: { role: 'student' } }),
          hubUser('course/ana', {}, { labels: { role: 'student' } }),
          hubUser('course/cy', {}, { labels: { role: 'staff' } }),
          hubUser('other/dee', {}, { labels: { role: 'student' } }),
        ],
        groups: [hubGroup('course/ml', { memberSelector: { matchLabels: { role: 'student' } } })],
      },
      users: ['ana', 'bo', 'cy', 'dee'].map((name) => hubUserModel(name)),
    },
    calls: [{ op: 'createGroup', group: 'ml', users: ['ana', 'bo'], by: 'HubGroup course/ml' }],
    findings: [],
  },
  {
    name: 'a member no HubUser declares and the hub lacks is created by the group, before the group',
    input: {
      manifests: { groups: [hubGroup('course/ml', { members: ['zed', 'ana'] })] },
      users: [hubUserModel('ana')],
    },
    calls: [
      { op: 'createUser', user: 'zed', admin: false, by: 'HubGroup course/ml' },
      { op: 'createGroup', group: 'ml', users: ['ana', 'zed'], by: 'HubGroup course/ml' },
    ],
    findings: [],
  },
  {
    name: 'a member that a HubUser of the same plan creates counts as present',
    input: {
      manifests: {
        users: [hubUser('course/new')],
        groups: [hubGroup('course/ml', { members: ['new'] })],
      },
    },
    calls: [
      { op: 'createUser', user: 'new', admin: false, by: 'HubUser course/new' },
      { op: 'createGroup', group: 'ml', users: ['new'], by: 'HubGroup course/ml' },
    ],
    findings: [],
  },
  {
    name: 'an Exact group removes the member it does not declare, destructively',
    input: {
      manifests: { groups: [hubGroup('course/ml', { members: ['ana'] })] },
      users: [hubUserModel('ana'), hubUserModel('bo')],
      groups: [group('ml', ['ana', 'bo'])],
    },
    calls: [
      {
        op: 'removeMembers',
        group: 'ml',
        users: ['bo'],
        by: 'HubGroup course/ml',
        destructive: true,
      },
    ],
    findings: [],
  },
  {
    name: 'an Additive group leaves a member it does not declare',
    input: {
      manifests: {
        groups: [hubGroup('course/ml', { members: ['ana'], membershipPolicy: 'Additive' })],
      },
      users: [hubUserModel('ana'), hubUserModel('bo')],
      groups: [group('ml', ['ana', 'bo'])],
    },
    calls: [],
    findings: [],
  },
  {
    name: 'a member whose HubUser is refused keeps the group waiting for it, the others set',
    input: {
      manifests: {
        users: [hubUser('course/root', { admin: true })],
        groups: [hubGroup('course/ml', { members: ['ana', 'root'] })],
      },
      users: [hubUserModel('ana')],
      policy: policy({ admin: ['staff'] }),
    },
    calls: [{ op: 'createGroup', group: 'ml', users: ['ana'], by: 'HubGroup course/ml' }],
    findings: ['HubUser course/root: AdminNotAllowed', 'HubGroup course/ml: MembersWaiting'],
  },
  {
    // The reconciler defers a new group all of whose members wait ("created with them, later"),
    // so it makes no call at all while they never come.
    name: 'a new group all of whose members wait for refused HubUsers is not created',
    input: {
      manifests: {
        users: [hubUser('course/root', { admin: true })],
        groups: [hubGroup('course/ml', { members: ['root'] })],
      },
      policy: policy({ admin: ['staff'] }),
    },
    calls: [],
    findings: ['HubUser course/root: AdminNotAllowed', 'HubGroup course/ml: MembersWaiting'],
  },
  {
    name: 'properties on a hub that cannot store them are reported, not sent',
    input: {
      manifests: { groups: [hubGroup('course/ml', { properties: { seats: 30 } })] },
      groups: [group('ml', [])],
      canSetProperties: false,
    },
    calls: [],
    findings: ['HubGroup course/ml: PropertiesUnsupported'],
  },
  {
    name: 'properties that differ are set on a hub that stores them',
    input: {
      manifests: { groups: [hubGroup('course/ml', { properties: { seats: 30 } })] },
      groups: [group('ml', [], { seats: 20 })],
    },
    calls: [
      { op: 'setProperties', group: 'ml', properties: { seats: 30 }, by: 'HubGroup course/ml' },
    ],
    findings: [],
  },
  {
    name: 'a server of a user the same plan creates is started after the user',
    input: {
      manifests: {
        users: [hubUser('course/ada')],
        servers: [hubServer('course/ada-lab', { username: 'ada', serverName: 'lab' })],
      },
    },
    calls: [
      { op: 'createUser', user: 'ada', admin: false, by: 'HubUser course/ada' },
      { op: 'startServer', user: 'ada', server: 'lab', by: 'HubServer course/ada-lab' },
    ],
    findings: [],
  },
  {
    name: 'a server of a user that does not exist and that nothing creates says UserMissing',
    input: { manifests: { servers: [hubServer('course/ghost', { username: 'ghost' })] } },
    calls: [],
    findings: ['HubServer course/ghost: UserMissing'],
  },
  {
    name: 'a server of a user no HubUser of its namespace created is refused outside adoption',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada' })] },
      users: [hubUserModel('ada')],
      policy: policy({ adoption: ['ops'] }),
    },
    calls: [],
    findings: ['HubServer course/ada: AdoptionNotAllowed'],
  },
  {
    name: 'a server of a user its namespace created is started outside adoption too',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada' })] },
      live: { users: [hubUser('course/ada', {}, ...live('Created'))] },
      users: [hubUserModel('ada')],
      policy: policy({ adoption: ['ops'] }),
    },
    calls: [{ op: 'startServer', user: 'ada', server: '', by: 'HubServer course/ada' }],
    findings: [],
  },
  {
    name: 'a server already running needs no call',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada' })] },
      users: [hubUserModel('ada', false, { '': server('', true, null) })],
    },
    calls: [],
    findings: [],
  },
  {
    name: 'a server the hub is spawning is waited for, as Starting',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada' })] },
      users: [hubUserModel('ada', false, { '': server('', false, 'spawn') })],
    },
    calls: [],
    findings: ['HubServer course/ada: Starting'],
  },
  {
    name: 'a server declared Stopped that runs is stopped, destructively',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada', state: 'Stopped' })] },
      users: [hubUserModel('ada', false, { '': server('', true, null) })],
    },
    calls: [
      {
        op: 'stopServer',
        user: 'ada',
        server: '',
        remove: false,
        by: 'HubServer course/ada',
        destructive: true,
      },
    ],
    findings: [],
  },
  {
    // The idle culler's stop is respected until the spec changes.
    name: 'a server stopped outside hubops since its start stays stopped while the spec is the same',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada' })] },
      live: {
        servers: [
          hubServer('course/ada', { username: 'ada' }, live('Created')[0], {
            startedGeneration: 1,
          }),
        ],
      },
      users: [hubUserModel('ada')],
    },
    calls: [],
    findings: [],
  },
  {
    name: 'a server stopped outside hubops is started again when the manifest changes its spec',
    input: {
      manifests: { servers: [hubServer('course/ada', { username: 'ada', keepRunning: true })] },
      live: {
        servers: [
          hubServer('course/ada', { username: 'ada' }, live('Created')[0], {
            startedGeneration: 1,
          }),
        ],
      },
      users: [hubUserModel('ada')],
    },
    calls: [{ op: 'startServer', user: 'ada', server: '', by: 'HubServer course/ada' }],
    findings: [],
  },
  {
    name: 'pruning deletes the hub user of a live HubUser the manifests omit from their namespace',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: {
        users: [
          hubUser('course/ada', {}, ...live('Created')),
          hubUser('course/old', {}, ...live('Created')),
        ],
      },
      users: [hubUserModel('ada'), hubUserModel('old')],
      prune: true,
    },
    calls: [{ op: 'deleteUser', user: 'old', by: 'HubUser course/old', destructive: true }],
    findings: [],
  },
  {
    name: 'pruning retains an adopted hub user when no deletionPolicy says otherwise',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: { users: [hubUser('course/old', {}, ...live('Adopted'))] },
      users: [hubUserModel('ada'), hubUserModel('old')],
      prune: true,
    },
    calls: [],
    findings: [],
  },
  {
    name: 'pruning deletes an adopted hub user under deletionPolicy Delete where adoption is allowed',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: { users: [hubUser('course/old', { deletionPolicy: 'Delete' }, ...live('Adopted'))] },
      users: [hubUserModel('ada'), hubUserModel('old')],
      policy: policy({ adoption: ['course'] }),
      prune: true,
    },
    calls: [{ op: 'deleteUser', user: 'old', by: 'HubUser course/old', destructive: true }],
    findings: [],
  },
  {
    name: 'pruning retains an adopted hub user under deletionPolicy Delete where adoption is not allowed',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: {
        users: [
          hubUser('course/ada', {}, ...live('Created')),
          hubUser('course/old', { deletionPolicy: 'Delete' }, ...live('Adopted')),
        ],
      },
      users: [hubUserModel('ada'), hubUserModel('old')],
      policy: policy({ adoption: ['ops'] }),
      prune: true,
    },
    calls: [],
    findings: [],
  },
  {
    name: 'pruning leaves live resources of namespaces the manifests do not mention',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: { users: [hubUser('elsewhere/old', {}, ...live('Created'))] },
      users: [hubUserModel('ada'), hubUserModel('old')],
      prune: true,
    },
    calls: [],
    findings: [],
  },
  {
    name: 'without pruning a live HubUser the manifests omit is left alone',
    input: {
      manifests: { users: [hubUser('course/ada')] },
      live: { users: [hubUser('course/old', {}, ...live('Created'))] },
      users: [hubUserModel('ada'), hubUserModel('old')],
      prune: false,
    },
    calls: [],
    findings: [],
  },
];

const shown = (result: Preview) => ({
  calls: result.calls.map(({ call, resource, destructive }) => ({
    ...call,
    by: idText(resource),
    ...(destructive ? { destructive } : {}),
  })),
  findings: result.findings.map((f) => `${idText(f.resource)}: ${f.reason}`),
});

for (const row of rows) {
  test(row.name, () => {
    assert.deepEqual(shown(run(row.input)), { calls: row.calls, findings: row.findings });
  });
}

test('a manifest of another hub is not planned and is counted as such', () => {
  const result = run({
    manifests: {
      users: [hubUser('course/ada'), hubUser('course/bob', { hubRef: { name: 'other' } })],
    },
    keyOf: (o) => (o.spec.hubRef ? `${o.metadata.namespace}/${o.spec.hubRef.name}` : ''),
  });
  assert.deepEqual(shown(result).calls, [
    { op: 'createUser', user: 'ada', admin: false, by: 'HubUser course/ada' },
  ]);
  assert.equal(result.resources, 1);
  assert.equal(result.otherHubs, 1);
});

test('a conflict names the resource that holds the username', () => {
  const result = run({
    manifests: { users: [hubUser('beta/ada')] },
    live: { users: [hubUser('alpha/ada', {}, ...live('Created'))] },
  });
  assert.match(result.findings[0]?.message ?? '', /hub user ada is declared by alpha\/ada/u);
});
