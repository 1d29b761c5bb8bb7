/**
 * sofia.conf with 1,000 gateways (each with four params and a variable, half of them registering)
 * and dialplan fetches of routes to gateways at 100k routes. In process: the four queries that
 * load the configuration and the render, per whole-file fetch. Over HTTP: the fetches FreeSWITCH
 * makes (the whole file when mod_sofia loads, one gateway on startgw) next to a bare Fastify route
 * sending a ready document of the same size, and the dialplan fetch next to a bare GET.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { openDatabase } from '../src/db/connect.js';
import { GATEWAY_PARAM_REALM } from '../src/db/migrations/0004-sip-gateways.js';
import { loadSofiaConfig } from '../src/freeswitch/switch-effects.js';
import { renderSofiaConf } from '../src/freeswitch/xml/sofia-conf.js';
import { POSTED_BY_OUR_CONFIG, fetchFor, measure, type Measure } from './dialplan-http.js';
import { median, startServer, type RunningServer } from './processes.js';
import { generateCalls, generateRouteSeeds } from './route-fixtures.js';
import { formatTable } from './table.js';

const GATEWAYS = 1_000;
const ROUTES = 100_000;
const ROUNDS = 3;
const SECONDS = 5;
const RENDERS = 100;
const XML_USER = 'freeswitch';
const XML_PASSWORD = 'bench-xml-password';
const form = (name: string) => readFileSync(new URL(`../test/freeswitch/fixtures/xml_curl-configuration-${name}.form`, import.meta.url), 'utf8').trimEnd();
const gatewayName = (index: number) => `carrier-${String(index).padStart(4, '0')}`;

/** A migrated SQLite database with GATEWAYS gateways on the public profile and ROUTES routes to them. */
async function createGatewayDatabase(path: string): Promise<void> {
  const db = await openDatabase(path);
  const now = new Date().toISOString();
  const stamps = { created_at: now, updated_at: now };
  await db.kysely.transaction().execute(async (trx) => {
    const { id: profileId } = await trx.selectFrom('sip_profiles').select('id').where('name', '=', 'public').executeTakeFirstOrThrow();
    const ids: number[] = [];
    for (let index = 1; index <= GATEWAYS; index++) {
      const { id } = await trx.insertInto('gateways').values({
        name: gatewayName(index), realm: `sip${index}.carrier.example:5060`, username: `account${index}`, password: `secret-${index}`,
        register: index % 2 === 0 ? 'yes' : 'no', profile_id: profileId, description: '', disabled: 0, ...stamps,
      }).returning('id').executeTakeFirstOrThrow();
      ids.push(id);
      const params: [string, string][] = [['expire-seconds', '600'], ['retry-seconds', '30'], ['ping', '25'], ['caller-id-in-from', 'true']];
      await trx.insertInto('params').values(params.map(([k, v], o) => ({ realm: GATEWAY_PARAM_REALM, ref_id: id, k, v, o: o + 1, disabled: 0, ...stamps }))).execute();
      await trx.insertInto('gateway_variables').values({ gateway_id: id, k: 'sip_h_X-Account', v: `account${index}`, direction: 2, disabled: 0, ...stamps }).execute();
    }
    const seeds = generateRouteSeeds(ROUTES);
    for (let start = 0; start < seeds.length; start += 1000) {
      await trx.insertInto('routes').values(seeds.slice(start, start + 1000).map((seed, offset) => {
        const gateway = (start + offset) % GATEWAYS;
        return { ...seed, dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(ids[gateway]), body: gatewayName(gateway + 1), ...stamps };
      })).execute();
    }
  });
  await db.close();
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** Load (four queries) and render of the whole file in this process, RENDERS times. */
async function renderTimes(path: string): Promise<{ table: string; bytes: number }> {
  const db = await openDatabase(path);
  try {
    const load: number[] = [];
    const render: number[] = [];
    let bytes = 0;
    for (let round = 0; round < RENDERS + 10; round++) {
      const loadStart = performance.now();
      const config = await loadSofiaConfig(db.kysely);
      const renderStart = performance.now();
      bytes = Buffer.byteLength(renderSofiaConf(config));
      const done = performance.now();
      // The first ten warm the JIT and SQLite's page cache.
      if (round < 10) continue;
      load.push(renderStart - loadStart);
      render.push(done - renderStart);
    }
    const row = (label: string, times: number[]) => {
      const sorted = [...times].sort((a, b) => a - b);
      return [label, percentile(sorted, 0.5).toFixed(2), percentile(sorted, 0.99).toFixed(2)];
    };
    return { bytes, table: formatTable(['step, whole sofia.conf', 'p50 ms', 'p99 ms'], [row('load (4 queries)', load), row('render', render)]) };
  } finally {
    await db.close();
  }
}

export async function benchSofiaConf(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-sofia-'));
  const servers: RunningServer[] = [];
  try {
    const path = join(dir, 'gateways.db');
    await createGatewayDatabase(path);
    const inProcess = await renderTimes(path);

    const switchboard = await startServer(['dist/src/main.js'], {
      DATABASE_URL: path, LOG_LEVEL: 'warn', FREESWITCH_ESL: 'none', FREESWITCH_XML_USER: XML_USER, FREESWITCH_XML_PASSWORD: XML_PASSWORD,
    }, '/api/ping');
    servers.push(switchboard);
    const hello = await startServer(['--import', 'tsx', 'bench/servers/hello.ts'], {}, '/hello');
    servers.push(hello);
    const ready = await startServer(['--import', 'tsx', 'bench/servers/static-body.ts'], { BODY_BYTES: String(inProcess.bytes) }, '/ready');
    servers.push(ready);

    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${XML_USER}:${XML_PASSWORD}`).toString('base64')}`,
    };
    const post = (body: string): autocannon.Request => ({ method: 'POST', headers, body });
    const startgw = new URLSearchParams(form('sofia.conf-startgw'));
    startgw.set('profile', 'public');
    startgw.set('gateway', gatewayName(GATEWAYS / 2));
    const seeds = generateRouteSeeds(ROUTES);
    const calls = generateCalls(seeds, 2_000, 7).map((call) => fetchFor(call, POSTED_BY_OUR_CONFIG));
    let next = 0;
    const dialplan: autocannon.Request = { method: 'POST', headers, setupRequest: (request) => ({ ...request, body: calls[next++ % calls.length]! }) };
    const xmlUrl = `${switchboard.baseUrl}/freeswitch/xml`;
    const wholeFile = (body: string) => (body.match(/<gateway name=/g) ?? []).length === GATEWAYS;
    // The routing index loads in the background: wait for the first routed fetch.
    while (!(await (await fetch(xmlUrl, { method: 'POST', headers, body: calls[0]! })).text()).includes('sofia/gateway/')) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const few = { connections: 10, seconds: SECONDS };
    const many = { connections: 50, seconds: SECONDS };
    const runs: { label: string; run: () => Promise<Measure>; measures: Measure[] }[] = [
      { label: 'bare Fastify GET /hello (ceiling), 50 in flight', run: () => measure(`${hello.baseUrl}/hello`, { method: 'GET' }, (body) => body.includes('world'), many), measures: [] },
      { label: 'dialplan fetch, routes to gateways (100k routes, 2k calls), 50 in flight', run: () => measure(xmlUrl, dialplan, (body) => body.includes('sofia/gateway/carrier-'), many), measures: [] },
      { label: `bare Fastify POST answering ${inProcess.bytes} B ready, 10 in flight`, run: () => measure(`${ready.baseUrl}/freeswitch/xml`, post(form('sofia.conf')), (body) => body.length === inProcess.bytes, few), measures: [] },
      { label: `whole sofia.conf (${GATEWAYS} gateways, ${inProcess.bytes} B), 10 in flight`, run: () => measure(xmlUrl, post(form('sofia.conf')), wholeFile, few), measures: [] },
      { label: 'one gateway (startgw), 10 in flight', run: () => measure(xmlUrl, post(startgw.toString()), (body) => (body.match(/<gateway name=/g) ?? []).length === 1, few), measures: [] },
    ];
    for (const { run } of runs) await run();
    for (let round = 0; round < ROUNDS; round++) {
      for (const entry of runs) entry.measures.push(await entry.run());
    }
    const http = formatTable(
      ['fetch', `req/s (median of ${ROUNDS})`, 'p50 ms', 'p99 ms', 'failed'],
      runs.map(({ label, measures }) => [label, Math.round(median(measures.map((m) => m.requestsPerSecond))),
        median(measures.map((m) => m.p50Ms)), median(measures.map((m) => m.p99Ms)), measures.reduce((sum, m) => sum + m.failures, 0)]),
    );
    return `${inProcess.table}\n\n${http}\n\n${SECONDS} s per run, runs interleaved; fetches with basic auth, load generator on the same machine.`;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
