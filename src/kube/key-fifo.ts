/**
 * Keys in arrival order for the work queue: adding and taking cost O(1) however long the backlog
 * (an array's shift copies the rest once it holds more than some thousands). An entry is never
 * removed from the middle: the queue tells, when an entry is reached, whether it still stands.
 */
export class KeyFifo {
  #entries: { readonly key: string; readonly seq: number }[] = [];
  #head = 0;

  push(key: string, seq: number): void {
    this.#entries.push({ key, seq });
  }

  /** The oldest entry for which `stands` holds, dropping those before it; undefined when none. */
  take(stands: (key: string, seq: number) => boolean): string | undefined {
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head];
      this.#head += 1;
      this.#compact();
      if (entry && stands(entry.key, entry.seq)) return entry.key;
    }
    return undefined;
  }

  /** Entries pushed and not yet reached, standing or not. */
  get length(): number {
    return this.#entries.length - this.#head;
  }

  // Taken entries are let go once they are at least half the array: amortised O(1) per take.
  #compact(): void {
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
