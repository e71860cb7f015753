import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { serve } from '../src/endpoints.ts';

test('the endpoints answer their routes and 404 anything else', async () => {
  const { server, port } = await serve('127.0.0.1', 0, {
    '/healthz': () => Promise.resolve({ status: 200, type: 'text/plain', body: 'ok\n' }),
  });
  try {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'ok\n');
    assert.equal((await fetch(`http://127.0.0.1:${port}/nothing`)).status, 404);
  } finally {
    server.close();
  }
});

test("loading the endpoints does not load Node's internal fetch (megabytes the operator never uses)", () => {
  const module = new URL('../src/endpoints.ts', import.meta.url).href;
  const loaded = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(module)});` +
        'console.log(process.moduleLoadList.some((m) => m.includes("deps/undici")))',
    ],
    { encoding: 'utf8' },
  ).trim();
  assert.equal(loaded, 'false');
});
