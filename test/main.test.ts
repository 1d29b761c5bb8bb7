import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { postgres, type TestDatabase } from './helpers/databases.js';
import { GENERATED, occurrences, start, type Server } from './helpers/process.js';

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
      // The log may name settings (FREESWITCH_XML_PASSWORD); it must not announce a new admin password.
      assert.doesNotMatch(second.messages, GENERATED);
      assert.equal(occurrences(second.output, generatedPassword), 0, 'the first password is never printed again');
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
      let password = '';
      try {
        const match = GENERATED.exec(server.messages);
        assert.ok(match, `no generated password in the log:\n${server.output}`);
        password = match[1]!;
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
        assert.doesNotMatch(again.messages, GENERATED, 'no second admin on a second start');
        assert.equal(occurrences(again.output, password), 0, 'the first password is never printed again');
      } finally {
        assert.deepEqual(await again.stop(), { code: 0, signal: null });
      }
    });
  });
});
