import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase } from '../helpers/harness.js';
import { WIRE_TIME, assertFieldError, assertNotFound } from '../helpers/assertions.js';

const ROW_KEYS = ['created_at', 'd', 'deleted_at', 'id', 'k', 'o', 'realm', 'updated_at', 'v'];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The destination types of the spec's table (路由信息说明), in its order. */
const DESTINATION_TYPES = [
  'FS_DEST_USER', 'FS_DEST_GATEWAY', 'FS_DEST_USERGW', 'FS_DEST_SYSTEM', 'FS_DEST_IP', 'FS_DEST_IVRBLOCK',
  'FS_DEST_CONFERENCE', 'FS_DEST_CONFERENCE_ROOM', 'FS_DEST_MEETING', 'FS_DEST_MEETING_ROOM',
  'FS_DEST_USER_CONFERENCE', 'FS_DEST_DISTRIBUTORS', 'FS_DEST_CTI', 'FS_DEST_NUM_QUEUE', 'FS_DEST_SCRIPT',
  'FS_DEST_IVR', 'FS_DEST_CLUSTER_TRUNK', 'FS_DEST_CLUSTER_TRUNK_GROUP', 'FS_DEST_SEQ_EXTNS', 'FS_DEST_RING_EXTNS',
];

interface DictRow {
  id: number;
  realm: string;
  k: string;
  v: string;
  d: string;
  o: number;
  created_at: string;
  updated_at: string;
  deleted_at: string;
}

function assertRowShape(row: DictRow, what: string): void {
  assert.deepEqual(Object.keys(row).sort(), ROW_KEYS, what);
  assert.equal(typeof row.id, 'number', what);
  assert.equal(typeof row.o, 'number', what);
  for (const text of ['realm', 'k', 'v', 'd'] as const) assert.equal(typeof row[text], 'string', `${what}.${text}`);
  assert.match(row.created_at, WIRE_TIME, what);
  assert.match(row.updated_at, WIRE_TIME, what);
  assert.equal(row.deleted_at, '', what);
}



describeOnEachDatabase('dicts', (server) => {
  test('GET /api/dicts?realm=DEST is a bare array of exactly the 20 destination types', async () => {
    const reply = await server().get('/api/dicts?realm=DEST');
    assert.equal(reply.status, 200);
    assert.ok(Array.isArray(reply.body), 'a bare array, no envelope');
    const rows = reply.body as DictRow[];
    assert.equal(rows.length, 20);
    assert.deepEqual(rows.map((row) => row.k).sort(), [...DESTINATION_TYPES].sort());
    for (const row of rows) {
      assertRowShape(row, row.k);
      assert.equal(row.realm, 'DEST', row.k);
      assert.ok(row.v.length > 0, `${row.k} has a value`);
    }
    assert.equal(new Set(rows.map((row) => row.id)).size, 20);
    const orders = rows.map((row) => row.o);
    assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'ordered by o');
  });

  test('DEST carries the values of the spec example', async () => {
    const rows = (await server().get('/api/dicts?realm=DEST')).body as DictRow[];
    const user = rows.find((row) => row.k === 'FS_DEST_USER');
    const ring = rows.find((row) => row.k === 'FS_DEST_RING_EXTNS');
    assert.ok(user && ring);
    assert.deepEqual({ realm: user.realm, k: user.k, v: user.v, o: user.o, d: user.d, deleted_at: user.deleted_at },
      { realm: 'DEST', k: 'FS_DEST_USER', v: 'USER', o: 1, d: '', deleted_at: '' });
    assert.deepEqual({ realm: ring.realm, k: ring.k, v: ring.v, o: ring.o, d: ring.d, deleted_at: ring.deleted_at },
      { realm: 'DEST', k: 'FS_DEST_RING_EXTNS', v: 'RING_ALL_EXTN', o: 2, d: '', deleted_at: '' });
    assert.equal(rows[0]!.k, 'FS_DEST_USER');
    assert.equal(rows[1]!.k, 'FS_DEST_RING_EXTNS');
  });

  test('the other realms are seeded', async () => {
    const ivr = (await server().get('/api/dicts?realm=IVR_ACTION_TYPE')).body as DictRow[];
    assert.equal(ivr.length, 14);
    for (const k of ['IVR_PLAY', 'IVR_SUB', 'IVR_QUEUE', 'IVR_EXTENSION', 'IVR_EXIT']) {
      assert.ok(ivr.some((row) => row.k === k), k);
    }
    const funcCodes = (await server().get('/api/dicts?realm=FUNC_CODE_TYPE')).body as DictRow[];
    assert.equal(funcCodes.length, 18);
    const codecs = (await server().get('/api/dicts?realm=CODEC')).body as DictRow[];
    assert.ok(codecs.length >= 2);
    for (const k of ['PCMU', 'PCMA']) assert.ok(codecs.some((row) => row.k === k), k);
    for (const row of [...ivr, ...funcCodes, ...codecs]) assertRowShape(row, `${row.realm}.${row.k}`);
    assert.ok(ivr.every((row) => row.realm === 'IVR_ACTION_TYPE'));
    assert.ok(codecs.every((row) => row.realm === 'CODEC'));
  });

  test('/api/dicts/realm/:realm answers the same array', async () => {
    const byQuery = await server().get('/api/dicts?realm=DEST');
    for (const path of ['/api/dicts/realm/DEST', '/api/dicts/realm/DEST/']) {
      const byPath = await server().get(path);
      assert.equal(byPath.status, 200, path);
      assert.deepEqual(byPath.body, byQuery.body, path);
    }
    const ivr = await server().get('/api/dicts/realm/IVR_ACTION_TYPE');
    assert.deepEqual(ivr.body, (await server().get('/api/dicts?realm=IVR_ACTION_TYPE')).body);
  });

  test('the list narrows by k, and without realm holds every realm', async () => {
    const one = await server().get('/api/dicts?realm=DEST&k=FS_DEST_GATEWAY');
    assert.equal(one.body.length, 1);
    assert.equal(one.body[0].k, 'FS_DEST_GATEWAY');
    const all = (await server().get('/api/dicts')).body as DictRow[];
    for (const realm of ['DEST', 'IVR_ACTION_TYPE', 'FUNC_CODE_TYPE', 'CODEC']) {
      assert.ok(all.some((row) => row.realm === realm), realm);
    }
    assert.ok(all.length >= 20 + 14 + 18);
    const unknown = await server().get('/api/dicts?realm=NO_SUCH_REALM');
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body, []);
  });

  test('create answers the new id as a number; the entry then lists in its realm', async () => {
    const reply = await server().post('/api/dicts', { realm: 'MFILE_TYPE', k: 'CUSTOM', v: '自定义' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'data', 'message']);
    assert.equal(reply.body.code, 200);
    assert.equal(reply.body.message, 'success');
    assert.equal(typeof reply.body.data, 'number');
    const id = reply.body.data as number;

    const got = await server().get(`/api/dicts/${id}`);
    assert.equal(got.status, 200);
    assertRowShape(got.body, 'created');
    const { created_at: _c, updated_at: _u, ...rest } = got.body;
    assert.deepEqual(rest, { id, realm: 'MFILE_TYPE', k: 'CUSTOM', v: '自定义', d: '', o: 0, deleted_at: '' });

    // MFILE_TYPE is seeded (migration 0007): the new entry lists among the seeded ones, once.
    const listed = (await server().get('/api/dicts?realm=MFILE_TYPE')).body as DictRow[];
    assert.deepEqual(listed.filter((row) => row.k === 'CUSTOM').map((row) => row.id), [id]);
    assert.ok(listed.every((row) => row.realm === 'MFILE_TYPE'));
  });

  test('create coerces numeric strings, accepts a form body and ignores unknown keys', async () => {
    const coerced = await server().post('/api/dicts', { realm: 'TEST', k: 'ORDERED', v: 'x', d: 'desc', o: '7', id: 9999, bogus: 1 });
    assert.equal(coerced.status, 200, JSON.stringify(coerced.body));
    assert.notEqual(coerced.body.data, 9999);
    const row = (await server().get(`/api/dicts/${coerced.body.data}`)).body;
    assert.equal(row.o, 7);
    assert.equal(row.d, 'desc');
    assertNotFound(await server().get('/api/dicts/9999'), 'no row 9999');
    assert.equal(await server().db.kysely.selectFrom('dicts').select('id').where('id', '=', 9999).executeTakeFirst(), undefined);

    const form = await server().request('POST', '/api/dicts', 'realm=TEST&k=FORM&v=%E8%A1%A8%E5%8D%95&o=3', { headers: FORM });
    assert.equal(form.status, 200, JSON.stringify(form.body));
    const formRow = (await server().get(`/api/dicts/${form.body.data}`)).body;
    assert.deepEqual({ realm: formRow.realm, k: formRow.k, v: formRow.v, o: formRow.o }, { realm: 'TEST', k: 'FORM', v: '表单', o: 3 });
  });

  test('a duplicate realm+k answers 409 naming k; the same k in another realm is fine', async () => {
    const dup = await server().post('/api/dicts', { realm: 'DEST', k: 'FS_DEST_USER', v: 'again' });
    assertFieldError(dup, 409, 'k', 'duplicate seeded entry');
    const otherRealm = await server().post('/api/dicts', { realm: 'OTHER', k: 'FS_DEST_USER', v: 'fine' });
    assert.equal(otherRealm.status, 200);
    assert.equal((await server().get('/api/dicts?realm=DEST')).body.length, 20, 'DEST untouched');

    const racing = await Promise.all([1, 2, 3].map(() => server().post('/api/dicts', { realm: 'RACE', k: 'SAME', v: 'x' })));
    assert.deepEqual(racing.map((reply) => reply.status).sort(), [200, 409, 409], JSON.stringify(racing.map((r) => r.body)));
    for (const reply of racing.filter((r) => r.status === 409)) assertFieldError(reply, 409, 'k', 'raced duplicate');
  });

  test('invalid input answers 400 naming the field', async () => {
    const noRealm = await server().post('/api/dicts', { k: 'X', v: 'y' });
    assertFieldError(noRealm, 400, 'realm', 'missing realm');
    assert.equal(noRealm.body.message, 'realm: is required');
    assertFieldError(await server().post('/api/dicts', { realm: 'TEST', v: 'y' }), 400, 'k', 'missing k');
    assertFieldError(await server().post('/api/dicts', { realm: '', k: 'X' }), 400, 'realm', 'empty realm');
    assertFieldError(await server().post('/api/dicts', { realm: 'TEST', k: 'X', o: 'first' }), 400, 'o', 'o not a number');
    assertFieldError(await server().post('/api/dicts', { realm: 'TEST', k: 'X', o: 1e12 }), 400, 'o', 'o out of range');
    assertFieldError(await server().post('/api/dicts', { realm: 'R'.repeat(65), k: 'X' }), 400, 'realm', 'long realm');
  });

  test('update answers the id as a string and changes the entry', async () => {
    const id = (await server().post('/api/dicts', { realm: 'TEST', k: 'UPDATE_ME', v: 'before' })).body.data as number;
    const before = (await server().get(`/api/dicts/${id}`)).body;
    const reply = await server().put(`/api/dicts/${id}`, { v: 'after', d: 'changed', o: '5' });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(id) });
    const after = (await server().get(`/api/dicts/${id}`)).body;
    assert.deepEqual({ realm: after.realm, k: after.k, v: after.v, d: after.d, o: after.o }, { realm: 'TEST', k: 'UPDATE_ME', v: 'after', d: 'changed', o: 5 });
    assert.equal(after.created_at, before.created_at);
    assert.ok(after.updated_at >= before.updated_at);

    const slash = await server().put(`/api/dicts/${id}/`, { v: 'slash' });
    assert.deepEqual(slash.body, { code: 200, message: 'success', data: String(id) });
    assert.equal((await server().get(`/api/dicts/${id}/`)).body.v, 'slash');

    assertFieldError(await server().put(`/api/dicts/${id}`, { realm: 'DEST', k: 'FS_DEST_IP' }), 409, 'k', 'update into a taken key');
    assertFieldError(await server().put(`/api/dicts/${id}`, { o: 'last' }), 400, 'o', 'update o not a number');
    assertFieldError(await server().put(`/api/dicts/${id}`, { k: '' }), 400, 'k', 'update empty k');
    assert.equal((await server().get(`/api/dicts/${id}`)).body.k, 'UPDATE_ME');
    // Saving an entry with its own key is not a conflict with itself.
    assert.equal((await server().put(`/api/dicts/${id}`, { realm: 'TEST', k: 'UPDATE_ME', v: 'same' })).status, 200);
  });

  test('delete answers the id as a string; the entry is then gone', async () => {
    const id = (await server().post('/api/dicts', { realm: 'TEST', k: 'DELETE_ME', v: 'x' })).body.data as number;
    const reply = await server().delete(`/api/dicts/${id}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/dicts/${id}`), 'GET deleted');
    assertNotFound(await server().delete(`/api/dicts/${id}`), 'DELETE deleted');
    assert.ok(!((await server().get('/api/dicts?realm=TEST')).body as DictRow[]).some((row) => row.id === id));
    // The key is free again.
    assert.equal((await server().post('/api/dicts', { realm: 'TEST', k: 'DELETE_ME', v: 'y' })).status, 200);
  });

  test('unknown ids answer 404, non-numeric ids 400 naming id', async () => {
    assertNotFound(await server().get('/api/dicts/99999'), 'GET');
    assertNotFound(await server().put('/api/dicts/99999', { v: 'x' }), 'PUT');
    assertNotFound(await server().delete('/api/dicts/99999'), 'DELETE');
    assertFieldError(await server().get('/api/dicts/abc'), 400, 'id', 'GET abc');
    assertFieldError(await server().put('/api/dicts/abc', { v: 'x' }), 400, 'id', 'PUT abc');
    assertFieldError(await server().delete('/api/dicts/abc'), 400, 'id', 'DELETE abc');
  });

  test('a seeded entry reads by id like any other', async () => {
    const user = ((await server().get('/api/dicts?realm=DEST&k=FS_DEST_USER')).body as DictRow[])[0]!;
    const got = await server().get(`/api/dicts/${user.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, user);
  });
});
