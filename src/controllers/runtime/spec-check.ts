/**
 * Checks each object's spec against its kind's schema in api/ once per generation. The CRD
 * validates what the API server admits, but objects written under an older CRD, and what the
 * CRD's patterns cannot say, reach the operator unchecked; the schema is the last word.
 */
import type { z } from 'zod';
import type { KindObject } from './reconciler.ts';

export class SpecCheck {
  readonly #schema: z.ZodType;
  /** By object key: the object (uid) and generation checked, and what was wrong with it. */
  readonly #checked = new Map<
    string,
    { uid?: string; generation?: number; problem?: string | undefined }
  >();

  constructor(schema: z.ZodType) {
    this.#schema = schema;
  }

  /**
   * What is wrong with the spec, naming the field (undefined when it is valid), and whether this
   * is news: the first verdict on this object and generation. An object deleted and made again
   * under the same name is another object (uid), checked afresh.
   */
  check(key: string, object: KindObject): { problem: string | undefined; fresh: boolean } {
    const { uid, generation } = object.metadata;
    const known = this.#checked.get(key);
    if (known && generation !== undefined && known.generation === generation && known.uid === uid)
      return { problem: known.problem, fresh: false };
    const parsed = this.#schema.safeParse(object.spec);
    const problem = parsed.success ? undefined : describeIssue(parsed.error.issues[0]);
    this.#checked.set(key, {
      ...(uid === undefined ? {} : { uid }),
      ...(generation === undefined ? {} : { generation }),
      problem,
    });
    return { problem, fresh: true };
  }

  /** Drops what is known of a deleted object. */
  forget(key: string): void {
    this.#checked.delete(key);
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
