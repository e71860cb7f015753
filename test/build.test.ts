// The build (hack/build.ts) makes what the image runs: one ES module that needs no node_modules,
// only Node's own modules, and starts as far as reading its settings from a folder with nothing
// but package.json beside it; the command line likewise, without the controllers; the licences of
// the packages they bundle go with them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { buildImageFolder } from './support/operator.ts';

const root = new URL('..', import.meta.url).pathname;
let dir: string;
let bundle: string;

before(() => {
  dir = buildImageFolder();
  bundle = readFileSync(join(dir, 'dist', 'main.js'), 'utf8');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the build writes the operator, its source map, the command line and the licences, nothing else', () => {
  assert.deepEqual(readdirSync(join(dir, 'dist')).sort(), [
    'THIRD_PARTY_LICENSES',
    'hubops.mjs',
    'main.js',
    'main.js.map',
  ]);
});

test('the bundles are ASCII, which V8 keeps as one byte a character for as long as they run', () => {
  for (const file of ['main.js', 'hubops.mjs']) {
    const text = readFileSync(join(dir, 'dist', file), 'utf8');
    assert.doesNotMatch(text, /[\u0080-\uffff]/, file);
  }
});

test('the command line runs alone under any name, executable, and holds none of the controllers', () => {
  const cli = join(dir, 'dist', 'hubops.mjs');
  const text = readFileSync(cli, 'utf8');
  assert.match(text, /^#!\/nodejs\/bin\/node\n/, "the image's Node in its first line");
  assert.equal(statSync(cli).mode & 0o111, 0o111, 'executable by everyone');
  assert.doesNotMatch(text, /^\/\/ src\/controllers\//m, 'no module of src/controllers');
  assert.doesNotMatch(text, /^\/\/ src\/kube\/(informer|queue|leader)\.ts$/m);
  assert.match(text, /^\/\/ src\/cli\/plan-command\.ts$/m, 'the module comments still name files');
  // Copied as the image copies it: no extension and no package.json beside it.
  const alone = mkdtempSync(join(tmpdir(), 'hubops-cli-'));
  try {
    copyFileSync(cli, join(alone, 'hubops'));
    const help = spawnSync(process.execPath, [join(alone, 'hubops'), 'plan', '--help'], {
      cwd: alone,
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: hubops plan -f PATH/);
    const bad = spawnSync(process.execPath, [join(alone, 'hubops'), 'plan', '--frob'], {
      cwd: alone,
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, "hubops: Unknown option '--frob'\n", 'one line');
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
});

test('every module the bundle imports or requires is one of Node’s own', () => {
  const specifiers = [
    ...bundle.matchAll(/^import .* from ["']([^"']+)["'];$/gm),
    ...bundle.matchAll(/\b__require\(["']([^"']+)["']\)/g),
  ].map((m) => m[1] ?? '');
  assert.ok(specifiers.length > 50, `${specifiers.length} imports found: the patterns still match`);
  assert.deepEqual(
    [...new Set(specifiers.filter((s) => !isBuiltin(s)))],
    [],
    'a package left out of the bundle',
  );
});

test('the bundle starts without node_modules and stops at its first missing setting', () => {
  const run = spawnSync(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^hubops: invalid setting HUB_API_TOKEN: missing/);
});

test('the licences name every package in the bundle, the runtime dependencies among them', () => {
  const licences = readFileSync(join(dir, 'dist', 'THIRD_PARTY_LICENSES'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of Object.keys(pkg.dependencies))
    assert.match(licences, new RegExp(`^${name}@\\d+\\.\\d+\\.\\d+ \\(`, 'm'), name);
  assert.match(licences, /Permission is hereby granted/, 'the licence texts, not only names');
});
