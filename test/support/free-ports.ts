/**
 * Free TCP ports on 127.0.0.1 for servers a test starts itself, chosen as hack/testenv/lib.sh's
 * free_ports does: the kernel picks each, and all are held open together so that no two repeat.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}
