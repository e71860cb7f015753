// The hub client's behaviour under faults, against an in-process server that misbehaves on cue.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { HubClient, type HubClientOptions } from '../../src/hub/client.ts';
import type { RequestSample } from '../../src/hub/request.ts';
import { HubError } from '../../src/hub/errors.ts';
import {
  FaultHub,
  drop,
  garbage,
  hubError,
  ok,
  slow,
  type Responder,
} from '../support/fault-hub.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { memoryLogger, silentLogger } from '../support/logs.ts';

const token = 'secret-token-0123456789abcdef';
let hub: FaultHub;
let clock: ManualClock;

before(async () => {
  hub = await FaultHub.start();
});
after(() => hub.stop());
beforeEach(() => {
  hub.seen.length = 0;
  hub.otherwise(ok({}));
  clock = new ManualClock('instant');
});

function client(options: Partial<HubClientOptions> = {}): HubClient {
  return new HubClient({
    baseUrl: hub.url,
    token,
    clock,
    logger: silentLogger,
    random: () => 0.5,
    ...options,
  });
}

const get = { method: 'GET', route: '/users/{name}', path: '/users/alice' } as const;
const post = { method: 'POST', route: '/users/{name}', path: '/users/alice', body: {} } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    assert.ok(err instanceof HubError, String(err));
    return err.code;
  }
}

test('sends the token in the Authorization header and the API root in the path', async () => {
  await client().send(get);
  assert.equal(hub.seen[0]?.headers.authorization, `token ${token}`);
  assert.equal(hub.seen[0]?.url, '/hub/api/users/alice');
});

test('waits at least the Retry-After of a 429 before trying again', async () => {
  hub.script(hubError(429, 'Too many users trying to log in right now.', { 'retry-after': '3' }));
  const response = await client().send(post);
  assert.equal(response.status, 200);
  assert.equal(hub.seen.length, 2);
  assert.deepEqual(clock.slept, [3_000]);
});

test('hands a Retry-After longer than the policy allows to the caller at once', async () => {
  hub.script(hubError(429, 'Too many users trying to log in right now.', { 'retry-after': '45' }));
  const err = await client()
    .send(post)
    .catch((e: unknown) => e);
  assert.ok(err instanceof HubError);
  assert.equal(err.code, 'HUB_RATE_LIMITED');
  assert.equal(err.retryAfterMs, 45_000);
  assert.equal(hub.seen.length, 1);
  assert.deepEqual(clock.slept, []);
});

test("a 429's Retry-After holds back every other write, but no read", async () => {
  const arrivals: string[] = [];
  const noted =
    (then: Responder): Responder =>
    (req, res) => {
      arrivals.push(`${req.method} ${req.url}`);
      then(req, res);
    };
  hub.script(noted(hubError(429, 'Too Many Requests', { 'retry-after': '3' })));
  hub.otherwise(noted(ok({})));
  // One slot: bob's write and the read queue behind alice's write, which is refused.
  const c = client({ budget: { maxInFlight: 1 } });
  await Promise.all([c.send(post), c.send({ ...post, path: '/users/bob' }), c.send(get)]);
  assert.equal(arrivals[0], 'POST /hub/api/users/alice');
  assert.equal(arrivals[1], 'GET /hub/api/users/alice', 'the read goes first, unheld');
  // Both writes waited out the 3 s: alice's retry, and bob's first attempt.
  assert.deepEqual(clock.slept, [3_000, 3_000]);
});

test('a Retry-After too long to wait in the call (the spawn limit) holds back no other write', async () => {
  hub.script(hubError(429, 'Too many users trying to log in right now.', { 'retry-after': '45' }));
  const c = client();
  assert.equal(await codeOf(c.send(post)), 'HUB_RATE_LIMITED');
  await c.send({ ...post, path: '/users/bob' });
  assert.deepEqual(clock.slept, []);
});

test('retries a failing GET with growing backoff, then gives up with HUB_UNAVAILABLE', async () => {
  hub.otherwise(hubError(500, 'Internal Server Error'));
  assert.equal(
    await codeOf(client({ retry: { maxAttempts: 4, baseDelayMs: 100 } }).send(get)),
    'HUB_UNAVAILABLE',
  );
  assert.equal(hub.seen.length, 4);
  assert.deepEqual(clock.slept, [75, 150, 300]);
});

test('does not resend a POST that may have been processed', async () => {
  hub.otherwise(hubError(500, 'Internal Server Error'));
  assert.equal(await codeOf(client().send(post)), 'HUB_UNAVAILABLE');
  assert.equal(hub.seen.length, 1);
});

test('resends a POST the hub refused with 503', async () => {
  hub.script(hubError(503, 'Service Unavailable', { 'retry-after': '1' }));
  assert.equal((await client().send(post)).status, 200);
  assert.equal(hub.seen.length, 2);
  assert.deepEqual(clock.slept, [1_000]);
});

test('does not retry terminal answers', async () => {
  for (const [status, code] of [
    [400, 'HUB_INVALID'],
    [403, 'HUB_UNAUTHORIZED'],
    [404, 'HUB_NOT_FOUND'],
    [409, 'HUB_CONFLICT'],
  ] as const) {
    hub.seen.length = 0;
    hub.script(hubError(status, 'no'));
    assert.equal(await codeOf(client().send(get)), code);
    assert.equal(hub.seen.length, 1);
  }
});

test('a dropped connection is HUB_UNAVAILABLE and a GET is tried again', async () => {
  hub.script(drop);
  assert.equal((await client().send(get)).status, 200);
  assert.equal(hub.seen.length, 2);
});

test('an answer slower than the request timeout is HUB_UNAVAILABLE', async () => {
  // undici checks timeouts with about a second of resolution: the server is far slower than that.
  hub.otherwise(slow(3_000, ok({})));
  const c = client({
    requestTimeoutMs: 100,
    retry: { maxAttempts: 1 },
    clock: new ManualClock('instant'),
  });
  assert.equal(await codeOf(c.send(get)), 'HUB_UNAVAILABLE');
});

test('malformed JSON and unexpected shapes are HUB_BAD_RESPONSE', async () => {
  hub.script(garbage, ok({ name: 42 }));
  const schema = z.object({ name: z.string() });
  assert.equal(await codeOf(client().json(get, schema)), 'HUB_BAD_RESPONSE');
  await assert.rejects(client().json(get, schema), /unexpected answer at name/);
});

test('the token appears in no error message and no log line', async () => {
  const { logger, lines } = memoryLogger('debug');
  hub.script(hubError(500, 'boom'), drop, hubError(403, 'Missing or invalid credentials.'));
  const c = client({ logger });
  const outcome = (p: Promise<unknown>): Promise<string> =>
    p.then((r) => JSON.stringify(r), String);
  const errors = [
    await outcome(c.send(get)),
    await outcome(c.send(post)),
    await outcome(c.send(get)),
  ];
  assert.ok(lines.length > 0, 'the retries were logged');
  for (const text of [...errors, ...lines]) assert.ok(!text.includes(token), text);
});

test('reports every attempt with its route template and outcome', async () => {
  const samples: RequestSample[] = [];
  hub.script(hubError(503, 'busy'));
  await client({ onRequest: (s) => samples.push(s) }).send(get);
  assert.deepEqual(
    samples.map((s) => [s.method, s.route, s.outcome]),
    [
      ['GET', '/users/{name}', 503],
      ['GET', '/users/{name}', 200],
    ],
  );
});
