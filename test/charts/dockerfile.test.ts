// What can be checked of the image without a Docker engine: both stages on Node 24 (the build
// stage on the pinned release of .nvmrc), production dependencies only, a numeric non-root USER
// that matches the chart's runAsUser, and the command of `npm start`. The build context is
// limited to what the image needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, root } from './tools.ts';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const dockerfile = instructions(readFileSync(join(root, 'Dockerfile'), 'utf8'));
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

test('dependencies are installed with npm ci --omit=dev, from the lock file', () => {
  const installs = dockerfile.filter((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args));
  assert.ok(installs.length > 0);
  for (const install of installs) {
    if (!/\bnpm (ci|install|i)\b/.test(install.args)) continue;
    assert.match(install.args, /\bnpm ci\b/);
    assert.match(install.args, /--omit=dev\b/);
  }
  assert.ok(dockerfile.some((i) => i.keyword === 'COPY' && i.args.includes('package-lock.json')));
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

test("the entrypoint and command together are package.json's start script", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const command = [...execForm(last('ENTRYPOINT')), ...execForm(last('CMD'))];
  const [program = '', ...rest] = command;
  assert.equal([basename(program), ...rest].join(' '), pkg.scripts.start);
});

test('the image holds package.json and src/, which the start script needs', () => {
  const runtime = dockerfile.slice(dockerfile.findLastIndex((i) => i.keyword === 'FROM'));
  const runtimeCopies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  assert.ok(runtimeCopies.some((a) => /--from=\w+ \/app\/node_modules\b/.test(a)));
  assert.ok(
    runtimeCopies.some((a) => /^package\.json\b/.test(a)),
    runtimeCopies.join('; '),
  );
  assert.ok(
    runtimeCopies.some((a) => /^src\b/.test(a)),
    runtimeCopies.join('; '),
  );
});

test('the build context admits only the manifests and src/', () => {
  const lines = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  assert.deepEqual(lines, ['*', '!package.json', '!package-lock.json', '!src/']);
});
