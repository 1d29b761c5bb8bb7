import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrations/index.js';
import { localOnlyFeed, postgresFeed, type ChangeFeed } from './change-feed.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** How processes sharing this database learn of each other's writes. */
  changes: ChangeFeed;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export interface OpenOptions {
  log?: (message: string) => void;
  /**
   * SQLite's `synchronous` pragma. NORMAL (the default) in WAL mode never corrupts the database and
   * loses no acknowledged write when the process dies; only a power cut or OS crash may lose the
   * last transactions. FULL syncs every commit and loses nothing even then, at some write cost.
   */
  sqliteSynchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

/** Opens the database named by `url` and brings its schema to the latest migration. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Db> {
  const log = options.log ?? (() => undefined);
  const db = isPostgresUrl(url) ? openPostgres(url, log) : openSqlite(url, options.sqliteSynchronous ?? 'NORMAL');
  try {
    await migrateToLatest(db.kysely, db.dialect);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every query anew, and preparing costs more than running a small query on
 * better-sqlite3; this keeps the most recently used statements (bounded), keyed by their SQL.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql) as unknown as SqliteStatement;
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

function openSqlite(path: string, synchronous: NonNullable<OpenOptions['sqliteSynchronous']>): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  // Several processes may share the file (CLI next to a running server): wait instead of failing.
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { kysely, dialect: 'sqlite', changes: localOnlyFeed, close: () => kysely.destroy() };
}

function openPostgres(url: string, log: (message: string) => void): Db {
  // COUNT(*) and BIGINT come back as strings by default; every count we read fits a JS number.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // A connection the server drops (restart, failover, pg_terminate_backend) must not crash the
  // process. The pool listens on idle connections; a checked-out one (between two statements of a
  // transaction) raises 'error' with nobody listening, which Node turns into an uncaught
  // exception. Every connection gets a listener for its whole life: its query fails (the request
  // answers 503) and the pool discards it on release.
  pool.on('error', (error) => log(`database connection lost: ${error.message}`));
  pool.on('connect', (client) => {
    client.on('error', (error) => log(`database connection lost: ${error.message}`));
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const changes = postgresFeed(url, log);
  return {
    kysely,
    dialect: 'postgres',
    changes,
    async close() {
      await changes.close();
      await kysely.destroy();
    },
  };
}
