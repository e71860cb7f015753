/**
 * The HubUsers the operator watches, looked up by namespace and by username: what a HubGroup's
 * reconcile asks (its selector's candidates, which members a HubUser will create) and what a
 * hub user's appearance wakes, without walking every HubUser of every namespace.
 */
import { trustedOwnership } from '../../api/annotations.ts';
import { observesOnly } from '../../api/fields.ts';
import { usernameOf, type HubUser } from '../../api/hubuser.ts';
import { parseKey } from '../../api/meta.ts';
import type { Informer } from '../../kube/informer.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import { standingReady } from '../runtime/conditions.ts';
import { nameInHub, type HubUserLookup } from '../runtime/hub-kind.ts';

export class HubUserIndex implements HubUserLookup {
  readonly #informer: Pick<Informer<HubUser>, 'onChange' | 'get'>;
  readonly #byNamespace: ReverseIndex<HubUser>;
  readonly #byUsername: ReverseIndex<HubUser>;

  /** `hubKeyOf` names the hub each HubUser uses (HubDirectory.keyOf). */
  constructor(
    informer: Pick<Informer<HubUser>, 'onChange' | 'get'>,
    hubKeyOf: (user: HubUser) => string,
  ) {
    this.#informer = informer;
    this.#byNamespace = new ReverseIndex(informer, (user) => [user.metadata.namespace]);
    this.#byUsername = new ReverseIndex(informer, (user) => [
      nameInHub(hubKeyOf(user), usernameOf(user)),
    ]);
  }

  inNamespace(namespace: string): HubUser[] {
    return this.#objects(this.#byNamespace.keysFor(namespace));
  }

  withUsername(hubKey: string, username: string): HubUser[] {
    return this.#objects(this.#byUsername.keysFor(nameInHub(hubKey, username)));
  }

  manages(hubKey: string, namespace: string, username: string): boolean {
    for (const key of this.#byUsername.keysFor(nameInHub(hubKey, username))) {
      const { namespace: declaredIn, name } = parseKey(key);
      if (declaredIn !== namespace) continue;
      // An observed HubUser never creates its user: a group must not wait for it to.
      const user = this.#informer.get(declaredIn, name);
      if (user && !observesOnly(user.spec)) return true;
    }
    return false;
  }

  deletedInHub(hubKey: string, username: string): boolean {
    return this.withUsername(hubKey, username).some(
      (user) => standingReady(user, 'DeletedInHub') !== undefined,
    );
  }

  owns(hubKey: string, namespace: string, username: string): boolean {
    return this.withUsername(hubKey, username).some(
      (user) => user.metadata.namespace === namespace && trustedOwnership(user) === 'Created',
    );
  }

  ownershipPending(hubKey: string, namespace: string, username: string): boolean {
    return this.withUsername(hubKey, username).some(
      (user) =>
        user.metadata.namespace === namespace &&
        !user.metadata.deletionTimestamp &&
        trustedOwnership(user) === undefined &&
        user.status?.observedGeneration !== user.metadata.generation,
    );
  }

  #objects(keys: Iterable<string>): HubUser[] {
    const objects: HubUser[] = [];
    for (const key of keys) {
      const { namespace, name } = parseKey(key);
      const object = this.#informer.get(namespace, name);
      if (object) objects.push(object);
    }
    return objects;
  }
}
