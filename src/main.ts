import { pino } from 'pino';
import { loadConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { buildServer } from './http/server.js';
import { ensureAdmin } from './resources/sessions/store.js';

const config = loadConfig();
const logger = pino({ level: config.logLevel });

const db = await openDatabase(config.databaseUrl, (message) => logger.warn(message));
const admin = await ensureAdmin(db, config.adminPassword);
if (admin?.generatedPassword) {
  logger.warn(`created user admin with password ${admin.generatedPassword} (shown once; set ADMIN_PASSWORD to choose it)`);
}

const app = await buildServer({ db, sessionTtlSeconds: config.sessionTtlSeconds, timeZone: config.timeZone, logger });
await app.listen({ port: config.port, host: config.host });
// Routing answers wait for the index; a load that fails leaves nothing to route with: stop.
await app.routeTable.whenLoaded();
logger.info('routing index loaded');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing in-flight requests');
  // app.close() stops accepting, waits for in-flight requests, then runs onClose hooks.
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
