import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import { storedNow } from '../../db/queries.js';
import type { Database } from '../../db/schema.js';
import type { WritePath } from '../../db/write-path.js';
import { defaultExtensions } from '../users/default-extension.js';
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

/** A user as sessions know it, `extn` being the number of the user's default extension or ''. */
async function sessionUser(db: Kysely<Database>, user: Omit<SessionUser, 'extn'> & { extn_id: number | null }): Promise<SessionUser> {
  const extension = (await defaultExtensions(db, [user])).get(user.id);
  return { id: user.id, login: user.login, name: user.name, super_admin: user.super_admin, extn: extension?.extn ?? '' };
}

export async function checkCredentials(db: Db, login: string, password: string): Promise<SessionUser | null> {
  const user = await db.kysely
    .selectFrom('users')
    .select(['id', 'login', 'name', 'extn_id', 'super_admin', 'password_hash'])
    .where('login', '=', login)
    .where('disabled', '=', 0)
    .executeTakeFirst();
  // Unknown logins cost a full hash too, so response time does not reveal which logins exist.
  const matches = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
  if (!user || !matches) return null;
  return sessionUser(db.kysely, user);
}

/**
 * Change-feed topic of users whose sessions must be looked up again: published with a user's id
 * when they log out, are disabled, deleted, get a new password or role, so that every process
 * drops what it cached of them at once.
 */
export const SESSION_TOPIC = 'sessions';

/**
 * Ends the user's sessions inside a write, all of them or all but `keepToken` (the one asking, who
 * changed their own password). The caller publishes `SESSION_TOPIC` with the user's id.
 */
export async function endSessions(trx: Kysely<Database>, userId: number, keepToken?: string): Promise<void> {
  let sessions = trx.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepToken !== undefined) sessions = sessions.where('token_hash', '<>', digest(keepToken));
  await sessions.execute();
}

/** How long a validated token is trusted without asking the database again. */
const CACHE_SECONDS = 30;
const CACHE_ENTRIES = 10_000;

interface CachedSession {
  user: SessionUser;
  /** Epoch ms after which this entry must be checked again: the session's expiry or the cache age. */
  validUntil: number;
}

/**
 * Sessions live in the database (hashed, with expiry) so they survive restarts and are shared by
 * every process. Validated tokens are cached briefly, because the lookup would otherwise be a
 * query on every request; a logout drops the cached entries of that user here and, through the
 * change feed, in every other process.
 */
export class SessionStore {
  private readonly cache = new Map<string, CachedSession>();
  /**
   * Bumped whenever cached users are forgotten: a lookup that was under way meanwhile may have
   * read the user as they were before, so its answer is not cached.
   */
  private forgettings = 0;

  constructor(private readonly db: Db) {}

  /** Follows `SESSION_TOPIC`: this process's writes right after commit, other processes' through the change feed. */
  async start(writes: WritePath): Promise<void> {
    await writes.follow(SESSION_TOPIC, (userIds) => this.forgetUsers(userIds), () => this.forgetAll());
  }

  async open(userId: number, ttlSeconds: number) {
    const token = randomUUID();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await this.db.kysely
      .insertInto('sessions')
      .values({ token_hash: digest(token), user_id: userId, expires_at: expiresAt.toISOString(), created_at: storedNow() })
      .execute();
    // Expired sessions are swept on login rather than by a timer: no background work to stop.
    await this.db.kysely.deleteFrom('sessions').where('expires_at', '<', storedNow()).execute();
    await this.db.kysely.updateTable('users').set({ last_login_at: storedNow() }).where('id', '=', userId).execute();
    return { token, expiresAt };
  }

  async userOf(token: string): Promise<SessionUser | undefined> {
    const hash = digest(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.validUntil > now) return cached.user;
    this.cache.delete(hash);
    const forgettings = this.forgettings;
    const row = await this.db.kysely
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.login', 'users.name', 'users.extn_id', 'users.super_admin', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', hash)
      .where('sessions.expires_at', '>', new Date(now).toISOString())
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    if (!row) return undefined;
    const expiresAt = row.expires_at;
    const user = await sessionUser(this.db.kysely, row);
    if (forgettings !== this.forgettings) return user;
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, { user, validUntil: Math.min(Date.parse(expiresAt), now + CACHE_SECONDS * 1000) });
    return user;
  }

  async close(token: string): Promise<void> {
    const hash = digest(token);
    await this.db.kysely.transaction().execute(async (trx) => {
      const session = await trx.deleteFrom('sessions').where('token_hash', '=', hash).returning('user_id').executeTakeFirst();
      if (session) await this.db.changes.publish(trx, SESSION_TOPIC, [session.user_id]);
    });
    this.cache.delete(hash);
  }

  private forgetUsers(userIds: readonly number[]): void {
    this.forgettings += 1;
    const forget = new Set(userIds);
    for (const [hash, entry] of this.cache) if (forget.has(entry.user.id)) this.cache.delete(hash);
  }

  private forgetAll(): void {
    this.forgettings += 1;
    this.cache.clear();
  }
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

/**
 * Sets a user's password (creating `admin` if it is the one asked for and missing), enables the
 * user (`admin` as an administrator again: this is the way back in), and ends every session it
 * had, in this process and, through the change feed, in all others.
 */
export async function setPassword(db: Db, login: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  const now = storedNow();
  await db.kysely.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('users')
      .set({ password_hash: hash, disabled: 0, updated_at: now, ...(login === 'admin' ? { super_admin: 1 } : {}) })
      .where('login', '=', login)
      .returning('id')
      .executeTakeFirst();
    if (!updated) {
      if (login !== 'admin') throw new Error(`no user with login "${login}"`);
      await trx
        .insertInto('users')
        .values({ login, name: 'Administrator', password_hash: hash, super_admin: 1, disabled: 0, created_at: now, updated_at: now })
        .execute();
      return;
    }
    await endSessions(trx, updated.id);
    await db.changes.publish(trx, SESSION_TOPIC, [updated.id]);
  });
}
