/**
 * The hubs this operator serves, by key, and which one a resource uses: the hub of the
 * operator's settings (key '') unless `spec.hubRef` names a Hub. A resource whose hub is
 * missing, or whose namespace that hub does not admit, is refused before any hub call.
 */
import type { HubRef } from '../../api/fields.ts';
import { OperatorError } from '../../errors.ts';
import { hubKeyOf } from '../../api/hub-ref.ts';
import { admission, type Refusal } from '../../plan/tenancy.ts';
import type { HubUnit } from './hub-unit.ts';

/** What a resource says about its hub. */
export interface UsesHub {
  readonly metadata: { readonly namespace: string };
  readonly spec: { readonly hubRef?: HubRef | undefined };
}

export type Resolution =
  | { readonly unit: HubUnit }
  /** The Hub exists but has not been reconciled yet (just started, or just created): wait. */
  | { readonly pending: true }
  | { readonly refusal: Refusal | { readonly reason: 'HubNotFound'; readonly message: string } };

/** A deleted resource's Hub is being set up: its cleanup is tried again shortly. */
export class HubNotReady extends OperatorError {
  override readonly name = 'HubNotReady';
  readonly code = 'HUB_NOT_READY';
  readonly retryable = true;
}

type AppearedListener = (hubKey: string, username: string) => void;

export class HubDirectory {
  readonly #units = new Map<string, HubUnit>();
  readonly #defaultKey: string;
  readonly #appeared: AppearedListener[] = [];
  /** Hubs seen in the cache whose first reconcile has not ended yet. */
  readonly #expected = new Set<string>();

  /**
   * `defaultKey`: the hub of resources without `spec.hubRef`: '' for the hub of the operator's
   * settings, or the key of the Hub object the settings name (DEFAULT_HUB).
   */
  constructor(defaultKey = '') {
    this.#defaultKey = defaultKey;
  }

  /** The key of the hub `object` uses: what its hubRef names, else the default hub's. */
  keyOf(object: UsesHub): string {
    return hubKeyOf(object) || this.#defaultKey;
  }

  /** A Hub object exists under `key`; until `settle(key)`, its resources wait instead of failing. */
  expect(key: string): void {
    if (!this.#units.has(key)) this.#expected.add(key);
  }

  /**
   * The Hub `key` was reconciled (served or not) or deleted: its resources may be judged.
   * True when they were waiting for it.
   */
  settle(key: string): boolean {
    return this.#expected.delete(key);
  }

  /** Serves `unit` under its key, in place of any unit there before (which the caller stops). */
  add(unit: HubUnit): void {
    this.#units.set(unit.key, unit);
    unit.snapshot.onUserAppeared((username) => {
      // A replaced unit's snapshot may still record a write in flight: it speaks for no hub.
      if (this.#units.get(unit.key) !== unit) return;
      for (const listener of this.#appeared) listener(unit.key, username);
    });
  }

  /** Stops serving the hub `key`; resolves with the unit that served it, for the caller to stop. */
  remove(key: string): HubUnit | undefined {
    const unit = this.#units.get(key);
    this.#units.delete(key);
    return unit;
  }

  get(key: string): HubUnit | undefined {
    return this.#units.get(key);
  }

  units(): HubUnit[] {
    return [...this.#units.values()];
  }

  /** Told of each hub user that appears in any hub's snapshot, with the hub's key. */
  onUserAppeared(listener: AppearedListener): void {
    this.#appeared.push(listener);
  }

  /** The hub `object` uses, if it exists and admits the object's namespace. */
  resolve(object: UsesHub): Resolution {
    const key = this.keyOf(object);
    const unit = this.#units.get(key);
    if (!unit && this.#expected.has(key)) return { pending: true };
    if (!unit)
      return {
        refusal: {
          reason: 'HubNotFound',
          message: `the Hub ${key} that spec.hubRef names does not exist, or is not served (see its status)`,
        },
      };
    const refusal = admission(unit.policy, object.metadata.namespace);
    return refusal ? { refusal } : { unit };
  }

  /** Whether `object`'s namespace may use its hub now: a refused resource claims no hub name. */
  admits(object: UsesHub): boolean {
    return 'unit' in this.resolve(object);
  }
}
