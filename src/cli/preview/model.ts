/**
 * The words of a plan preview: the hub calls, the resources that make them, the findings that
 * stop them, and what the preview is given (manifests, live resources, the hub's state).
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import type { HubServer } from '../../api/hubserver.ts';
import type { HubUser } from '../../api/hubuser.ts';
import { keyOf, type DeclaringKind } from '../../api/meta.ts';
import type { HubGroup as GroupModel, HubUser as UserModel } from '../../hub/models.ts';
import type { Action } from '../../plan/actions.ts';
import type { TenancyPolicy } from '../../plan/tenancy.ts';

/** A hub call: one of the plan's actions, or a server's start or stop. */
export type Call =
  | Action
  | { readonly op: 'startServer'; readonly user: string; readonly server: string }
  | {
      readonly op: 'stopServer';
      readonly user: string;
      readonly server: string;
      readonly remove: boolean;
    };

export interface ResourceId {
  readonly kind: DeclaringKind;
  readonly namespace: string;
  readonly name: string;
}

export interface PlannedCall {
  readonly call: Call;
  /** The resource whose reconcile (or deletion) makes the call. */
  readonly resource: ResourceId;
  /** It deletes, removes, revokes or stops something the hub has. */
  readonly destructive: boolean;
}

/** Why a resource would make no call, or not all of them. */
export interface Finding {
  readonly resource: ResourceId;
  readonly reason: string;
  readonly message: string;
}

export interface HubState {
  readonly users: ReadonlyMap<string, UserModel>;
  readonly groups: ReadonlyMap<string, GroupModel>;
  /** The hub stores group properties (JupyterHub 4.0+). */
  readonly canSetProperties: boolean;
}

export interface Declared {
  readonly users: readonly HubUser[];
  readonly groups: readonly HubGroup[];
  readonly servers: readonly HubServer[];
}

export interface PreviewInput {
  readonly manifests: Declared;
  /** The resources in the cluster now; undefined when the plan reads no cluster. */
  readonly live?: Declared | undefined;
  /** Live resources of the manifests' namespaces that the manifests omit are deleted. */
  readonly prune: boolean;
  /** The hub planned for, as `keyOf` names it. */
  readonly hubKey: string;
  /** The hub an object uses (spec.hubRef, else the default), as the operator resolves it. */
  readonly keyOf: (object: HubUser | HubGroup | HubServer) => string;
  readonly policy: TenancyPolicy;
  readonly hub: HubState;
}

export interface Preview {
  readonly calls: PlannedCall[];
  readonly findings: Finding[];
  /** Resources of the planned hub that the manifests declare. */
  readonly resources: number;
  /** Resources of the manifests that use another hub, not planned. */
  readonly otherHubs: number;
}

export type Declaring = HubUser | HubGroup | HubServer;

export function idOf(object: Declaring): ResourceId {
  const { namespace, name } = object.metadata;
  return { kind: object.kind, namespace, name };
}

/** `Kind namespace/name`: one resource's identity as a set member. */
export function identity(object: Declaring): string {
  return `${object.kind} ${keyOf(object.metadata.namespace, object.metadata.name)}`;
}
