import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError, codeForStatus, hubMessage, type HubErrorCode } from '../../src/hub/errors.ts';
import { isRetryable } from '../../src/errors.ts';

const statuses: [status: number, message: string, code: HubErrorCode, retryable: boolean][] = [
  [400, 'Invalid username: a/b', 'HUB_INVALID', false],
  [400, 'alice is pending stop', 'HUB_PENDING', true],
  [400, "alice's server is in the process of stopping, please wait.", 'HUB_PENDING', true],
  [400, 'alice is pending spawn, please wait', 'HUB_PENDING', true],
  [401, '', 'HUB_UNAUTHORIZED', false],
  [403, 'Missing or invalid credentials.', 'HUB_UNAUTHORIZED', false],
  [404, 'Not Found', 'HUB_NOT_FOUND', false],
  [409, 'User alice already exists', 'HUB_CONFLICT', false],
  [422, '', 'HUB_INVALID', false],
  [429, 'Too many users trying to log in right now.', 'HUB_RATE_LIMITED', true],
  [500, 'Internal Server Error', 'HUB_UNAVAILABLE', true],
  [502, '', 'HUB_UNAVAILABLE', true],
  [503, '', 'HUB_UNAVAILABLE', true],
];

for (const [status, message, code, retryable] of statuses) {
  test(`HTTP ${status} "${message}" is ${code}, ${retryable ? 'retryable' : 'terminal'}`, () => {
    assert.equal(codeForStatus(status, message), code);
    const err = new HubError(code, message, { status });
    assert.equal(err.retryable, retryable);
    assert.equal(isRetryable(err), retryable);
  });
}

test('unsupported features and bad answers are classified once', () => {
  assert.equal(new HubError('HUB_UNSUPPORTED', 'x').retryable, false);
  assert.equal(new HubError('HUB_BAD_RESPONSE', 'x').retryable, true);
});

test('the hub message is taken from its JSON error body', () => {
  assert.equal(
    hubMessage('{"status": 409, "message": "Group g already exists"}'),
    'Group g already exists',
  );
});

test('a non-JSON body is reduced to a short single-line excerpt', () => {
  assert.equal(
    hubMessage('<html>\n  <body>Bad Gateway</body>\n</html>'),
    '<html> <body>Bad Gateway</body> </html>',
  );
  assert.equal(hubMessage('x'.repeat(500)).length, 203);
});
