/**
 * A reverse index from terms (a namespace, a username) to the keys of the cached objects that
 * mention them, kept up to date from informer changes: a change to one object finds the
 * objects that depend on it in O(1) instead of walking the whole cache of 10,000 objects.
 */
import type { Informer, WatchedObject } from './informer.ts';

/**
 * Nearly every term names one object and nearly every object one term: a lone key or term is
 * held as the string itself, and a Set or array only from the second on. A Set per username
 * and an array per object cost about 300 bytes per object, a fifth of the operator's heap.
 */
type Keys = string | Set<string>;
type Terms = string | readonly string[];

const none: readonly string[] = [];

function sameTerms(held: Terms | undefined, terms: readonly string[]): boolean {
  if (held === undefined) return terms.length === 0;
  if (typeof held === 'string') return terms.length === 1 && terms[0] === held;
  return held.length === terms.length && held.every((term, i) => term === terms[i]);
}

export class ReverseIndex<T extends WatchedObject> {
  readonly #termsOf: (object: T) => readonly string[];
  readonly #keysByTerm = new Map<string, Keys>();
  readonly #termsByKey = new Map<string, Terms>();

  /** Indexes `informer`'s objects under the terms `termsOf` gives each (none: not indexed). */
  constructor(informer: Pick<Informer<T>, 'onChange'>, termsOf: (object: T) => readonly string[]) {
    this.#termsOf = termsOf;
    informer.onChange((change, object, _previous, key) => {
      this.#set(key, change === 'deleted' ? none : this.#termsOf(object));
    });
  }

  /** The keys of the objects that mention `term`; do not keep it across changes. */
  keysFor(term: string): Iterable<string> {
    const keys = this.#keysByTerm.get(term);
    if (keys === undefined) return none;
    return typeof keys === 'string' ? [keys] : keys;
  }

  /** An object whose terms stand keeps its entries, and with them the key string they share. */
  #set(key: string, terms: readonly string[]): void {
    const previous = this.#termsByKey.get(key);
    if (sameTerms(previous, terms)) return;
    for (const term of typeof previous === 'string' ? [previous] : (previous ?? none))
      this.#remove(term, key);
    if (terms.length === 0) {
      this.#termsByKey.delete(key);
      return;
    }
    this.#termsByKey.set(key, terms.length === 1 ? (terms[0] as string) : terms);
    for (const term of terms) this.#add(term, key);
  }

  #add(term: string, key: string): void {
    const keys = this.#keysByTerm.get(term);
    if (keys === undefined || keys === key) this.#keysByTerm.set(term, key);
    else if (typeof keys === 'string') this.#keysByTerm.set(term, new Set([keys, key]));
    else keys.add(key);
  }

  #remove(term: string, key: string): void {
    const keys = this.#keysByTerm.get(term);
    if (keys === key) this.#keysByTerm.delete(term);
    else if (typeof keys !== 'string' && keys?.delete(key)) {
      if (keys.size === 1) this.#keysByTerm.set(term, keys.values().next().value as string);
    }
  }
}
