import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/connect.js';
import { storedNow } from '../../http/kit/time.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface SessionUser {
  id: number;
  login: string;
  name: string;
  extn: string;
  super_admin: number;
}

/** Tokens are stored as SHA-256 digests: a leaked table does not leak live sessions. */
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString('hex')));

export async function checkCredentials(db: Db, login: string, password: string): Promise<SessionUser | null> {
  const user = await db.kysely
    .selectFrom('users')
    .select(['id', 'login', 'name', 'extn', 'super_admin', 'password_hash'])
    .where('login', '=', login)
    .where('disabled', '=', 0)
    .executeTakeFirst();
  // Unknown logins cost a full hash too, so response time does not reveal which logins exist.
  const matches = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
  if (!user || !matches) return null;
  const { password_hash: _hash, ...sessionUser } = user;
  return sessionUser;
}

export async function startSession(db: Db, userId: number, ttlSeconds: number) {
  const token = randomUUID();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db.kysely
    .insertInto('sessions')
    .values({ token_hash: digest(token), user_id: userId, expires_at: expiresAt.toISOString(), created_at: storedNow() })
    .execute();
  // Expired sessions are swept on login rather than by a timer: no background work to stop.
  await db.kysely.deleteFrom('sessions').where('expires_at', '<', storedNow()).execute();
  return { token, expiresAt };
}

export async function userOfToken(db: Db, token: string): Promise<SessionUser | undefined> {
  return db.kysely
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.login', 'users.name', 'users.extn', 'users.super_admin'])
    .where('sessions.token_hash', '=', digest(token))
    .where('sessions.expires_at', '>', storedNow())
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('token_hash', '=', digest(token)).execute();
}

/**
 * First start: create `admin` with ADMIN_PASSWORD, or with a random password that is returned so
 * the caller can print it once. Returns null when users already exist.
 */
export async function ensureAdmin(db: Db, adminPassword: string | undefined): Promise<{ generatedPassword?: string } | null> {
  const existing = await db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  const password = adminPassword ?? randomBytes(12).toString('base64url');
  const now = storedNow();
  await db.kysely
    .insertInto('users')
    .values({
      login: 'admin',
      name: 'Administrator',
      extn: '',
      password_hash: await hashPassword(password),
      super_admin: 1,
      disabled: 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('login').doNothing())
    .execute();
  return adminPassword ? {} : { generatedPassword: password };
}
