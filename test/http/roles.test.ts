import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase } from '../helpers/harness.js';
import { fillPath, operationsOf, type Operation } from '../helpers/openapi-operations.js';

// Every /api route is for administrators unless it opts in (`config: { access: 'user' }`, read by
// src/http/auth.ts). This walks the server's own OpenAPI document with an ordinary user's token:
// a route added later is refused to them unless it is listed here, on purpose.

/** What an ordinary user may call: their session, themselves, their extensions, their password. */
const FOR_EVERY_USER = new Set([
  'DELETE /api/sessions',
  'GET /api/users/me',
  'GET /api/users/{id}',
  'GET /api/users/{id}/extensions',
  'PUT /api/users/change_password',
]);
/** CONTRACT's requests answered without a token. */
const PUBLIC = new Set(['POST /api/sessions', 'GET /api/ping']);

const PASSWORD = 'ordinary password';
const keyOf = (operation: Operation) => `${operation.method} ${operation.path}`;

function assertForbidden(reply: { status: number; body: unknown }, what: string): void {
  assert.equal(reply.status, 403, `${what} → ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
  assert.deepEqual(Object.keys(reply.body as object).sort(), ['code', 'message'], what);
  assert.equal((reply.body as { code: number }).code, 403, what);
}

describeOnEachDatabase('roles over every operation of the OpenAPI document', (server) => {
  let operations: Operation[] = [];
  let userToken = '';
  let userId = 0;

  const asUser = (method: Operation['method'] | 'HEAD', url: string, payload?: string) => server().app.inject({
    method,
    url,
    headers: { 'x-xtra-auth-id': userToken, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload }),
  });

  before(async () => {
    const created = await server().post('/api/users', { login: 'ordinary', password: PASSWORD, type: 'NORMAL' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    userId = created.body.data;
    const login = await server().request('POST', '/api/sessions', { login: 'ordinary', password: PASSWORD }, { token: null });
    assert.equal(login.body.super_admin, 0);
    userToken = login.body.token;
    operations = operationsOf(server().app.swagger());
  });

  test('the operations open to every user are documented, and few', () => {
    const documented = new Set(operations.map(keyOf));
    for (const key of [...FOR_EVERY_USER, ...PUBLIC]) assert.ok(documented.has(key), `${key} is not in the document`);
    assert.ok(operations.length > 40, `only ${operations.length} operations`);
  });

  test('an ordinary user gets 403 in the contract shape from every other operation, before its input is read', async () => {
    let refused = 0;
    for (const operation of operations) {
      const key = keyOf(operation);
      if (FOR_EVERY_USER.has(key) || PUBLIC.has(key)) continue;
      // An id that exists (the user's own) and a body that would fail validation: the refusal must come first.
      const url = fillPath(operation.path, Object.fromEntries(operation.pathParams.map((parameter) => [parameter.name, String(userId)])));
      if (operation.method === 'GET') {
        const reply = await asUser('GET', url);
        assertForbidden({ status: reply.statusCode, body: reply.json() }, key);
        assert.equal((await asUser('HEAD', url)).statusCode, 403, `HEAD ${operation.path}`);
      } else {
        const reply = await asUser(operation.method, url, '{"not":"valid"');
        assertForbidden({ status: reply.statusCode, body: reply.json() }, key);
      }
      refused += 1;
    }
    assert.ok(refused >= operations.length - FOR_EVERY_USER.size - PUBLIC.size);
  });

  test('the same requests with an administrator\'s token are never refused for the role', async () => {
    for (const operation of operations.filter((candidate) => candidate.method === 'GET')) {
      const url = fillPath(operation.path, Object.fromEntries(operation.pathParams.map((parameter) => [parameter.name, '1'])));
      const reply = await server().get(url);
      assert.notEqual(reply.status, 403, `${keyOf(operation)} → ${JSON.stringify(reply.body).slice(0, 200)}`);
    }
  });

  test('undocumented paths under /api are administrators\' too: the OpenAPI document, the docs, unknown paths', async () => {
    for (const url of ['/api/openapi.json', '/api/docs', '/api/docs/static/index.html', '/api/no-such-thing']) {
      const reply = await asUser('GET', url);
      assertForbidden({ status: reply.statusCode, body: reply.json() }, url);
    }
    assert.equal((await server().get('/api/openapi.json')).status, 200);
    assert.equal((await server().get('/api/no-such-thing')).status, 404);
  });

  test('the operations open to every user serve them, limited to what is theirs', async () => {
    assert.equal((await asUser('GET', '/api/ping')).statusCode, 200);
    assert.equal((await asUser('GET', '/api/users/me')).json().id, userId);
    assert.equal((await asUser('HEAD', '/api/users/me')).statusCode, 200);
    assert.equal((await asUser('GET', `/api/users/${userId}`)).statusCode, 200);
    assert.equal((await asUser('GET', `/api/users/${userId}/extensions`)).statusCode, 200);
    assertForbidden(await server().request('GET', '/api/users/1', undefined, { token: userToken }), 'another user');
    assertForbidden(await server().request('GET', '/api/users/1/extensions', undefined, { token: userToken }), 'another user\'s extensions');
    const changed = await asUser('PUT', '/api/users/change_password', JSON.stringify({ old_password: PASSWORD, password: 'a new ordinary password' }));
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((await asUser('DELETE', '/api/sessions')).statusCode, 200);
    assert.equal((await asUser('GET', '/api/users/me')).statusCode, 401);
  });
});

