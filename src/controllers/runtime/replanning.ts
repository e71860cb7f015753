/**
 * The snapshot can be a resync period old: a write may find the hub changed under it (a user
 * deleted by hand, a member gone). Such a write marks what it learned in the snapshot and
 * throws StaleSnapshot; the reconciler plans again from the corrected picture, a few times.
 */
import { OperatorError } from '../../errors.ts';

/** The hub changed under a round. Retryable: the next round starts from what was learned. */
export class StaleSnapshot extends OperatorError {
  override readonly name = 'StaleSnapshot';
  readonly code = 'STALE_SNAPSHOT';
  readonly retryable = true;
}

/** Runs `round` again after a StaleSnapshot, at most `rounds` times in all. */
export async function withReplanning<T>(round: () => Promise<T>, rounds = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await round();
    } catch (err) {
      if (!(err instanceof StaleSnapshot) || attempt >= rounds) throw err;
    }
  }
}
