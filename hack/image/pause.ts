// The pod sandbox image with no registry: pause.c from the k8s.io/kubernetes module source of the
// cluster's release (already in the Go module cache from building the kubelet), compiled static,
// as a one-layer OCI archive. Usage: node hack/image/pause.ts K8S_VERSION OUT.tar IMAGE_NAME
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOciArchive } from './oci.ts';

const [version, archive, imageName] = process.argv.slice(2);
if (!version || !archive || !imageName)
  throw new Error('usage: pause.ts K8S_VERSION OUT.tar IMAGE_NAME');
const cache = process.env['HUBOPS_CACHE'] ?? join(process.env['HOME'] ?? '/root', '.cache/hubops');
const source = join(cache, 'gomod', `k8s.io/kubernetes@${version}`, 'build/pause/linux/pause.c');
const rootfs = mkdtempSync(join(tmpdir(), 'hubops-pause-'));
try {
  execFileSync('gcc', [
    '-Os',
    '-static',
    `-DVERSION=${version}-hubops`,
    '-o',
    join(rootfs, 'pause'),
    source,
  ]);
  execFileSync('strip', [join(rootfs, 'pause')]);
  chmodSync(join(rootfs, 'pause'), 0o755);
  mkdirSync(join(rootfs, 'tmp'));
  writeOciArchive({
    rootfs,
    archive,
    imageName,
    config: { User: '65535:65535', Entrypoint: ['/pause'] },
  });
} finally {
  rmSync(rootfs, { recursive: true, force: true });
}
