/**
 * The HubUsers the operator watches, looked up by namespace and by username: what a HubGroup's
 * reconcile asks (its selector's candidates, which members a HubUser will create) and what a
 * hub user's appearance wakes, without walking every HubUser of every namespace.
 */
import { usernameOf, type HubUser } from '../../api/hubuser.ts';
import { parseKey } from '../../api/meta.ts';
import type { Informer } from '../../kube/informer.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import type { HubUserLookup } from '../runtime/hub-kind.ts';

export class HubUserIndex implements HubUserLookup {
  readonly #informer: Pick<Informer<HubUser>, 'onChange' | 'get'>;
  readonly #byNamespace: ReverseIndex<HubUser>;
  readonly #byUsername: ReverseIndex<HubUser>;

  constructor(informer: Pick<Informer<HubUser>, 'onChange' | 'get'>) {
    this.#informer = informer;
    this.#byNamespace = new ReverseIndex(informer, (user) => [user.metadata.namespace]);
    this.#byUsername = new ReverseIndex(informer, (user) => [usernameOf(user)]);
  }

  /** The cached HubUsers of `namespace`. */
  inNamespace(namespace: string): HubUser[] {
    return this.#objects(this.#byNamespace.keysFor(namespace));
  }

  /** The cached HubUsers, of any namespace, that declare `username`. */
  withUsername(username: string): HubUser[] {
    return this.#objects(this.#byUsername.keysFor(username));
  }

  /** Whether a HubUser of `namespace` declares `username` (and so will create it). */
  manages(namespace: string, username: string): boolean {
    for (const key of this.#byUsername.keysFor(username)) {
      if (parseKey(key).namespace === namespace) return true;
    }
    return false;
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
