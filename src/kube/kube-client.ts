/**
 * The operator's Kubernetes API client: JSON requests and watch streams over one keep-alive
 * connection pool to the API server (undici). It replaces @kubernetes/client-node, which opened
 * a new TLS connection per request and cost more memory than the rest of the operator.
 */
import { Pool, type Dispatcher } from 'undici';
import { KubeApiError } from './kube-errors.ts';
import type { KubeTarget } from './kube-target.ts';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export const contentTypes = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  jsonPatch: 'application/json-patch+json',
} as const;

export interface KubeRequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  /** Default application/json. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export type WatchListener = (type: string, object: unknown) => void;

export interface KubeClientOptions {
  /** Connections to the API server, watches included. */
  readonly connections?: number;
  /** Milliseconds to wait for an answer's headers, and between its chunks (not for watches). */
  readonly timeoutMs?: number;
}

export class KubeClient {
  readonly #target: KubeTarget;
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(target: KubeTarget, options: KubeClientOptions = {}) {
    const url = new URL(target.server);
    this.#target = target;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 32,
      keepAliveTimeout: 30_000,
      connect: {
        ...(target.ca ? { ca: target.ca } : {}),
        ...(target.cert ? { cert: target.cert } : {}),
        ...(target.key ? { key: target.key } : {}),
        ...(target.tlsServerName ? { servername: target.tlsServerName } : {}),
        rejectUnauthorized: !target.insecureSkipTlsVerify,
      },
    });
  }

  /** One request; resolves with the parsed answer, rejects with KubeApiError (or the abort). */
  async request<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const res = await this.#send(method, path, options, {
      headers: this.#timeoutMs,
      body: this.#timeoutMs,
    });
    const text = await res.body.text().catch((err: unknown) => {
      throw unreachable(err, options.signal);
    });
    if (res.statusCode >= 300) throw statusError(res.statusCode, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Streams a watch: one call of `listener` per event, in order. Resolves when the stream ends
   * (the server's timeout, or `signal`); rejects with KubeApiError when it cannot start or
   * breaks. Silence is the caller's to police: a watch can rightly be quiet for minutes.
   */
  async watch(
    path: string,
    query: Query,
    listener: WatchListener,
    signal: AbortSignal,
  ): Promise<void> {
    let res: Dispatcher.ResponseData;
    try {
      // No body timeout: a watch may rightly be quiet for minutes.
      const timeouts = { headers: this.#timeoutMs, body: 0 };
      res = await this.#send('GET', path, { query: { ...query, watch: true }, signal }, timeouts);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (res.statusCode >= 300) throw statusError(res.statusCode, await res.body.text());
    res.body.setEncoding('utf8');
    let pending = '';
    try {
      for await (const chunk of res.body as AsyncIterable<string>) {
        pending += chunk;
        let end = pending.indexOf('\n');
        while (end >= 0) {
          const line = pending.slice(0, end).trim();
          pending = pending.slice(end + 1);
          if (line) {
            const event = JSON.parse(line) as { type: string; object: unknown };
            listener(event.type, event.object);
          }
          end = pending.indexOf('\n');
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw unreachable(err, signal);
    }
  }

  /** Closes every connection; requests in flight fail. */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }

  async #send(
    method: string,
    path: string,
    options: KubeRequestOptions,
    timeoutMs: { readonly headers: number; readonly body: number },
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { accept: contentTypes.json };
    const authorization = this.#target.authorization();
    if (authorization) headers['authorization'] = authorization;
    if (options.body !== undefined)
      headers['content-type'] = options.contentType ?? contentTypes.json;
    try {
      return await this.#pool.request({
        method: method,
        path: this.#prefix + path + queryString(options.query),
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: options.signal ?? null,
        headersTimeout: timeoutMs.headers,
        bodyTimeout: timeoutMs.body,
      });
    } catch (err) {
      throw unreachable(err, options.signal);
    }
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A non-2xx answer; its body is normally a Status object with a message and a reason. */
function statusError(status: number, text: string): KubeApiError {
  try {
    const parsed = JSON.parse(text) as { message?: string; reason?: string };
    return new KubeApiError(status, parsed.message ?? `HTTP ${status}`, parsed.reason);
  } catch {
    return new KubeApiError(status, `HTTP ${status}: ${text.slice(0, 200)}`);
  }
}

/** No answer: an abort stays an abort (the caller asked for it); anything else is unavailability. */
function unreachable(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted || err instanceof KubeApiError) return err;
  const code =
    (err as { code?: unknown }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
  const words = err instanceof Error ? err.message : String(err);
  return new KubeApiError(undefined, typeof code === 'string' ? `${code}: ${words}` : words);
}
