/**
 * What the operator checks of a user or group resource before it plans: the hub's admission of
 * its namespace, its claim on the hub name (the oldest admitted claimant holds it), and, for a
 * hub object that exists and that hubops did not create, whether the namespace may adopt it.
 */
import { isPaused, trustedOwnership } from '../../api/annotations.ts';
import type { HubGroup } from '../../api/hubgroup.ts';
import type { HubUser } from '../../api/hubuser.ts';
import { keyOf } from '../../api/meta.ts';
import { winningClaim } from '../../plan/claims.ts';
import { admission, adoption, type Refusal, type TenancyPolicy } from '../../plan/tenancy.ts';
import { idOf, type Finding } from './model.ts';

export interface NamedResource<T extends HubUser | HubGroup> {
  readonly object: T;
  /** Its hub name. */
  readonly name: string;
  /** Every resource of its kind and hub that declares the same hub name, itself among them. */
  readonly claimants: readonly T[];
  /** "hub user": how findings name the hub object. */
  readonly noun: string;
  /** What the kind itself refuses a resource (an admin grant); such a resource holds no name. */
  readonly kindRefusal?: (object: T) => Refusal | undefined;
}

/**
 * Why the operator would not plan for the resource, in its order: admission, the name's claim,
 * the kind's own refusal (an admin grant), adoption of what exists. Undefined when it would plan.
 */
export function refusalOf<T extends HubUser | HubGroup>(
  policy: TenancyPolicy,
  resource: NamedResource<T>,
  exists: boolean,
): Finding | undefined {
  const { object, name, noun } = resource;
  const { namespace } = object.metadata;
  const refused = (refusal: Refusal): Finding => ({ resource: idOf(object), ...refusal });
  const admitted = admission(policy, namespace);
  if (admitted) return refused(admitted);
  const holder = heldElsewhere(policy, resource);
  if (holder)
    return {
      resource: idOf(object),
      reason: 'Conflict',
      message: `${noun} ${name} is declared by ${holder}, which was first`,
    };
  const kindRefusal = resource.kindRefusal?.(object);
  if (kindRefusal) return refused(kindRefusal);
  const adopting = exists && trustedOwnership(object) !== 'Created';
  const taken = adopting ? adoption(policy, namespace, `${noun} ${name}`) : undefined;
  return taken ? refused(taken) : undefined;
}

/** Whether the resource's deletion may touch the hub at all, as the operator's cleanup decides. */
export function mayDelete<T extends HubUser | HubGroup>(
  policy: TenancyPolicy,
  resource: NamedResource<T>,
): boolean {
  const { object, name, noun } = resource;
  const { namespace } = object.metadata;
  if (admission(policy, namespace) || isPaused(object.metadata.annotations)) return false;
  if (heldElsewhere(policy, resource)) return false;
  return (
    trustedOwnership(object) === 'Created' ||
    adoption(policy, namespace, `${noun} ${name}`) === undefined
  );
}

/**
 * The key of another resource that holds the name first. As the operator's claims, only a
 * resource that may act holds a name: its namespace is admitted, its kind refuses it nothing, and
 * its last round did not find it taking over what its namespace may not adopt.
 */
function heldElsewhere<T extends HubUser | HubGroup>(
  policy: TenancyPolicy,
  { object, claimants, kindRefusal }: NamedResource<T>,
): string | undefined {
  const mayHold = (claimant: T): boolean =>
    admission(policy, claimant.metadata.namespace) === undefined &&
    kindRefusal?.(claimant) === undefined &&
    claimant.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== 'AdoptionNotAllowed';
  const holder = winningClaim(
    claimants.filter(mayHold).map((claimant) => ({
      key: keyOf(claimant.metadata.namespace, claimant.metadata.name),
      // Not yet created: younger than every resource that exists.
      created: claimant.metadata.creationTimestamp ?? '~',
    })),
  );
  return holder !== keyOf(object.metadata.namespace, object.metadata.name) ? holder : undefined;
}
