/**
 * Two resources may claim one hub name (the same username in two namespaces, or twice in one).
 * The oldest claim wins, by creation time and then by key so that every replica and every
 * reconcile agrees; the others report a conflict and write nothing. Pure.
 */

export interface Claim {
  /** `namespace/name` of the resource. */
  readonly key: string;
  /** RFC 3339 creation timestamp. */
  readonly created: string;
}

/** The winning claim's key, or undefined when there are none. */
export function winningClaim(claims: Iterable<Claim>): string | undefined {
  let winner: Claim | undefined;
  for (const claim of claims) {
    if (
      !winner ||
      claim.created < winner.created ||
      (claim.created === winner.created && claim.key < winner.key)
    ) {
      winner = claim;
    }
  }
  return winner?.key;
}
