// Builds the operator image with no Docker engine and no registry (docs/decisions/0011): the
// Dockerfile's runtime stage, read from the Dockerfile and carried out here instruction by
// instruction, over a stand-in for its distroless base assembled from the same parts (Node's
// binary from the npm registry, Debian 12's glibc, libgcc and libstdc++, the nonroot user). The
// build stage's `npm run build` runs on this machine. Writes a one-layer OCI image archive that
// `ctr images import` loads. Usage: node hack/image/build.ts OUT.tar [IMAGE_NAME]
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { imageRecipe, type ImageRecipe } from './recipe.ts';
import { writeOciArchive } from './oci.ts';

const root = resolve(import.meta.dirname, '../..');
const cache = process.env['HUBOPS_CACHE'] ?? join(process.env['HOME'] ?? '/root', '.cache/hubops');
const out = resolve(process.argv[2] ?? join(cache, 'image', 'hubops.oci.tar'));
const chart = parseYaml(readFileSync(join(root, 'charts/hubops/Chart.yaml'), 'utf8')) as {
  appVersion: string;
};
const name = process.argv[3] ?? `ghcr.io/hubops/hubops:${chart.appVersion}`;

const recipe = imageRecipe(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'hubops-image-'));
try {
  const started = Date.now();
  const buildStage = runBuildStage(recipe, join(work, 'app'));
  const rootfs = join(work, 'rootfs');
  assembleBase(recipe, rootfs);
  applyRuntimeStage(recipe, rootfs, buildStage);
  const sizes = writeOciArchive({
    rootfs,
    archive: out,
    imageName: name,
    config: {
      User: recipe.user,
      Env: Object.entries(recipe.env).map(([key, value]) => `${key}=${value}`),
      WorkingDir: recipe.workdir,
      Entrypoint: recipe.entrypoint,
      Cmd: recipe.cmd,
      ExposedPorts: Object.fromEntries(recipe.exposedPorts.map((port) => [`${port}/tcp`, {}])),
    },
  });
  console.log(
    `image: ${name} -> ${out} (layer ${(sizes.layer / 1e6).toFixed(1)} MB gzip, ${(sizes.unpacked / 1e6).toFixed(1)} MB unpacked, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The build stage: the repository's manifests and `npm run build`'s output under /app. */
function runBuildStage(image: ImageRecipe, app: string): string {
  mkdirSync(app, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) {
    cpSync(join(root, file), join(app, file));
  }
  if (!image.buildCommands.includes('npm run build')) {
    throw new Error(
      `the build stage no longer runs \`npm run build\`: ${image.buildCommands.join('; ')}`,
    );
  }
  execFileSync(process.execPath, [join(root, 'hack/build.ts'), join(app, 'dist')], {
    cwd: root,
    stdio: 'inherit',
  });
  return app;
}

/**
 * The stand-in for gcr.io/distroless/nodejs24-debian12:nonroot: Node at /nodejs/bin/node, the
 * Debian 12 libraries it links against, passwd and group with nonroot (65532), /tmp, and that
 * image's PATH, user, working directory and entrypoint.
 */
function assembleBase(image: ImageRecipe, rootfs: string): void {
  const node = nodeBinary(image.nodeVersion);
  mkdirSync(join(rootfs, 'nodejs/bin'), { recursive: true });
  cpSync(node, join(rootfs, 'nodejs/bin/node'));
  for (const deb of debianPackages(['libc6', 'libgcc-s1', 'libstdc++6'])) {
    execFileSync('dpkg-deb', ['-x', deb, rootfs]);
  }
  for (const dir of ['usr/share/doc', 'usr/share/lintian', 'usr/share/locale', 'usr/share/man']) {
    rmSync(join(rootfs, dir), { recursive: true, force: true });
  }
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n');
  mkdirSync(join(rootfs, 'tmp'));
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  mkdirSync(join(rootfs, 'root'), { mode: 0o700 });
  mkdirSync(join(rootfs, 'home/nonroot'), { recursive: true, mode: 0o700 });
  chownSync(join(rootfs, 'home/nonroot'), 65532, 65532);
  if (image.base !== 'gcr.io/distroless/nodejs24-debian12:nonroot') {
    throw new Error(`no local stand-in for the runtime base ${image.base}`);
  }
}

/** Node's binary of the release the Dockerfile pins, from the npm registry (hack/node.sh's cache). */
function nodeBinary(version: string): string {
  const bin = execFileSync(join(root, 'hack/node.sh'), {
    env: { ...process.env, NODE_VERSION: version, PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
  }).trim();
  const node = join(bin, 'node');
  const got = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (got !== `v${version}`)
    throw new Error(`wanted Node ${version} for the image, found ${got} at ${node}`);
  return node;
}

/** Debian's .deb files for PACKAGES, downloaded once into the cache. */
function debianPackages(packages: readonly string[]): string[] {
  const dir = join(cache, 'image-debs');
  mkdirSync(dir, { recursive: true });
  const have = (pkg: string): string | undefined =>
    readdirSync(dir).find((file) => file.startsWith(`${pkg}_`) && file.endsWith('.deb'));
  const missing = packages.filter((pkg) => !have(pkg));
  if (missing.length > 0) {
    try {
      execFileSync('apt-get', ['download', ...missing], { cwd: dir, stdio: 'ignore' });
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      execFileSync('apt-get', ['download', ...missing], { cwd: dir, stdio: 'inherit' });
    }
  }
  return packages.map((pkg) => join(dir, have(pkg) as string));
}

/** Carries out the runtime stage's COPY and WORKDIR on ROOTFS; the rest is image config. */
function applyRuntimeStage(image: ImageRecipe, rootfs: string, buildStage: string): void {
  for (const step of image.files) {
    if (step.kind === 'workdir') {
      mkdirSync(join(rootfs, step.path), { recursive: true });
      continue;
    }
    const destination = posix.isAbsolute(step.destination)
      ? step.destination
      : posix.join(step.workdir, step.destination);
    for (const source of step.sources) {
      const from = step.fromBuildStage
        ? join(buildStage, posix.relative('/app', source))
        : join(root, source);
      if (!existsSync(from)) throw new Error(`COPY source missing: ${source} (${from})`);
      const intoDir = step.destination.endsWith('/') || step.sources.length > 1;
      const target =
        statSync(from).isDirectory() || !intoDir
          ? join(rootfs, destination)
          : join(rootfs, destination, basename(from));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(from, target, { recursive: true });
      if (step.chmod !== undefined) chmodSync(target, step.chmod);
    }
  }
}
