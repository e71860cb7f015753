/**
 * The snapshot can be a resync period old: a write may find the hub changed under it (a user
 * deleted by hand, a member gone). Such a write marks what it learned in the snapshot and
 * throws StaleSnapshot; the reconciler plans again from the corrected picture, a few times.
 */

export class StaleSnapshot extends Error {
  override readonly name = 'StaleSnapshot';
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
