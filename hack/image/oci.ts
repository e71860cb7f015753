// One folder as a one-layer OCI image archive, the form `ctr images import` loads without a
// registry. The layer is reproducible: sorted names, a fixed mtime, numeric owners as on disk.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface OciImage {
  /** The root filesystem, owned as the image should own it. */
  readonly rootfs: string;
  /** The image config's `config` object (User, Env, WorkingDir, Entrypoint, Cmd, ExposedPorts). */
  readonly config: Record<string, unknown>;
  readonly archive: string;
  /** The name containerd gives the image on import, registry/repository:tag. */
  readonly imageName: string;
}

/** Writes the archive; returns the gzip layer's size and the unpacked size in bytes. */
export function writeOciArchive(image: OciImage): { layer: number; unpacked: number } {
  const layout = mkdtempSync(join(tmpdir(), 'hubops-oci-'));
  try {
    const blobs = join(layout, 'blobs/sha256');
    mkdirSync(blobs, { recursive: true });
    const layerTar = join(layout, 'layer.tar');
    execFileSync('tar', [
      '--sort=name',
      '--numeric-owner',
      '--mtime=@0',
      '-C',
      image.rootfs,
      '-cf',
      layerTar,
      '.',
    ]);
    const unpacked = statSync(layerTar).size;
    const diffId = sha256(readFileSync(layerTar));
    execFileSync('gzip', ['-n', '-6', layerTar]);
    const layer = readFileSync(`${layerTar}.gz`);
    rmSync(`${layerTar}.gz`);
    const layerDigest = putBlob(blobs, layer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: image.config,
        rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: putBlob(blobs, config),
          size: config.length,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: layerDigest,
            size: layer.length,
          },
        ],
      }),
    );
    const manifestDigest = putBlob(blobs, manifest);
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: manifestDigest,
            size: manifest.length,
            annotations: {
              'io.containerd.image.name': image.imageName,
              'org.opencontainers.image.ref.name': image.imageName.split(':').at(-1),
            },
          },
        ],
      }),
    );
    mkdirSync(dirname(image.archive), { recursive: true });
    execFileSync('tar', [
      '--sort=name',
      '--mtime=@0',
      '-C',
      layout,
      '-cf',
      `${image.archive}.tmp`,
      '.',
    ]);
    execFileSync('mv', [`${image.archive}.tmp`, image.archive]);
    return { layer: layer.length, unpacked };
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function putBlob(blobs: string, content: Buffer): string {
  const digest = sha256(content);
  writeFileSync(join(blobs, digest), content);
  return `sha256:${digest}`;
}
