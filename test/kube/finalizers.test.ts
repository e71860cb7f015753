// Which requests Finalizers sends, recorded by a tiny local HTTP server behind a real KubeClient:
// the JSON-patch ops (the test op first), the path and content type, and no request when nothing
// is missing. test/kube/writes.int.test.ts runs the same writes against a real kube-apiserver.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Finalizers } from '../../src/kube/finalizers.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import type { ObjectIdentity } from '../../src/kube/resource.ts';

const ours = 'hubops.io/cleanup';
const resource = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubusers', kind: 'HubUser' };
const alicePath = '/apis/hubops.io/v1alpha1/namespaces/ns-a/hubusers/alice';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly type: string | undefined;
  readonly body: unknown;
}

let server: Server;
let kube: KubeClient;
const seen: Seen[] = [];
/** What the server answers next: status code and body. */
let reply: { status: number; body: unknown } = { status: 200, body: {} };

before(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'],
        body: text ? JSON.parse(text) : undefined,
      });
      res.statusCode = reply.status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kube = new KubeClient({
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: undefined,
    cert: undefined,
    key: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    authorization: () => undefined,
  });
});
after(async () => {
  await kube.close();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
  reply = { status: 200, body: {} };
});

/** A HubUser-like object `alice` in namespace `ns-a` at resourceVersion 41, with `metadata`. */
function alice(metadata: Omit<NonNullable<ObjectIdentity['metadata']>, 'name'> = {}) {
  return {
    metadata: { name: 'alice', namespace: 'ns-a', resourceVersion: '41', ...metadata },
    spec: {},
  };
}

/** The server's next answer: a copy of `object` at a new resourceVersion, as a PATCH returns. */
function answerWith(object: ReturnType<typeof alice>): ReturnType<typeof alice> {
  const answer = { ...object, metadata: { ...object.metadata, resourceVersion: '42' } };
  reply = { status: 200, body: answer };
  return answer;
}

/** The one PATCH the server saw, asserting it went to `path` as a JSON patch; its ops. */
function onePatch(path = alicePath): unknown {
  assert.equal(seen.length, 1, `one request, not ${seen.length}`);
  const [request] = seen;
  assert.equal(request?.method, 'PATCH');
  assert.equal(request?.url, path);
  assert.equal(request?.type, 'application/json-patch+json');
  return request?.body;
}

const versionTest = { op: 'test', path: '/metadata/resourceVersion', value: '41' };

test('has tells whether our finalizer is in the list, and nothing else', () => {
  const finalizers = new Finalizers(kube, resource, ours);
  assert.equal(finalizers.has(alice({ finalizers: ['example.com/other', ours] })), true);
  assert.equal(finalizers.has(alice({ finalizers: ['example.com/other'] })), false);
  assert.equal(finalizers.has(alice()), false);
  assert.equal(finalizers.has({}), false);
});

test('add on an object without finalizers tests the resourceVersion and adds the list in one PATCH', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const answer = answerWith(alice({ finalizers: [ours] }));
  const added = await finalizers.add(alice());
  assert.deepEqual(onePatch(), [
    versionTest,
    { op: 'add', path: '/metadata/finalizers', value: [ours] },
  ]);
  assert.deepEqual(added, answer, 'the object is what the server answered');
});

test('add on an object with an empty finalizers list replaces it, on the version read', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const answer = answerWith(alice({ finalizers: [ours] }));
  const added = await finalizers.add(alice({ finalizers: [] }));
  assert.deepEqual(onePatch(), [
    versionTest,
    { op: 'add', path: '/metadata/finalizers', value: [ours] },
  ]);
  assert.deepEqual(added, answer);
});

test('add on an object with other finalizers tests the current list and appends ours', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const others = ['example.com/other', 'example.org/more'];
  const answer = answerWith(alice({ finalizers: [...others, ours] }));
  const added = await finalizers.add(alice({ finalizers: others }));
  assert.deepEqual(onePatch(), [
    { op: 'test', path: '/metadata/finalizers', value: others },
    { op: 'add', path: '/metadata/finalizers/-', value: ours },
  ]);
  assert.deepEqual(added, answer);
});

test('add when our finalizer is present sends nothing and returns the same object', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const object = alice({ finalizers: ['example.com/other', ours] });
  assert.equal(await finalizers.add(object), object);
  assert.deepEqual(seen, []);
});

test('ensure with annotations missing sends the finalizer ops and the annotation ops in one PATCH', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const present = { 'example.com/note': 'keep', 'hubops.io/same': 'v', 'hubops.io/owner': 'old' };
  const wanted = { 'hubops.io/same': 'v', 'hubops.io/owner': 'new', 'example.com/a~b': 'x' };
  const answer = answerWith(alice({ finalizers: [ours], annotations: { ...present, ...wanted } }));
  const ensured = await finalizers.ensure(alice({ annotations: present }), wanted);
  assert.deepEqual(onePatch(), [
    versionTest,
    { op: 'add', path: '/metadata/finalizers', value: [ours] },
    // Only the missing or different ones; `/` escaped as ~1 and `~` as ~0 (RFC 6901).
    { op: 'add', path: '/metadata/annotations/hubops.io~1owner', value: 'new' },
    { op: 'add', path: '/metadata/annotations/example.com~1a~0b', value: 'x' },
  ]);
  assert.deepEqual(ensured, answer);
});

test('ensure with other finalizers appends ours next to the annotation ops', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const answer = answerWith(
    alice({ finalizers: ['example.com/other', ours], annotations: { 'hubops.io/owner': 'a' } }),
  );
  const ensured = await finalizers.ensure(
    alice({ finalizers: ['example.com/other'], annotations: {} }),
    { 'hubops.io/owner': 'a' },
  );
  assert.deepEqual(onePatch(), [
    { op: 'test', path: '/metadata/finalizers', value: ['example.com/other'] },
    { op: 'add', path: '/metadata/finalizers/-', value: ours },
    { op: 'add', path: '/metadata/annotations/hubops.io~1owner', value: 'a' },
  ]);
  assert.deepEqual(ensured, answer);
});

test('ensure with only annotations missing sends only the annotation ops', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const answer = answerWith(alice({ finalizers: [ours], annotations: { 'hubops.io/owner': 'a' } }));
  const ensured = await finalizers.ensure(alice({ finalizers: [ours], annotations: {} }), {
    'hubops.io/owner': 'a',
  });
  assert.deepEqual(onePatch(), [
    { op: 'add', path: '/metadata/annotations/hubops.io~1owner', value: 'a' },
  ]);
  assert.deepEqual(ensured, answer);
});

test('ensure on an object with no annotations map tests the resourceVersion before adding the map', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const wanted = { 'hubops.io/owner': 'a', 'hubops.io/made-by': 'hubops' };
  const answer = answerWith(alice({ finalizers: [ours], annotations: wanted }));
  const ensured = await finalizers.ensure(alice({ finalizers: [ours] }), wanted);
  // The map is added whole (its keys unescaped): a map written meanwhile must fail the test.
  assert.deepEqual(onePatch(), [
    versionTest,
    { op: 'add', path: '/metadata/annotations', value: wanted },
  ]);
  assert.deepEqual(ensured, answer);
});

test('ensure on an object with neither finalizers nor annotations adds both in one PATCH on the version read', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const wanted = { 'hubops.io/owner': 'a' };
  const answer = answerWith(alice({ finalizers: [ours], annotations: wanted }));
  const ensured = await finalizers.ensure(alice(), wanted);
  assert.deepEqual(onePatch(), [
    versionTest,
    { op: 'add', path: '/metadata/finalizers', value: [ours] },
    versionTest,
    { op: 'add', path: '/metadata/annotations', value: wanted },
  ]);
  assert.deepEqual(ensured, answer);
});

test('ensure with the annotations present but the finalizer missing sends only the finalizer ops', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const wanted = { 'hubops.io/owner': 'a' };
  const answer = answerWith(alice({ finalizers: [ours], annotations: wanted }));
  const ensured = await finalizers.ensure(alice({ annotations: wanted }), wanted);
  assert.deepEqual(onePatch(), [
    versionTest,
    { op: 'add', path: '/metadata/finalizers', value: [ours] },
  ]);
  assert.deepEqual(ensured, answer);
});

test('ensure with everything present sends no request and returns the very same object', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const object = alice({
    finalizers: [ours],
    annotations: { 'hubops.io/owner': 'a', 'example.com/note': 'keep' },
  });
  assert.equal(await finalizers.ensure(object, { 'hubops.io/owner': 'a' }), object);
  assert.equal(await finalizers.ensure(object, {}), object);
  assert.deepEqual(seen, []);
});

test('remove tests the index of our finalizer before removing it, and leaves the others alone', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const answer = answerWith(alice({ finalizers: ['example.com/other', 'example.org/more'] }));
  const removed = await finalizers.remove(
    alice({ finalizers: ['example.com/other', ours, 'example.org/more'] }),
  );
  assert.deepEqual(onePatch(), [
    { op: 'test', path: '/metadata/finalizers/1', value: ours },
    { op: 'remove', path: '/metadata/finalizers/1' },
  ]);
  assert.deepEqual(removed, answer);
});

test('remove sends nothing and returns the same object when our finalizer is absent', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  const others = alice({ finalizers: ['example.com/other'] });
  const none = alice();
  assert.equal(await finalizers.remove(others), others);
  assert.equal(await finalizers.remove(none), none);
  assert.deepEqual(seen, []);
});

test("the request path is the object's path: its resource's group and version, namespace, plural and name", async () => {
  const widgets = { group: 'example.com', version: 'v2', plural: 'widgets', kind: 'Widget' };
  const finalizers = new Finalizers(kube, widgets, ours);
  const object = { metadata: { name: 'w1', namespace: 'team-b', resourceVersion: '7' } };
  const path = '/apis/example.com/v2/namespaces/team-b/widgets/w1';
  await finalizers.add(object);
  onePatch(path);
  seen.length = 0;
  await finalizers.ensure({ metadata: { ...object.metadata, finalizers: [ours] } }, { a: 'b' });
  onePatch(path);
  seen.length = 0;
  await finalizers.remove({ metadata: { ...object.metadata, finalizers: [ours] } });
  onePatch(path);
});

test('a refused patch (a failed test op) rejects instead of resolving with an object', async () => {
  const finalizers = new Finalizers(kube, resource, ours);
  reply = {
    status: 422,
    body: { kind: 'Status', reason: 'Invalid', message: 'the test operation failed' },
  };
  await assert.rejects(
    finalizers.remove(alice({ finalizers: [ours] })),
    (err: unknown) => err instanceof KubeApiError && err.status === 422,
  );
  assert.equal(seen.length, 1);
});
