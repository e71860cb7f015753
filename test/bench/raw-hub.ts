/**
 * The bench baselines' way to the hub: plain HTTP calls with the service token, at most `width`
 * in flight, each one counted. Deliberately not the operator's client: the floor and the naive
 * controller must not inherit its batching, budget or retries.
 */
import { Agent, request } from 'undici';

export interface RawAnswer {
  readonly status: number;
  readonly body: unknown;
}

export class RawHub {
  readonly calls = { reads: 0, writes: 0 };
  readonly #root: URL;
  readonly #token: string;
  readonly #agent: Agent;
  readonly #width: number;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(apiUrl: string, token: string, width: number) {
    this.#root = new URL(apiUrl.replace(/\/+$/, ''));
    this.#token = token;
    this.#width = width;
    this.#agent = new Agent({ connections: width, keepAliveTimeout: 30_000 });
  }

  get total(): number {
    return this.calls.reads + this.calls.writes;
  }

  /** One call; `path` is below the API root and already encoded. Any status comes back. */
  async call(method: string, path: string, body?: unknown, accept?: string): Promise<RawAnswer> {
    await this.#slot();
    try {
      if (method === 'GET') this.calls.reads++;
      else this.calls.writes++;
      const res = await request(`${this.#root.href}/${path}`, {
        method: method as 'GET',
        dispatcher: this.#agent,
        headers: {
          authorization: `token ${this.#token}`,
          accept: accept ?? 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text === '' ? null : (JSON.parse(text) as unknown) };
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  /** A call that must answer 2xx; anything else throws with the hub's answer. */
  async ok(method: string, path: string, body?: unknown, accept?: string): Promise<unknown> {
    const answer = await this.call(method, path, body, accept);
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Every item of a paginated listing, at the hub's maximum page size. */
  async listAll(path: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let offset = 0; ;) {
      const page = (await this.ok(
        'GET',
        `${path}?limit=200&offset=${offset}`,
        undefined,
        'application/jupyterhub-pagination+json',
      )) as {
        items: Record<string, unknown>[];
        _pagination?: { next?: { offset: number } | null };
      };
      items.push(...page.items);
      const next = page._pagination?.next;
      if (!next) return items;
      offset = next.offset;
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async #slot(): Promise<void> {
    while (this.#inFlight >= this.#width)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inFlight++;
  }
}
