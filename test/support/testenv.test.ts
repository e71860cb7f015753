import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile, testenvFrom } from './testenv.ts';

const complete = [
  'KUBECONFIG=/run/admin.kubeconfig',
  'OPERATOR_KUBECONFIG=/run/operator.kubeconfig',
  'HUB_API_URL=http://127.0.0.1:4000/hub/api',
  'HUB_API_TOKEN=abc=def',
  'HUB_VERSION=6.1.1',
  'TESTENV_DIR=/run',
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
  });
});

test('names every missing key at once', () => {
  assert.throws(
    () => testenvFrom(parseEnvFile('KUBECONFIG=/k\nHUB_VERSION=6.1.1')),
    /lacks OPERATOR_KUBECONFIG, HUB_API_URL, HUB_API_TOKEN, TESTENV_DIR/,
  );
});
