/**
 * Walks a paginated hub list. Every list asks for the pagination envelope (without it the hub
 * silently stops at 200 items) and follows `next` by its offset and limit, not its URL, which
 * the hub builds from the Host it saw and which is wrong behind a proxy.
 */
import { z } from 'zod';
import type { HubClient } from './client.ts';
import type { Priority } from './budget.ts';
import { HubError } from './errors.ts';
import { pageSchema } from './models.ts';

/** The Accept value the hub matches exactly: no `q` parameters, no other types beside it. */
export const paginationAccept = 'application/jupyterhub-pagination+json';

/** The hub's `api_page_max_limit` default; larger limits are clamped to it anyway. */
export const maxPageSize = 200;

export interface ListRequest {
  readonly route: string;
  /** Path below the API root, without a query string. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly priority?: Priority;
  readonly signal?: AbortSignal;
  readonly pageSize?: number;
}

/** Yields one page of validated items at a time, in the hub's order. */
export async function* paginate<T extends z.ZodType>(
  client: HubClient,
  list: ListRequest,
  item: T,
): AsyncGenerator<z.output<T>[]> {
  const schema = z.union([pageSchema(item), z.array(item)]);
  let offset = 0;
  const limit = list.pageSize ?? maxPageSize;
  for (;;) {
    const query = new URLSearchParams({
      ...list.query,
      offset: String(offset),
      limit: String(limit),
    });
    const { data } = await client.json(
      {
        method: 'GET',
        route: list.route,
        path: `${list.path}?${query.toString()}`,
        accept: paginationAccept,
        ...(list.priority ? { priority: list.priority } : {}),
        ...(list.signal ? { signal: list.signal } : {}),
      },
      schema,
    );
    if (Array.isArray(data)) {
      // A hub older than 2.0 answers a bare list; offset and limit still apply.
      yield data;
      if (data.length < limit) return;
      offset += data.length;
      continue;
    }
    yield data.items;
    const next = data._pagination.next;
    if (next === null) return;
    if (next.offset <= offset) {
      throw new HubError(
        'HUB_BAD_RESPONSE',
        `GET ${list.route}: pagination did not advance past ${offset}`,
      );
    }
    offset = next.offset;
  }
}

/**
 * Every item of a list, keyed by `keyOf`. Offset pages shift when the hub changes during the
 * walk: an item may be seen twice (the later copy wins) or missed (the next sweep sees it).
 */
export async function listAll<T extends z.ZodType>(
  client: HubClient,
  list: ListRequest,
  item: T,
  keyOf: (value: z.output<T>) => string,
): Promise<Map<string, z.output<T>>> {
  const all = new Map<string, z.output<T>>();
  for await (const page of paginate(client, list, item)) {
    for (const value of page) all.set(keyOf(value), value);
  }
  return all;
}
