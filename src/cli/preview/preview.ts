/**
 * `hubops plan`'s judgement: the hub calls the operator would make for a set of manifests, decided
 * as the controllers decide them (tenancy, name claims, trusted ownership, pause, the selector)
 * with the same plan functions, over one read of the hub and, when given, the live resources.
 * Pure: manifests, live objects and the hub's state in; calls and findings out.
 */
import { isPaused, recordedOwnership, trustedOwnership } from '../../api/annotations.ts';
import { observesOnly } from '../../api/fields.ts';
import { groupNameOf, type HubGroup } from '../../api/hubgroup.ts';
import type { HubServer } from '../../api/hubserver.ts';
import { usernameOf, type HubUser } from '../../api/hubuser.ts';
import { keyOf } from '../../api/meta.ts';
import { desiredGroup, planGroup, planGroupDeletion } from '../../plan/hubgroup.ts';
import { planServer, planServerDeletion } from '../../plan/hubserver.ts';
import { planUser, planUserDeletion, staysDeleted } from '../../plan/hubuser.ts';
import { adminGrant, admission, includes, type Refusal } from '../../plan/tenancy.ts';
import {
  idOf,
  type Call,
  type Declared,
  type Declaring,
  type Finding,
  type PlannedCall,
  type Preview,
  type PreviewInput,
} from './model.ts';
import { plannedResources } from './resources.ts';
import { mayDelete, refusalOf } from './checks.ts';

/**
 * Users first (they create the members and owners the rest need), then groups, then servers,
 * then what pruning deletes: the order in which the operator's calls settle.
 */
export function preview(input: PreviewInput): Preview {
  const state = new PreviewState(input);
  for (const user of state.declared.users) state.user(user);
  for (const group of state.declared.groups) state.group(group);
  for (const server of state.declared.servers) state.server(server);
  for (const user of state.pruned.users) state.userDeletion(user);
  for (const group of state.pruned.groups) state.groupDeletion(group);
  for (const server of state.pruned.servers) state.serverDeletion(server);
  const { users, groups, servers } = input.manifests;
  const all = users.length + groups.length + servers.length;
  const resources =
    state.declared.users.length + state.declared.groups.length + state.declared.servers.length;
  return { calls: state.calls, findings: state.findings, resources, otherHubs: all - resources };
}

const destructiveOps = new Set(['deleteUser', 'deleteGroup', 'removeMembers', 'stopServer']);

class PreviewState {
  readonly calls: PlannedCall[] = [];
  readonly findings: Finding[] = [];
  readonly declared: Declared;
  readonly pruned: Declared;
  readonly #input: PreviewInput;
  /** Hub users that exist now or that a call of this plan creates. */
  readonly #willExist: Set<string>;
  /** Hub users deleted outside hubops that their HubUsers leave deleted (Respect). */
  readonly #leftDeleted = new Set<string>();
  /** `namespace/username` of the hub users a HubUser of that namespace created or creates. */
  readonly #owned = new Set<string>();
  // Of every resource of the hub as it will be (live ones, with the manifests' in their place):
  // by the hub name they declare, for the name claims, and HubUsers by namespace.
  readonly #userClaims: Map<string, HubUser[]>;
  readonly #groupClaims: Map<string, HubGroup[]>;
  readonly #usersByNamespace: Map<string, HubUser[]>;

  constructor(input: PreviewInput) {
    this.#input = input;
    const { declared, pruned, effective } = plannedResources(input);
    this.declared = declared;
    this.pruned = pruned;
    this.#willExist = new Set(input.hub.users.keys());
    this.#userClaims = Map.groupBy(effective.users, usernameOf);
    this.#groupClaims = Map.groupBy(effective.groups, groupNameOf);
    this.#usersByNamespace = Map.groupBy(effective.users, (user) => user.metadata.namespace);
    for (const user of effective.users) {
      if (trustedOwnership(user) === 'Created')
        this.#owned.add(keyOf(user.metadata.namespace, usernameOf(user)));
    }
  }

  user(object: HubUser): void {
    const name = usernameOf(object);
    const observed = this.#input.hub.users.get(name);
    const resource = {
      object,
      name,
      claimants: this.#userClaims.get(name) ?? [],
      noun: 'hub user',
      // An observed HubUser grants nothing: its admin flag is not asked for.
      ...(observesOnly(object.spec) ? {} : { kindRefusal: this.#adminRefusal }),
    };
    const refusal = refusalOf(this.#input.policy, resource, observed !== undefined);
    if (refusal) return void this.findings.push(refusal);
    if (observesOnly(object.spec)) return;
    if (!observed && staysDeleted(object)) {
      this.#leftDeleted.add(name);
      return void this.findings.push({
        resource: idOf(object),
        reason: 'DeletedInHub',
        message: `hub user ${name} was deleted outside hubops; left deleted (whenDeletedInHub: Respect) until the spec changes`,
      });
    }
    const actions = planUser({ username: name, admin: object.spec.admin }, observed);
    if (this.#paused(object, actions)) return;
    if (actions.some((action) => action.op === 'createUser')) {
      this.#willExist.add(name);
      this.#owned.add(keyOf(object.metadata.namespace, name));
    }
    this.#add(object, actions);
  }

  group(object: HubGroup): void {
    const name = groupNameOf(object);
    const observed = this.#input.hub.groups.get(name);
    const resource = {
      object,
      name,
      claimants: this.#groupClaims.get(name) ?? [],
      noun: 'hub group',
    };
    const refusal = refusalOf(this.#input.policy, resource, observed !== undefined);
    if (refusal) return void this.findings.push(refusal);
    if (observesOnly(object.spec)) return;
    const { namespace } = object.metadata;
    const neighbours = this.#usersByNamespace.get(namespace) ?? [];
    const candidates = object.spec.memberSelector
      ? neighbours.map((user) => ({
          username: usernameOf(user),
          labels: user.metadata.labels,
          deleting: Boolean(user.metadata.deletionTimestamp),
        }))
      : [];
    const declaredGroup = desiredGroup(name, object.spec, candidates);
    // A member its HubUser leaves deleted is no member now, as in the operator.
    const desired = {
      ...declaredGroup,
      members: declaredGroup.members.filter((user) => !this.#leftDeleted.has(user)),
    };
    // A member a HubUser of the namespace declares is that HubUser's to create; one whose
    // HubUser creates nothing (refused) keeps the group waiting, as in the operator.
    const managed = new Set(
      neighbours.filter((user) => !observesOnly(user.spec)).map((user) => usernameOf(user)),
    );
    const waiting = desired.members.filter(
      (user) => !this.#willExist.has(user) && managed.has(user),
    );
    if (waiting.length > 0)
      this.findings.push({
        resource: idOf(object),
        reason: 'MembersWaiting',
        message: `waits for ${waiting.length} member(s) that their HubUsers do not create: ${waiting.slice(0, 5).join(', ')}`,
      });
    const settable = { ...desired, members: desired.members.filter((u) => !waiting.includes(u)) };
    // A new group whose every member is still to come is created with them, as in the operator.
    if (!observed && waiting.length > 0 && settable.members.length === 0) return;
    const present = new Set(settable.members.filter((user) => this.#willExist.has(user)));
    const plan = planGroup(settable, observed, present, this.#input.hub.canSetProperties);
    if (plan.propertiesUnsupported)
      this.findings.push({
        resource: idOf(object),
        reason: 'PropertiesUnsupported',
        message: 'this hub cannot store group properties (JupyterHub 4.0 or newer can)',
      });
    if (this.#paused(object, plan.actions)) return;
    for (const action of plan.actions)
      if (action.op === 'createUser') this.#willExist.add(action.user);
    this.#add(object, plan.actions);
  }

  server(object: HubServer): void {
    const { username, serverName, state, keepRunning } = object.spec;
    const { namespace } = object.metadata;
    const refusal =
      admission(this.#input.policy, namespace) ??
      (this.#owned.has(keyOf(namespace, username)) ||
      includes(this.#input.policy.adoption, namespace)
        ? undefined
        : {
            reason: 'AdoptionNotAllowed' as const,
            message: `hub user ${username} was not created by a HubUser of namespace ${namespace}; namespace ${namespace} may not act on others' servers in ${this.#input.policy.hubName}`,
          });
    if (refusal) return this.#refuse(object, refusal);
    if (observesOnly(object.spec)) return;
    const user = this.#input.hub.users.get(username);
    if (!user && !this.#willExist.has(username)) {
      this.findings.push({
        resource: idOf(object),
        reason: 'UserMissing',
        message: `hub user ${username} does not exist and nothing in the plan creates it`,
      });
      return;
    }
    const observed = user?.servers?.[serverName];
    const status = object.status ?? {};
    const generation = object.metadata.generation ?? 0;
    // A failed start stays failed until the spec changes, as in the operator.
    const failed = status.phase === 'Failed' && !observed && !keepRunning;
    if (failed && status.startedGeneration === generation) return;
    const step = planServer(
      { state, keepRunning, generation, startedGeneration: status.startedGeneration },
      observed,
    );
    if (step.kind === 'wait') {
      this.findings.push({
        resource: idOf(object),
        reason: step.reason,
        message: `the hub is ${step.reason === 'Starting' ? 'starting' : 'stopping'} the server`,
      });
      return;
    }
    if (step.kind === 'none') return;
    const call: Call =
      step.kind === 'start'
        ? { op: 'startServer', user: username, server: serverName }
        : { op: 'stopServer', user: username, server: serverName, remove: false };
    if (this.#paused(object, [call])) return;
    this.#add(object, [call]);
  }

  userDeletion(object: HubUser): void {
    if (observesOnly(object.spec)) return;
    const name = usernameOf(object);
    const exists = this.#input.hub.users.has(name);
    const claimants = [...(this.#userClaims.get(name) ?? []), object];
    const resource = {
      object,
      name,
      claimants,
      noun: 'hub user',
      kindRefusal: this.#adminRefusal,
    };
    if (!mayDelete(this.#input.policy, resource)) return;
    this.#add(
      object,
      planUserDeletion(name, object.spec.deletionPolicy, recordedOwnership(object), exists),
    );
  }

  groupDeletion(object: HubGroup): void {
    if (observesOnly(object.spec)) return;
    const name = groupNameOf(object);
    const exists = this.#input.hub.groups.has(name);
    const claimants = [...(this.#groupClaims.get(name) ?? []), object];
    const resource = { object, name, claimants, noun: 'hub group' };
    if (!mayDelete(this.#input.policy, resource)) return;
    this.#add(
      object,
      planGroupDeletion(name, object.spec.deletionPolicy, recordedOwnership(object), exists),
    );
  }

  serverDeletion(object: HubServer): void {
    if (observesOnly(object.spec)) return;
    const { username, serverName } = object.spec;
    const { namespace } = object.metadata;
    if (admission(this.#input.policy, namespace) || isPaused(object.metadata.annotations)) return;
    if (
      !this.#owned.has(keyOf(namespace, username)) &&
      !includes(this.#input.policy.adoption, namespace)
    )
      return;
    const decision = planServerDeletion(
      object.spec.deletionPolicy,
      recordedOwnership(object),
      serverName !== '',
    );
    // A server the hub does not list as active has nothing to stop.
    const active = this.#input.hub.users.get(username)?.servers?.[serverName] !== undefined;
    if (decision === 'retain' || !active) return;
    this.#add(object, [
      {
        op: 'stopServer',
        user: username,
        server: serverName,
        remove: decision === 'stopAndRemove',
      },
    ]);
  }

  readonly #adminRefusal = (user: HubUser): Refusal | undefined =>
    adminGrant(this.#input.policy, user.metadata.namespace, user.spec.admin);

  #paused(object: Declaring, calls: readonly Call[]): boolean {
    if (!isPaused(object.metadata.annotations)) return false;
    if (calls.length > 0)
      this.findings.push({
        resource: idOf(object),
        reason: 'Paused',
        message: `hub writes are paused; ${calls.length} call(s) wait for the pause to end`,
      });
    return true;
  }

  #refuse(object: Declaring, refusal: Refusal): void {
    this.findings.push({ resource: idOf(object), ...refusal });
  }

  #add(object: Declaring, calls: readonly Call[]): void {
    for (const call of calls)
      this.calls.push({ call, resource: idOf(object), destructive: destructiveOps.has(call.op) });
  }
}
