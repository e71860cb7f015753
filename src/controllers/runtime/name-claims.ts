/**
 * Which resource holds each hub name (the oldest of those its hub admits; plan/claims.ts), kept
 * up to date from informer changes so that a reconcile asks in O(1) instead of scanning every
 * object. When a holder goes away, the next claimant's key is handed to `onReleased`.
 */
import { keyOf, parseKey } from '../../api/meta.ts';
import type { ChangeKind } from '../../kube/informer.ts';
import { winningClaim, type Claim } from '../../plan/claims.ts';
import type { Refusal } from '../../plan/tenancy.ts';
import { readyOf } from './conditions.ts';
import type { HubDirectory, UsesHub } from './hub-directory.ts';
import type { WakeTarget } from './hub-kind.ts';
import type { HubUnit } from './hub-unit.ts';
import type { KindObject } from './reconciler.ts';

/**
 * The claims on the names of a kind's own objects; a released name wakes its next claimant.
 * Only objects that `admitted` says may use their hub hold a name: a namespace the hub refuses
 * cannot block a name by declaring it first.
 */
export function claimsOf<T extends KindObject>(
  own: WakeTarget<T>,
  nameOf: (object: T) => string,
  admitted: (object: T) => boolean = () => true,
): NameClaims<T> {
  const holds = (key: string): boolean => {
    const { namespace, name } = parseKey(key);
    const object = own.informer.get(namespace, name);
    return object !== undefined && admitted(object);
  };
  const claims = new NameClaims<T>(nameOf, (key) => own.queue.add(key), holds);
  own.informer.onChange((change, object, _previous, key) => claims.observe(change, object, key));
  return claims;
}

/**
 * Whether `object` may hold its hub name: its hub exists and admits its namespace, its kind
 * refuses nothing of it there (`refusal`), and its last round did not find it taking over what
 * its namespace may not. A resource its hub refuses must not block the name for one it allows.
 */
export function mayHoldName(
  hubs: Pick<HubDirectory, 'resolve'>,
  object: UsesHub & Pick<KindObject, 'status'>,
  refusal: (unit: HubUnit) => Refusal | undefined = () => undefined,
): boolean {
  const resolved = hubs.resolve(object);
  if (!('unit' in resolved) || refusal(resolved.unit)) return false;
  const ready = readyOf(object);
  return ready?.reason !== 'AdoptionNotAllowed';
}

/**
 * A name nearly always has one claimant: it is held as the lone Claim, and as an array only
 * while names conflict. A Map per name cost about 270 bytes per object; a Claim costs 40.
 */
type Claims = Claim | readonly Claim[];

function listOf(claims: Claims | undefined): readonly Claim[] {
  if (claims === undefined) return [];
  return 'key' in claims ? [claims] : claims;
}

export class NameClaims<T extends KindObject> {
  readonly #nameOf: (object: T) => string;
  readonly #claims = new Map<string, Claims>();
  readonly #names = new Map<string, string>();
  readonly #onReleased: (key: string) => void;
  readonly #holds: (key: string) => boolean;

  /** `holds` says, at the moment of asking, whether a claimant may hold a name at all. */
  constructor(
    nameOf: (object: T) => string,
    onReleased: (key: string) => void,
    holds: (key: string) => boolean = () => true,
  ) {
    this.#nameOf = nameOf;
    this.#onReleased = onReleased;
    this.#holds = holds;
  }

  /**
   * Feed it every informer change, with the informer's key when there is one: a lone claim that
   * stands (the same name, the same creation time) is kept, and with it the key string it holds.
   */
  observe(
    change: ChangeKind,
    object: T,
    key: string = keyOf(object.metadata.namespace, object.metadata.name),
  ): void {
    const previous = this.#names.get(key);
    const name = change === 'deleted' ? undefined : this.#nameOf(object);
    const created = object.metadata.creationTimestamp ?? '';
    // A lone claimant that stands changes nothing. With rivals the change is replayed, as its
    // status may have just taken its right to hold the name (mayHoldName) and the next must wake.
    const held = name === undefined ? undefined : this.#claims.get(name);
    if (previous === name && held && 'key' in held && held.key === key && held.created === created)
      return;
    if (previous !== undefined) this.#drop(previous, key);
    if (name === undefined) {
      this.#names.delete(key);
      return;
    }
    this.#names.set(key, name);
    const claim: Claim = { key, created };
    const others = listOf(this.#claims.get(name)).filter((other) => other.key !== key);
    this.#claims.set(name, others.length === 0 ? claim : [...others, claim]);
  }

  /** The key of another resource holding `name` ahead of `key`, or undefined when `key` may act. */
  heldElsewhere(name: string, key: string): string | undefined {
    const holder = this.winner(name);
    return holder !== undefined && holder !== key ? holder : undefined;
  }

  /** The key holding `name`, or undefined. */
  winner(name: string): string | undefined {
    const claims = this.#claims.get(name);
    return claims ? this.#winning(listOf(claims)) : undefined;
  }

  #winning(claims: readonly Claim[]): string | undefined {
    return winningClaim(claims.filter((claim) => this.#holds(claim.key)));
  }

  #drop(name: string, key: string): void {
    const claims = listOf(this.#claims.get(name));
    if (claims.length === 0) return;
    // The leaving claimant counts as it stood, though its cache entry may be gone already.
    const before = winningClaim(
      claims.filter((claim) => claim.key === key || this.#holds(claim.key)),
    );
    const rest = claims.filter((claim) => claim.key !== key);
    if (rest.length === 0) this.#claims.delete(name);
    else this.#claims.set(name, rest.length === 1 ? (rest[0] as Claim) : rest);
    const after = this.#winning(rest);
    if (before === key && after !== undefined) this.#onReleased(after);
  }
}
