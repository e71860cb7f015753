// What can be checked of the image without a Docker engine: every stage on Node 24 (the build
// stage on the pinned release of .nvmrc), the bundle and no node_modules in the runtime, a
// numeric non-root USER that matches the chart's runAsUser, the command of `npm run start:built`
// (the bundle), a compile cache where the chart lets it write and the allocator settings the
// bench runs the operator with. The build context is limited to what the image needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, root } from './tools.ts';
import { imageEnvironment } from '../support/operator.ts';
import {
  instructions,
  readDockerfile,
  runtimeEnvironment,
  runtimeStage,
  type Instruction,
} from '../../hack/image/dockerfile.ts';

const dockerfile = readDockerfile();
const args = new Map(
  dockerfile
    .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
    .map((i) => i.args.split('=', 2) as [string, string]),
);
const expand = (text: string): string =>
  text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => args.get(a ?? b) ?? '');
const stages = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => expand(i.args));
const last = (keyword: string): Instruction | undefined =>
  dockerfile.filter((i) => i.keyword === keyword).at(-1);
const execForm = (instruction: Instruction | undefined): string[] => {
  assert.ok(instruction, 'instruction present');
  const parsed: unknown = JSON.parse(instruction.args);
  assert.ok(Array.isArray(parsed), `${instruction.keyword} uses the exec (JSON array) form`);
  return parsed as string[];
};

test('the image is multi-stage and every stage runs Node 24', () => {
  assert.ok(stages.length >= 2, `stages: ${stages.join(', ')}`);
  for (const stage of stages) {
    const image = stage.split(/\s+/)[0] ?? '';
    assert.match(image, /^(node:24[.-]|gcr\.io\/distroless\/nodejs24-)/, image);
  }
});

test('the build stage uses the Node release pinned in .nvmrc', () => {
  const pinned = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
  assert.equal(stages[0]?.split(/\s+/)[0], `node:${pinned}-bookworm-slim`);
});

test('the runtime stage is a distroless Node 24 image, which has no shell', () => {
  assert.match(stages.at(-1) ?? '', /^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot$/);
});

test('the build installs from the lock file, and the runtime holds no node_modules', () => {
  const runtime = runtimeStage(dockerfile);
  const installs = dockerfile
    .slice(0, dockerfile.length - runtime.length)
    .filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));
  assert.ok(installs.length > 0, 'a build stage installs the dependencies');
  for (const install of installs) assert.match(install.args, /\bnpm ci\b/);
  assert.ok(dockerfile.some((i) => i.keyword === 'COPY' && i.args.includes('package-lock.json')));
  // The bundle carries the production dependencies (test/build.test.ts runs it without them).
  const runtimeCopies = runtime.filter((i) => i.keyword === 'COPY');
  assert.deepEqual(
    runtimeCopies.filter((i) => /node_modules/.test(i.args)).map((i) => i.args),
    [],
  );
});

test('the image runs as a numeric non-root user, the one the chart sets', () => {
  const user = last('USER')?.args ?? '';
  const [uid = '', gid = uid] = user.split(':');
  assert.match(uid, /^\d+$/, 'a numeric UID, so that runAsNonRoot can check it');
  assert.notEqual(Number(uid), 0);
  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as {
    podSecurityContext: { runAsUser: number; runAsGroup: number };
  };
  assert.equal(Number(uid), values.podSecurityContext.runAsUser);
  assert.equal(Number(gid), values.podSecurityContext.runAsGroup);
});

test("the entrypoint and command together are package.json's start:built script", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const command = [...execForm(last('ENTRYPOINT')), ...execForm(last('CMD'))];
  const [program = '', ...rest] = command;
  assert.equal([basename(program), ...rest].join(' '), pkg.scripts['start:built']);
  // The same node flags as `npm start`, on the build of the same entry file; the image brings its
  // own Node 24, so it needs no version check first.
  const start = (pkg.scripts['start'] ?? '')
    .replace('--import ./bin/require-node.mjs ', '')
    .replace(/src\/(\S+)\.ts$/, 'dist/$1.js');
  assert.equal(pkg.scripts['start:built'], start);
});

test('the image holds package.json and the bundled dist/, which start:built needs', () => {
  const runtimeCopies = runtimeStage(dockerfile)
    .filter((i) => i.keyword === 'COPY')
    .map((i) => i.args);
  assert.ok(
    runtimeCopies.some((a) => /^package\.json\b/.test(a)),
    runtimeCopies.join('; '),
  );
  assert.ok(
    runtimeCopies.some((a) => /--from=\w+ \/app\/dist\b/.test(a)),
    runtimeCopies.join('; '),
  );
  const build = dockerfile.filter((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args));
  assert.equal(build.length, 1, 'one stage bundles src/ with npm run build');
  assert.ok(
    dockerfile.some((i) => i.keyword === 'COPY' && /\bhack\/build\.ts\b/.test(i.args)),
    'the build script npm run build runs reaches the build stage',
  );
});

test('the build context admits only the manifests, the compiler settings, the build script and src/', () => {
  const lines = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  assert.deepEqual(lines, [
    '*',
    '!package.json',
    '!package-lock.json',
    '!tsconfig.json',
    '!hack/build.ts',
    '!src/',
  ]);
});

test('the compile cache lives under /tmp, which the chart mounts as a writable emptyDir', () => {
  const cache = runtimeEnvironment(dockerfile)['NODE_COMPILE_CACHE'];
  assert.match(cache ?? '', /^\/tmp\//, 'NODE_COMPILE_CACHE in the runtime stage');
  const deployment = readFileSync(join(chartDir, 'templates', 'deployment.yaml'), 'utf8');
  assert.match(deployment, /- name: tmp\s+mountPath: \/tmp\b/);
  assert.match(deployment, /- name: tmp\s+emptyDir:/);
});

test('the image tunes the allocator, and the bench reads the same settings from the Dockerfile', () => {
  assert.deepEqual(imageEnvironment(), {
    NODE_ENV: 'production',
    NODE_COMPILE_CACHE: '/tmp/node-compile-cache',
    MALLOC_ARENA_MAX: '2',
    MALLOC_MMAP_THRESHOLD_: '65536',
  });
});

test('an ENV the bench cannot pass on as written is refused, not guessed', () => {
  const env = (text: string): Record<string, string> => runtimeEnvironment(instructions(text));
  assert.deepEqual(env('FROM a\nENV A=1\nFROM b\nenv B=2 \\\n  C=3\n'), { B: '2', C: '3' });
  assert.throws(() => env('FROM b\nENV PATH=/x:$PATH\n'), /cannot read/);
  assert.throws(() => env('FROM b\nENV A="two words"\n'), /cannot read/);
  assert.throws(() => env('ENV A=1\n'), /no FROM/);
});

test('the image puts the command line on the PATH as hubops, executable, for kubectl exec', () => {
  const copies = runtimeStage(dockerfile)
    .filter((i) => i.keyword === 'COPY')
    .map((i) => i.args);
  assert.ok(
    copies.some((a) => a === '--from=build --chmod=755 /app/dist/hubops.mjs /usr/local/bin/hubops'),
    copies.join('; '),
  );
});
