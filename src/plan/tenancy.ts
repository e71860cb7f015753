/**
 * Who may use a hub, decided before any hub call: which namespaces may declare resources for it,
 * which of those may grant `admin`, and which may take over (adopt) hub objects hubops did not
 * create, and so change or delete them. Pure: a policy, a namespace and a request in; a refusal
 * or nothing out.
 */

/** A set of namespaces: every one, or these names. */
export type Namespaces = { readonly every: true } | { readonly names: ReadonlySet<string> };

export interface TenancyPolicy {
  /** How refusals name the hub: `hub jhub/main`, `the hub of the operator's settings`. */
  readonly hubName: string;
  /** Namespaces whose resources may use the hub at all. */
  readonly allowed: Namespaces;
  /** Of those, the namespaces whose HubUsers may set `admin: true`. */
  readonly admin: Namespaces;
  /** Of those, the namespaces whose resources may adopt what hubops did not create. */
  readonly adoption: Namespaces;
  /**
   * The namespace of the hub's platform team: a Hub's own, or the operator's for the hub of its
   * settings. Only there may a HubToken be issued for a user no HubUser of its namespace created.
   */
  readonly home?: string | undefined;
}

export type RefusalReason =
  'NamespaceNotAllowed' | 'AdminNotAllowed' | 'AdoptionNotAllowed' | 'UserNotOwned';

export interface Refusal {
  readonly reason: RefusalReason;
  readonly message: string;
}

/**
 * A list as a Hub spec or a setting spells it: names, `*` for every namespace. `unset` is what
 * an absent list means: only the Hub's own namespace for a Hub, every namespace for a setting
 * left empty on a local run.
 */
export function namespacesOf(list: readonly string[] | undefined, unset: Namespaces): Namespaces {
  if (list === undefined) return unset;
  if (list.includes('*')) return { every: true };
  return { names: new Set(list) };
}

export function includes(namespaces: Namespaces, namespace: string): boolean {
  return 'every' in namespaces || namespaces.names.has(namespace);
}

/** Whether resources of `namespace` may use the hub at all. */
export function admission(policy: TenancyPolicy, namespace: string): Refusal | undefined {
  if (includes(policy.allowed, namespace)) return undefined;
  return {
    reason: 'NamespaceNotAllowed',
    message: `namespace ${namespace} may not declare resources for ${policy.hubName}`,
  };
}

/** Whether a HubUser of `namespace` may declare `admin`; `admin: false` needs no grant. */
export function adminGrant(
  policy: TenancyPolicy,
  namespace: string,
  admin: boolean,
): Refusal | undefined {
  if (!admin || includes(policy.admin, namespace)) return undefined;
  return {
    reason: 'AdminNotAllowed',
    message: `namespace ${namespace} may not grant admin in ${policy.hubName}; the hub user's admin flag is left as it is`,
  };
}

/**
 * Whether a resource of `namespace` may act on `what`, a hub object that exists and that hubops
 * did not create (ownership Created is not on record): adopting it means changing it, and, under
 * `deletionPolicy: Delete`, deleting it with the resource.
 */
export function adoption(
  policy: TenancyPolicy,
  namespace: string,
  what: string,
): Refusal | undefined {
  if (includes(policy.adoption, namespace)) return undefined;
  return {
    reason: 'AdoptionNotAllowed',
    message: `${what} exists and hubops did not create it; namespace ${namespace} may not take it over in ${policy.hubName}`,
  };
}

/** The namespace lists a Hub declares, with where it lives. */
export interface HubTenancy {
  readonly metadata: { readonly namespace: string; readonly name: string };
  readonly spec: {
    readonly allowedNamespaces?: readonly string[] | undefined;
    readonly adminNamespaces?: readonly string[] | undefined;
    readonly adoptionNamespaces?: readonly string[] | undefined;
  };
}

/** A Hub's policy: a list left unset means only the Hub's own namespace. */
export function policyOfHub(hub: HubTenancy): TenancyPolicy {
  const own = { names: new Set([hub.metadata.namespace]) };
  return {
    hubName: `hub ${hub.metadata.namespace}/${hub.metadata.name}`,
    allowed: namespacesOf(hub.spec.allowedNamespaces, own),
    admin: namespacesOf(hub.spec.adminNamespaces, own),
    adoption: namespacesOf(hub.spec.adoptionNamespaces, own),
    home: hub.metadata.namespace,
  };
}

/** The policy of the hub of the operator's settings: a list left unset admits every namespace. */
export function settingsPolicy(
  lists: {
    readonly allowedNamespaces: readonly string[] | undefined;
    readonly adminNamespaces: readonly string[] | undefined;
    readonly adoptionNamespaces: readonly string[] | undefined;
  },
  home?: string,
): TenancyPolicy {
  const every = { every: true } as const;
  return {
    hubName: "the hub of the operator's settings",
    allowed: namespacesOf(lists.allowedNamespaces, every),
    admin: namespacesOf(lists.adminNamespaces, every),
    adoption: namespacesOf(lists.adoptionNamespaces, every),
    home,
  };
}

/**
 * Whether a HubToken of `namespace` may hold a token of `username`: a token acts as the user, so
 * only the namespace whose HubUser created that user (`owns`) may have one, or the hub's home.
 */
export function tokenGrant(
  policy: TenancyPolicy,
  namespace: string,
  username: string,
  owns: (username: string) => boolean,
): Refusal | undefined {
  if (namespace === policy.home || owns(username)) return undefined;
  return {
    reason: 'UserNotOwned',
    message: `hub user ${username} was not created by a HubUser of namespace ${namespace}; only that namespace${policy.home ? ` or ${policy.home}` : ''} may have tokens of it in ${policy.hubName}`,
  };
}
