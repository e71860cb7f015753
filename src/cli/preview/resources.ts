/**
 * The resources of the planned hub as they will be once the manifests are applied: each
 * manifest's object over its live one, the live ones the manifests leave as they are, and, when
 * pruning, the live ones of the manifests' namespaces that the manifests omit.
 */
import { isDeepStrictEqual } from 'node:util';
import { identity, type Declared, type Declaring, type PreviewInput } from './model.ts';

export interface PlannedResources {
  /** The manifests' objects of the planned hub, over their live ones. */
  readonly declared: Declared;
  /** Live objects the manifests omit, deleted by the apply (pruning only). */
  readonly pruned: Declared;
  /** Every object of the planned hub once applied: live ones, the manifests' in their place. */
  readonly effective: Declared;
}

export function plannedResources(input: PreviewInput): PlannedResources {
  const ours = <T extends Declaring>(objects: readonly T[] = []): T[] =>
    objects.filter((object) => input.keyOf(object) === input.hubKey);
  const { live, manifests } = input;
  const declared: Declared = {
    users: ours(manifests.users).map((object) => withLive(object, live?.users)),
    groups: ours(manifests.groups).map((object) => withLive(object, live?.groups)),
    servers: ours(manifests.servers).map((object) => withLive(object, live?.servers)),
  };
  const everyManifest = [...manifests.users, ...manifests.groups, ...manifests.servers];
  const scope = new Set(everyManifest.map((object) => object.metadata.namespace));
  // A manifest's object of another hub is not pruned from this one either.
  const inManifests = new Set(everyManifest.map(identity));
  const prunedOf = <T extends Declaring>(objects: readonly T[] = []): T[] =>
    input.prune
      ? ours(objects).filter(
          (object) => scope.has(object.metadata.namespace) && !inManifests.has(identity(object)),
        )
      : [];
  const pruned: Declared = {
    users: prunedOf(live?.users),
    groups: prunedOf(live?.groups),
    servers: prunedOf(live?.servers),
  };
  const replaced = new Set(
    [...everyManifest, ...pruned.users, ...pruned.groups, ...pruned.servers].map(identity),
  );
  const effectiveOf = <T extends Declaring>(objects: readonly T[] = [], own: readonly T[]) => [
    ...ours(objects).filter((object) => !replaced.has(identity(object))),
    ...own,
  ];
  const effective: Declared = {
    users: effectiveOf(live?.users, declared.users),
    groups: effectiveOf(live?.groups, declared.groups),
    servers: effectiveOf(live?.servers, declared.servers),
  };
  return { declared, pruned, effective };
}

/**
 * The manifest's object as it will be once applied over the live one: the manifest's spec and
 * labels; the live object's status, creation time and generation (one more when the spec
 * changes), and its annotations under the manifest's, as `kubectl apply` merges them.
 */
function withLive<T extends Declaring>(object: T, live: readonly T[] | undefined): T {
  const current = live?.find(
    (candidate) =>
      candidate.metadata.namespace === object.metadata.namespace &&
      candidate.metadata.name === object.metadata.name,
  );
  if (!current) return object;
  const generation = current.metadata.generation ?? 0;
  return {
    ...object,
    metadata: {
      ...current.metadata,
      labels: object.metadata.labels ?? current.metadata.labels,
      annotations: { ...current.metadata.annotations, ...object.metadata.annotations },
      generation: isDeepStrictEqual(current.spec, object.spec) ? generation : generation + 1,
    },
    ...(current.status ? { status: current.status } : {}),
  };
}
