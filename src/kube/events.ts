/**
 * Kubernetes Events (events.k8s.io/v1) for what a human wants to see in `kubectl describe`.
 * Repeats of the same event for the same object within a window become one Event with a
 * series count, written at most once per update interval, so a failing object cannot spam; past
 * a burst, routine (Normal) Events of one reason about many objects of a kind are summed up in
 * one Event a minute (event-folding.ts). Warnings are never summed up. Recording never throws:
 * an Event is worth less than the reconcile that reports it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { EventFolding, type FoldingOptions } from './event-folding.ts';
import { contentTypes, type KubeClient } from './kube-client.ts';
import { microTime } from './micro-time.ts';

export interface EventNote {
  readonly type: 'Normal' | 'Warning';
  /** CamelCase, e.g. Created, HubUnavailable. */
  readonly reason: string;
  /** What the operator did or tried, e.g. CreateUser. */
  readonly action: string;
  /** Human-readable, at most 1 kB. */
  readonly note: string;
}

export interface Regarding {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export interface EventOptions {
  readonly controller: string;
  readonly instance: string;
  /** Repeats closer together than this join one series. */
  readonly seriesWindowMs?: number;
  /** A series is written at most this often. */
  readonly seriesUpdateMs?: number;
  /** How Normal Events about many objects are summed up (event-folding.ts). */
  readonly folding?: Partial<FoldingOptions>;
}

interface Offered {
  readonly regarding: Regarding;
  readonly event: EventNote;
}

interface Series {
  readonly name: string;
  readonly namespace: string;
  count: number;
  lastAt: number;
  writtenAt: number;
  flushScheduled: boolean;
}

export class EventRecorder {
  readonly #kube: KubeClient;
  readonly #options: Required<Omit<EventOptions, 'folding'>>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #series = new Map<string, Series>();
  readonly #folding: EventFolding<Offered>;
  /** Keys of folded Events whose summary is scheduled. */
  readonly #summaries = new Set<string>();

  constructor(kube: KubeClient, options: EventOptions, deps: { clock: Clock; logger: Logger }) {
    this.#kube = kube;
    const { folding, ...rest } = options;
    this.#options = { seriesWindowMs: 600_000, seriesUpdateMs: 60_000, ...rest };
    this.#folding = new EventFolding(folding);
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  /**
   * Records an event about `regarding`; resolves when written, summed up for later, or given up;
   * never rejects.
   */
  async record(regarding: Regarding, event: EventNote): Promise<void> {
    const now = this.#clock.now();
    this.#prune(now);
    if (event.type === 'Normal') {
      const foldKey = [regarding.namespace, regarding.kind, event.reason].join('\0');
      const offer = this.#folding.offer(foldKey, { regarding, event }, now);
      if (!offer.admit) {
        if (!this.#summaries.has(foldKey)) {
          this.#summaries.add(foldKey);
          void this.#clock.sleep(Math.max(0, offer.due - now)).then(() => this.#summarize(foldKey));
        }
        return;
      }
    }
    const key = [
      regarding.namespace,
      regarding.name,
      regarding.uid,
      event.type,
      event.reason,
      event.note,
    ].join('\0');
    const series = this.#series.get(key);
    try {
      if (!series) {
        await this.#create(key, regarding, event, now);
        return;
      }
      series.count += 1;
      series.lastAt = now;
      // Re-inserted so the map stays ordered by lastAt, which lets #prune stop at the first young one.
      this.#series.delete(key);
      this.#series.set(key, series);
      const wait = series.writtenAt + this.#options.seriesUpdateMs - now;
      if (wait <= 0) await this.#writeSeries(series);
      else if (!series.flushScheduled) {
        series.flushScheduled = true;
        void this.#clock.sleep(wait).then(() => {
          series.flushScheduled = false;
          return this.#writeSeries(series).catch((err: unknown) => this.#warn(err));
        });
      }
    } catch (err) {
      this.#warn(err);
    }
  }

  /** Writes one Event for the Events folded under `key`, about the last of them. */
  async #summarize(key: string): Promise<void> {
    this.#summaries.delete(key);
    const fold = this.#folding.take(key);
    if (!fold) return;
    const { regarding, event } = fold.last;
    const others = fold.folded - 1;
    const note =
      others === 0
        ? event.note
        : `${event.note}; and ${others} more ${regarding.kind} Events ${event.reason} in ${regarding.namespace}, ` +
          `summed up here (more than ${this.#folding.options.burst} within ${this.#folding.options.windowMs / 1000} s; ` +
          `each object's conditions say the same)`;
    try {
      await this.#post(
        regarding,
        { ...event, note },
        this.#clock.now(),
        eventName(regarding.name, randomBytes(8).toString('hex')),
      );
    } catch (err) {
      this.#warn(err);
    }
  }

  async #create(key: string, regarding: Regarding, event: EventNote, now: number): Promise<void> {
    const name = eventName(regarding.name, randomBytes(8).toString('hex'));
    const series: Series = {
      name,
      namespace: regarding.namespace,
      count: 1,
      lastAt: now,
      writtenAt: now,
      flushScheduled: false,
    };
    this.#series.set(key, series);
    await this.#post(regarding, event, now, name);
  }

  async #post(regarding: Regarding, event: EventNote, now: number, name: string): Promise<void> {
    await this.#kube.request('POST', eventsPath(regarding.namespace), {
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace: regarding.namespace },
        eventTime: microTime(now),
        reportingController: this.#options.controller,
        reportingInstance: this.#options.instance,
        action: event.action,
        reason: event.reason,
        note: event.note.slice(0, 1024),
        type: event.type,
        regarding: { ...regarding },
      },
    });
  }

  async #writeSeries(series: Series): Promise<void> {
    if (series.count < 2) return;
    series.writtenAt = this.#clock.now();
    await this.#kube.request(
      'PATCH',
      `${eventsPath(series.namespace)}/${encodeURIComponent(series.name)}`,
      {
        body: { series: { count: series.count, lastObservedTime: microTime(series.lastAt) } },
        contentType: contentTypes.mergePatch,
      },
    );
  }

  /** Forgets series idle for longer than the window; O(expired) since the map is in lastAt order. */
  #prune(now: number): void {
    this.#folding.prune(now);
    for (const [key, series] of this.#series) {
      if (now - series.lastAt <= this.#options.seriesWindowMs) return;
      this.#series.delete(key);
    }
  }

  #warn(err: unknown): void {
    this.#logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'Could not record an Event',
    );
  }
}

function eventsPath(namespace: string): string {
  return `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`;
}

/** The longest name an Event may have: a DNS subdomain. */
const maxNameLength = 253;

/**
 * `<object>.<suffix>`, with the object's name cut short when both would not fit in a name (a
 * custom resource's name may itself be 253 characters); a cut never leaves "-" or "." at the end.
 */
export function eventName(object: string, suffix: string): string {
  const room = maxNameLength - suffix.length - 1;
  const stem = object.length <= room ? object : object.slice(0, room).replace(/[-.]+$/, '');
  return `${stem}.${suffix}`;
}
