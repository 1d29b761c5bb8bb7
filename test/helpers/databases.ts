import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the suite creates its throw-away databases on. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface DatabaseKind {
  name: 'sqlite' | 'postgres';
  /** null when usable, else why the tests against it are skipped. */
  unavailable: string | null;
  create(): Promise<TestDatabase>;
}

function withDatabase(url: string, databaseName: string) {
  const parsed = new URL(url);
  parsed.pathname = `/${databaseName}`;
  return parsed.toString();
}

async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_ADMIN_URL} did not answer (${(error as Error).message}); PostgreSQL tests skipped`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` on a connection of its own to the PostgreSQL database at `url`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` on the server's maintenance database, where test databases are created and dropped. */
export const onAdmin = <T>(work: (client: pg.Client) => Promise<T>) => withClient(POSTGRES_ADMIN_URL, work);

export const sqlite: DatabaseKind = {
  name: 'sqlite',
  unavailable: null,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    return { url: join(dir, 'switchboard.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgres: DatabaseKind = {
  name: 'postgres',
  unavailable: await postgresUnavailable(),
  async create() {
    const name = `switchboard_test_${randomBytes(6).toString('hex')}`;
    await onAdmin((client) => client.query(`create database ${name}`));
    return {
      url: withDatabase(POSTGRES_ADMIN_URL, name),
      // A just-closed pool's connections may still be saying goodbye: FORCE would terminate them
      // and their clients would raise an error nobody listens to. Wait for them, then force.
      drop: () => onAdmin(async (client) => {
        for (let attempt = 0; attempt < 40; attempt++) {
          try {
            await client.query(`drop database if exists ${name}`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006') throw error; // 55006: still in use
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        }
        await client.query(`drop database if exists ${name} with (force)`);
      }),
    };
  },
};

export const databaseKinds: DatabaseKind[] = [sqlite, postgres];
