import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';

const PASSWORD = 'correct horse battery';
let counter = 0;
const uniqueLogin = (stem: string) => `${stem}${++counter}`;

async function createUser(server: Harness, fields: Record<string, unknown> = {}): Promise<{ id: number; login: string }> {
  const login = (fields.login as string | undefined) ?? uniqueLogin('user');
  const id = createdId(await server.post('/api/users', { login, name: `Name of ${login}`, password: PASSWORD, type: 'NORMAL', ...fields }));
  return { id, login };
}

async function login(server: Harness, name: string, password = PASSWORD) {
  return server.request('POST', '/api/sessions', { login: name, password }, { token: null });
}

async function tokenOf(server: Harness, name: string, password = PASSWORD): Promise<string> {
  const reply = await login(server, name, password);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.token;
}

const as = (server: Harness, token: string) => ({
  get: (url: string) => server.request('GET', url, undefined, { token }),
  put: (url: string, body: unknown) => server.request('PUT', url, body, { token }),
  post: (url: string, body: unknown) => server.request('POST', url, body, { token }),
  delete: (url: string) => server.request('DELETE', url, undefined, { token }),
});

/** Extensions are another resource's; the rows are written as it stores them, secret as an a1-hash. */
async function insertExtension(server: Harness, extn: string, userId: number | null, domain = ''): Promise<number> {
  const now = new Date().toISOString();
  const row = await server.db.kysely.insertInto('extensions')
    .values({ extn, domain, name: `Extension ${extn}`, context: 'context-1', a1_hash: '0123456789abcdef0123456789abcdef', user_id: userId, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const USER_KEYS = ['created_at', 'deleted_at', 'disabled', 'domain', 'extn', 'extn_id', 'id', 'is_super', 'last_login_at', 'login', 'name', 'tel', 'type', 'updated_at'];

/** No answer may carry a password or a hash of one. */
function assertNoSecret(body: unknown): void {
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /password|scrypt|a1_hash|0123456789abcdef/i, text.slice(0, 300));
}

describeOnEachDatabase('users', (server) => {
  test('create, then the list and the detail show the user in CherryPBX\'s types, never a secret', async () => {
    const { id, login: name } = await createUser(server(), { tel: '555-1234', domain: 'example.com', extn_password: 'ignored', context: 'context-1' });
    const detail = await server().get(`/api/users/${id}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(Object.keys(detail.body).sort(), USER_KEYS);
    assert.equal(detail.body.login, name);
    assert.equal(detail.body.name, `Name of ${name}`);
    assert.equal(detail.body.type, 'NORMAL');
    assert.equal(detail.body.tel, '555-1234');
    assert.equal(detail.body.domain, 'example.com');
    assert.equal(detail.body.is_super, '0');
    assert.equal(detail.body.disabled, 0);
    assert.equal(detail.body.extn, '');
    assert.equal(detail.body.extn_id, null);
    assert.equal(detail.body.last_login_at, '');
    assert.match(detail.body.created_at, WIRE_TIME);
    assert.equal(detail.body.deleted_at, '');
    assertNoSecret(detail.body);

    const list = await server().get('/api/users');
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.equal(list.body.rowCount, list.body.data.length);
    assert.ok(list.body.data.some((row: { id: number }) => row.id === id));
    const admin = list.body.data.find((row: { login: string }) => row.login === 'admin');
    assert.equal(admin.is_super, '1');
    assertNoSecret(list.body);
  });

  test('CherryPBX\'s "Create Extension": extn with extn_password (and context) creates the extension, owned by the user as the default one; a refusal writes nothing', async () => {
    const extn = String(46_000 + counter * 10 + 1);
    const { id, login: name } = await createUser(server(), { extn, extn_password: 'sip-secret-1', context: 'context-1' });
    const owned = (await server().get(`/api/users/${id}/extensions`)).body;
    const rows = Array.isArray(owned) ? owned : owned.data;
    assert.deepEqual(rows.map((row: { extn: string; user_id: number; context: string }) => [row.extn, row.user_id, row.context]), [[extn, id, 'context-1']]);
    assert.equal((await server().get(`/api/users/${id}`)).body.extn, extn);
    assert.equal((await login(server(), name)).body.extn, extn);
    const listed = (await server().get(`/api/extensions?extn=${extn}`)).body.data;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].user_id, id);

    const users = async () => (await server().get('/api/users')).body.rowCount;
    const before = await users();
    const fresh = String(46_000 + counter * 10 + 2);
    assertBadRequest(await server().post('/api/users', { login: uniqueLogin('noext'), password: PASSWORD, extn: fresh }), 'extn');
    assertBadRequest(await server().post('/api/users', { login: uniqueLogin('badctx'), password: PASSWORD, extn: fresh, extn_password: 'sip-secret-1', context: 'no-such-context' }), 'context');
    assertBadRequest(await server().post('/api/users', { login: uniqueLogin('badnum'), password: PASSWORD, extn: '12a', extn_password: 'sip-secret-1' }), 'extn');
    assertConflict(await server().post('/api/users', { login: uniqueLogin('taken'), password: PASSWORD, extn, extn_password: 'sip-secret-1' }), 'extn');
    assert.equal(await users(), before);
    assert.equal((await server().get(`/api/extensions?extn=${fresh}`)).body.data.length, 0);
  });

  test('the list pages with perPage, page_size or pageSize, filters by login, name and type, and tolerates hpack', async () => {
    const stem = uniqueLogin('filter');
    for (const suffix of ['a', 'b', 'c']) await createUser(server(), { login: `${stem}${suffix}`, type: suffix === 'c' ? 'AGENT' : 'NORMAL' });
    const all = await server().get(`/api/users?login=${stem}`);
    assert.equal(all.body.rowCount, 3);
    assert.equal(all.body.data.length, 3);
    for (const size of ['perPage', 'page_size', 'pageSize']) {
      const page = await server().get(`/api/users?login=${stem}&page=2&${size}=2&hpack=false`);
      assert.equal(page.status, 200, size);
      assert.equal(page.body.rowCount, 3, size);
      assert.equal(page.body.pageCount, 2, size);
      assert.deepEqual(page.body.data.map((row: { login: string }) => row.login), [`${stem}c`], size);
    }
    const agents = await server().get(`/api/users?login=${stem}&type=AGENT`);
    assert.deepEqual(agents.body.data.map((row: { login: string }) => row.login), [`${stem}c`]);
    const byName = await server().get(`/api/users?name=${encodeURIComponent(`Name of ${stem}b`)}`);
    assert.deepEqual(byName.body.data.map((row: { login: string }) => row.login), [`${stem}b`]);
  });

  test('bad input names the field: login taken, short password, unknown type, malformed login', async () => {
    const { login: taken } = await createUser(server());
    assertConflict(await server().post('/api/users', { login: taken, password: PASSWORD, type: 'NORMAL' }), 'login');
    assertBadRequest(await server().post('/api/users', { login: uniqueLogin('short'), password: 'short', type: 'NORMAL' }), 'password');
    assertBadRequest(await server().post('/api/users', { login: uniqueLogin('kind'), password: PASSWORD, type: 'BOSS' }), 'type');
    assertBadRequest(await server().post('/api/users', { login: 'two words', password: PASSWORD }), 'login');
    assertBadRequest(await server().post('/api/users', { password: PASSWORD }), 'login');
    assertNotFound(await server().get('/api/users/999999'));
    assertNotFound(await server().put('/api/users/999999', { name: 'x' }));
    assertNotFound(await server().delete('/api/users/999999'));
  });

  test('the login answer reflects the role; a login sets last_login_at', async () => {
    const admin = await login(server(), 'admin', ADMIN_PASSWORD);
    assert.equal(admin.body.super_admin, 1);
    assert.equal(admin.body.currentAuthority, 'admin');
    assert.equal(admin.body.extn, '');
    const { id, login: name } = await createUser(server());
    const ordinary = await login(server(), name);
    assert.equal(ordinary.status, 200);
    assert.equal(ordinary.body.user_id, id);
    assert.equal(ordinary.body.super_admin, 0);
    assert.equal(ordinary.body.currentAuthority, 'user');
    assert.equal(ordinary.body.system_roles.roles_str, 'user');
    assert.match((await server().get(`/api/users/${id}`)).body.last_login_at, WIRE_TIME);
  });

  test('CherryPBX\'s save sends the whole user back with is_super "1"/"0" and a boolean disabled; the role follows', async () => {
    const { id, login: name } = await createUser(server());
    const shown = (await server().get(`/api/users/${id}`)).body;
    const saved = await server().put(`/api/users/${id}`, {
      ...shown, name: 'Renamed', tel: '12345', type: 'AGENT', is_super: '1', disabled: false,
      deleted_at: null, last_login_at: null, last_login_attempt_at: null,
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body, { code: 200, message: 'success', data: String(id) });
    const after = (await server().get(`/api/users/${id}`)).body;
    assert.equal(after.name, 'Renamed');
    assert.equal(after.tel, '12345');
    assert.equal(after.type, 'AGENT');
    assert.equal(after.is_super, '1');
    assert.equal(after.disabled, 0);
    assert.equal(after.login, name);
    assert.equal((await login(server(), name)).body.super_admin, 1);
    assert.equal((await server().put(`/api/users/${id}`, { ...after, is_super: '0' })).status, 200);
    assert.equal((await login(server(), name)).body.super_admin, 0);
  });

  test('a promotion or demotion takes effect on the user\'s open session at once', async () => {
    const { id, login: name } = await createUser(server());
    const user = as(server(), await tokenOf(server(), name));
    assert.equal((await user.get('/api/contexts')).status, 403);
    assert.equal((await server().put(`/api/users/${id}`, { is_super: 1 })).status, 200);
    assert.equal((await user.get('/api/contexts')).status, 200);
    assert.equal((await server().put(`/api/users/${id}`, { is_super: 0 })).status, 200);
    assert.equal((await user.get('/api/contexts')).status, 403);
  });

  test('disabling a user ends their sessions at once and refuses their login; enabling lets them log in again', async () => {
    const { id, login: name } = await createUser(server());
    const token = await tokenOf(server(), name);
    assert.equal((await as(server(), token).get('/api/users/me')).status, 200);
    assert.equal((await server().put(`/api/users/${id}`, { disabled: true })).status, 200);
    assert.equal((await as(server(), token).get('/api/users/me')).status, 401);
    assert.equal((await login(server(), name)).status, 403);
    assert.equal((await server().put(`/api/users/${id}`, { disabled: 0 })).status, 200);
    // The old session stays ended; a new login works.
    assert.equal((await as(server(), token).get('/api/users/me')).status, 401);
    assert.equal((await as(server(), await tokenOf(server(), name)).get('/api/users/me')).status, 200);
  });

  test('deleting a user ends their sessions and frees their extensions', async () => {
    const { id, login: name } = await createUser(server());
    const extension = await insertExtension(server(), `7${id}`, id);
    const token = await tokenOf(server(), name);
    const deleted = await server().delete(`/api/users/${id}`);
    assert.deepEqual(deleted.body, { code: 200, message: 'success', data: String(id) });
    assert.equal((await as(server(), token).get('/api/users/me')).status, 401);
    assertNotFound(await server().get(`/api/users/${id}`));
    const freed = await server().db.kysely.selectFrom('extensions').select('user_id').where('id', '=', extension).executeTakeFirstOrThrow();
    assert.equal(freed.user_id, null);
    assert.equal((await login(server(), name)).status, 403);
  });

  test('nobody disables, demotes or deletes themselves', async () => {
    assertConflict(await server().put('/api/users/1', { disabled: true }), 'disabled');
    assertConflict(await server().put('/api/users/1', { is_super: '0' }), 'is_super');
    assertConflict(await server().delete('/api/users/1'), 'id');
    const admin = (await server().get('/api/users/1')).body;
    assert.equal(admin.is_super, '1');
    assert.equal(admin.disabled, 0);
    // Saving one's own whole user unchanged is fine.
    assert.equal((await server().put('/api/users/1', { ...admin, is_super: '1', disabled: false })).status, 200);
  });

  test('two administrators demoting each other at once: the last enabled administrator stays one', async () => {
    const { id: otherId, login: other } = await createUser(server(), { is_super: 1 });
    const { id: thirdId, login: third } = await createUser(server(), { is_super: 1 });
    // Only the two of them are left as administrators: admin steps down through one of them.
    const otherToken = await tokenOf(server(), other);
    const thirdToken = await tokenOf(server(), third);
    assert.equal((await as(server(), otherToken).put('/api/users/1', { is_super: 0 })).status, 200);
    const [first, second] = await Promise.all([
      as(server(), otherToken).put(`/api/users/${thirdId}`, { is_super: 0 }),
      as(server(), thirdToken).put(`/api/users/${otherId}`, { is_super: 0 }),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.notDeepEqual(statuses, [200, 200], 'both demotions went through');
    for (const refused of [first, second].filter((reply) => reply.status !== 200)) {
      assert.ok(refused.status === 403 || refused.status === 409, JSON.stringify(refused.body));
    }
    const admins = await server().db.kysely.selectFrom('users').select('id').where('super_admin', '=', 1).where('disabled', '=', 0).execute();
    assert.equal(admins.length, 1);
    // Restore admin for the tests that follow, through whoever is still an administrator.
    const remaining = admins[0]!.id === otherId ? otherToken : thirdToken;
    assert.equal((await as(server(), remaining).put('/api/users/1', { is_super: 1 })).status, 200);
  });

  test('change_password: the old one must be right (400 naming it); other sessions end, this one stays', async () => {
    const { login: name } = await createUser(server());
    const token = await tokenOf(server(), name);
    const otherToken = await tokenOf(server(), name);
    const user = as(server(), token);
    assertBadRequest(await user.put('/api/users/change_password', { old_password: 'wrong password', password: 'new password 1' }), 'old_password');
    assertBadRequest(await user.put('/api/users/change_password', { old_password: PASSWORD, password: 'short' }), 'password');
    const changed = await user.put('/api/users/change_password', { old_password: PASSWORD, password: 'new password 1' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await user.get('/api/users/me')).status, 200);
    assert.equal((await as(server(), otherToken).get('/api/users/me')).status, 401);
    assert.equal((await login(server(), name)).status, 403);
    assert.equal((await login(server(), name, 'new password 1')).status, 200);
  });

  test('change_password: wrong old passwords count as failed logins, then 429', async () => {
    const { login: name } = await createUser(server());
    const user = as(server(), await tokenOf(server(), name));
    for (let attempt = 0; attempt < 5; attempt += 1) {
      assertBadRequest(await user.put('/api/users/change_password', { old_password: `wrong ${attempt}`, password: 'new password 2' }), 'old_password');
    }
    const throttled = await user.put('/api/users/change_password', { old_password: PASSWORD, password: 'new password 2' });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.code, 429);
  });

  test('an administrator sets another user\'s password: that user\'s sessions end', async () => {
    const { id, login: name } = await createUser(server());
    const token = await tokenOf(server(), name);
    assert.equal((await server().put(`/api/users/${id}`, { password: 'reset by admin' })).status, 200);
    assert.equal((await as(server(), token).get('/api/users/me')).status, 401);
    assert.equal((await login(server(), name, 'reset by admin')).status, 200);
  });

  test('an ordinary user reads themselves and their extensions, changes their password, and nothing else', async () => {
    const { id, login: name } = await createUser(server());
    const { id: otherId } = await createUser(server());
    await insertExtension(server(), `5${id}`, id);
    const user = as(server(), await tokenOf(server(), name));
    const me = await user.get('/api/users/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.id, id);
    assertNoSecret(me.body);
    assert.equal((await user.get(`/api/users/${id}`)).status, 200);
    assert.equal((await user.get(`/api/users/${id}/extensions`)).body.data.length, 1);
    for (const reply of [
      await user.get(`/api/users/${otherId}`),
      await user.get(`/api/users/${otherId}/extensions`),
      await user.get('/api/users'),
      await user.post('/api/users', { login: uniqueLogin('sneaky'), password: PASSWORD }),
      await user.put(`/api/users/${id}`, { is_super: 1 }),
      await user.put(`/api/users/${otherId}`, { password: 'taken over!' }),
      await user.delete(`/api/users/${otherId}`),
      await user.get('/api/users/download'),
      await user.get('/api/routes'),
      await user.post('/api/contexts', { name: 'x', key: 'x' }),
    ]) {
      assert.equal(reply.status, 403, JSON.stringify(reply.body));
      assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'message']);
      assert.equal(reply.body.code, 403);
    }
    assert.equal((await user.get(`/api/users/${id}`)).body.is_super, '0');
    assert.equal((await user.put('/api/users/change_password', { old_password: PASSWORD, password: 'my own new one' })).status, 200);
    assert.equal((await user.delete('/api/sessions')).status, 200);
  });

  test('extensions: the user\'s own are listed without secrets; toggle sets the default, null clears it, leave gives one up', async () => {
    const { id, login: name } = await createUser(server());
    const first = await insertExtension(server(), `3${id}1`, id);
    const second = await insertExtension(server(), `3${id}2`, id, 'other.example');
    const someoneElses = await insertExtension(server(), `3${id}3`, 1);
    const listed = await server().get(`/api/users/${id}/extensions`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.data.map((row: { id: number }) => row.id), [first, second]);
    assert.equal(listed.body.data[1].domain, 'other.example');
    assert.equal(listed.body.data[0].user_id, id);
    assertNoSecret(listed.body);

    assert.equal((await server().put(`/api/users/${id}`, { action: 'toggle', extn_id: String(second) })).status, 200);
    let shown = (await server().get(`/api/users/${id}`)).body;
    assert.equal(shown.extn_id, second);
    assert.equal(shown.extn, `3${id}2`);
    assert.equal((await login(server(), name)).body.extn, `3${id}2`);
    assertBadRequest(await server().put(`/api/users/${id}`, { action: 'toggle', extn_id: someoneElses }), 'extn_id');
    assertBadRequest(await server().put(`/api/users/${id}`, { action: 'toggle', extn_id: 999999 }), 'extn_id');
    assertBadRequest(await server().put(`/api/users/${id}`, { action: 'toggle' }), 'extn_id');

    assert.equal((await server().put(`/api/users/${id}`, { extn_id: null })).status, 200);
    shown = (await server().get(`/api/users/${id}`)).body;
    assert.equal(shown.extn_id, null);
    assert.equal(shown.extn, '');

    assert.equal((await server().put(`/api/users/${id}`, { action: 'toggle', extn_id: first })).status, 200);
    const left = await server().post(`/api/users/${id}/extns/leave`, { extn_id: first });
    assert.deepEqual(left.body, { code: 200, message: 'success', data: String(first) });
    shown = (await server().get(`/api/users/${id}`)).body;
    assert.equal(shown.extn_id, null);
    assert.deepEqual((await server().get(`/api/users/${id}/extensions`)).body.data.map((row: { id: number }) => row.id), [second]);
    assertBadRequest(await server().post(`/api/users/${id}/extns/leave`, { extn_id: first }), 'extn_id');
  });

  test('an extension given to someone else stops being the former owner\'s default', async () => {
    const { id } = await createUser(server());
    const { id: otherId } = await createUser(server());
    const extension = await insertExtension(server(), `4${id}`, id);
    assert.equal((await server().put(`/api/users/${id}`, { action: 'toggle', extn_id: extension })).status, 200);
    await server().db.kysely.updateTable('extensions').set({ user_id: otherId }).where('id', '=', extension).execute();
    const shown = (await server().get(`/api/users/${id}`)).body;
    assert.equal(shown.extn_id, null);
    assert.equal(shown.extn, '');
  });

  test('create with extn: an existing extension nobody owns becomes the user\'s default; another\'s or none is refused', async () => {
    const free = await insertExtension(server(), '86001', null);
    const { id } = await createUser(server(), { extn: '86001' });
    const shown = (await server().get(`/api/users/${id}`)).body;
    assert.equal(shown.extn_id, free);
    assert.equal(shown.extn, '86001');
    assertConflict(await server().post('/api/users', { login: uniqueLogin('late'), password: PASSWORD, extn: '86001' }), 'extn');
    assertBadRequest(await server().post('/api/users', { login: uniqueLogin('none'), password: PASSWORD, extn: '86999' }), 'extn');
    // CherryPBX sends an empty extn when the user gets none.
    await createUser(server(), { extn: '' });
  });

  test('download: a header row of field names, then one row per user by id, no secrets; the filters apply', async () => {
    const stem = uniqueLogin('export');
    const { id } = await createUser(server(), { login: `${stem}a`, type: 'AGENT' });
    await createUser(server(), { login: `${stem}b` });
    const all = await server().get(`/api/users/download?language=zh&fileType=xlsx&login=${stem}`);
    assert.equal(all.status, 200);
    const [header, ...rows] = all.body as unknown[][];
    assert.deepEqual(header, ['id', 'login', 'name', 'type', 'domain', 'tel', 'extn', 'is_super', 'disabled', 'last_login_at']);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.slice(0, 4), [id, `${stem}a`, `Name of ${stem}a`, 'AGENT']);
    assertNoSecret(all.body);
    const agents = await server().get(`/api/users/download?login=${stem}&type=AGENT`);
    assert.equal(agents.body.length, 2);
  });

  test('import: rows as exported plus a password, all or none, a refusal naming row and field; answers the created rows', async () => {
    const stem = uniqueLogin('import');
    // As CherryPBX's spreadsheet reader sends them: every cell text, the export's id column included.
    const rows = [
      { id: '7', login: `${stem}a`, name: 'A', type: 'NORMAL', domain: '', tel: '1', extn: '', is_super: '0', disabled: '0', password: PASSWORD },
      { id: '8', login: `${stem}b`, name: 'B', type: 'AGENT', is_super: '1', password: PASSWORD },
    ];
    const count = async () => (await server().get(`/api/users?login=${stem}`)).body.rowCount;
    assertBadRequest(await server().post('/api/users/import', { users: [rows[0], { ...rows[1], password: 'short' }] }), 'users.1.password');
    assertBadRequest(await server().post('/api/users/import', { users: [rows[0], { ...rows[1], type: 'BOSS' }] }), 'users.1.type');
    assertConflict(await server().post('/api/users/import', { users: [rows[0], { ...rows[1], login: `${stem}a` }] }), 'users.1.login');
    assertBadRequest(await server().post('/api/users/import', { users: [rows[0], { ...rows[1], extn: '86998' }] }), 'users.1.extn');
    assert.equal(await count(), 0);
    const imported = await server().post('/api/users/import', { users: rows });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.code, 200);
    assert.equal(imported.body.data.length, 2);
    assert.deepEqual(imported.body.data.map((row: { login: string; type: string; is_super: string }) => [row.login, row.type, row.is_super]),
      [[`${stem}a`, 'NORMAL', '0'], [`${stem}b`, 'AGENT', '1']]);
    assert.notEqual(imported.body.data[0].id, 7);
    assertNoSecret(imported.body);
    assert.equal((await login(server(), `${stem}b`)).body.super_admin, 1);
    assertConflict(await server().post('/api/users/import', { users: [{ ...rows[0], login: `${stem}c` }, rows[1]] }), 'users.1.login');
    assert.equal(await count(), 2);
  });

  test('batch settings: PUT /api/users {type, username:[ids]} sets the type of those users', async () => {
    const { id: first } = await createUser(server());
    const { id: second } = await createUser(server());
    const reply = await server().put('/api/users', { type: 'AGENT', username: [first, second], idle_timeout: 0 });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    for (const id of [first, second]) assert.equal((await server().get(`/api/users/${id}`)).body.type, 'AGENT');
    assertBadRequest(await server().put('/api/users', { type: 'AGENT', username: [first, 999999] }), 'username.1');
  });
});
