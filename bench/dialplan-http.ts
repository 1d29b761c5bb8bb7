/**
 * Dialplan fetches over HTTP at 100k routes against POST /freeswitch/xml, next to a bare Fastify
 * hello route (the ceiling) in the same run, all separate processes, 50 requests in flight. Each
 * fetch is the form FreeSWITCH 1.10.12 really posted for a call (its context and numbers
 * replaced): trimmed to the fields freeswitch/autoload_configs/xml_curl.conf.xml lets it post
 * (`enable-post-var`), and, for comparison, whole (~5.5 KB, every channel variable: FreeSWITCH's
 * default). A bare Fastify route taking each form unread shows what a POST of that size costs alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { formatTable } from './table.js';
import { createRouteDatabase, generateCalls, generateRouteSeeds, seededRandom, type Call, type RoutingListsFixture } from './route-fixtures.js';
import { median, startServer, type RunningServer } from './processes.js';

const ROUTES = 100_000;
const ROUNDS = 5;
const SECONDS = 8;
const CONNECTIONS = 50;
const BLACKLISTED = 1_000_000;
const TRANSLATIONS = 100_000;
const XML_USER = 'freeswitch';
const XML_PASSWORD = 'bench-xml-password';
const CAPTURED_FETCH = readFileSync(new URL('../test/freeswitch/fixtures/xml_curl-dialplan.form', import.meta.url), 'utf8').trimEnd();
/** mod_xml_curl always posts these; `enable-post-var` picks among the rest. */
const ALWAYS_POSTED = ['hostname', 'section', 'tag_name', 'key_name', 'key_value'];
export const POSTED_BY_OUR_CONFIG = [...readFileSync(new URL('../freeswitch/autoload_configs/xml_curl.conf.xml', import.meta.url), 'utf8')
  .matchAll(/<param name="enable-post-var" value="([^"]+)"\/>/g)].map((match) => match[1]!);

export interface Measure {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

/** The captured fetch, as the same switch would post it for this call: whole, or trimmed to `posted`. */
export function fetchFor(call: Call, posted?: readonly string[], callerNumber?: string): string {
  const fields = new URLSearchParams(CAPTURED_FETCH);
  for (const name of ['Hunt-Context', 'Caller-Context']) fields.set(name, call.context);
  for (const name of ['Hunt-Destination-Number', 'Caller-Destination-Number', 'variable_sip_req_user', 'variable_sip_to_user']) fields.set(name, call.number);
  if (callerNumber !== undefined) for (const name of ['Caller-Caller-ID-Number', 'Hunt-Caller-ID-Number']) fields.set(name, callerNumber);
  if (!posted) return fields.toString();
  const kept = new Set([...ALWAYS_POSTED, ...posted]);
  return new URLSearchParams([...fields].filter(([name]) => kept.has(name))).toString();
}

/** One run; `expect` checks every answer's body, and every answer that fails it counts as failed. */
export async function measure(url: string, request: autocannon.Request, expect: (body: string) => boolean, { connections = CONNECTIONS, seconds = SECONDS } = {}): Promise<Measure> {
  let unexpected = 0;
  const checked: autocannon.Request = {
    ...request,
    onResponse: (status, body) => {
      if (status !== 200 || !expect(body)) unexpected++;
    },
  };
  const result = await autocannon({ url, requests: [checked], connections, duration: seconds });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: unexpected + result.errors + result.timeouts,
  };
}

/** `count` distinct 11-digit mobile numbers, none of them in `except`. */
function mobileNumbers(count: number, seed: number, except: ReadonlySet<string> = new Set()): string[] {
  const random = seededRandom(seed);
  const numbers = new Set<string>();
  while (numbers.size < count) {
    const number = String(13_000_000_000 + Math.floor(random() * 7_000_000_000));
    if (!except.has(number)) numbers.add(number);
  }
  return [...numbers];
}

function listsFixture(): RoutingListsFixture {
  const random = seededRandom(13);
  const translations = Array.from({ length: TRANSLATIONS }, (_, i) => [String(100_000 + i), `86${String(Math.floor(random() * 1e8)).padStart(8, '0')}`] as const);
  return { blacklisted: mobileNumbers(BLACKLISTED, 12), translations };
}

export async function benchDialplanHttp(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-dialplan-'));
  const servers: RunningServer[] = [];
  try {
    await createRouteDatabase(join(dir, 'routes.db'), ROUTES);
    const switchboardOn = async (database: string) => {
      const server = await startServer(['dist/src/main.js'], {
        DATABASE_URL: join(dir, database), LOG_LEVEL: 'warn', FREESWITCH_ESL: 'none',
        FREESWITCH_XML_USER: XML_USER, FREESWITCH_XML_PASSWORD: XML_PASSWORD,
      }, '/api/ping');
      servers.push(server);
      return server;
    };
    const switchboard = await switchboardOn('routes.db');
    // The same routes, each naming a 1M-number blacklist (caller and callee checked) and a 100k-number prefix translation table (dnc and sdnc).
    const lists = listsFixture();
    await createRouteDatabase(join(dir, 'routes-with-lists.db'), ROUTES, lists);
    const switchboardWithLists = await switchboardOn('routes-with-lists.db');
    const hello = await startServer(['--import', 'tsx', 'bench/servers/hello.ts'], {}, '/hello');
    servers.push(hello);
    const sink = await startServer(['--import', 'tsx', 'bench/servers/form-sink.ts'], {}, '/ready');
    servers.push(sink);
    // The routing index loads in the background; the first answered fetch says it is ready.
    const seeds = generateRouteSeeds(ROUTES);
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${XML_USER}:${XML_PASSWORD}`).toString('base64')}`,
    };
    const routed = (body: string) => body.includes('<extension ');
    for (const server of [switchboard, switchboardWithLists]) {
      for (;;) {
        const probe = await fetch(`${server.baseUrl}/freeswitch/xml`, { method: 'POST', headers, body: fetchFor(generateCalls(seeds, 1, 1)[0]!, POSTED_BY_OUR_CONFIG) });
        if (routed(await probe.text())) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const xmlUrl = `${switchboard.baseUrl}/freeswitch/xml`;
    const xmlWithListsUrl = `${switchboardWithLists.baseUrl}/freeswitch/xml`;
    const dialplan = (count: number, seed: number, posted?: readonly string[], callerOf?: (index: number) => string): autocannon.Request => {
      const bodies = generateCalls(seeds, count, seed).map((call, index) => fetchFor(call, posted, callerOf?.(index)));
      let next = 0;
      return { method: 'POST', headers, setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length]! }) };
    };
    // 2,000 distinct calls keep their route rows in the server's row cache (hot routes);
    // 100,000 touch far more rows than it holds, so most fetches read the route from SQLite.
    const hot = dialplan(2_000, 7, POSTED_BY_OUR_CONFIG);
    const cold = dialplan(100_000, 8, POSTED_BY_OUR_CONFIG);
    const hotWhole = dialplan(2_000, 7);
    // The hot calls again, one in ten from a listed caller (refused), the rest from unlisted mobiles.
    const unlisted = mobileNumbers(2_000, 14, new Set(lists.blacklisted));
    const hotWithLists = dialplan(2_000, 7, POSTED_BY_OUR_CONFIG, (index) => (index % 10 === 0 ? lists.blacklisted[index]! : unlisted[index]!));
    const trimmedBytes = fetchFor(generateCalls(seeds, 1, 1)[0]!, POSTED_BY_OUR_CONFIG).length;
    const helloUrl = `${hello.baseUrl}/hello`;
    const isHello = (body: string) => body.includes('world');
    const sinkUrl = `${sink.baseUrl}/freeswitch/xml`;
    const isNotFound = (body: string) => body.includes('not found');

    const runs: { label: string; routes: number | string; run: () => Promise<Measure>; measures: Measure[] }[] = [
      { label: 'bare Fastify GET /hello (ceiling)', routes: '-', run: () => measure(helloUrl, { method: 'GET' }, isHello), measures: [] },
      { label: `bare Fastify POST of that ${trimmedBytes} B form, unread`, routes: '-', run: () => measure(sinkUrl, hot, isNotFound), measures: [] },
      { label: `dialplan fetch as freeswitch/ posts it (${trimmedBytes} B), 2k distinct calls (hot rows)`, routes: ROUTES, run: () => measure(xmlUrl, hot, routed), measures: [] },
      { label: `dialplan fetch as freeswitch/ posts it (${trimmedBytes} B), 100k distinct calls (mostly cold)`, routes: ROUTES, run: () => measure(xmlUrl, cold, routed), measures: [] },
      { label: `dialplan fetch (${trimmedBytes} B), hot rows, every route naming a 1M-number blacklist and a 100k-number table`, routes: ROUTES, run: () => measure(xmlWithListsUrl, hotWithLists, routed), measures: [] },
      { label: `dialplan fetch with every channel variable (${CAPTURED_FETCH.length} B), hot rows`, routes: ROUTES, run: () => measure(xmlUrl, hotWhole, routed), measures: [] },
      { label: `bare Fastify POST of the ${CAPTURED_FETCH.length} B form, unread`, routes: '-', run: () => measure(sinkUrl, hotWhole, isNotFound), measures: [] },
    ];
    for (const { run } of runs.slice(0, 3)) await run();
    for (let round = 0; round < ROUNDS; round++) {
      for (const entry of runs) entry.measures.push(await entry.run());
    }
    const ceiling = runs[0]!.measures;
    const ceilingRps = median(ceiling.map((m) => m.requestsPerSecond));
    const ceilingP99 = median(ceiling.map((m) => m.p99Ms));
    return formatTable(
      ['endpoint', 'routes', `req/s (median of ${ROUNDS})`, 'p50 ms', 'p99 ms', 'failed', '% of ceiling req/s', 'p99 / ceiling p99'],
      runs.map(({ label, routes, measures }) => {
        const rps = median(measures.map((m) => m.requestsPerSecond));
        const p99 = median(measures.map((m) => m.p99Ms));
        return [label, routes, Math.round(rps), median(measures.map((m) => m.p50Ms)), p99,
          measures.reduce((sum, m) => sum + m.failures, 0), `${((rps / ceilingRps) * 100).toFixed(1)}%`, `${(p99 / ceilingP99).toFixed(2)}x`];
      }),
    ) + `\n\nWith lists: a second server on a copy of the routes where every route names a blacklist of ${BLACKLISTED.toLocaleString('en-US')} 11-digit numbers`
      + ` (caller and callee checked) and a prefix translation table of ${TRANSLATIONS.toLocaleString('en-US')} numbers (in dnc and sdnc; it rewrites every number of 6+ digits starting with 1);`
      + ` one call in ten comes from a listed caller and is refused (a hang-up extension, logged as a warning).`
      + `\n${CONNECTIONS} requests in flight, ${SECONDS} s per run, runs interleaved; fetches with basic auth, load generator on the same machine. Target: ≥ 50% of the ceiling's req/s, p99 within 3x.`;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
