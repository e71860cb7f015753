/**
 * The transport to one hub: every request passes through the hub's request budget, is retried
 * by one policy (backoff with jitter, at least the hub's Retry-After), feeds the shared health
 * state, and comes back as text or as a typed HubError. The token travels only in the
 * Authorization header. Resource modules (users, groups, servers) build on `send` and `stream`.
 */
import { Agent, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../clock.ts';
import { RequestBudget, type BudgetOptions, type Release } from './budget.ts';
import { HubError, codeForStatus, hubMessage } from './errors.ts';
import { HubHealth, type HealthOptions } from './health.ts';
import { parseBody, type HubRequest, type HubResponse, type RequestSample } from './request.ts';
import {
  backoffDelay,
  defaultRetryPolicy,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-timing.ts';

export interface HubClientOptions {
  /** The API root, e.g. `http://hub:8081/hub/api`. */
  readonly baseUrl: string;
  readonly token: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default: an undici Agent with keep-alive sized to the budget. */
  readonly dispatcher?: Dispatcher;
  readonly budget?: Partial<BudgetOptions>;
  readonly retry?: Partial<RetryPolicy>;
  readonly health?: Partial<HealthOptions>;
  /** Per attempt; above the hub's own 10 s wait for a spawn. Default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly random?: () => number;
  readonly onRequest?: (sample: RequestSample) => void;
}

/** Transport failures where the request certainly did not reach the hub: safe to resend anything. */
const notSentCodes = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export class HubClient {
  readonly budget: RequestBudget;
  readonly health: HubHealth;
  readonly #origin: string;
  readonly #root: string;
  #authorization: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #random: () => number;
  readonly #onRequest: (sample: RequestSample) => void;
  /** No write is sent before this time: a 429's short Retry-After is the hub's, not one request's. */
  #writesHeldUntil = 0;

  constructor(options: HubClientOptions) {
    const url = new URL(options.baseUrl);
    this.#origin = url.origin;
    this.#root = url.pathname.replace(/\/+$/, '');
    this.#authorization = `token ${options.token}`;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#random = options.random ?? Math.random;
    this.#onRequest = options.onRequest ?? (() => {});
    this.budget = new RequestBudget(options.budget ?? {}, options.clock);
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        connections: this.budget.options.maxInFlight + this.budget.options.maxSpawnsInFlight + 1,
        keepAliveTimeout: 30_000,
      });
    const deps = { clock: options.clock, logger: options.logger, random: this.#random };
    this.health = new HubHealth(() => this.#probe(), deps, options.health);
  }

  /** Sends a request under the budget and retry policy; resolves for 2xx/3xx, throws HubError otherwise. */
  /** Sends `token` from the next request on: a rotated token needs no new client or budget. */
  setToken(token: string): void {
    this.#authorization = `token ${token}`;
  }

  /** The client's clock, for stamping what its answers say. */
  now(): number {
    return this.#clock.now();
  }

  async send(request: HubRequest): Promise<HubResponse> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(request);
      if (!(outcome instanceof HubError)) return outcome;
      const delay = this.#retryDelay(request, outcome, attempt);
      if (delay === undefined) throw outcome;
      this.#logger.debug(
        { route: request.route, code: outcome.code, delayMs: delay },
        'Retrying hub request',
      );
      await this.#clock.sleep(delay, request.signal);
    }
  }

  /** `send`, then parses and validates the JSON body with `schema`. */
  async json<S extends z.ZodType>(
    request: HubRequest,
    schema: S,
  ): Promise<{ status: number; data: z.output<S> }> {
    const response = await this.send({ ...request, accept: request.accept ?? 'application/json' });
    return { status: response.status, data: parseBody(request, response.text, schema) };
  }

  /**
   * Opens a streaming GET (the spawn progress events). The budget slot is held until the
   * headers arrive, not for the life of the stream; the caller must consume or destroy the body.
   */
  async stream(request: HubRequest): Promise<Readable> {
    const down = this.#downError(request);
    if (down) throw down;
    const release = await this.budget.acquire(
      request.priority ?? 'interactive',
      request.signal,
      request.lane,
    );
    const started = this.#clock.now();
    try {
      const res = await this.#dispatch(request, { bodyTimeout: this.#timeoutMs });
      this.health.reportAnswer();
      this.#record(request, res.statusCode, started);
      if (res.statusCode >= 400)
        throw this.#statusError(request, res.statusCode, res.headers, await res.body.text());
      return res.body;
    } catch (err) {
      if (err instanceof HubError || request.signal?.aborted) throw err;
      throw this.#transportError(request, err, started);
    } finally {
      release();
    }
  }

  /** Stops the health prober and, when the client made its own dispatcher, closes it. */
  async close(): Promise<void> {
    this.health.close();
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** One attempt. An error status or a transport failure comes back as a HubError; only an abort throws. */
  async #attempt(request: HubRequest): Promise<HubResponse | HubError> {
    const down = this.#downError(request);
    if (down) return down;
    const release = await this.#slot(request);
    const started = this.#clock.now();
    try {
      const res = await this.#dispatch(request, { bodyTimeout: this.#timeoutMs });
      const text = await res.body.text();
      this.health.reportAnswer();
      this.#record(request, res.statusCode, started);
      if (res.statusCode >= 400) {
        const error = this.#statusError(request, res.statusCode, res.headers, text);
        this.#holdWrites(request, error);
        return error;
      }
      return { status: res.statusCode, text };
    } catch (err) {
      if (request.signal?.aborted) throw err;
      return this.#transportError(request, err, started);
    } finally {
      release();
    }
  }

  /** A budget slot; a write also waits until no Retry-After holds writes back. */
  async #slot(request: HubRequest): Promise<Release> {
    for (;;) {
      const held = isWrite(request) ? this.#writesHeldUntil - this.#clock.now() : 0;
      if (held > 0) await this.#clock.sleep(held, request.signal);
      const release = await this.budget.acquire(
        request.priority ?? 'interactive',
        request.signal,
        request.lane,
      );
      // A 429 may have come in while this write waited for its slot.
      if (!isWrite(request) || this.#clock.now() >= this.#writesHeldUntil) return release;
      release();
    }
  }

  /** Milliseconds left of a Retry-After that holds writes back; 0 when none does. */
  writesHeldMs(): number {
    return Math.max(0, this.#writesHeldUntil - this.#clock.now());
  }

  /**
   * A refused write's Retry-After holds back every write: a rate limit belongs to the hub (or
   * what stands in front of it), and other writes would only be refused too. A Retry-After too
   * long to wait inside a call (the hub's spawn limit says 30-60 s) stays the caller's to schedule.
   */
  #holdWrites(request: HubRequest, error: HubError): void {
    const wait = error.retryAfterMs;
    if (error.code !== 'HUB_RATE_LIMITED' || !isWrite(request) || wait === undefined) return;
    if (wait > this.#retry.maxRetryAfterMs) return;
    this.#writesHeldUntil = Math.max(this.#writesHeldUntil, this.#clock.now() + wait);
  }

  #dispatch(
    request: HubRequest,
    timeouts: { bodyTimeout: number },
  ): Promise<Dispatcher.ResponseData> {
    const hasBody = request.body !== undefined;
    return this.#dispatcher.request({
      origin: this.#origin,
      path: `${this.#root}${request.path}`,
      method: request.method,
      headers: {
        authorization: this.#authorization,
        accept: request.accept ?? 'application/json',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
      },
      body: hasBody ? JSON.stringify(request.body) : null,
      idempotent: this.#idempotent(request),
      headersTimeout: this.#timeoutMs,
      bodyTimeout: timeouts.bodyTimeout,
      signal: request.signal ?? null,
    });
  }

  #idempotent(request: HubRequest): boolean {
    return request.idempotent ?? ['GET', 'PUT', 'DELETE'].includes(request.method);
  }

  #downError(request: HubRequest): HubError | undefined {
    const state = this.health.state;
    if (state.status !== 'down') return undefined;
    return new HubError(
      'HUB_UNAVAILABLE',
      `${request.method} ${request.route}: not sent, the hub is unreachable (${state.reason ?? 'no answer'})`,
    );
  }

  #statusError(
    request: HubRequest,
    status: number,
    headers: Dispatcher.ResponseData['headers'],
    text: string,
  ): HubError {
    const message = hubMessage(text);
    const code = codeForStatus(status, message);
    if (status === 502 || status === 503 || status === 504)
      this.health.reportUnreachable(`HTTP ${status}`);
    const retryAfterMs = parseRetryAfter(headers['retry-after'], this.#clock.now());
    return new HubError(code, `${request.method} ${request.route}: ${status} ${message}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  #transportError(request: HubRequest, err: unknown, started: number): HubError {
    const code = (err as { code?: unknown }).code;
    const reason =
      typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
    this.#record(request, typeof code === 'string' ? code : 'error', started);
    this.health.reportUnreachable(reason);
    return new HubError('HUB_UNAVAILABLE', `${request.method} ${request.route}: ${reason}`, {
      cause: err,
    });
  }

  /** Milliseconds to wait before the next attempt, or undefined to give up with `error`. */
  #retryDelay(request: HubRequest, error: HubError, attempt: number): number | undefined {
    if (attempt >= (request.maxAttempts ?? this.#retry.maxAttempts) || !error.retryable)
      return undefined;
    if (this.health.state.status === 'down') return undefined;
    if ((error.retryAfterMs ?? 0) > this.#retry.maxRetryAfterMs) return undefined;
    const rejectedUnprocessed =
      error.code === 'HUB_RATE_LIMITED' ||
      error.status === 503 ||
      notSentCodes.has(String((error.cause as { code?: unknown } | undefined)?.code));
    if (!rejectedUnprocessed && !this.#idempotent(request)) return undefined;
    return Math.max(backoffDelay(attempt, this.#retry, this.#random), error.retryAfterMs ?? 0);
  }

  #record(request: HubRequest, outcome: number | string, started: number): void {
    this.#onRequest({
      method: request.method,
      route: request.route,
      outcome,
      durationMs: this.#clock.now() - started,
    });
  }

  async #probe(): Promise<void> {
    const started = this.#clock.now();
    const record = (outcome: number | string): void =>
      this.#onRequest({
        method: 'GET',
        route: '/ (probe)',
        outcome,
        durationMs: this.#clock.now() - started,
      });
    try {
      const res = await this.#dispatcher.request({
        origin: this.#origin,
        path: `${this.#root}/`,
        method: 'GET',
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      await res.body.dump();
      record(res.statusCode);
    } catch (err) {
      // A probe that finds the hub dead is still a request to it: metrics count it.
      const code = (err as { code?: unknown }).code;
      record(typeof code === 'string' ? code : 'error');
      throw err;
    }
  }
}

function isWrite(request: HubRequest): boolean {
  return request.method !== 'GET';
}
