// Reading manifests for `hubops plan` as `kubectl apply -f` takes them: YAML streams, Lists,
// folders (recursive or not), JSON, specs defaulted by the operator's schemas and the default
// namespace filled in; and every bad document a ManifestError that names its file, its document
// and what is wrong, so that no plan is made of half a manifest set.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError, readManifests, type ManifestSet } from '../../src/cli/manifests.ts';

const root = mkdtempSync(join(tmpdir(), 'hubops-manifests-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder holding `files` (relative paths), for one test. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${++folders}`);
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

const read = (paths: string[], recursive = false): ManifestSet =>
  readManifests(paths, { namespace: 'course', recursive });

/** `Kind namespace/name` of every object read, users, groups, servers, then hubs. */
const names = (set: ManifestSet): string[] =>
  [...set.users, ...set.groups, ...set.servers, ...set.hubs].map(
    (o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`,
  );

const user = (name: string, extra = '') =>
  `apiVersion: hubops.io/v1alpha1\nkind: HubUser\nmetadata:\n  name: ${name}\n${extra}`;

test('a YAML stream yields each hubops kind and counts the other kinds it leaves alone', () => {
  const dir = folder({
    'all.yaml': [
      user('ada', 'spec:\n  admin: true\n'),
      'apiVersion: hubops.io/v1alpha1\nkind: HubGroup\nmetadata:\n  name: ml\nspec:\n  members: [ada]\n',
      'apiVersion: hubops.io/v1alpha1\nkind: HubServer\nmetadata:\n  name: ada-lab\nspec:\n  username: ada\n  serverName: lab\n',
      'apiVersion: hubops.io/v1alpha1\nkind: Hub\nmetadata:\n  name: main\nspec:\n  url: http://hub:8081/hub/api\n  tokenSecretRef:\n    name: hub-token\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n',
      '',
    ].join('---\n'),
  });
  const set = read([join(dir, 'all.yaml')]);
  assert.deepEqual(names(set), [
    'HubUser course/ada',
    'HubGroup course/ml',
    'HubServer course/ada-lab',
    'Hub course/main',
  ]);
  assert.equal(set.otherKinds, 1);
  assert.equal(set.users[0]?.spec.admin, true);
  assert.equal(set.servers[0]?.spec.serverName, 'lab');
});

test('a hubops.io HubToken is counted among the kinds left to others, not refused', () => {
  const dir = folder({
    'token.yaml': 'apiVersion: hubops.io/v1alpha1\nkind: HubToken\nmetadata:\n  name: t\n',
  });
  assert.equal(read([dir]).otherKinds, 1);
});

test('the items of a List are read as documents of their own', () => {
  const dir = folder({
    'list.yaml': [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: hubops.io/v1alpha1',
      '    kind: HubUser',
      '    metadata: { name: ada }',
      '  - apiVersion: hubops.io/v1alpha1',
      '    kind: HubUser',
      '    metadata: { name: bob, namespace: lab }',
      '  - apiVersion: v1',
      '    kind: Secret',
      '    metadata: { name: s }',
      '',
    ].join('\n'),
  });
  const set = read([dir]);
  assert.deepEqual(names(set), ['HubUser course/ada', 'HubUser lab/bob']);
  assert.equal(set.otherKinds, 1);
});

test('a folder is read without its subfolders, and with them when recursive', () => {
  const dir = folder({
    'a.yaml': user('ada'),
    'b.yml': user('bob'),
    'notes.txt': user('not-a-manifest'),
    'sub/c.yaml': user('cy'),
    'sub/deeper/d.yaml': user('dee'),
  });
  assert.deepEqual(names(read([dir])), ['HubUser course/ada', 'HubUser course/bob']);
  assert.deepEqual(names(read([dir], true)), [
    'HubUser course/ada',
    'HubUser course/bob',
    'HubUser course/cy',
    'HubUser course/dee',
  ]);
});

test('a .json file is read as one document', () => {
  const dir = folder({
    'ada.json': JSON.stringify({
      apiVersion: 'hubops.io/v1alpha1',
      kind: 'HubUser',
      metadata: { name: 'ada', namespace: 'lab' },
      spec: { admin: true },
    }),
  });
  const set = read([dir]);
  assert.deepEqual(names(set), ['HubUser lab/ada']);
  assert.equal(set.users[0]?.spec.admin, true);
});

test('specs get the defaults the API server would fill in', () => {
  const dir = folder({
    'defaults.yaml': [
      user('ada'),
      'apiVersion: hubops.io/v1alpha1\nkind: HubGroup\nmetadata:\n  name: ml\n',
      'apiVersion: hubops.io/v1alpha1\nkind: HubServer\nmetadata:\n  name: ada\nspec:\n  username: ada\n',
    ].join('---\n'),
  });
  const set = read([dir]);
  assert.deepEqual(set.users[0]?.spec, { admin: false });
  assert.deepEqual(set.groups[0]?.spec, { membershipPolicy: 'Exact' });
  assert.deepEqual(set.servers[0]?.spec, {
    username: 'ada',
    serverName: '',
    state: 'Running',
    keepRunning: false,
  });
});

test('an object that names no namespace takes the default one; one that names it keeps it', () => {
  const dir = folder({ 'two.yaml': `${user('ada')}---\n${user('bob', '  namespace: lab\n')}` });
  const set = readManifests([dir], { namespace: 'elsewhere' });
  assert.deepEqual(names(set), ['HubUser elsewhere/ada', 'HubUser lab/bob']);
});

test('standard input is read for the path -', () => {
  const set = readManifests(['-'], { namespace: 'course', stdin: () => user('ada') });
  assert.deepEqual(names(set), ['HubUser course/ada']);
});

const errorRows: [name: string, text: string, expected: RegExp[]][] = [
  [
    'text that is not YAML is refused at its document',
    `${user('ada')}---\nkind: [HubUser\n`,
    [/document 2/u, /not YAML/u],
  ],
  [
    'an object without metadata.name is refused',
    `${user('ada')}---\napiVersion: hubops.io/v1alpha1\nkind: HubUser\nmetadata:\n  namespace: lab\n`,
    [/document 2/u, /HubUser needs metadata\.name/u],
  ],
  [
    'a spec field of the wrong type is refused and named',
    `${user('ada')}---\n${user('bob', 'spec:\n  admin: "yes"\n')}`,
    [/document 2/u, /HubUser course\/bob/u, /spec\.admin/u],
  ],
  [
    'a hubops.io kind that does not exist is refused',
    `${user('ada')}---\napiVersion: hubops.io/v1alpha1\nkind: HubThing\nmetadata:\n  name: x\n`,
    [/document 2/u, /hubops\.io has no kind HubThing/u],
  ],
  [
    'a hubops kind under another version is refused',
    `${user('ada')}---\napiVersion: hubops.io/v1\nkind: HubUser\nmetadata:\n  name: bob\n`,
    [/document 2/u, /HubUser is served as hubops\.io\/v1alpha1/u],
  ],
  [
    'the same object declared twice is refused where it comes again',
    `${user('ada')}---\n${user('ada')}`,
    [/document 2/u, /HubUser course\/ada is declared again/u, /first in .*document 1/u],
  ],
];

for (const [name, text, expected] of errorRows) {
  test(name, () => {
    const file = join(folder({ 'bad.yaml': text }), 'bad.yaml');
    assert.throws(
      () => read([file]),
      (err: unknown) => {
        assert.ok(err instanceof ManifestError, String(err));
        assert.ok(err.message.includes(file), err.message);
        for (const pattern of expected) assert.match(err.message, pattern);
        return true;
      },
    );
  });
}

test('an object declared again in another file names the file that had it first', () => {
  const dir = folder({ 'a.yaml': user('ada'), 'b.yaml': user('ada') });
  assert.throws(
    () => read([dir]),
    (err: unknown) => {
      assert.ok(err instanceof ManifestError);
      assert.match(err.message, /b\.yaml: document 1: .*first in .*a\.yaml: document 1/u);
      return true;
    },
  );
});

test('a path that does not exist is a ManifestError naming it', () => {
  const missing = join(root, 'no-such-file.yaml');
  assert.throws(
    () => read([missing]),
    (err: unknown) => {
      assert.ok(err instanceof ManifestError);
      assert.ok(err.message.includes(missing), err.message);
      assert.match(err.message, /ENOENT/u);
      return true;
    },
  );
});
