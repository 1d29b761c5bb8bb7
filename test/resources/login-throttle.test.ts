import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, postgres } from '../helpers/databases.js';
import { ADMIN_PASSWORD, Harness } from '../helpers/harness.js';

/** Small limits keep the test fast: 3 failures per login and address, 6 per address, 30 per login. */
const limits = { windowSeconds: 60, perLoginAndAddress: 3, perAddress: 6 };

async function login(server: Harness, from: string, password: string, user = 'admin') {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/sessions',
    remoteAddress: from,
    payload: { login: user, password },
  });
  return { status: response.statusCode, body: JSON.parse(response.body), headers: response.headers };
}

function assertThrottled(reply: Awaited<ReturnType<typeof login>>, what: string): void {
  assert.equal(reply.status, 429, `${what}: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body.code, 429);
  assert.match(reply.body.message, /too many failed logins/);
  const wait = Number(reply.headers['retry-after']);
  assert.ok(Number.isInteger(wait) && wait > 0 && wait <= limits.windowSeconds, `Retry-After ${reply.headers['retry-after']}`);
}

for (const kind of databaseKinds) {
  describe(`login throttle [${kind.name}]`, { skip: kind.unavailable ?? false }, () => {
    let server: Harness;
    before(async () => {
      server = await Harness.start(kind, { loginThrottle: limits });
    });
    after(async () => server?.close());

    test('after 3 wrong passwords from one address, that address gets 429 even with the right one; another address logs in', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await login(server, '10.0.0.1', 'wrong')).status, 403);
      assertThrottled(await login(server, '10.0.0.1', 'wrong'), 'fourth wrong');
      assertThrottled(await login(server, '10.0.0.1', ADMIN_PASSWORD), 'right password from the throttled address');
      assert.equal((await login(server, '10.0.0.2', ADMIN_PASSWORD)).status, 200, 'the admin is not locked out');
    });

    test('a success clears the count of its login and address', async () => {
      for (let i = 0; i < 2; i++) assert.equal((await login(server, '10.0.1.1', 'wrong')).status, 403);
      assert.equal((await login(server, '10.0.1.1', ADMIN_PASSWORD)).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await login(server, '10.0.1.1', 'wrong')).status, 403);
      assert.equal((await login(server, '10.0.1.1', ADMIN_PASSWORD)).status, 200);
    });

    test('one address guessing many logins is throttled for all of them', async () => {
      for (let i = 0; i < 6; i++) assert.equal((await login(server, '10.0.2.1', 'wrong', `user${i}`)).status, 403);
      assertThrottled(await login(server, '10.0.2.1', 'wrong', 'someone-else'), 'a seventh login');
      assertThrottled(await login(server, '10.0.2.1', ADMIN_PASSWORD), 'admin from that address');
    });

    test('a login under a distributed attack refuses addresses that failed on it, not clean ones', async () => {
      // 30 failures (10 x the per-login-and-address limit) from 30 addresses, one each.
      for (let i = 0; i < 30; i++) assert.equal((await login(server, `10.1.0.${i}`, 'wrong', 'root')).status, 403);
      assertThrottled(await login(server, '10.1.0.7', 'wrong', 'root'), 'an attacking address, second guess');
      assert.notEqual((await login(server, '10.1.1.1', 'wrong', 'root')).status, 429, 'a clean address still gets its answer');
    });

    test('login answers are never cached', async () => {
      const ok = await login(server, '10.0.3.1', ADMIN_PASSWORD);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['cache-control'], 'no-store');
      const refused = await login(server, '10.0.3.1', 'wrong');
      assert.equal(refused.headers['cache-control'], 'no-store');
    });
  });
}

describe('login throttle across processes [postgres]', { skip: postgres.unavailable ?? false }, () => {
  let a: Harness;
  let b: Harness;
  before(async () => {
    a = await Harness.start(postgres, { loginThrottle: limits });
    b = await Harness.attach(a.database.url, { loginThrottle: limits });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  test('failures counted by one process throttle the same address on another', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login(a, '10.2.0.1', 'wrong')).status, 403);
    assertThrottled(await login(b, '10.2.0.1', ADMIN_PASSWORD), 'on the other process');
  });
});

describe('session cookie', () => {
  const kind = databaseKinds[0]!;
  const servers: Harness[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  const cookieOf = async (options: Parameters<typeof Harness.start>[1], headers: Record<string, string> = {}) => {
    const server = await Harness.start(kind, options);
    servers.push(server);
    const response = await server.app.inject({ method: 'POST', url: '/api/sessions', headers, payload: { login: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(response.statusCode, 200);
    return String(response.headers['set-cookie']);
  };

  test('is Secure when the request came over HTTPS through a trusted proxy, or always when configured', async () => {
    assert.doesNotMatch(await cookieOf({}), /Secure/i, 'plain HTTP, no proxy');
    assert.doesNotMatch(await cookieOf({}, { 'x-forwarded-proto': 'https' }), /Secure/i, 'an untrusted proxy header is ignored');
    assert.match(await cookieOf({ trustProxy: true }, { 'x-forwarded-proto': 'https' }), /; Secure/i);
    assert.match(await cookieOf({ cookieSecure: 'always' }), /; Secure/i);
    assert.doesNotMatch(await cookieOf({ cookieSecure: 'never', trustProxy: true }, { 'x-forwarded-proto': 'https' }), /Secure/i);
  });
});
