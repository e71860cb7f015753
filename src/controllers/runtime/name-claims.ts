/**
 * Which resource holds each hub name (the oldest of those that declare it; plan/claims.ts), kept
 * up to date from informer changes so that a reconcile asks in O(1) instead of scanning every
 * object. When a holder goes away, the next claimant's key is handed to `onReleased`.
 */
import { keyOf } from '../../api/meta.ts';
import type { ChangeKind } from '../../kube/informer.ts';
import { winningClaim, type Claim } from '../../plan/claims.ts';
import type { Own } from './hub-kind.ts';
import type { KindObject } from './reconciler.ts';

/** The claims on the names of a kind's own objects; a released name wakes its next claimant. */
export function claimsOf<T extends KindObject>(
  own: Own<T>,
  nameOf: (object: T) => string,
): NameClaims<T> {
  const claims = new NameClaims<T>(nameOf, (key) => own.queue.add(key));
  own.informer.onChange((change, object) => claims.observe(change, object));
  return claims;
}

export class NameClaims<T extends KindObject> {
  readonly #nameOf: (object: T) => string;
  readonly #claims = new Map<string, Map<string, Claim>>();
  readonly #names = new Map<string, string>();
  readonly #onReleased: (key: string) => void;

  constructor(nameOf: (object: T) => string, onReleased: (key: string) => void) {
    this.#nameOf = nameOf;
    this.#onReleased = onReleased;
  }

  /** Feed it every informer change. */
  observe(change: ChangeKind, object: T): void {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const previous = this.#names.get(key);
    if (previous !== undefined) this.#drop(previous, key);
    if (change === 'deleted') {
      this.#names.delete(key);
      return;
    }
    const name = this.#nameOf(object);
    this.#names.set(key, name);
    const claims = this.#claims.get(name) ?? new Map<string, Claim>();
    claims.set(key, { key, created: object.metadata.creationTimestamp ?? '' });
    this.#claims.set(name, claims);
  }

  /** The key of another resource holding `name` ahead of `key`, or undefined when `key` may act. */
  heldElsewhere(name: string, key: string): string | undefined {
    const holder = this.winner(name);
    return holder !== undefined && holder !== key ? holder : undefined;
  }

  /** The key holding `name`, or undefined. */
  winner(name: string): string | undefined {
    const claims = this.#claims.get(name);
    return claims ? winningClaim(claims.values()) : undefined;
  }

  #drop(name: string, key: string): void {
    const claims = this.#claims.get(name);
    if (!claims) return;
    const before = winningClaim(claims.values());
    claims.delete(key);
    if (claims.size === 0) this.#claims.delete(name);
    const after = winningClaim(claims.values());
    if (before === key && after !== undefined) this.#onReleased(after);
  }
}
