/**
 * Blacklists and number translation: importing a million numbers over the API (SQLite and
 * PostgreSQL), and decide() at 1M routes that all name a 1M-number blacklist and a 100k-number
 * translation table, next to decide() on the same routes without them.
 *
 * Run alone: `node --import tsx bench/blacklists.ts`; only the import: `... bench/blacklists.ts import`,
 * on one database: `... bench/blacklists.ts import sqlite` (or `postgres`).
 */
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src/db/connect.js';
import { buildServer } from '../src/http/server.js';
import { ensureAdmin } from '../src/resources/sessions/store.js';
import type { Blacklist, RoutingLists } from '../src/routing/blacklist.js';
import { decide, type Call } from '../src/routing/decide.js';
import { NumberMap } from '../src/routing/number-map.js';
import type { TranslationTable } from '../src/routing/number-translation.js';
import { RouteIndex } from '../src/routing/route-index.js';
import type { Route } from '../src/routing/types.js';
import { databaseKinds } from '../test/helpers/databases.js';
import { digits, generateCalls, generateRoutes, heapMb, random, time, timeSql } from './routing-engine.js';
import { formatTable } from './table.js';

const NUMBERS = 1_000_000;
/** Numbers per request: 250k of them are some 7.5 MB of JSON, under the 10 MiB body limit. */
const PER_REQUEST = 250_000;
const TRANSLATIONS = 100_000;
const ROUTES = 1_000_000;
const LOOKUPS = 40_000;
const BATCH = 100;
/** One SQL query per call scans a context's rows at 1M routes, so a few suffice (as in the routing-engine bench). */
const SQL_QUERIES = 20;
const PASSWORD = 'bench-password';
const TABLE_RULE = 's/prefix_nts_2///';

/** Heap plus typed-array memory after a full collection: the lists keep their numbers in typed arrays. */
function memoryMb(): number {
  const heap = heapMb();
  return heap + process.memoryUsage().arrayBuffers / 1024 / 1024;
}

/** An 11-digit mobile number, made from arithmetic so that it is one flat string, as a database driver hands it over. */
const mobileNumber = (next: (below: number) => number) => String(13_000_000_000 + next(7) * 1_000_000_000 + next(1_000_000_000));

/** `count` distinct 11-digit mobile numbers. */
function mobileNumbers(count: number, seed: number): string[] {
  const next = random(seed);
  const numbers = new Set<string>();
  while (numbers.size < count) numbers.add(mobileNumber(next));
  return [...numbers];
}

interface ImportFigures {
  database: string;
  importSeconds: number;
  /** CPU time of this process (server and client both run in it) while importing. */
  cpuSeconds: number;
  firstDecideMs: number;
  nextDecideMs: number;
}

/** Imports NUMBERS numbers into one list through the API, then times the first decision that loads the list. */
async function importOnto(kind: (typeof databaseKinds)[number], numbers: string[]): Promise<ImportFigures | string> {
  if (kind.unavailable) return `${kind.name}: skipped, ${kind.unavailable}`;
  const database = await kind.create();
  const db = await openDatabase(database.url);
  try {
    await ensureAdmin(db, PASSWORD);
    const app = await buildServer({ db, sessionTtlSeconds: 3600 });
    const send = async (method: 'GET' | 'POST', url: string, body?: unknown, token?: string) => {
      const headers: Record<string, string> = token ? { 'x-xtra-auth-id': token } : {};
      const reply = await app.inject(body === undefined
        ? { method, url, headers }
        : { method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      if (reply.statusCode !== 200) throw new Error(`${method} ${url}: ${reply.statusCode} ${reply.body.slice(0, 300)}`);
      return reply.json();
    };
    const { token } = await send('POST', '/api/sessions', { login: 'admin', password: PASSWORD });
    const list = (await send('POST', '/api/blacklists', { name: 'bench', list_type: 0, limit_user_type: 0 }, token)).data as number;

    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let from = 0; from < numbers.length; from += PER_REQUEST) {
      const data = numbers.slice(from, from + PER_REQUEST).map((v) => ({ k: '', v }));
      await send('POST', `/api/blacklists/${list}/import`, { data }, token);
    }
    const importSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;

    await send('POST', '/api/routes', { name: 'bench', context: 'context-1', prefix: '', max_length: 15, dest_type: 'FS_DEST_USER', blacklist: String(list) }, token);
    const explain = async () => {
      const began = process.hrtime.bigint();
      const answer = await send('GET', `/api/routes/explain?context=context-1&destNumber=1001&callerNumber=${numbers[0]}`, undefined, token);
      if (answer.data.blacklist?.rejected !== true) throw new Error('a listed caller was not refused');
      return Number(process.hrtime.bigint() - began) / 1e6;
    };
    const firstDecideMs = await explain();
    const nextDecideMs = await explain();
    await app.close();
    return { database: kind.name, importSeconds, cpuSeconds, firstDecideMs, nextDecideMs };
  } finally {
    await db.close();
    await database.drop();
  }
}

export async function benchBlacklistImport(only?: string): Promise<string> {
  const numbers = mobileNumbers(NUMBERS, 11);
  const rows: (string | number)[][] = [];
  const skipped: string[] = [];
  for (const kind of databaseKinds.filter((candidate) => only === undefined || candidate.name === only)) {
    const figures = await importOnto(kind, numbers);
    if (typeof figures === 'string') skipped.push(figures);
    else rows.push([figures.database, NUMBERS.toLocaleString('en-US'), figures.importSeconds.toFixed(2), figures.cpuSeconds.toFixed(2), Math.round(NUMBERS / figures.importSeconds),
      figures.firstDecideMs.toFixed(0), figures.nextDecideMs.toFixed(1)]);
  }
  return [
    formatTable(['database', 'numbers', 'import s', 'process CPU s', 'numbers/s', 'first explain ms (loads the list)', 'next explain ms'], rows),
    '',
    `${NUMBERS.toLocaleString('en-US')} distinct 11-digit numbers into one list by POST /api/blacklists/:id/import, ${PER_REQUEST.toLocaleString('en-US')} a request`
      + ' (in-process HTTP injection: validation, one transaction each, the inserted rows answered). Then a route names the list and'
      + ' GET /api/routes/explain decides a listed caller: the first call loads the list into the process.'
      + ' Process CPU: this process\'s (server and client) during the import, the database server\'s excluded; on a shared machine it moves less than the wall time.',
    ...skipped,
  ].join('\n');
}

export async function benchListsInDecide(): Promise<string> {
  const { routes, segments } = generateRoutes(ROUTES);

  const blacklisted = mobileNumbers(NUMBERS, 12);
  const memoryBefore = memoryMb();
  const blacklist: Blacklist = { id: 1, name: 'bench', listType: 0, limitUserType: 2, numbers: NumberMap.set(blacklisted) };
  const memoryBlacklist = memoryMb() - memoryBefore;
  const next = random(13);
  const translations = Array.from({ length: TRANSLATIONS }, (_, i): [string, string] => [String(100_000 + i), `86${digits(next, 8)}`]);
  const memoryBeforeTable = memoryMb();
  const table: TranslationTable = { id: 2, name: 'bench', type: 'prefix', numbers: NumberMap.of(translations) };
  const memoryTable = memoryMb() - memoryBeforeTable;
  const lists: RoutingLists = { blacklist: (id) => (id === 1 ? blacklist : undefined), translationTable: (id) => (id === 2 ? table : undefined) };

  const calls: Call[] = generateCalls(routes, LOOKUPS).map((call, i) =>
    ({ ...call, callerNumber: i % 10 === 0 ? blacklisted[i]! : mobileNumber(next) }));
  // Both sides hold route objects built as the route table builds them (one literal, every field),
  // the second naming the blacklist (caller and callee checked) and the table in dnc and sdnc.
  const loaded = (route: Route, withLists: boolean): Route => ({
    id: route.id, name: route.name, context: route.context, prefix: route.prefix, maxLength: route.maxLength,
    disabled: route.disabled, destType: route.destType, destUuid: route.destUuid, body: route.body,
    dnc: withLists ? TABLE_RULE : route.dnc, sdnc: withLists ? TABLE_RULE : route.sdnc, blacklist: withLists ? 1 : null,
  });
  const plain = new RouteIndex();
  plain.replaceAll(routes.map((route) => loaded(route, false)), segments);
  const listed = new RouteIndex();
  listed.replaceAll(routes.map((route) => loaded(route, true)), segments);
  // XUI's way, the peer of the ≥ 10,000x target: one route query per call, before any list is consulted.
  const sql = timeSql(routes, calls, SQL_QUERIES, plain);
  routes.length = 0;

  time(calls, LOOKUPS, BATCH, (call) => decide(plain, call));
  time(calls, LOOKUPS, BATCH, (call) => decide(listed, call, { lists }));
  const bare: number[] = [];
  const withLists: number[] = [];
  const p99s: [number[], number[]] = [[], []];
  // Interleaved rounds, so neither side gets the warmer machine.
  for (let round = 0; round < 5; round++) {
    heapMb(); // a full collection between rounds, so neither side pays for the other's garbage
    const a = time(calls, LOOKUPS, BATCH, (call) => decide(plain, call));
    const b = time(calls, LOOKUPS, BATCH, (call) => decide(listed, call, { lists }));
    bare.push(a.median); withLists.push(b.median); p99s[0].push(a.p99); p99s[1].push(b.p99);
  }
  const mid = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  const rejected = calls.filter((call) => decide(listed, call, { lists }).blacklist?.rejected).length;
  return [
    formatTable(['decide() at 1M routes', 'median µs', 'p99 µs', '÷ bare', 'one SQL query ÷ this'], [
      ['bare (no blacklist, no table)', mid(bare).toFixed(2), mid(p99s[0]).toFixed(2), '1.00x', `${(sql.median / mid(bare)).toFixed(0)}x`],
      ['1M-number blacklist + 100k-number table', mid(withLists).toFixed(2), mid(p99s[1]).toFixed(2), `${(mid(withLists) / mid(bare)).toFixed(2)}x`,
        `${(sql.median / mid(withLists)).toFixed(0)}x`],
      ['one SQL query per call (XUI\'s way, route only)', sql.median.toFixed(0), sql.p99.toFixed(0), `${(sql.median / mid(bare)).toFixed(0)}x`, '1x'],
    ]),
    '',
    `Every route names the blacklist (caller and callee checked, prefix match) and the prefix translation table in dnc and sdnc;`
      + ` ${(rejected / calls.length * 100).toFixed(0)}% of the ${LOOKUPS.toLocaleString('en-US')} calls come from listed callers. Medians of 5 interleaved rounds.`
      + ` SQL: ${SQL_QUERIES} calls, one query each, better-sqlite3 :memory: with an index on context, the routes without lists (it finds the route only; the lists would add work).`
      + ` Memory (heap and typed arrays): blacklist ${memoryBlacklist.toFixed(1)} MB (${(memoryBlacklist * 1024 * 1024 / NUMBERS).toFixed(1)} bytes a number),`
      + ` table ${memoryTable.toFixed(1)} MB (the ${TRANSLATIONS.toLocaleString('en-US')} translated numbers included).`,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [part, database] = process.argv.slice(2);
  if (part !== 'import') {
    console.log(await benchListsInDecide());
    console.log();
  }
  console.log(await benchBlacklistImport(database));
}
