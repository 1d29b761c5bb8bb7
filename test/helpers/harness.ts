import { describe, before, after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { buildServer, type ServerOptions } from '../../src/http/server.js';
import { ensureAdmin } from '../../src/resources/sessions/store.js';
import { databaseKinds, postgres, type DatabaseKind, type TestDatabase } from './databases.js';

export const ADMIN_PASSWORD = 'test-admin-password';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

/** A running server on a fresh database, driven through HTTP (fastify.inject) with a logged-in token. */
export class Harness {
  token = '';

  private constructor(
    readonly app: FastifyInstance,
    readonly db: Db,
    readonly database: TestDatabase,
  ) {}

  /** `options` adds to or overrides the server's options (limits, throttles, cookies). */
  static async start(kind: DatabaseKind, options: Partial<ServerOptions> = {}): Promise<Harness> {
    return Harness.open(await kind.create(), options);
  }

  /**
   * A second, independent server (its own connections, route index and change feed) on a database
   * another Harness already runs on, as a second process would be. Closing it leaves the database.
   */
  static async attach(url: string, options: Partial<ServerOptions> = {}): Promise<Harness> {
    return Harness.open({ url, drop: async () => undefined }, options);
  }

  private static async open(database: TestDatabase, options: Partial<ServerOptions> = {}): Promise<Harness> {
    const db = await openDatabase(database.url);
    await ensureAdmin(db, ADMIN_PASSWORD);
    const app = await buildServer({ db, sessionTtlSeconds: 3600, ...options });
    const harness = new Harness(app, db, database);
    const login = await harness.request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    harness.token = login.body.token;
    return harness;
  }

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    options: { token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const token = options.token === undefined ? this.token : options.token;
    const headers: Record<string, string> = { ...(token ? { 'x-xtra-auth-id': token } : {}), ...options.headers };
    const response = await this.app.inject({
      method,
      url,
      headers,
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
    let parsed: unknown = response.body;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      // Not JSON (e.g. an HTML page): the raw text is the body.
    }
    return { status: response.statusCode, body: parsed, headers: response.headers };
  }

  get = (url: string, options?: { token?: string | null }) => this.request('GET', url, undefined, options);
  post = (url: string, body?: unknown) => this.request('POST', url, body);
  put = (url: string, body?: unknown) => this.request('PUT', url, body);
  delete = (url: string, body?: unknown) => this.request('DELETE', url, body);

  async close(): Promise<void> {
    await this.app.close();
    await this.db.close();
    await this.database.drop();
  }
}

/**
 * Runs `suite` once per database kind, each on its own fresh database, with `options` added to the
 * server's. A kind that cannot be reached is skipped with the reason printed, never silently.
 */
export function describeOnEachDatabase(title: string, suite: (server: () => Harness) => void, options: Partial<ServerOptions> = {}): void {
  for (const kind of databaseKinds) {
    if (kind.unavailable) {
      console.log(`# skipped: ${kind.unavailable}`);
      describe(`${title} [${kind.name}]`, { skip: kind.unavailable }, () => undefined);
      continue;
    }
    describe(`${title} [${kind.name}]`, () => {
      let harness: Harness | undefined;
      before(async () => {
        harness = await Harness.start(kind, options);
      });
      after(async () => harness?.close());
      suite(() => {
        if (!harness) throw new Error('server not started');
        return harness;
      });
    });
  }
}

/**
 * Two servers on one fresh PostgreSQL database, as two processes behind a load balancer; call it
 * inside a describe, which it equips with the set-up and tear-down.
 */
export function twoServersOnPostgres(): { a: () => Harness; b: () => Harness } {
  let first: Harness | undefined;
  let second: Harness | undefined;
  before(async () => {
    first = await Harness.start(postgres);
    second = await Harness.attach(first.database.url);
  });
  after(async () => {
    await second?.close();
    await first?.close();
  });
  return { a: () => first!, b: () => second! };
}
