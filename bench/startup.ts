import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from './table.js';
import { createRouteDatabase } from './route-fixtures.js';
import { median, startServer } from './processes.js';

const ROUNDS = 3;

/** Time from spawning the built server until its first answered request, with N routes in SQLite. */
export async function benchStartup(sizes: number[] = [0, 1_000_000]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-startup-'));
  const rows: (string | number)[][] = [];
  try {
    for (const size of sizes) {
      const path = join(dir, `routes-${size}.db`);
      const seeding = performance.now();
      await createRouteDatabase(path, size);
      const seedSeconds = (performance.now() - seeding) / 1000;
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServer(['dist/src/main.js'], { DATABASE_URL: path, ADMIN_PASSWORD: 'bench', LOG_LEVEL: 'warn' }, '/api/ping');
        times.push(server.startupMs);
        await server.stop();
      }
      rows.push([size, Math.round(median(times)), Math.round(Math.min(...times)), Math.round(Math.max(...times)), seedSeconds.toFixed(1)]);
    }
    return formatTable(['routes in SQLite', 'first answer ms (median of 3)', 'min ms', 'max ms', 'seeding s (not part of start)'], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
