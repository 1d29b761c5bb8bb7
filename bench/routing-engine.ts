/**
 * Routing engine benchmark: the in-memory index (`best`, `decide`) against XUI's way, one SQL query
 * per call on SQLite, over the same generated route sets and called numbers.
 *
 * Run alone: `node --import tsx bench/routing-engine.ts`.
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { decide, type Call } from '../src/routing/decide.js';
import { parseRecurrence } from '../src/routing/recurrence.js';
import { RouteIndex } from '../src/routing/route-index.js';
import type { Route, TimeSegment } from '../src/routing/types.js';
import { formatTable } from './table.js';

const SIZES = [1_000, 100_000, 1_000_000];
/** SQL queries per size: each one scans a context's rows, so big sets get fewer to stay in budget. */
const SQL_QUERIES: Record<number, number> = { 1_000: 2_000, 100_000: 200, 1_000_000: 20 };
const CONTEXTS = ['default', 'public', 'context-1', 'context-2', 'internal'];
const DEST_TYPES = ['FS_DEST_GATEWAY', 'FS_DEST_USER', 'FS_DEST_IVR', 'FS_DEST_SYSTEM'];
const DNC_RULES = ['-0+86', 'r0', '/^0(.*)$/$1/'];
const ENGINE_LOOKUPS = 40_000;
const BATCH = 100;
const AT = new Date('2025-06-16T10:00:00+08:00');
const ZONE = 'Asia/Shanghai';

/** Deterministic PRNG (mulberry32), so every run measures the same routes and numbers. */
export function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

export function digits(next: (below: number) => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(48 + next(10));
  return text;
}

/** Routes with unique (context, prefix, max_length): digit prefixes of 0–8, max_length max(3, prefix)–15. */
export function generateRoutes(count: number): { routes: Route[]; segments: TimeSegment[] } {
  const next = random(count);
  const seen = new Set<string>();
  const routes: Route[] = [];
  while (routes.length < count) {
    const context = CONTEXTS[next(CONTEXTS.length)]!;
    const prefix = digits(next, next(9));
    const shortest = Math.max(3, prefix.length);
    const maxLength = shortest + next(16 - shortest);
    const key = `${context}|${prefix}|${maxLength}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = routes.length + 1;
    routes.push({
      id, name: `route-${id}`, context, prefix, maxLength, disabled: next(50) === 0,
      destType: DEST_TYPES[next(DEST_TYPES.length)]!, destUuid: '', body: 'gw1',
      dnc: next(20) === 0 ? DNC_RULES[next(DNC_RULES.length)]! : '', sdnc: '',
    });
  }
  // Time segments come from a few shared templates, as an operator's working-hours setups do.
  const templates = ['20240101T090000|PT9H|daily||1|MO,TU,WE,TH,FR', '20240101T180000|PT15H|daily', '20211231T000000|PT47H59M59S|yearly||1|']
    .map(parseRecurrence);
  const segments = routes.filter((route) => route.id % 100 === 0).map((route, i): TimeSegment => ({
    id: i + 1, routeId: route.id, recurrence: templates[i % templates.length]!, destType: 'FS_DEST_IVR', destUuid: '1', body: '',
  }));
  return { routes, segments };
}

/**
 * Calls to numbers some route was configured for: a random route's prefix, completed with random
 * digits to 3–15 digits, in that route's context. Uniformly random numbers would mostly stop at
 * the catch-all routes of a small set, measuring a shorter walk rather than a smaller index.
 */
export function generateCalls(routes: Route[], count: number): Call[] {
  const next = random(count + routes.length);
  return Array.from({ length: count }, () => {
    const { context, prefix } = routes[next(routes.length)]!;
    const length = Math.max(prefix.length, 3 + next(13));
    return { context, destNumber: prefix + digits(next, length - prefix.length), callerNumber: '8001', at: AT, zone: ZONE };
  });
}

export interface Timing {
  median: number;
  p99: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Per-lookup microseconds, from the mean of each batch of `batch` lookups. */
export function time(calls: Call[], lookups: number, batch: number, lookup: (call: Call) => unknown): Timing {
  const samples: number[] = [];
  let sink = 0;
  for (let done = 0; done < lookups; done += batch) {
    const start = process.hrtime.bigint();
    for (let i = done; i < done + batch; i++) if (lookup(calls[i % calls.length]!)) sink++;
    samples.push(Number(process.hrtime.bigint() - start) / batch / 1000);
  }
  if (sink < 0) throw new Error('unreachable: keeps the lookups from being optimised away');
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

const ROUTE_SQL = `SELECT * FROM routes WHERE context = ? AND disabled = 0 AND max_length >= ? AND ? LIKE prefix || '%'
  ORDER BY max_length ASC, length(prefix) DESC, id ASC LIMIT 1`;

/** XUI's way: one query per call against a table indexed on context. Checks it agrees with the engine. */
export function timeSql(routes: Route[], calls: Call[], queries: number, index: RouteIndex): Timing {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE routes (id INTEGER PRIMARY KEY, name TEXT, context TEXT, prefix TEXT, max_length INTEGER,
    disabled INTEGER, dest_type TEXT, dest_uuid TEXT, body TEXT, dnc TEXT, sdnc TEXT);
    CREATE INDEX routes_context ON routes (context);`);
  const insert = db.prepare('INSERT INTO routes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of routes) insert.run(r.id, r.name, r.context, r.prefix, r.maxLength, r.disabled ? 1 : 0, r.destType, r.destUuid, r.body, r.dnc, r.sdnc);
  })();
  const select = db.prepare<[string, number, string], { id: number }>(ROUTE_SQL);
  const run = (call: Call) => select.get(call.context, call.destNumber.length, call.destNumber);
  for (const call of calls.slice(0, 20)) {
    const row = run(call);
    if ((row?.id ?? null) !== (index.best(call.context, call.destNumber)?.id ?? null)) {
      throw new Error(`SQL and engine disagree on ${call.context}/${call.destNumber}`);
    }
  }
  const timing = time(calls, queries, 1, run);
  db.close();
  return timing;
}

const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export function heapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const us = (value: number) => value.toFixed(2);
const mb = (value: number) => value.toFixed(1);

export async function benchRoutingEngine(): Promise<string> {
  const rows: (string | number)[][] = [];
  const medians: { best: number; decide: number }[] = [];
  for (const size of SIZES) {
    const heapEmpty = heapMb();
    const { routes, segments } = generateRoutes(size);
    const heapRoutes = heapMb() - heapEmpty;
    const calls = generateCalls(routes, ENGINE_LOOKUPS);
    const heapUnindexed = heapMb();
    const index = new RouteIndex();
    const loadStart = process.hrtime.bigint();
    index.replaceAll(routes, segments);
    const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    const heapIndex = heapMb() - heapUnindexed;
    const listsPerLookup = calls.reduce((sum, call) => sum + index.routeListsOnPath(call.context, call.destNumber).length, 0) / calls.length;

    time(calls, ENGINE_LOOKUPS, BATCH, (call) => decide(index, call)); // warm-up
    const best = time(calls, ENGINE_LOOKUPS, BATCH, (call) => index.best(call.context, call.destNumber));
    const decided = time(calls, ENGINE_LOOKUPS, BATCH, (call) => decide(index, call));
    medians.push({ best: best.median, decide: decided.median });
    const queries = SQL_QUERIES[size];
    const sql = queries === undefined ? null : timeSql(routes, calls, queries, index);

    rows.push([
      size.toLocaleString('en-US'), loadMs.toFixed(0), mb(heapRoutes), mb(heapIndex), listsPerLookup.toFixed(1),
      us(best.median), us(best.p99), us(decided.median), us(decided.p99),
      sql ? us(sql.median) : '-', sql ? us(sql.p99) : '-', sql ? `${(sql.median / decided.median).toFixed(0)}x` : '-',
    ]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const first = medians[0]!;
  const last = medians[medians.length - 1]!;
  const table = formatTable(
    ['routes', 'bulk load ms', 'route objects MB', 'index MB', 'route lists/lookup', 'best median µs', 'best p99 µs',
      'decide median µs', 'decide p99 µs', 'SQL median µs', 'SQL p99 µs', 'SQL ÷ decide'],
    rows,
  );
  return [
    table,
    '',
    `1M ÷ 1k median: best ${(last.best / first.best).toFixed(2)}x, decide ${(last.decide / first.decide).toFixed(2)}x.`,
    `Engine: means of batches of ${BATCH} lookups over ${ENGINE_LOOKUPS.toLocaleString('en-US')} calls to numbers that extend a configured`
      + ' prefix (same numbers for SQL); heap after a full GC. SQL: one query per call, better-sqlite3 :memory: with an index on'
      + ' context, answers checked against the engine. 1% of routes carry a time segment.',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchRoutingEngine());
}
