/**
 * A character trie whose nodes hold sorted lists of items, laid out in typed arrays.
 *
 * Why not one object per node: at a million routes a lookup's cost is cache misses, and an object
 * node costs several (node, child table, child) per character, plus millions of small objects for
 * the collector. Here a step is one read of `slots`: children of the dial-pad characters
 * (0-9 * # +) sit in a fixed row per node; any other character goes through a Map.
 *
 * Item lists are copy-on-write: a list handed out is never changed afterwards, so callers may keep it.
 */

/** Node 0 is the root. No node has the root as child, so 0 also means "no child". */
export const NO_NODE = 0;

const DIAL_PAD = '0123456789*#+';
const SLOTS = DIAL_PAD.length;
const SLOT_OF = new Int8Array(128).fill(-1);
for (let slot = 0; slot < SLOTS; slot++) SLOT_OF[DIAL_PAD.charCodeAt(slot)] = slot;

export class PrefixTrie<T> {
  private slots = new Int32Array(16 * SLOTS);
  private childCounts = new Int32Array(16);
  /** Children by any other character, keyed by node * 0x10000 + char code. */
  private otherChildren = new Map<number, number>();
  private items: (readonly T[] | undefined)[] = [undefined];
  private freeNodes: number[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** True when the trie holds no items (and therefore, after pruning, no nodes but the root). */
  get isEmpty(): boolean {
    return this.items[NO_NODE] === undefined && this.childCounts[NO_NODE] === 0;
  }

  child(node: number, charCode: number): number {
    const slot = charCode < 128 ? SLOT_OF[charCode]! : -1;
    return slot >= 0 ? this.slots[node * SLOTS + slot]! : (this.otherChildren.get(node * 0x10000 + charCode) ?? NO_NODE);
  }

  /** Items whose key ends at `node`, sorted; undefined when none. */
  itemsAt(node: number): readonly T[] | undefined {
    return this.items[node];
  }

  /** Adds `item` under `key`, keeping the node's list sorted. */
  insert(key: string, item: T): void {
    const node = this.descend(key);
    const list = this.items[node] ?? [];
    let at = 0;
    while (at < list.length && this.compare(list[at]!, item) <= 0) at++;
    this.items[node] = [...list.slice(0, at), item, ...list.slice(at)];
  }

  /**
   * Bulk loading: adds an item in place without sorting, which breaks copy-on-write, so only use it
   * on a trie nobody reads yet, and call `sortAll` before handing it out. Sorting each list once
   * beats a sorted insert per item.
   */
  insertUnsorted(key: string, item: T): void {
    const node = this.descend(key);
    const list = this.items[node] as T[] | undefined;
    if (list) list.push(item);
    else this.items[node] = [item];
  }

  sortAll(): void {
    for (const list of this.items) if (list !== undefined && list.length > 1) (list as T[]).sort(this.compare);
  }

  /** Removes `item` (by identity) from `key`, pruning nodes left empty; false if it was not there. */
  delete(key: string, item: T): boolean {
    const path = [NO_NODE];
    for (let i = 0; i < key.length; i++) {
      const next = this.child(path[i]!, key.charCodeAt(i));
      if (next === NO_NODE) return false;
      path.push(next);
    }
    const node = path[path.length - 1]!;
    const list = this.items[node];
    const at = list?.indexOf(item) ?? -1;
    if (list === undefined || at < 0) return false;
    this.items[node] = list.length === 1 ? undefined : list.filter((_, i) => i !== at);
    for (let depth = key.length; depth > 0; depth--) {
      const emptied = path[depth]!;
      if (this.items[emptied] !== undefined || this.childCounts[emptied] !== 0) break;
      this.unlink(path[depth - 1]!, key.charCodeAt(depth - 1), emptied);
    }
    return true;
  }

  private descend(key: string): number {
    let node = NO_NODE;
    for (let i = 0; i < key.length; i++) {
      const charCode = key.charCodeAt(i);
      let next = this.child(node, charCode);
      if (next === NO_NODE) {
        next = this.allocate();
        this.link(node, charCode, next);
      }
      node = next;
    }
    return node;
  }

  private link(parent: number, charCode: number, child: number): void {
    const slot = charCode < 128 ? SLOT_OF[charCode]! : -1;
    if (slot >= 0) this.slots[parent * SLOTS + slot] = child;
    else this.otherChildren.set(parent * 0x10000 + charCode, child);
    this.childCounts[parent]!++;
  }

  private unlink(parent: number, charCode: number, child: number): void {
    const slot = charCode < 128 ? SLOT_OF[charCode]! : -1;
    if (slot >= 0) this.slots[parent * SLOTS + slot] = NO_NODE;
    else this.otherChildren.delete(parent * 0x10000 + charCode);
    this.childCounts[parent]!--;
    this.freeNodes.push(child);
  }

  private allocate(): number {
    const reused = this.freeNodes.pop();
    if (reused !== undefined) return reused;
    const node = this.items.length;
    this.items.push(undefined);
    if (node >= this.childCounts.length) {
      const capacity = this.childCounts.length * 2;
      const slots = new Int32Array(capacity * SLOTS);
      slots.set(this.slots);
      this.slots = slots;
      const childCounts = new Int32Array(capacity);
      childCounts.set(this.childCounts);
      this.childCounts = childCounts;
    }
    return node;
  }
}
