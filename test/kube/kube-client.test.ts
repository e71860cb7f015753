import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';

// A tiny in-process HTTP server standing in for the API server's wire format; the real
// kube-apiserver is exercised by the integration tests of everything built on this client.
let server: Server;
let origin = '';
let connections = 0;
const seen: { method: string; url: string; type?: string; auth?: string; body: string }[] = [];
let route: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('{}');

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body,
        ...(req.headers['content-type'] ? { type: req.headers['content-type'] } : {}),
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      });
      route(req, res);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function client(prefix = ''): KubeClient {
  return new KubeClient({
    server: origin + prefix,
    ca: undefined,
    cert: undefined,
    key: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    authorization: () => 'Bearer sekret',
  });
}

test('requests reuse one keep-alive connection instead of one per request', async () => {
  const kube = client();
  const before = connections;
  for (let i = 0; i < 100; i += 1) await kube.request('GET', `/api/v1/things/${i}`);
  // undici may open a second socket while the first finishes its answer; never one per request.
  assert.ok(connections - before <= 2, `${connections - before} connections for 100 requests`);
  await kube.close();
});

test('a patch goes out with its content type, the token, the path prefix and the query', async () => {
  seen.length = 0;
  route = (_req, res) => res.end(JSON.stringify({ metadata: { name: 'x' } }));
  const kube = client('/proxy');
  const answer = await kube.request('PATCH', '/apis/g/v1/namespaces/n/things/x/status', {
    body: { status: { a: 1 } },
    contentType: 'application/merge-patch+json',
    query: { fieldManager: 'hubops', dryRun: undefined },
  });
  assert.deepEqual(answer, { metadata: { name: 'x' } });
  assert.deepEqual(seen, [
    {
      method: 'PATCH',
      url: '/proxy/apis/g/v1/namespaces/n/things/x/status?fieldManager=hubops',
      type: 'application/merge-patch+json',
      auth: 'Bearer sekret',
      body: '{"status":{"a":1}}',
    },
  ]);
  await kube.close();
});

test('a refusal becomes a KubeApiError with the Status message and a stable code', async () => {
  const kube = client();
  const cases: [number, string, string][] = [
    [409, 'Conflict', 'KUBE_CONFLICT'],
    [404, 'NotFound', 'KUBE_NOT_FOUND'],
    [422, 'Invalid', 'KUBE_INVALID'],
    [403, 'Forbidden', 'KUBE_UNAUTHORIZED'],
    [503, 'ServiceUnavailable', 'KUBE_UNAVAILABLE'],
  ];
  for (const [status, reason, code] of cases) {
    route = (_req, res) => {
      res.statusCode = status;
      res.end(JSON.stringify({ kind: 'Status', reason, message: `said ${status}` }));
    };
    await assert.rejects(
      kube.request('GET', '/x'),
      (err: unknown) =>
        err instanceof KubeApiError &&
        err.code === code &&
        err.status === status &&
        err.reason === reason &&
        err.message === `said ${status}`,
    );
  }
  await kube.close();
});

test('no answer at all is KUBE_UNAVAILABLE, and retryable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const kube = new KubeClient({
    server: `http://127.0.0.1:${port}`,
    ca: undefined,
    cert: undefined,
    key: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    authorization: () => undefined,
  });
  await assert.rejects(
    kube.request('GET', '/x'),
    (err: unknown) =>
      err instanceof KubeApiError &&
      err.code === 'KUBE_UNAVAILABLE' &&
      err.retryable &&
      /ECONNREFUSED/.test(err.message),
  );
  await kube.close();
});

test('a watch yields each event once, even when lines are split across chunks', async () => {
  route = (_req, res) => {
    res.write('{"type":"ADDED","object":{"n":1}}\n{"type":"MODI');
    setTimeout(() => {
      res.write('FIED","object":{"n":2}}\n\n');
      setTimeout(() => res.end('{"type":"DELETED","object":{"n":3}}\n'), 10);
    }, 10);
  };
  const kube = client();
  const events: string[] = [];
  await kube.watch(
    '/apis/g/v1/things',
    { resourceVersion: '7' },
    (type, object) => events.push(`${type} ${(object as { n: number }).n}`),
    new AbortController().signal,
  );
  assert.deepEqual(events, ['ADDED 1', 'MODIFIED 2', 'DELETED 3']);
  assert.equal(seen.at(-1)?.url, '/apis/g/v1/things?resourceVersion=7&watch=true');
  await kube.close();
});

test('aborting a watch ends it quietly; a 410 before it starts is KUBE_GONE', async () => {
  route = (_req, res) => res.write('{"type":"ADDED","object":{"n":1}}\n');
  const kube = client();
  const stop = new AbortController();
  const events: string[] = [];
  const watching = kube.watch(
    '/w',
    {},
    (type) => {
      events.push(type);
      stop.abort();
    },
    stop.signal,
  );
  await watching;
  assert.deepEqual(events, ['ADDED']);
  route = (_req, res) => {
    res.statusCode = 410;
    res.end(JSON.stringify({ kind: 'Status', reason: 'Expired', message: 'too old' }));
  };
  await assert.rejects(
    kube.watch('/w', {}, () => {}, new AbortController().signal),
    (err: unknown) => err instanceof KubeApiError && err.code === 'KUBE_GONE',
  );
  await kube.close();
});
