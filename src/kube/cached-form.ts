/**
 * The form in which the informer caches an object, for as long as the operator runs: without
 * what it never reads and with strings shared that JSON gives every object a copy of.
 */
import type { WatchedObject } from './informer.ts';

/**
 * The form in which an object is cached, for as long as it is (50,000 HubUsers at a
 * university). managedFields are a quarter of its bytes and the operator never reads them; the
 * metadata is rebuilt rather than `delete`d from, since a deletion leaves V8 a slow dictionary
 * object, 40% larger (measured: 1,162 against 810 bytes for a HubUser). Strings that JSON gives
 * each object a copy of are shared: the few values of apiVersion, kind, namespace and
 * finalizers across objects, and within an object the message and time its conditions repeat
 * (Ready and Synced mostly say the same): about 200 bytes an object.
 */
export function cachedForm<T extends WatchedObject>(object: T): T {
  const cached = object as T & Shareable;
  if (cached.metadata?.managedFields) {
    const { managedFields, ...metadata } = cached.metadata;
    cached.metadata = metadata;
  }
  if (cached.apiVersion) cached.apiVersion = shared(cached.apiVersion);
  if (cached.kind) cached.kind = shared(cached.kind);
  const metadata = cached.metadata;
  if (metadata?.namespace) metadata.namespace = shared(metadata.namespace);
  if (metadata?.finalizers) metadata.finalizers = metadata.finalizers.map(shared);
  const conditions = cached.status?.conditions;
  if (Array.isArray(conditions)) shareRepeats(conditions as RepeatingCondition[]);
  return object;
}

/** The fields cachedForm shares between objects, as JSON gives them. */
interface Shareable {
  apiVersion?: string;
  kind?: string;
  metadata?: WatchedObject['metadata'] & { finalizers?: string[] };
  status?: { conditions?: unknown };
}

interface RepeatingCondition {
  message?: string;
  lastTransitionTime?: string;
}

function shareRepeats(conditions: RepeatingCondition[]): void {
  for (const [i, condition] of conditions.entries()) {
    for (const earlier of conditions.slice(0, i)) {
      if (condition.message === earlier.message) condition.message = earlier.message;
      if (condition.lastTransitionTime === earlier.lastTransitionTime)
        condition.lastTransitionTime = earlier.lastTransitionTime;
    }
  }
}

/** Values shared between cached objects; bounded, as namespaces come and go. */
const sharedValues = new Map<string, string>();
const sharedValuesMax = 10_000;

function shared(value: string): string {
  const known = sharedValues.get(value);
  if (known !== undefined) return known;
  if (sharedValues.size < sharedValuesMax) sharedValues.set(value, value);
  return value;
}
