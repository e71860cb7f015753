import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

test("no module of the operator loads Node's internal fetch (megabytes it never uses)", () => {
  // An ES import of node:http or node:https enumerates the module's exports, and their lazy
  // WebSocket getters load it; every module but main.ts (which would start the operator).
  const src = new URL('../src/', import.meta.url).pathname;
  const modules = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && file !== 'main.ts')
    .map((file) => pathToFileURL(join(src, file)).href);
  assert.ok(modules.length > 50, `found ${modules.length} modules`);
  const loaded = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `for (const m of ${JSON.stringify(modules)}) await import(m);` +
        'console.log(process.moduleLoadList.some((m) => m.includes("deps/undici")))',
    ],
    { encoding: 'utf8' },
  ).trim();
  assert.equal(loaded, 'false');
});
