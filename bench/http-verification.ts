import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { formatTable } from './table.js';
import { createRouteDatabase, generateCalls, generateRouteSeeds } from './route-fixtures.js';
import { login, median, startServer, type RunningServer } from './processes.js';

const ROUTES = 100_000;
const ROUNDS = 5;
const SECONDS = 8;
const CONNECTIONS = 20;
const PASSWORD = 'bench-password';

interface Measure {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

async function load(baseUrl: string, paths: string[], headers: Record<string, string>): Promise<Measure> {
  let next = 0;
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'GET', headers, setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length]! }) }],
  });
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/**
 * Route verification over HTTP at 100k routes, next to a bare Fastify route (the ceiling) in the
 * same run; both servers are separate processes, the load generator is this one.
 */
export async function benchHttpVerification(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const servers: RunningServer[] = [];
  try {
    await createRouteDatabase(join(dir, 'routes.db'), ROUTES);
    const switchboard = await startServer(['dist/src/main.js'], {
      DATABASE_URL: join(dir, 'routes.db'), ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn',
    }, '/api/ping');
    servers.push(switchboard);
    const hello = await startServer(['--import', 'tsx', 'bench/servers/hello.ts'], {}, '/hello');
    servers.push(hello);
    const token = await login(switchboard.baseUrl, PASSWORD);
    const seeds = generateRouteSeeds(ROUTES);
    const pathsOf = (count: number, seed: number) => generateCalls(seeds, count, seed)
      .map((call) => `/api/routes?destNumber=${call.number}&context=${call.context}`);
    // 2,000 distinct calls keep their candidate rows in the server's row cache (hot routes);
    // 100,000 distinct calls touch far more rows than it holds, so most answers read SQLite.
    const verifyPaths = pathsOf(2000, 7);
    const coldPaths = pathsOf(100_000, 8);

    await load(hello.baseUrl, ['/hello'], {});
    await load(switchboard.baseUrl, verifyPaths, { 'x-xtra-auth-id': token });
    const ceiling: Measure[] = [];
    const verification: Measure[] = [];
    const cold: Measure[] = [];
    const headers = { 'x-xtra-auth-id': token };
    for (let round = 0; round < ROUNDS; round++) {
      ceiling.push(await load(hello.baseUrl, ['/hello'], {}));
      verification.push(await load(switchboard.baseUrl, verifyPaths, headers));
      cold.push(await load(switchboard.baseUrl, coldPaths, headers));
    }
    const ceilingRps = median(ceiling.map((m) => m.requestsPerSecond));
    const row = (label: string, measures: Measure[]) => {
      const rps = median(measures.map((m) => m.requestsPerSecond));
      return [label, ROUTES, Math.round(rps), median(measures.map((m) => m.p99Ms)),
        measures.reduce((n, m) => n + m.non2xx, 0), `${((rps / ceilingRps) * 100).toFixed(1)}%`];
    };
    return formatTable(
      ['endpoint', 'routes', 'req/s (median of 5)', 'p99 ms (median)', 'non-2xx', '% of ceiling'],
      [
        ['bare Fastify GET /hello (ceiling)', '-', Math.round(ceilingRps), median(ceiling.map((m) => m.p99Ms)), ceiling.reduce((n, m) => n + m.non2xx, 0), '100%'],
        row('verification, 2k distinct calls (hot rows)', verification),
        row('verification, 100k distinct calls (mostly cold)', cold),
      ],
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
