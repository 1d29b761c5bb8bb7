/**
 * A compact map from phone numbers to values, answering "the longest listed number that starts
 * this one" without allocating. Blacklists hold up to millions of numbers in every process, so a
 * number of up to 15 digits is kept as one float64 key (`1` followed by its digits: `0123` and
 * `123` stay apart, and 10^15 < 2^53 keeps it exact), 8 bytes a number, in one sorted array.
 * Numbers with other characters (`+`, `*`, letters) or more digits go to an ordinary Map.
 *
 * Keys of a length L all lie in [10^L, 2·10^L), so the sorted array is one run per length: a
 * lookup binary-searches only the runs of lengths that exist, one per prefix length.
 */
const MAX_DIGITS = 15;

/** The key of `number`, or -1 when it is not a short enough run of digits. */
function keyOf(number: string): number {
  if (number.length === 0 || number.length > MAX_DIGITS) return -1;
  let key = 1;
  for (let i = 0; i < number.length; i++) {
    const digit = number.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    key = key * 10 + digit;
  }
  return key;
}

function search(keys: Float64Array, from: number, to: number, key: number): number {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const probe = keys[mid]!;
    if (probe === key) return mid;
    if (probe < key) low = mid + 1;
    else high = mid;
  }
  return -1;
}

/** A match: how many leading characters of the number matched, and the listed value. */
export interface NumberMatch<V> {
  length: number;
  value: V;
}

export class NumberMap<V> {
  /** runStart[L]..runStart[L+1] is the run of keys of L digits (index 0 unused). */
  private readonly runStart = new Int32Array(MAX_DIGITS + 2);

  private constructor(
    private readonly keys: Float64Array,
    private readonly values: readonly V[],
    private readonly others: ReadonlyMap<string, V>,
  ) {
    let at = 0;
    for (let length = 1; length <= MAX_DIGITS + 1; length++) {
      const limit = 10 ** length;
      while (at < keys.length && keys[at]! < limit) at++;
      // The first key of `length` digits, which is where the run of `length - 1` digits ends.
      this.runStart[length] = at;
    }
  }

  /** A later duplicate number wins. */
  static of<V>(entries: Iterable<readonly [string, V]>): NumberMap<V> {
    const keyed: { key: number; value: V }[] = [];
    const others = new Map<string, V>();
    for (const [number, value] of entries) {
      const key = keyOf(number);
      if (key < 0) others.set(number, value);
      else keyed.push({ key, value });
    }
    // Stable sort: among equal keys the later entry stays last, and wins below.
    keyed.sort((a, b) => a.key - b.key);
    const keys: number[] = [];
    const values: V[] = [];
    for (const entry of keyed) {
      if (keys.length > 0 && keys[keys.length - 1] === entry.key) values[values.length - 1] = entry.value;
      else {
        keys.push(entry.key);
        values.push(entry.value);
      }
    }
    return new NumberMap(Float64Array.from(keys), values, others);
  }

  get size(): number {
    return this.keys.length + this.others.size;
  }

  /** The value of exactly `number`, or undefined. */
  exact(number: string): V | undefined {
    const key = keyOf(number);
    if (key < 0) return this.others.get(number);
    const length = number.length;
    const found = search(this.keys, this.runStart[length]!, this.runStart[length + 1]!, key);
    return found < 0 ? undefined : this.values[found];
  }

  /** The longest listed number that `number` starts with, or null. */
  longestPrefix(number: string): NumberMatch<V> | null {
    let best: NumberMatch<V> | null = null;
    let key = 1;
    const digits = Math.min(number.length, MAX_DIGITS);
    for (let length = 1; length <= digits; length++) {
      const digit = number.charCodeAt(length - 1) - 48;
      if (digit < 0 || digit > 9) break;
      key = key * 10 + digit;
      const from = this.runStart[length]!;
      const to = this.runStart[length + 1]!;
      if (from === to) continue;
      const found = search(this.keys, from, to, key);
      if (found >= 0) best = { length, value: this.values[found]! };
    }
    if (this.others.size > 0) {
      for (let length = number.length; length > (best?.length ?? 0); length--) {
        const value = this.others.get(number.slice(0, length));
        if (value !== undefined) return { length, value };
      }
    }
    return best;
  }
}
