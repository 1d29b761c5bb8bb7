/**
 * In-memory route index: one prefix trie per context, so a lookup walks at most len(number) + 1
 * nodes whatever the number of routes. All routes of a node share its prefix, so a node keeps them
 * sorted by (maxLength, id) and the best one that fits a number is found by binary search.
 *
 * Decision order (CONTRACT "Routing semantics"): max_length ascending, then the longer prefix, then
 * the lower id. Candidates are the enabled routes of the call's context whose prefix starts the
 * number and whose max_length is at least its length. Prefixes are plain, case-sensitive text.
 */
import { NO_NODE, PrefixTrie } from './prefix-trie.js';
import type { Route, TimeSegment } from './types.js';

/** Decision order: negative when `a` is preferred over `b`. */
export function compareRoutes(a: Route, b: Route): number {
  return a.maxLength - b.maxLength || b.prefix.length - a.prefix.length || a.id - b.id;
}

/** Order inside one trie node, where every route has the same prefix. */
function compareWithinNode(a: Route, b: Route): number {
  return a.maxLength - b.maxLength || a.id - b.id;
}

/** Index of the first route in `routes` (sorted by compareWithinNode) with maxLength >= length. */
function firstFitting(routes: readonly Route[], length: number): number {
  let low = 0;
  let high = routes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (routes[mid]!.maxLength < length) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class RouteIndex {
  private byId = new Map<number, Route>();
  private contexts = new Map<string, PrefixTrie<Route>>();
  private segmentsByRoute = new Map<number, readonly TimeSegment[]>();

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Route | undefined {
    return this.byId.get(id);
  }

  /** Replaces every route and time segment; a later duplicate id wins. */
  replaceAll(routes: Iterable<Route>, segments: Iterable<TimeSegment> = []): void {
    const byId = new Map<number, Route>();
    for (const route of routes) byId.set(route.id, route);
    const contexts = new Map<string, PrefixTrie<Route>>();
    for (const route of byId.values()) {
      let trie = contexts.get(route.context);
      if (!trie) contexts.set(route.context, (trie = new PrefixTrie(compareWithinNode)));
      trie.insertUnsorted(route.prefix, route);
    }
    for (const trie of contexts.values()) trie.sortAll();

    const grouped = new Map<number, TimeSegment[]>();
    for (const segment of segments) {
      const list = grouped.get(segment.routeId);
      if (list) list.push(segment);
      else grouped.set(segment.routeId, [segment]);
    }
    for (const list of grouped.values()) list.sort((a, b) => a.id - b.id);

    this.byId = byId;
    this.contexts = contexts;
    this.segmentsByRoute = grouped;
  }

  /** Adds a route or replaces the one with the same id (its context or prefix may change). */
  upsert(route: Route): void {
    this.detach(route.id);
    this.byId.set(route.id, route);
    let trie = this.contexts.get(route.context);
    if (!trie) this.contexts.set(route.context, (trie = new PrefixTrie(compareWithinNode)));
    trie.insert(route.prefix, route);
  }

  /** Removes a route and its time segments; false if the id was unknown. */
  remove(id: number): boolean {
    this.segmentsByRoute.delete(id);
    return this.detach(id);
  }

  /** Replaces the time segments of a route; they are tried in id order. */
  setTimeSegments(routeId: number, segments: readonly TimeSegment[]): void {
    const foreign = segments.find((segment) => segment.routeId !== routeId);
    if (foreign) throw new Error(`time segment ${foreign.id} belongs to route ${foreign.routeId}, not ${routeId}`);
    if (segments.length === 0) this.segmentsByRoute.delete(routeId);
    else this.segmentsByRoute.set(routeId, [...segments].sort((a, b) => a.id - b.id));
  }

  timeSegments(routeId: number): readonly TimeSegment[] {
    return this.segmentsByRoute.get(routeId) ?? [];
  }

  /** The route a call to `dest` in `context` takes, or null. The hot path: no allocation. */
  best(context: string, dest: string): Route | null {
    const trie = this.contexts.get(context);
    if (trie === undefined) return null;
    const length = dest.length;
    let best: Route | null = null;
    for (let node = NO_NODE, depth = 0; ; depth++) {
      const routes = trie.itemsAt(node);
      if (routes !== undefined) {
        for (let i = firstFitting(routes, length); i < routes.length; i++) {
          const route = routes[i]!;
          if (route.disabled) continue;
          // Deeper nodes have longer prefixes, so on equal maxLength the newcomer wins.
          if (best === null || route.maxLength <= best.maxLength) best = route;
          break;
        }
      }
      if (depth === length) break;
      node = trie.child(node, dest.charCodeAt(depth));
      if (node === NO_NODE) break;
    }
    return best;
  }

  /** Every route that could take the call, in decision order; the first is `best`. */
  candidates(context: string, dest: string): Route[] {
    const found: Route[] = [];
    for (const routes of this.routeListsOnPath(context, dest)) {
      for (let i = firstFitting(routes, dest.length); i < routes.length; i++) {
        if (!routes[i]!.disabled) found.push(routes[i]!);
      }
    }
    return found.sort(compareRoutes);
  }

  /** Every route of `context` whose prefix starts `dest`, disabled and too short ones included, in decision order. */
  prefixMatches(context: string, dest: string): Route[] {
    return this.routeListsOnPath(context, dest).flat().sort(compareRoutes);
  }

  /**
   * The route lists of the prefixes of `dest` that have routes, shortest prefix first. The lists
   * are never modified afterwards, so they stay a consistent snapshot while the index changes.
   */
  routeListsOnPath(context: string, dest: string): (readonly Route[])[] {
    const lists: (readonly Route[])[] = [];
    const trie = this.contexts.get(context);
    if (trie === undefined) return lists;
    for (let node = NO_NODE, depth = 0; ; depth++) {
      const routes = trie.itemsAt(node);
      if (routes !== undefined) lists.push(routes);
      if (depth === dest.length) break;
      node = trie.child(node, dest.charCodeAt(depth));
      if (node === NO_NODE) break;
    }
    return lists;
  }

  /** Takes a route out of its trie and the id map, keeping its segments. */
  private detach(id: number): boolean {
    const route = this.byId.get(id);
    if (route === undefined) return false;
    this.byId.delete(id);
    const trie = this.contexts.get(route.context)!;
    trie.delete(route.prefix, route);
    if (trie.isEmpty) this.contexts.delete(route.context);
    return true;
  }
}
