import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../src/hub/errors.ts';
import { settledReasons } from '../../../src/api/conditions.ts';
import { isReason, reasonFor } from '../../../src/controllers/runtime/reasons.ts';
import { StaleSnapshot } from '../../../src/controllers/runtime/replanning.ts';
import { KubeApiError } from '../../../src/kube/kube-errors.ts';

test('each hub error code reads as a reason a human can act on', () => {
  assert.deepEqual(
    reasonFor(new HubError('HUB_UNAUTHORIZED', 'GET /users: 403 Missing or invalid credentials.')),
    {
      reason: 'Unauthorized',
      message:
        'JupyterHub refused the hubops token or one of its scopes: Missing or invalid credentials.',
    },
  );
  assert.equal(reasonFor(new HubError('HUB_INVALID', 'x')).reason, 'HubRejected');
  assert.equal(reasonFor(new HubError('HUB_RATE_LIMITED', 'x')).reason, 'RateLimited');
  assert.equal(reasonFor(new HubError('HUB_UNSUPPORTED', 'x')).reason, 'UnsupportedByHub');
});

test('a Kubernetes API error reads with the message of its Status', () => {
  const err = new KubeApiError(409, 'the object has been modified', 'Conflict');
  assert.deepEqual(reasonFor(err), {
    reason: 'KubernetesError',
    message: 'the object has been modified',
  });
});

test('an unreachable hub reads the same whatever the call, so an outage writes status once', () => {
  const a = reasonFor(new HubError('HUB_UNAVAILABLE', 'GET /users: ECONNREFUSED'));
  const b = reasonFor(
    new HubError(
      'HUB_UNAVAILABLE',
      'POST /users: not sent, the hub is unreachable (UND_ERR_SOCKET)',
    ),
  );
  assert.deepEqual(a, b);
  assert.equal(a.reason, 'HubUnavailable');
});

test('a refused token reads the same whichever call met the refusal', () => {
  const a = reasonFor(
    new HubError('HUB_UNAUTHORIZED', 'GET /users: 403 Missing or invalid credentials.'),
  );
  const b = reasonFor(
    new HubError('HUB_UNAUTHORIZED', 'GET /groups: 403 Missing or invalid credentials.'),
  );
  assert.deepEqual(a, b);
});

test('a hub that kept changing under every round of planning reads as StaleSnapshot, not as Kubernetes', () => {
  assert.deepEqual(reasonFor(new StaleSnapshot('hub user ada is gone')), {
    reason: 'StaleSnapshot',
    message: 'hub user ada is gone',
  });
});

test('an error of no known class reads as Error when typed, and keeps its message', () => {
  assert.equal(reasonFor(new HubError('HUB_SOMETHING_NEW' as never, 'x')).reason, 'Error');
});

test('every reason that says a hub object is as declared is a registered reason', () => {
  for (const reason of settledReasons) assert.ok(isReason(reason), reason);
});
