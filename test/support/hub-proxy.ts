/**
 * A fault-injecting HTTP proxy in front of the real test hub, for fault tests: it forwards every
 * request, records when it arrived, through which listener and how it was answered, and can
 * refuse writes with 429 + Retry-After, delay every answer, stall chosen requests, or change the
 * hub itself just before a request reaches it. The hub behind it stays real.
 */
import {
  Agent,
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** The listener it came through: one per operator replica tells who sent it. */
  readonly via: string;
  readonly method: string;
  readonly path: string;
  /** When the request arrived (ms since the epoch). */
  readonly at: number;
  /** The request body as text, once it has arrived (a bulk create names its users there). */
  body: string;
  /** Whether the hub saw it; a refused request was answered by the proxy alone. */
  forwarded: boolean;
  /** The status sent back, or undefined while unanswered (or when the client went away). */
  status?: number;
  answeredAt?: number;
  /** The hub's status for an answer the proxy kept back (a stalled answer). */
  withheldStatus?: number;
}

export interface ProxyFaults {
  /** Answer POST/PATCH/PUT/DELETE with 429 and `Retry-After: retryAfterSeconds`, unforwarded. */
  readonly refuseWrites?: { readonly retryAfterSeconds: number };
  /** Hold every answer this long before sending it. */
  readonly delayMs?: number;
  /**
   * Requests to stall, decided on arrival: `request` never reaches the hub; `answer` reaches it
   * (the hub acts) but its answer is kept back. Either way the client hears nothing until it gives
   * up or the proxy stops, as when a process dies at that moment.
   */
  readonly stall?: (request: ProxiedRequest) => 'request' | 'answer' | undefined;
  /** Awaited before a request goes to the hub: what someone else changes in it at that moment. */
  readonly beforeForward?: (request: ProxiedRequest) => Promise<void>;
}

const writeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export function isWrite(r: ProxiedRequest): boolean {
  return writeMethods.has(r.method);
}

/** A bulk user create (`POST /users`), not a group's `POST /groups/{name}/users`. */
export function isBulkCreate(r: ProxiedRequest): boolean {
  return r.method === 'POST' && /\/api\/users(\?|$)/.test(r.path);
}

export class HubProxy {
  readonly records: ProxiedRequest[] = [];
  faults: ProxyFaults = {};
  readonly #target: URL;
  readonly #servers = new Map<string, Server>();
  /** Its own connections to the hub, so that stopping closes them and lets the test exit. */
  readonly #upstream = new Agent({ keepAlive: true });

  private constructor(target: URL) {
    this.#target = target;
  }

  /** A proxy for the hub API at `hubApiUrl`, with one listener named `default`. */
  static async start(hubApiUrl: string): Promise<HubProxy> {
    const proxy = new HubProxy(new URL(hubApiUrl));
    await proxy.listen('default');
    return proxy;
  }

  /** Opens another listener (a free port) tagged `via`; returns the API URL to hand out. */
  async listen(via: string): Promise<string> {
    const server = createServer((req, res) => this.#handle(via, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#servers.set(via, server);
    return this.url(via);
  }

  url(via = 'default'): string {
    const server = this.#servers.get(via);
    if (!server) throw new Error(`no listener ${via}`);
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.#target.pathname}`;
  }

  async stop(): Promise<void> {
    this.#upstream.destroy();
    await Promise.all(
      [...this.#servers.values()].map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  #handle(via: string, req: IncomingMessage, res: ServerResponse): void {
    const record: ProxiedRequest = {
      via,
      method: req.method ?? '',
      path: req.url ?? '',
      at: Date.now(),
      forwarded: false,
      body: '',
    };
    this.records.push(record);
    // An operator killed mid-request leaves its answer nowhere to go; that is not an error here.
    res.on('error', () => {});
    // Faults read once on arrival: a mode switch does not change a request already in the proxy.
    const { refuseWrites, delayMs = 0, stall, beforeForward } = this.faults;
    const stalled = stall?.(record);
    const later = (then: () => void): void => void setTimeout(then, delayMs);
    const answered = (status: number): void => {
      record.status = status;
      record.answeredAt = Date.now();
    };
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const onward = (): void => {
      if (refuseWrites && writeMethods.has(record.method)) {
        const body = JSON.stringify({ status: 429, message: 'Too Many Requests' });
        later(() => {
          answered(429);
          res
            .writeHead(429, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'retry-after': String(refuseWrites.retryAfterSeconds),
            })
            .end(body);
        });
        return;
      }
      record.forwarded = true;
      const upstream = forward(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: record.method,
          path: record.path,
          agent: this.#upstream,
          headers: { ...req.headers, host: this.#target.host },
        },
        // Headers wait out the delay, then the body streams through (progress streams too).
        (hubRes) => {
          if (stalled === 'answer') {
            record.withheldStatus = hubRes.statusCode;
            hubRes.resume();
            return;
          }
          later(() => {
            answered(hubRes.statusCode ?? 502);
            res.writeHead(hubRes.statusCode ?? 502, hubRes.headers);
            hubRes.pipe(res);
          });
        },
      );
      upstream.on('error', () => res.socket?.destroy());
      upstream.end(Buffer.concat(chunks));
    };
    req.on('end', () => {
      record.body = Buffer.concat(chunks).toString('utf8');
      if (stalled === 'request') return;
      if (beforeForward) void beforeForward(record).then(onward);
      else onward();
    });
  }
}
