/**
 * A compact map from phone numbers to values, answering "the longest listed number that starts
 * this one" without allocating. Blacklists hold up to millions of numbers in every process, so a
 * number of up to 15 digits is kept as one float64 key (`1` followed by its digits: `0123` and
 * `123` stay apart, and 10^15 < 2^53 keeps it exact) in an open-addressing hash table at most half
 * full: 16 bytes a number, one probe (usually one cache miss) per prefix length that is listed.
 * Numbers with other characters (`+`, `*`, letters) or more digits go to an ordinary Map.
 */
const MAX_DIGITS = 15;
const EMPTY = 0;

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

/** Mixes both 32-bit halves of a key (an integer below 2^53) into a slot. */
function slotOf(key: number, mask: number): number {
  const low = key >>> 0;
  const high = (key / 4294967296) >>> 0;
  let hash = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 15;
  return hash & mask;
}

/** A match: how many leading characters of the number matched, and the listed value. */
export interface NumberMatch<V> {
  length: number;
  value: V;
}

export class NumberMap<V> {
  private constructor(
    private readonly slots: Float64Array,
    /** The value of each slot; null when every value is `true` (a set: no array to keep). */
    private readonly values: (V | undefined)[] | null,
    /** Bit L is set when some listed number has L digits: other lengths need no probe. */
    private readonly lengths: number,
    private readonly keyed: number,
    private readonly others: ReadonlyMap<string, V>,
  ) {}

  /** A later duplicate number wins. */
  static of<V>(entries: readonly (readonly [string, V])[]): NumberMap<V> {
    return NumberMap.build(entries.length, (index) => entries[index]![0], (index) => entries[index]![1], false);
  }

  /** A set of numbers: every value `true`, kept without a value array. */
  static set(numbers: readonly string[]): NumberMap<true> {
    return NumberMap.build(numbers.length, (index) => numbers[index]!, () => true as const, true);
  }

  private static build<V>(count: number, numberAt: (index: number) => string, valueAt: (index: number) => V, isSet: boolean): NumberMap<V> {
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    const mask = capacity - 1;
    const slots = new Float64Array(capacity);
    const values: (V | undefined)[] | null = isSet ? null : new Array<V | undefined>(capacity);
    const others = new Map<string, V>();
    let lengths = 0;
    let keyed = 0;
    for (let index = 0; index < count; index++) {
      const number = numberAt(index);
      const key = keyOf(number);
      if (key < 0) {
        others.set(number, valueAt(index));
        continue;
      }
      let slot = slotOf(key, mask);
      while (slots[slot] !== EMPTY && slots[slot] !== key) slot = (slot + 1) & mask;
      if (slots[slot] === EMPTY) keyed++;
      slots[slot] = key;
      if (values) values[slot] = valueAt(index);
      lengths |= 1 << number.length;
    }
    return new NumberMap(slots, values, lengths, keyed, others);
  }

  get size(): number {
    return this.keyed + this.others.size;
  }

  /** The slot holding `key`, or -1. */
  private find(key: number): number {
    const mask = this.slots.length - 1;
    for (let slot = slotOf(key, mask); ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]!;
      if (held === key) return slot;
      if (held === EMPTY) return -1;
    }
  }

  private valueAt(slot: number): V {
    return this.values === null ? (true as V) : this.values[slot]!;
  }

  /** The value of exactly `number`, or undefined. */
  exact(number: string): V | undefined {
    const key = keyOf(number);
    if (key < 0) return this.others.get(number);
    if ((this.lengths & (1 << number.length)) === 0) return undefined;
    const slot = this.find(key);
    return slot < 0 ? undefined : this.valueAt(slot);
  }

  /** The longest listed number that `number` starts with, or null. */
  longestPrefix(number: string): NumberMatch<V> | null {
    let bestSlot = -1;
    let bestLength = 0;
    let key = 1;
    const digits = Math.min(number.length, MAX_DIGITS);
    for (let length = 1; length <= digits; length++) {
      const digit = number.charCodeAt(length - 1) - 48;
      if (digit < 0 || digit > 9) break;
      key = key * 10 + digit;
      if ((this.lengths & (1 << length)) === 0) continue;
      const slot = this.find(key);
      if (slot >= 0) {
        bestSlot = slot;
        bestLength = length;
      }
    }
    if (this.others.size > 0) {
      for (let length = number.length; length > bestLength; length--) {
        const value = this.others.get(number.slice(0, length));
        if (value !== undefined) return { length, value };
      }
    }
    return bestSlot < 0 ? null : { length: bestLength, value: this.valueAt(bestSlot) };
  }
}
