import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { postgres, type TestDatabase } from './helpers/databases.js';

/** The repository root: `src/main.ts` is run from there, as `npm start` does. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GENERATED = /created user admin with password (\S+) \(shown once/;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One `node --import tsx src/main.ts` process and everything it wrote. */
class Server {
  output = '';
  readonly exited: Promise<Exit>;
  private done = false;

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  /** The log as an operator reads it: pino writes JSON lines, and their `msg` is the text. */
  get messages(): string {
    return this.output
      .split('\n')
      .map((line) => {
        try {
          return String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
        } catch {
          return line;
        }
      })
      .join('\n');
  }

  get running(): boolean {
    return !this.done;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async login(password: string): Promise<Response> {
    return fetch(this.url('/api/sessions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password }),
    });
  }

  async tokenFor(password: string): Promise<string> {
    const reply = await this.login(password);
    const body = (await reply.json()) as { code: number; token: string };
    assert.equal(reply.status, 200, JSON.stringify(body));
    assert.equal(body.code, 200);
    assert.ok(body.token);
    return body.token;
  }

  async contexts(token: string): Promise<{ rowCount: number; data: { key: string }[] }> {
    const reply = await fetch(this.url('/api/contexts'), { headers: { 'x-xtra-auth-id': token } });
    assert.equal(reply.status, 200);
    return (await reply.json()) as { rowCount: number; data: { key: string }[] };
  }

  /** Waits until `text` has appeared `times` times in the output. */
  async waitForOutput(text: string, times = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output.split(text).length - 1 < times) {
      if (!this.running || Date.now() > deadline) throw new Error(`never saw ${times}× "${text}" in:\n${this.output}`);
      await sleep(5);
    }
  }

  /** A login over a connection that is not kept alive (`Connection: close`), unlike fetch's. */
  async loginOnce(password: string): Promise<{ status: number; body: { token?: string } }> {
    const payload = JSON.stringify({ login: 'admin', password });
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(this.url('/api/sessions'), {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close' },
      }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) as { token?: string } }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** The exit, or null if the process is still running after `ms`. */
  async exitWithin(ms: number): Promise<Exit | null> {
    return Promise.race([this.exited, sleep(ms).then(() => null)]);
  }

  async stop(): Promise<Exit> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }
}

const started: Server[] = [];

/** Spawns the real entry point, as `npm start` runs it, and waits until it answers. */
async function start(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const base = { ...process.env };
  for (const name of ['ADMIN_PASSWORD', 'DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL']) delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...base, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new Server(child, port);
  started.push(server);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!server.running) throw new Error(`the server exited before listening:\n${server.output}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer within 15 s:\n${server.output}`);
    try {
      const ping = await fetch(server.url('/api/ping'));
      if (ping.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

after(async () => {
  // Nothing outlives the suite, whatever failed.
  for (const server of started) if (server.running) server.child.kill('SIGKILL');
});

// The two databases' suites run side by side to keep the file short; each one's tests run in order.
describe('main', { concurrency: true }, () => {
  describe('main: the real process on SQLite', { concurrency: 1 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-main-'));
    const databaseUrl = join(dir, 'nested', 'db.sqlite');
    let generatedPassword = '';
    let firstToken = '';
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('first start creates the database, migrates it and logs a generated admin password once', async () => {
      assert.equal(existsSync(databaseUrl), false);
      const server = await start({ DATABASE_URL: databaseUrl });
      try {
        const match = GENERATED.exec(server.messages);
        assert.ok(match, `no generated password in the log:\n${server.output}`);
        generatedPassword = match[1]!;
        assert.ok(generatedPassword.length >= 12, 'a password worth the name');
        assert.equal(occurrences(server.output, generatedPassword), 1, 'printed exactly once');
        assert.equal(existsSync(databaseUrl), true, 'the SQLite file exists');

        const reply = await server.login(generatedPassword);
        assert.equal(reply.status, 200);
        const body = (await reply.json()) as { code: number; token: string; user_id: number };
        assert.equal(body.code, 200);
        firstToken = body.token;
        assert.match(String(reply.headers.get('set-cookie')), new RegExp(`freeswitch_xtra_session_id=${body.token}`));
        const contexts = await server.contexts(body.token);
        assert.equal(contexts.rowCount, 4);
        assert.deepEqual(contexts.data.map((row) => row.key).sort(), ['context-1', 'context-2', 'context-3', 'context-4']);

        const wrong = await server.login(`${generatedPassword}x`);
        assert.equal(wrong.status, 403);
        assert.equal((await fetch(server.url('/api/contexts'))).status, 401);
        assert.equal(occurrences(server.output, generatedPassword), 1, 'logins do not log the password');
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null });
      }
      const db = new SQLite(databaseUrl, { readonly: true });
      try {
        const users = db.prepare('select login, password_hash from users').all() as { login: string; password_hash: string }[];
        assert.deepEqual(users.map((user) => user.login), ['admin']);
        assert.match(users[0]!.password_hash, /^scrypt\$/);
        assert.ok(!users[0]!.password_hash.includes(generatedPassword));
      } finally {
        db.close();
      }
    });

    let second: Server | undefined;

    test('a second start on the same database creates no other password; the first and its token still work', async () => {
      assert.ok(generatedPassword, 'needs the first start');
      second = await start({ DATABASE_URL: databaseUrl });
      assert.doesNotMatch(second.output, /password/i);
      assert.equal((await second.contexts(firstToken)).rowCount, 4, 'a token from before the restart is still valid');
      const token = await second.tokenFor(generatedPassword);
      assert.equal((await second.contexts(token)).rowCount, 4, 'migrations not re-run');
    });

    test('SIGTERM lets in-flight requests finish, then the process exits 0', async () => {
      const server = second;
      assert.ok(server?.running, 'needs the second start');
      // Logins hash with scrypt (~100 ms each on a 4-thread pool): eight take a few hundred ms.
      const inFlight = Array.from({ length: 8 }, () => server.loginOnce(generatedPassword));
      await server.waitForOutput('"url":"/api/sessions"', 8);
      server.child.kill('SIGTERM');
      const replies = await Promise.all(inFlight);
      for (const reply of replies) {
        assert.equal(reply.status, 200);
        assert.ok(reply.body.token);
      }
      assert.deepEqual(await server.exitWithin(5_000), { code: 0, signal: null }, `did not exit promptly:\n${server.output}`);
      const shutdownAt = server.output.indexOf('shutting down');
      assert.ok(shutdownAt >= 0, `no shutdown line in:\n${server.output}`);
      assert.ok(
        server.output.lastIndexOf('request completed') > shutdownAt,
        `some request was still in flight when shutdown began:\n${server.output}`,
      );
      await assert.rejects(fetch(server.url('/api/ping')), 'nothing listens any more');
    });

    let chosenServer: Server | undefined;
    const chosen = 'Chosen-Admin-Secret-42';

    test('with ADMIN_PASSWORD set, that password logs in and nothing is printed', async () => {
      const other = mkdtempSync(join(tmpdir(), 'switchboard-main-'));
      after(() => rmSync(other, { recursive: true, force: true }));
      chosenServer = await start({ DATABASE_URL: join(other, 'db.sqlite'), ADMIN_PASSWORD: chosen });
      assert.doesNotMatch(chosenServer.messages, GENERATED);
      assert.equal(occurrences(chosenServer.output, chosen), 0, 'the chosen password is never logged');
      const token = await chosenServer.tokenFor(chosen);
      assert.equal((await chosenServer.contexts(token)).rowCount, 4);
      assert.equal((await chosenServer.login('admin')).status, 403);
    });

    test('SIGTERM with in-flight requests on kept-alive connections (as fetch and proxies make) exits promptly', async () => {
      const server = chosenServer;
      assert.ok(server?.running, 'needs the ADMIN_PASSWORD start');
      try {
        const inFlight = Array.from({ length: 8 }, () => server.login(chosen));
        await server.waitForOutput('"url":"/api/sessions"', 8);
        server.child.kill('SIGTERM');
        for (const reply of await Promise.all(inFlight)) assert.equal(reply.status, 200);
        assert.deepEqual(await server.exitWithin(3_000), { code: 0, signal: null }, 'exit within 3 s of SIGTERM');
      } finally {
        if (server.running) server.child.kill('SIGKILL');
      }
    });
  });

  describe('main: the real process on PostgreSQL', { concurrency: 1, skip: postgres.unavailable ?? false }, () => {
    if (postgres.unavailable) console.log(`# skipped: ${postgres.unavailable}`);
    let database: TestDatabase | undefined;
    after(async () => database?.drop());

    test('start-up migrates a fresh database and logs a generated admin password once', async () => {
      database = await postgres.create();
      const server = await start({ DATABASE_URL: database.url });
      try {
        const match = GENERATED.exec(server.messages);
        assert.ok(match, `no generated password in the log:\n${server.output}`);
        const password = match[1]!;
        assert.equal(occurrences(server.output, password), 1);
        const token = await server.tokenFor(password);
        const contexts = await server.contexts(token);
        assert.equal(contexts.rowCount, 4);
        assert.deepEqual(contexts.data.map((row) => row.key).sort(), ['context-1', 'context-2', 'context-3', 'context-4']);
        assert.equal((await server.login('wrong')).status, 403);
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null });
      }
      const again = await start({ DATABASE_URL: database.url });
      try {
        assert.doesNotMatch(again.output, /password/i, 'no second admin on a second start');
      } finally {
        assert.deepEqual(await again.stop(), { code: 0, signal: null });
      }
    });
  });
});
