import { openDatabase } from '../src/db/connect.js';
import { insertRows } from '../src/resources/blacklists/bulk.js';

/** Deterministic pseudo-random numbers, so every run benchmarks the same routes. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const BENCH_CONTEXTS = ['context-1', 'context-2', 'context-3', 'context-4'];

export interface RouteSeed {
  name: string;
  context: string;
  prefix: string;
  max_length: number;
}

/** Called-number lengths a dial plan distinguishes: extensions, local, national, mobile, international. */
const NUMBER_LENGTHS = [4, 7, 8, 11, 12, 13, 15];

/**
 * `count` routes shaped like a least-cost-routing table: one route per (context, prefix), prefix
 * lengths 0..8 with longer ones more common (weight 2^length; the short ones run out, as there are
 * only ten 1-digit prefixes), each for one of the usual number lengths that the prefix fits in.
 */
export function generateRouteSeeds(count: number, seed = 42): RouteSeed[] {
  const random = seededRandom(seed);
  const weights = Array.from({ length: 9 }, (_, length) => 2 ** length);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const pickLength = () => {
    let roll = random() * totalWeight;
    return weights.findIndex((weight) => (roll -= weight) < 0);
  };
  const seen = new Set<string>();
  const routes: RouteSeed[] = [];
  while (routes.length < count) {
    const context = BENCH_CONTEXTS[Math.floor(random() * BENCH_CONTEXTS.length)]!;
    const prefixLength = pickLength();
    let prefix = '';
    for (let i = 0; i < prefixLength; i++) prefix += Math.floor(random() * 10);
    const key = `${context}|${prefix}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const fitting = NUMBER_LENGTHS.filter((length) => length >= prefixLength);
    const maxLength = fitting[Math.floor(random() * fitting.length)]!;
    routes.push({ name: `route-${routes.length + 1}`, context, prefix, max_length: maxLength });
  }
  return routes;
}

export interface Call {
  context: string;
  number: string;
}

/** Calls that some route takes: a random route's prefix, extended with random digits to a length it accepts. */
export function generateCalls(routes: readonly RouteSeed[], count: number, seed = 7): Call[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const route = routes[Math.floor(random() * routes.length)]!;
    const length = route.prefix.length + Math.floor(random() * (route.max_length - route.prefix.length + 1));
    let number = route.prefix;
    while (number.length < Math.max(length, 1)) number += Math.floor(random() * 10);
    return { context: route.context, number };
  });
}

/** A blacklist and a prefix translation table that every route of a route database names. */
export interface RoutingListsFixture {
  /** Numbers of the blacklist (callers and callees both checked, prefix match). */
  blacklisted: readonly string[];
  /** original_number → nts_number of the prefix translation table, applied in dnc and sdnc. */
  translations: readonly (readonly [string, string])[];
}

/** A migrated SQLite database holding `count` generated routes, written in bulk; with `lists`, every route names them. */
export async function createRouteDatabase(path: string, count: number, lists?: RoutingListsFixture): Promise<void> {
  const db = await openDatabase(path);
  const now = new Date().toISOString();
  const seeds = generateRouteSeeds(count);
  await db.kysely.transaction().execute(async (trx) => {
    let named = {};
    if (lists) {
      const { id: blacklist } = await trx.insertInto('blacklists')
        .values({ name: 'bench', list_type: 0, limit_user_type: 2, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      const { id: table } = await trx.insertInto('number_translations')
        .values({ name: 'bench', type: 'prefix', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      await insertRows(trx, 'sqlite', { table: 'blacklist_numbers', owner: 'blacklist_id', ownerId: blacklist, createdAt: now, columns: { v: lists.blacklisted }, indexed: 'v' });
      await insertRows(trx, 'sqlite', {
        table: 'number_translation_numbers', owner: 'table_id', ownerId: table, createdAt: now, indexed: 'original_number',
        columns: { original_number: lists.translations.map(([original]) => original), nts_number: lists.translations.map(([, translated]) => translated) },
      });
      const rule = `s/prefix_nts_${table}///`;
      named = { blacklist: String(blacklist), dnc: rule, sdnc: rule };
    }
    const CHUNK = 1000;
    for (let start = 0; start < seeds.length; start += CHUNK) {
      await trx.insertInto('routes').values(seeds.slice(start, start + CHUNK).map((seed) => ({
        ...seed, ...named, dest_type: 'FS_DEST_USER', created_at: now, updated_at: now,
      }))).execute();
    }
  });
  await db.close();
}
