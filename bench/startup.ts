import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from './table.js';
import { createRouteDatabase } from './route-fixtures.js';
import { login, median, startServer } from './processes.js';

const ROUNDS = 3;
const PASSWORD = 'bench-password';

/**
 * Time from spawning the built server until it first answers (GET /api/ping), and until it first
 * answers a routing question (route verification, which waits for the routing index to load).
 */
export async function benchStartup(sizes: number[] = [0, 1_000_000]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-startup-'));
  const rows: (string | number)[][] = [];
  try {
    for (const size of sizes) {
      const path = join(dir, `routes-${size}.db`);
      const seeding = performance.now();
      await createRouteDatabase(path, size);
      const seedSeconds = (performance.now() - seeding) / 1000;
      const firstAnswer: number[] = [];
      const firstRouting: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServer(['dist/src/main.js'], { DATABASE_URL: path, ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' }, '/api/ping');
        try {
          firstAnswer.push(server.startupMs);
          const token = await login(server.baseUrl, PASSWORD);
          const verification = await fetch(`${server.baseUrl}/api/routes?destNumber=1234567&context=context-1`, {
            headers: { 'x-xtra-auth-id': token },
          });
          if (verification.status !== 200 && verification.status !== 404) throw new Error(`verification answered ${verification.status}`);
          firstRouting.push(performance.now() - server.spawnedAt);
        } finally {
          await server.stop();
        }
      }
      rows.push([size, Math.round(median(firstAnswer)), Math.round(median(firstRouting)), seedSeconds.toFixed(1)]);
    }
    return formatTable(
      ['routes in SQLite', 'first answer ms (median of 3)', 'first routing answer ms (median of 3, incl. a login)', 'seeding s (not part of start)'],
      rows,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
