/**
 * Checks each object's spec against its kind's schema in api/ once per generation. The CRD
 * validates what the API server admits, but objects written under an older CRD, and what the
 * CRD's patterns cannot say, reach the operator unchecked; the schema is the last word.
 */
import type { z } from 'zod';
import type { KindObject } from './reconciler.ts';

export class SpecCheck {
  readonly #schema: z.ZodType;
  /**
   * The cached versions found valid. The informer caches a new object for every version, so an
   * object here has not changed since it was checked; weakly held, it goes with its version.
   * A map by key of uid and generation cost about 180 bytes per object more.
   */
  readonly #valid = new WeakSet<KindObject>();
  /** By object key, only while its spec is invalid: the object (uid) and generation, and what. */
  readonly #problems = new Map<string, { uid?: string; generation?: number; problem: string }>();

  constructor(schema: z.ZodType) {
    this.#schema = schema;
  }

  /**
   * What is wrong with the spec, naming the field (undefined when it is valid), and whether this
   * problem is news: the first verdict of it on this object and generation. An object deleted
   * and made again under the same name is another object (uid), checked afresh.
   */
  check(key: string, object: KindObject): { problem: string | undefined; fresh: boolean } {
    if (this.#valid.has(object)) return { problem: undefined, fresh: false };
    const { uid, generation } = object.metadata;
    const known = this.#problems.get(key);
    if (known && generation !== undefined && known.generation === generation && known.uid === uid)
      return { problem: known.problem, fresh: false };
    const parsed = this.#schema.safeParse(object.spec);
    if (parsed.success) {
      this.#valid.add(object);
      this.#problems.delete(key);
      return { problem: undefined, fresh: true };
    }
    const problem = describeIssue(parsed.error.issues[0]);
    this.#problems.set(key, {
      ...(uid === undefined ? {} : { uid }),
      ...(generation === undefined ? {} : { generation }),
      problem,
    });
    return { problem, fresh: true };
  }

  /** Drops what is known of a deleted object. */
  forget(key: string): void {
    this.#problems.delete(key);
  }
}

/** "spec.members[2]: hub usernames ..." */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'spec: invalid';
  let field = 'spec';
  for (const part of issue.path)
    field += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return `${field}: ${issue.message}`;
}
