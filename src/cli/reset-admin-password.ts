/**
 * `npm run admin:reset-password`: sets the password of `admin` (creating it if missing) when the
 * generated one was lost, and ends its sessions everywhere. The password comes from
 * ADMIN_PASSWORD, or is generated and printed once. Uses DATABASE_URL like the server; the server
 * may keep running meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { setPassword } from '../resources/sessions/store.js';

const config = loadConfig();
const password = config.adminPassword ?? randomBytes(12).toString('base64url');
try {
  const db = await openDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous });
  try {
    await setPassword(db, 'admin', password);
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(`cannot reset the admin password: ${(error as Error).message}`);
  process.exit(1);
}
console.log(config.adminPassword
  ? 'the password of admin is now the one in ADMIN_PASSWORD; its sessions have ended'
  : `the password of admin is now ${password} (shown once); its sessions have ended`);
