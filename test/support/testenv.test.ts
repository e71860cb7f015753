import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile, secondHub, testenvFrom } from './testenv.ts';

const withoutHub2 = [
  'KUBECONFIG=/run/admin.kubeconfig',
  'OPERATOR_KUBECONFIG=/run/operator.kubeconfig',
  'HUB_API_URL=http://127.0.0.1:4000/hub/api',
  'HUB_API_TOKEN=abc=def',
  'HUB_VERSION=6.1.1',
  'TESTENV_DIR=/run',
];
const complete = [
  ...withoutHub2,
  'HUB2_API_URL=http://127.0.0.1:4002/hub/api',
  'HUB2_API_TOKEN=ghi',
].join('\n');

test('parses KEY=value lines, keeping = signs inside values', () => {
  assert.equal(parseEnvFile(complete).get('HUB_API_TOKEN'), 'abc=def');
});

test('skips blank lines and comments', () => {
  assert.deepEqual([...parseEnvFile('\n# note\nA=1\n\n').entries()], [['A', '1']]);
});

test('rejects a line without a key', () => {
  assert.throws(() => parseEnvFile('A=1\n=2'), /line 2 is not KEY=value/);
});

test('maps every contract key onto the test environment', () => {
  assert.deepEqual(testenvFrom(parseEnvFile(complete)), {
    kubeconfig: '/run/admin.kubeconfig',
    operatorKubeconfig: '/run/operator.kubeconfig',
    hubApiUrl: 'http://127.0.0.1:4000/hub/api',
    hubApiToken: 'abc=def',
    hubVersion: '6.1.1',
    dir: '/run',
    hub2ApiUrl: 'http://127.0.0.1:4002/hub/api',
    hub2ApiToken: 'ghi',
  });
  assert.deepEqual(secondHub(testenvFrom(parseEnvFile(complete))), {
    apiUrl: 'http://127.0.0.1:4002/hub/api',
    apiToken: 'ghi',
  });
});

test('loads an env file older than the second hub, and says so when a test needs it', () => {
  const env = testenvFrom(parseEnvFile(withoutHub2.join('\n')));
  assert.equal(env.hubApiUrl, 'http://127.0.0.1:4000/hub/api');
  assert.equal('hub2ApiUrl' in env || 'hub2ApiToken' in env, false);
  assert.throws(() => secondHub(env), /no second hub \(HUB2_API_URL\): re-run 'make testenv'/);
});

test('the second hub comes as a URL and token pair', () => {
  const text = [...withoutHub2, 'HUB2_API_URL=http://127.0.0.1:4002/hub/api'].join('\n');
  assert.throws(() => testenvFrom(parseEnvFile(text)), /lacks HUB2_API_TOKEN/);
});

test('names every missing key at once', () => {
  assert.throws(
    () => testenvFrom(parseEnvFile('KUBECONFIG=/k\nHUB_VERSION=6.1.1')),
    /lacks OPERATOR_KUBECONFIG, HUB_API_URL, HUB_API_TOKEN, TESTENV_DIR/,
  );
});
