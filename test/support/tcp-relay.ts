/**
 * A TCP relay on a free loopback port, for fault tests that cut one process off from a server
 * (the kube-apiserver, TLS and all) without touching anyone else: `hang()` stops passing bytes
 * both ways on every connection, old and new, as a network partition does. No RST, no error.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpRelay {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #hung = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Relays to `host:port`. */
  static async start(host: string, port: number): Promise<TcpRelay> {
    const server = createServer();
    const relay = new TcpRelay(server);
    server.on('connection', (client) => relay.#pair(client, host, port));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** From now on nothing passes: bytes sent are swallowed, nothing comes back. */
  hang(): void {
    this.#hung = true;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pair(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (!this.#hung) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.#sockets.delete(from);
        to.destroy();
      });
    }
  }
}
