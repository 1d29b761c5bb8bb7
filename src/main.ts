import { pino } from 'pino';
import { loadConfig } from './config.js';
import { openDatabase, type Db } from './db/connect.js';
import { databaseUnavailable } from './db/errors.js';
import { Switches } from './freeswitch/esl/switches.js';
import { buildServer } from './http/server.js';
import { ensureAdmin } from './resources/sessions/store.js';

const config = loadConfig();
const logger = pino({ level: config.logLevel });

let stopping = false;
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 30_000;

/** The database URL as it may be logged: without its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Opens the database, waiting for it while it cannot be reached (a database that starts after us,
 * a failover): one line per attempt, retries with exponential backoff. Any other failure (a
 * migration, a bad path) is final.
 */
async function openDatabaseWhenReachable(): Promise<Db> {
  const where = withoutPassword(config.databaseUrl);
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openDatabase(config.databaseUrl, { log: (message) => logger.warn(message), sqliteSynchronous: config.sqliteSynchronous });
    } catch (error) {
      const reason = (error as Error).message || String(error);
      if (!databaseUnavailable(error)) {
        logger.fatal(`cannot open the database at ${where}: ${reason}`);
        process.exit(1);
      }
      logger.warn(`database at ${where} not reachable (${reason}); attempt ${attempt}, next in ${(delay / 1000).toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, LAST_RETRY_MS);
    }
  }
}

/** Set once the server runs; before that (waiting for the database) there is nothing to finish. */
let closeServer: (() => Promise<void>) | undefined;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, closeServer ? 'shutting down: finishing in-flight requests' : 'shutting down');
  await closeServer?.();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

const db = await openDatabaseWhenReachable();
const admin = await ensureAdmin(db, config.adminPassword);
if (admin?.generatedPassword) {
  logger.warn(`created user admin with password ${admin.generatedPassword} (shown once; set ADMIN_PASSWORD to choose it)`);
}

const switches = new Switches(config.switches, { logger: logger.child({ component: 'esl' }) });
if (config.switches.length === 0) logger.warn('FREESWITCH_ESL is none: no switch to control; switch-bound endpoints answer 503');
const app = await buildServer({
  db,
  switches,
  recordingsDir: config.recordingsDir,
  mediaDir: config.mediaDir,
  sipDomain: config.sipDomain,
  ...(config.freeswitchXml ? { freeswitchXml: config.freeswitchXml } : {}),
  sessionTtlSeconds: config.sessionTtlSeconds,
  cookieSecure: config.cookieSecure,
  trustProxy: config.trustProxy,
  http: config.http,
  loginThrottle: config.loginThrottle,
  timeZone: config.timeZone,
  logger,
});
closeServer = async () => {
  // app.close() stops accepting, waits for in-flight requests, then runs onClose hooks.
  await app.close();
  await switches.close();
  await db.close();
};
await app.listen({ port: config.port, host: config.host });
// Only now: the API answers whether or not the switches can be reached.
switches.start();
// Routing answers wait for the index; a load that fails leaves nothing to route with: stop.
await app.routeTable.whenLoaded();
logger.info('routing index loaded');
