// `npm start` on a Node older than 24 says in one line what is needed and how to get it, instead
// of Node's ERR_UNKNOWN_FILE_EXTENSION; on Node 24 the check lets the operator start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  scripts: Record<string, string>;
};
/** `npm start`'s node arguments, run as npm would run them from the repository. */
const startArgs = (pkg.scripts['start'] ?? '').split(/\s+/).slice(1);

/** A Node older than 24 on this machine (Debian's, or the one the project's PATH hides). */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    }).stdout.trim();
    if (Number(version.split('.')[0]) < 24) return candidate;
  }
  return undefined;
}

test('npm start loads the Node version check first', () => {
  assert.deepEqual(startArgs.slice(0, 2), ['--import', './bin/require-node.mjs']);
});

test(
  'on an older Node, npm start stops with one line naming Node 24 and hack/node.sh',
  { skip: oldNode() ? false : 'no Node older than 24 on this machine' },
  () => {
    const node = oldNode() as string;
    const result = spawnSync(node, startArgs, {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0] ?? '',
      /^hubops needs Node 24 or newer, this is Node \d+\.\d+\.\d+: run PATH=\$\(hack\/node\.sh\):\$PATH npm start/,
    );
    assert.doesNotMatch(result.stderr, /ERR_UNKNOWN_FILE_EXTENSION/);
  },
);

test('on Node 24 the check passes and the operator itself starts (here: stops at a missing setting)', () => {
  const result = spawnSync(process.execPath, startArgs, {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', KUBECONFIG: '/nonexistent/kubeconfig' },
    timeout: 30_000,
  });
  assert.doesNotMatch(result.stderr, /needs Node 24/);
  assert.match(result.stderr, /hubops: invalid setting/);
});
