/**
 * The operator's two small HTTP servers: health (`/healthz` alive, `/readyz` caches synced)
 * and Prometheus `/metrics`. Every replica serves them, leader or not.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

// Not `import ... from 'node:http'`: an ES import enumerates the module's exports, and node:http's
// lazy WebSocket getters then load Node's internal fetch (2-2.5 MB of resident memory, measured).
const { createServer } = process.getBuiltinModule('node:http');

export interface Probe {
  readonly ok: boolean;
  readonly detail: string;
}

export type Routes = Record<string, () => Promise<{ status: number; type: string; body: string }>>;

/** Starts a server on `address:port` (0 picks a free port); resolves with the bound port. */
export async function serve(
  address: string,
  port: number,
  routes: Routes,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    route().then(
      ({ status, type, body }) => res.writeHead(status, { 'content-type': type }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function healthRoutes(live: () => Probe, ready: () => Probe): Routes {
  const answer = (probe: Probe) =>
    Promise.resolve({
      status: probe.ok ? 200 : 503,
      type: 'text/plain',
      body: `${probe.detail}\n`,
    });
  return { '/healthz': () => answer(live()), '/readyz': () => answer(ready()) };
}

export function metricsRoutes(registry: Registry): Routes {
  return {
    '/metrics': async () => ({
      status: 200,
      type: registry.contentType,
      body: await registry.metrics(),
    }),
  };
}
