import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, describeOnEachDatabase } from '../helpers/harness.js';

describeOnEachDatabase('sessions', (server) => {
  test('login with JSON `login` answers flat with token, cookie and roles', async () => {
    const reply = await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.code, 200);
    assert.equal(reply.body.message, 'success');
    assert.match(reply.body.token, /^[0-9a-f-]{36}$/);
    assert.equal(reply.body.session_id, reply.body.token);
    assert.equal(reply.body.user_id, 1);
    assert.equal(reply.body.super_admin, 1);
    assert.equal(typeof reply.body.expires, 'number');
    assert.ok(reply.body.expires > Date.now() / 1000);
    assert.deepEqual(Object.keys(reply.body.system_roles).sort(), ['roles_str', 'senior_roles_str']);
    assert.match(String(reply.headers['set-cookie']), new RegExp(`freeswitch_xtra_session_id=${reply.body.token}`));
  });

  test('login with a form body and `username` works too', async () => {
    const reply = await server().request('POST', '/api/sessions', `username=admin&password=${ADMIN_PASSWORD}`, {
      token: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(reply.status, 200);
    assert.ok(reply.body.token);
  });

  test('wrong credentials answer 403, never a token', async () => {
    const wrong = await server().request('POST', '/api/sessions', { login: 'admin', password: 'nope' }, { token: null });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.code, 403);
    assert.equal(wrong.body.token, undefined);
    const unknown = await server().request('POST', '/api/sessions', { login: 'ghost', password: 'x' }, { token: null });
    assert.equal(unknown.status, 403);
  });

  test('login without password or login names the field', async () => {
    const noPassword = await server().request('POST', '/api/sessions', { login: 'admin' }, { token: null });
    assert.equal(noPassword.status, 400);
    assert.match(noPassword.body.message, /^password: /);
    const noLogin = await server().request('POST', '/api/sessions', { password: 'x' }, { token: null });
    assert.equal(noLogin.status, 400);
    assert.match(noLogin.body.message, /^login: /);
  });

  test('the token is accepted from X-XTRA-AUTH-ID, Bearer and the cookie', async () => {
    const { token } = (await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null })).body;
    const carriers: Record<string, string>[] = [
      { 'x-xtra-auth-id': token },
      { authorization: `Bearer ${token}` },
      { cookie: `other=1; freeswitch_xtra_session_id=${token}` },
    ];
    for (const headers of carriers) {
      const reply = await server().request('GET', '/api/contexts', undefined, { token: null, headers });
      assert.equal(reply.status, 200, JSON.stringify(headers));
    }
  });

  test('logout ends the session: the token stops working', async () => {
    const { token } = (await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null })).body;
    const out = await server().request('DELETE', '/api/sessions', undefined, { token });
    assert.equal(out.status, 200);
    assert.equal(out.body.code, 200);
    const after = await server().request('GET', '/api/contexts', undefined, { token });
    assert.equal(after.status, 401);
  });

  test('tokens are stored hashed, never as sent', async () => {
    const { token } = (await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null })).body;
    const stored = await server().db.kysely.selectFrom('sessions').select('token_hash').execute();
    assert.ok(stored.length > 0);
    assert.ok(stored.every((row) => row.token_hash !== token && !row.token_hash.includes(token)));
    const users = await server().db.kysely.selectFrom('users').select('password_hash').execute();
    assert.ok(users.every((row) => row.password_hash.startsWith('scrypt$') && !row.password_hash.includes(ADMIN_PASSWORD)));
  });

  test('an expired session is refused', async () => {
    const { token } = (await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null })).body;
    await server().db.kysely.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const reply = await server().request('GET', '/api/contexts', undefined, { token });
    assert.equal(reply.status, 401);
    assert.equal(reply.body.code, 401);
    await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null })
      .then((fresh) => (server().token = fresh.body.token));
  });

  test('ping answers without a token', async () => {
    const reply = await server().get('/api/ping', { token: null });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.code, 200);
  });
});
