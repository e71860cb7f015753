// hack/image/recipe.ts, the reader that turns the Dockerfile into what the local image build
// carries out and the e2e suite compares the running container with. It must read the runtime
// stage exactly, and throw on anything it would otherwise have to guess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distrolessNonroot, imageRecipe } from '../../hack/image/recipe.ts';
import { readDockerfile, runtimeEnvironment } from '../../hack/image/dockerfile.ts';
import { root } from './tools.ts';

/** A two-stage Dockerfile whose runtime stage ends with RUNTIME. */
const dockerfile = (runtime: string): string => `ARG NODE_VERSION=24.1.0
ARG BASE=gcr.io/distroless/nodejs24-debian12:nonroot
FROM node:\${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
RUN npm ci
RUN npm run build

FROM $BASE
${runtime}
`;

test("the repository's Dockerfile reads as the image it promises: base, user, directory, command and files", () => {
  const recipe = imageRecipe(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  assert.equal(recipe.base, 'gcr.io/distroless/nodejs24-debian12:nonroot');
  assert.equal(recipe.nodeVersion, readFileSync(join(root, '.nvmrc'), 'utf8').trim());
  assert.equal(recipe.user, '65532:65532');
  assert.equal(recipe.workdir, '/app');
  assert.deepEqual(recipe.cmd, ['dist/main.js']);
  assert.equal(recipe.entrypoint[0], '/nodejs/bin/node');
  assert.deepEqual(recipe.exposedPorts, [8080, 8081]);
  // The environment the bench runs the operator with (dockerfile.ts) is the recipe's, over the base's.
  assert.deepEqual(recipe.env, {
    ...distrolessNonroot.env,
    ...runtimeEnvironment(readDockerfile()),
  });
  assert.deepEqual(recipe.buildCommands, [
    'npm ci --ignore-scripts --no-audit --no-fund',
    'npm run build',
  ]);
  const command = recipe.files.find(
    (step) => step.kind === 'copy' && step.destination === '/usr/local/bin/hubops',
  );
  assert.deepEqual(command, {
    kind: 'copy',
    fromBuildStage: true,
    sources: ['/app/dist/hubops.mjs'],
    destination: '/usr/local/bin/hubops',
    workdir: '/app',
    chmod: 0o755,
  });
});

test("the runtime stage's ENV, USER, WORKDIR, ENTRYPOINT and CMD are read; the build stage's are not", () => {
  const recipe = imageRecipe(
    dockerfile(`WORKDIR /srv
ENV A=1 B=two
ENV C=/tmp/x
USER 1000:1000
EXPOSE 9090/tcp
ENTRYPOINT ["/nodejs/bin/node", "--flag"]
CMD ["main.js"]`),
  );
  assert.equal(recipe.base, 'gcr.io/distroless/nodejs24-debian12:nonroot', 'ARGs expanded');
  assert.equal(recipe.nodeVersion, '24.1.0');
  assert.deepEqual(recipe.buildCommands, ['npm ci', 'npm run build']);
  assert.deepEqual(recipe.env, { ...distrolessNonroot.env, A: '1', B: 'two', C: '/tmp/x' });
  assert.equal(recipe.user, '1000:1000');
  assert.equal(recipe.workdir, '/srv', 'not the build stage’s /app');
  assert.deepEqual(recipe.files, [{ kind: 'workdir', path: '/srv' }]);
  assert.deepEqual(recipe.entrypoint, ['/nodejs/bin/node', '--flag']);
  assert.deepEqual(recipe.cmd, ['main.js']);
  assert.deepEqual(recipe.exposedPorts, [9090]);
});

test("a runtime stage that sets nothing runs as the distroless base's config says", () => {
  const recipe = imageRecipe(dockerfile('COPY --chmod=0644 a b /app/'));
  assert.equal(recipe.user, distrolessNonroot.user);
  assert.equal(recipe.workdir, distrolessNonroot.workdir);
  assert.deepEqual(recipe.entrypoint, distrolessNonroot.entrypoint);
  assert.deepEqual(recipe.env, distrolessNonroot.env);
  assert.deepEqual(recipe.files, [
    {
      kind: 'copy',
      fromBuildStage: false,
      sources: ['a', 'b'],
      destination: '/app/',
      workdir: distrolessNonroot.workdir,
      chmod: 0o644,
    },
  ]);
});

test('an ENTRYPOINT resets the CMD set before it, as a Docker build does', () => {
  const recipe = imageRecipe(dockerfile('CMD ["old.js"]\nENTRYPOINT ["/bin/x"]'));
  assert.deepEqual(recipe.cmd, []);
});

test('an instruction the local build does not carry out throws rather than being skipped', () => {
  for (const instruction of [
    'RUN echo hi',
    'ADD https://example.org/x /x',
    'VOLUME /data',
    'HEALTHCHECK CMD true',
    'SHELL ["/bin/sh", "-c"]',
    'ONBUILD RUN x',
    'STOPSIGNAL SIGTERM',
    'LABEL a=b',
  ]) {
    const keyword = instruction.split(' ')[0] as string;
    assert.throws(
      () => imageRecipe(dockerfile(instruction)),
      new RegExp(`does not carry out ${keyword} in the runtime stage`),
      instruction,
    );
  }
});

test('what the reader would have to guess throws: a quoted or $ ENV, a shell-form ENTRYPOINT or CMD, an unknown COPY flag, an unset ARG', () => {
  const cases: [string, RegExp][] = [
    ['ENV A="quoted value"', /an ENV the image build cannot read/],
    ['ENV A=$HOME', /an ENV the image build cannot read/],
    // The shell form is not JSON: today JSON.parse's own error says so, not the reader's.
    ['ENTRYPOINT node main.js', /is not valid JSON|ENTRYPOINT must use the exec/],
    ['CMD ["main.js", 1]', /CMD must use the exec \(JSON array\) form/],
    ['COPY --chown=1:1 a /app/', /a COPY flag the image build does not know: --chown=1:1/],
    ['COPY --from=other /x /y', /a COPY flag the image build does not know/],
    ['COPY /only-one', /COPY needs a source and a destination/],
    ['WORKDIR /$NOWHERE', /uses \$NOWHERE, which no ARG sets/],
  ];
  for (const [instruction, message] of cases)
    assert.throws(() => imageRecipe(dockerfile(instruction)), message, instruction);
  assert.throws(
    () => imageRecipe('FROM gcr.io/distroless/nodejs24-debian12:nonroot\n'),
    /no ARG NODE_VERSION/,
  );
});
