/**
 * A tiny in-process HTTP server that plays a misbehaving hub, for fault tests only (429, 5xx,
 * slow answers, dropped connections, malformed JSON). Each test scripts the answers; the server
 * records every request it saw. Never a stand-in for the real hub's behaviour.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { HubClient } from '../../src/hub/client.ts';
import { silentLogger } from './logs.ts';
import { ManualClock } from './manual-clock.ts';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Answers one request; may write anything, or destroy the socket. */
export type Responder = (req: SeenRequest, res: ServerResponse) => void;

export class FaultHub {
  readonly seen: SeenRequest[] = [];
  #server: Server;
  #responders: Responder[] = [];
  #fallback: Responder = (_req, res) => json(res, 200, {});

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FaultHub> {
    const server = createServer();
    const hub = new FaultHub(server);
    server.on('request', (req, res) => hub.#answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return hub;
  }

  /** The API root to give the client. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hub/api`;
  }

  /** Queues answers for the next requests, in order; then `otherwise` answers the rest. */
  script(...responders: Responder[]): this {
    this.#responders.push(...responders);
    return this;
  }

  otherwise(responder: Responder): this {
    this.#fallback = responder;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      this.seen.push(seen);
      (this.#responders.shift() ?? this.#fallback)(seen, res);
    });
  }
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A JupyterHub-shaped error answer. */
export function hubError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Responder {
  return (_req, res) => json(res, status, { status, message }, headers);
}

export function ok(body: unknown, status = 200): Responder {
  return (_req, res) => json(res, status, body);
}

/** Closes the connection without an answer. */
export const drop: Responder = (_req, res) => res.socket?.destroy();

/** Answers with text that is not JSON. */
export const garbage: Responder = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"items": [');
};

/** Answers after `ms` of real time. */
export function slow(ms: number, then: Responder): Responder {
  return (req, res) => setTimeout(() => then(req, res), ms);
}

/**
 * A FaultHub and a HubClient on it (instant clock, silent logs) for one test file: started
 * before its tests and stopped after them. Read the fields inside tests, not at import time.
 */
export function faultHubWithClient(): { readonly hub: FaultHub; readonly client: HubClient } {
  const fixture = {} as { hub: FaultHub; client: HubClient };
  before(async () => {
    fixture.hub = await FaultHub.start();
    fixture.client = new HubClient({
      baseUrl: fixture.hub.url,
      token: 't',
      clock: new ManualClock('instant'),
      logger: silentLogger,
    });
  });
  after(async () => {
    await fixture.client.close();
    await fixture.hub.stop();
  });
  return fixture;
}
