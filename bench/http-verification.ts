import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { formatTable } from './table.js';
import { createRouteDatabase, generateCalls, generateRouteSeeds } from './route-fixtures.js';
import { login, median, startServer, type RunningServer } from './processes.js';

const ROUTES = 100_000;
const ROUNDS = 3;
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
    const calls = generateCalls(generateRouteSeeds(ROUTES), 2000);
    const verifyPaths = calls.map((call) => `/api/routes?destNumber=${call.number}&context=${call.context}`);

    await load(hello.baseUrl, ['/hello'], {});
    await load(switchboard.baseUrl, verifyPaths, { 'x-xtra-auth-id': token });
    const ceiling: Measure[] = [];
    const verification: Measure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ceiling.push(await load(hello.baseUrl, ['/hello'], {}));
      verification.push(await load(switchboard.baseUrl, verifyPaths, { 'x-xtra-auth-id': token }));
    }
    const ceilingRps = median(ceiling.map((m) => m.requestsPerSecond));
    const verifyRps = median(verification.map((m) => m.requestsPerSecond));
    return formatTable(
      ['endpoint', 'routes', 'req/s (median of 3)', 'p99 ms (median)', 'non-2xx', '% of ceiling'],
      [
        ['bare Fastify GET /hello (ceiling)', '-', Math.round(ceilingRps), median(ceiling.map((m) => m.p99Ms)), ceiling.reduce((n, m) => n + m.non2xx, 0), '100%'],
        ['GET /api/routes?destNumber&context', ROUTES, Math.round(verifyRps), median(verification.map((m) => m.p99Ms)),
          verification.reduce((n, m) => n + m.non2xx, 0), `${((verifyRps / ceilingRps) * 100).toFixed(1)}%`],
      ],
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
