/**
 * Walks a paginated hub list. Every list asks for the pagination envelope (without it the hub
 * silently stops at 200 items) and follows `next` by its offset and limit, not its URL, which
 * the hub builds from the Host it saw and which is wrong behind a proxy.
 */
import { z } from 'zod';
import type { HubClient } from './client.ts';
import type { Priority } from '../priority.ts';
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

/** One page: its items, the offset of the next page (null after the last) and the total if told. */
export interface Page<T> {
  readonly items: T[];
  readonly next: number | null;
  readonly total?: number;
}

/** The page of a list that starts at `offset`. */
export async function readPage<T extends z.ZodType>(
  client: HubClient,
  list: ListRequest,
  item: T,
  offset: number,
): Promise<Page<z.output<T>>> {
  const limit = list.pageSize ?? maxPageSize;
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
    z.union([pageSchema(item), z.array(item)]),
  );
  // A hub older than 2.0 answers a bare list; offset and limit still apply.
  if (Array.isArray(data))
    return { items: data, next: data.length < limit ? null : offset + data.length };
  const next = data._pagination.next;
  if (next !== null && next.offset <= offset) {
    throw new HubError(
      'HUB_BAD_RESPONSE',
      `GET ${list.route}: pagination did not advance past ${offset}`,
    );
  }
  return { items: data.items, next: next?.offset ?? null, total: data._pagination.total };
}

/** Yields one page of validated items at a time, in the hub's order, from `offset` on. */
export async function* paginate<T extends z.ZodType>(
  client: HubClient,
  list: ListRequest,
  item: T,
  offset = 0,
): AsyncGenerator<z.output<T>[]> {
  for (let at: number | null = offset; at !== null;) {
    const page: Page<z.output<T>> = await readPage(client, list, item, at);
    yield page.items;
    at = page.next;
  }
}

/**
 * Every item of a list, keyed by `keyOf`. The first page tells the total, and the pages after
 * it are asked for at once: the request budget still keeps its few in flight, but the hub never
 * waits on a round trip between pages. Offset pages shift when the hub changes during the
 * walk: an item may be seen twice (the later copy wins) or missed (the next sweep sees it).
 * `arrived` sees each page's items as the page comes, in whatever order the pages answer.
 */
export async function listAll<T extends z.ZodType>(
  client: HubClient,
  list: ListRequest,
  item: T,
  keyOf: (value: z.output<T>) => string,
  arrived: (items: readonly z.output<T>[]) => void = () => {},
): Promise<Map<string, z.output<T>>> {
  const all = new Map<string, z.output<T>>();
  const keep = (items: readonly z.output<T>[]): void => {
    for (const value of items) all.set(keyOf(value), value);
  };
  const read = async (offset: number): Promise<Page<z.output<T>>> => {
    const page = await readPage(client, list, item, offset);
    arrived(page.items);
    return page;
  };
  const first = await read(0);
  keep(first.items);
  let next = first.next;
  if (next !== null && first.total !== undefined) {
    const step = list.pageSize ?? maxPageSize;
    const offsets: number[] = [];
    for (let at = next; at < first.total; at += step) offsets.push(at);
    const pages = await Promise.all(offsets.map(read));
    for (const page of pages) keep(page.items);
    // The hub grew during the walk: the last page says there is more.
    next = pages.length > 0 ? (pages[pages.length - 1]?.next ?? null) : next;
  }
  if (next !== null)
    for await (const page of paginate(client, list, item, next)) {
      arrived(page);
      keep(page);
    }
  return all;
}
