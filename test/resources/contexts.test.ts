import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertNotFound, createdId } from '../helpers/assertions.js';

const LIST_KEYS = ['created_at', 'deleted_at', 'description', 'domain', 'hotline_enabled', 'id', 'identifier', 'key', 'name', 'updated_at'];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The four contexts of a fresh install, newest first as the spec's list shows them. */
const SEEDED = [
  { id: 4, key: 'context-4', name: '销售部', description: '(示例)销售部发起的呼叫' },
  { id: 3, key: 'context-3', name: '技术部', description: '(示例)技术部发起的呼叫' },
  { id: 2, key: 'context-2', name: '外部', description: '外部中继发起的呼叫' },
  { id: 1, key: 'context-1', name: '分机', description: '本地分机发起的呼叫' },
];



const create = async (server: Harness, body: unknown): Promise<number> => createdId(await server.post('/api/contexts', body));

async function detail(server: Harness, id: number | string) {
  const reply = await server.get(`/api/contexts/${id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

async function allKeys(server: Harness): Promise<string[]> {
  const reply = await server.get('/api/contexts');
  assert.equal(reply.status, 200);
  return reply.body.data.map((row: { key: string }) => row.key);
}

describeOnEachDatabase('contexts', (server) => {
  // Runs first, on the untouched database.
  test('a fresh install lists the four contexts of the spec, in its shape and types', async () => {
    const reply = await server().get('/api/contexts');
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.equal(reply.body.page, 1);
    assert.equal(reply.body.rowCount, 4);
    assert.equal(reply.body.pageCount, 1);
    assert.equal(reply.body.data.length, 4);
    reply.body.data.forEach((row: Record<string, unknown>, index: number) => {
      const seed = SEEDED[index]!;
      assert.deepEqual(Object.keys(row).sort(), LIST_KEYS);
      assert.match(String(row.created_at), WIRE_TIME);
      assert.match(String(row.updated_at), WIRE_TIME);
      const { created_at: _c, updated_at: _u, ...rest } = row;
      assert.deepEqual(rest, {
        id: String(seed.id),
        key: seed.key,
        identifier: seed.key,
        name: seed.name,
        description: seed.description,
        hotline_enabled: '0',
        domain: '',
        deleted_at: '',
      });
    });
  });

  test('the detail shows id as a number and hotline_enabled as "0"/"1" (CherryPBX compares it with "1"), and key equal to identifier', async () => {
    for (const seed of SEEDED) {
      const row = await detail(server(), seed.id);
      assert.deepEqual(Object.keys(row).sort(), LIST_KEYS);
      assert.match(row.created_at, WIRE_TIME);
      assert.match(row.updated_at, WIRE_TIME);
      const { created_at: _c, updated_at: _u, ...rest } = row;
      assert.deepEqual(rest, {
        id: seed.id,
        key: seed.key,
        identifier: seed.key,
        name: seed.name,
        description: seed.description,
        hotline_enabled: '0',
        domain: '',
        deleted_at: '',
      });
    }
  });

  test('create answers the new id as a number and generates the key context-N', async () => {
    const reply = await server().post('/api/contexts', { name: 'test', description: '测试' });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: 5 });
    const row = await detail(server(), 5);
    assert.equal(row.name, 'test');
    assert.equal(row.description, '测试');
    assert.equal(row.key, 'context-5');
    assert.equal(row.identifier, 'context-5');
    assert.equal(row.hotline_enabled, '0');
    assert.equal(row.domain, '');
    assert.equal(row.deleted_at, '');
    assert.match(row.created_at, WIRE_TIME);
  });

  test('an explicit key is kept, and generated keys never collide with existing ones', async () => {
    const explicit = await create(server(), { name: 'explicit', key: 'context-9' });
    assert.equal((await detail(server(), explicit)).key, 'context-9');
    const custom = await create(server(), { name: 'custom', key: 'sales_east.2' });
    assert.equal((await detail(server(), custom)).key, 'sales_east.2');

    const before = await allKeys(server());
    const generated = await create(server(), { name: 'generated' });
    const { key } = await detail(server(), generated);
    assert.match(key, /^context-\d+$/);
    assert.ok(!before.includes(key), `${key} was already taken: ${before.join(', ')}`);
  });

  test('concurrent creates without a key all succeed with distinct keys', async () => {
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => server().post('/api/contexts', { name: `parallel-${i}` })),
    );
    for (const reply of replies) assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const ids = replies.map((reply) => reply.body.data as number);
    assert.equal(new Set(ids).size, ids.length);
    const keys = await Promise.all(ids.map(async (id) => (await detail(server(), id)).key));
    assert.equal(new Set(keys).size, keys.length, keys.join(', '));
    const everyKey = await allKeys(server());
    assert.equal(new Set(everyKey).size, everyKey.length, everyKey.join(', '));
  });

  test('a duplicate key answers 409 naming key, also when the requests race', async () => {
    const dup = await server().post('/api/contexts', { name: 'dup', key: 'context-1' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 409);
    assert.match(dup.body.message, /^key: \S/);

    const racing = await Promise.all([1, 2, 3].map(() => server().post('/api/contexts', { name: 'race', key: 'raced-key' })));
    const statuses = racing.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [200, 409, 409], JSON.stringify(racing.map((reply) => reply.body)));
    for (const reply of racing.filter((r) => r.status === 409)) assert.match(reply.body.message, /^key: \S/);
  });

  test('invalid input answers 400 naming the field', async () => {
    assertBadRequest(await server().post('/api/contexts', { description: 'no name' }), 'name', 'missing name');
    assert.equal((await server().post('/api/contexts', { description: 'no name' })).body.message, 'name: is required');
    assertBadRequest(await server().post('/api/contexts', { name: '' }), 'name', 'empty name');
    assertBadRequest(await server().post('/api/contexts', { name: 'x', key: 'has space' }), 'key', 'key with a space');
    assertBadRequest(await server().post('/api/contexts', { name: 'x', key: '' }), 'key', 'empty key');
    assertBadRequest(await server().post('/api/contexts', { name: 'x', hotline_enabled: 2 }), 'hotline_enabled', 'flag 2');
    assertBadRequest(await server().post('/api/contexts', { name: 'x', hotline_enabled: 'yes' }), 'hotline_enabled', 'flag yes');
    assertBadRequest(await server().post('/api/contexts', { name: 'x'.repeat(129) }), 'name', 'name too long');
    assertBadRequest(await server().post('/api/contexts', { name: 'x', description: 'd'.repeat(1025) }), 'description', 'long description');
  });

  test('numeric strings, numbers and booleans are accepted for hotline_enabled', async () => {
    const cases: [unknown, number][] = [['1', 1], [1, 1], [true, 1], ['0', 0], [0, 0], [false, 0]];
    for (const [sent, stored] of cases) {
      const id = await create(server(), { name: `flag ${JSON.stringify(sent)}`, hotline_enabled: sent });
      const row = await detail(server(), id);
      assert.equal(row.hotline_enabled, String(stored), `sent ${JSON.stringify(sent)}`);
      const listed = await server().get(`/api/contexts?key=${encodeURIComponent(row.key)}`);
      assert.equal(listed.body.data.length, 1);
      assert.equal(listed.body.data[0].hotline_enabled, String(stored));
    }
    const numericName = await create(server(), { name: 12345 });
    assert.equal((await detail(server(), numericName)).name, '12345');
  });

  test('unknown keys are ignored and never written', async () => {
    const id = await create(server(), {
      name: 'with extras',
      id: 7777,
      created_at: '1999-01-01 00:00:00',
      updated_at: '1999-01-01 00:00:00',
      deleted_at: '1999-01-01 00:00:00',
      identifier: 'sneaky',
      bogus_column: 'x',
    });
    assert.notEqual(id, 7777);
    assertNotFound(await server().get('/api/contexts/7777'), 'no row 7777');
    const row = await detail(server(), id);
    assert.match(row.key, /^context-\d+$/);
    assert.equal(row.identifier, row.key);
    assert.equal(row.deleted_at, '');
    assert.ok(!row.created_at.startsWith('1999'), row.created_at);
    const stored = await server().db.kysely.selectFrom('contexts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!stored.created_at.startsWith('1999') && !stored.updated_at.startsWith('1999'));
    assert.ok(!Object.keys(stored).includes('bogus_column') && !Object.keys(stored).includes('identifier'));
    assert.equal(await server().db.kysely.selectFrom('contexts').select('id').where('id', '=', 7777).executeTakeFirst(), undefined);
  });

  test('a form-encoded create works like JSON', async () => {
    const body = `name=${encodeURIComponent('表单')}&description=${encodeURIComponent('表单 创建')}&hotline_enabled=1&key=form-key`;
    const reply = await server().request('POST', '/api/contexts', body, { headers: FORM });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(typeof reply.body.data, 'number');
    const row = await detail(server(), reply.body.data);
    assert.equal(row.name, '表单');
    assert.equal(row.description, '表单 创建');
    assert.equal(row.hotline_enabled, '1');
    assert.equal(row.key, 'form-key');
    const missing = await server().request('POST', '/api/contexts', 'description=x', { headers: FORM });
    assertBadRequest(missing, 'name', 'form without name');
  });

  test('update answers the id as a string and changes only what was sent', async () => {
    const before = await detail(server(), 4);
    const reply = await server().put('/api/contexts/4', { description: 'For Internal Call', hotline_enabled: '1' });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: '4' });
    const after = await detail(server(), 4);
    assert.equal(after.description, 'For Internal Call');
    assert.equal(after.hotline_enabled, '1');
    assert.equal(after.name, before.name);
    assert.equal(after.key, 'context-4');
    assert.equal(after.created_at, before.created_at);
    assert.ok(after.updated_at >= before.updated_at);
    const listed = (await server().get('/api/contexts?key=context-4')).body.data[0];
    assert.equal(listed.hotline_enabled, '1');
    assert.equal(listed.description, 'For Internal Call');

    const renamed = await server().put('/api/contexts/4', { name: '销售二部' });
    assert.equal(renamed.status, 200);
    const again = await detail(server(), 4);
    assert.equal(again.name, '销售二部');
    assert.equal(again.description, 'For Internal Call');
  });

  test('{"action":"toggle"} flips hotline_enabled both ways', async () => {
    const id = await create(server(), { name: 'toggled' });
    assert.equal((await detail(server(), id)).hotline_enabled, '0');
    const on = await server().put(`/api/contexts/${id}`, { action: 'toggle' });
    assert.deepEqual(on.body, { code: 200, message: 'success', data: String(id) });
    assert.equal((await detail(server(), id)).hotline_enabled, '1');
    const off = await server().put(`/api/contexts/${id}`, { action: 'toggle' });
    assert.equal(off.status, 200);
    assert.equal((await detail(server(), id)).hotline_enabled, '0');
    assertBadRequest(await server().put(`/api/contexts/${id}`, { action: 'explode' }), 'action');
  });

  test('two toggles at once flip hotline_enabled twice', async () => {
    const id = await create(server(), { name: 'toggled-twice' });
    const replies = await Promise.all([1, 2].map(() => server().put(`/api/contexts/${id}`, { action: 'toggle' })));
    assert.deepEqual(replies.map((reply) => reply.status), [200, 200]);
    assert.equal((await detail(server(), id)).hotline_enabled, '0');
  });

  test('update cannot change the key', async () => {
    const reply = await server().put('/api/contexts/3', { key: 'renamed-key', identifier: 'renamed-key', name: '技术部' });
    assert.ok(reply.status === 200 || reply.status === 400, JSON.stringify(reply.body));
    if (reply.status === 400) assert.match(reply.body.message, /^key: /);
    const row = await detail(server(), 3);
    assert.equal(row.key, 'context-3');
    assert.equal(row.identifier, 'context-3');
    assert.ok(!(await allKeys(server())).includes('renamed-key'));
  });

  test('invalid updates answer 400 naming the field; unknown ids 404', async () => {
    assertBadRequest(await server().put('/api/contexts/2', { name: '' }), 'name');
    assertBadRequest(await server().put('/api/contexts/2', { hotline_enabled: 3 }), 'hotline_enabled');
    assertBadRequest(await server().put('/api/contexts/abc', { name: 'x' }), 'id');
    assertNotFound(await server().put('/api/contexts/99999', { name: 'x' }), 'PUT unknown');
    assertNotFound(await server().put('/api/contexts/99999', { action: 'toggle' }), 'toggle unknown');
    assert.equal((await detail(server(), 2)).name, '外部');
  });

  test('get: unknown id is 404 with the contract shape; a non-numeric id is 400 naming id', async () => {
    assertNotFound(await server().get('/api/contexts/99999'), 'GET unknown');
    assertBadRequest(await server().get('/api/contexts/abc'), 'id', 'GET abc');
    assertBadRequest(await server().get('/api/contexts/1.5'), 'id', 'GET 1.5');
    assertBadRequest(await server().get('/api/contexts/0'), 'id', 'GET 0');
    for (const huge of ['99999999999', '100000000000000000000']) {
      const reply = await server().get(`/api/contexts/${huge}`);
      if (reply.status === 404) assertNotFound(reply, `GET ${huge}`);
      else assertBadRequest(reply, 'id', `GET ${huge}`);
    }
  });

  test('delete answers the id as a string; the row is then gone', async () => {
    const id = await create(server(), { name: 'doomed' });
    const reply = await server().delete(`/api/contexts/${id}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/contexts/${id}`), 'GET deleted');
    assertNotFound(await server().delete(`/api/contexts/${id}`), 'DELETE deleted');
    assertNotFound(await server().put(`/api/contexts/${id}`, { name: 'x' }), 'PUT deleted');
    const listed = await server().get('/api/contexts');
    assert.ok(!listed.body.data.some((row: { id: string }) => row.id === String(id)));
    assertBadRequest(await server().delete('/api/contexts/abc'), 'id', 'DELETE abc');
  });

  test('every path also answers with a trailing slash', async () => {
    const list = await server().get('/api/contexts/');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body.data) && list.body.data.length > 0);
    assert.equal(list.body.rowCount, (await server().get('/api/contexts')).body.rowCount);

    const created = await server().post('/api/contexts/', { name: 'slashed' });
    assert.equal(created.status, 200);
    const id = created.body.data as number;
    const got = await server().get(`/api/contexts/${id}/`);
    assert.equal(got.status, 200);
    assert.equal(got.body.id, id);
    const updated = await server().put(`/api/contexts/${id}/`, { description: 'slash' });
    assert.deepEqual(updated.body, { code: 200, message: 'success', data: String(id) });
    assert.equal((await detail(server(), id)).description, 'slash');
    const deleted = await server().delete(`/api/contexts/${id}/`);
    assert.deepEqual(deleted.body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/contexts/${id}/`), 'GET deleted with slash');
  });

  test('paging: page/perPage and its aliases; no paging parameter returns every row', async () => {
    // Make sure there are more rows than any plausible default page size.
    const existing = (await server().get('/api/contexts')).body.rowCount as number;
    const wanted = 45;
    for (let i = existing; i < wanted; i++) await create(server(), { name: `paging-${String(i).padStart(2, '0')}` });

    const all = await server().get('/api/contexts');
    assert.equal(all.body.rowCount, wanted);
    assert.equal(all.body.data.length, wanted);
    assert.equal(all.body.page, 1);
    assert.equal(all.body.pageCount, 1);
    const ids = all.body.data.map((row: { id: string }) => Number(row.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first by default');

    for (const size of ['perPage', 'page_size', 'pageSize']) {
      const second = await server().get(`/api/contexts?page=2&${size}=10`);
      assert.equal(second.status, 200, size);
      assert.deepEqual(
        { page: second.body.page, rowCount: second.body.rowCount, pageCount: second.body.pageCount },
        { page: 2, rowCount: wanted, pageCount: 5 },
        size,
      );
      assert.deepEqual(second.body.data.map((row: { id: string }) => Number(row.id)), ids.slice(10, 20), size);
      const last = await server().get(`/api/contexts?page=5&${size}=10`);
      assert.deepEqual(last.body.data.map((row: { id: string }) => Number(row.id)), ids.slice(40), size);
      const first = await server().get(`/api/contexts?${size}=10`);
      assert.equal(first.body.page, 1, size);
      assert.deepEqual(first.body.data.map((row: { id: string }) => Number(row.id)), ids.slice(0, 10), size);
    }
    const beyond = await server().get('/api/contexts?page=9&perPage=10');
    assert.equal(beyond.status, 200);
    assert.deepEqual(beyond.body.data, []);
    assert.equal(beyond.body.rowCount, wanted);

    const capped = await server().get('/api/contexts?page=1&perPage=20000');
    assert.equal(capped.status, 200);
    assert.equal(capped.body.data.length, wanted);
    assert.equal(capped.body.pageCount, 1);

    assertBadRequest(await server().get('/api/contexts?perPage=0'), 'perPage');
    assertBadRequest(await server().get('/api/contexts?perPage=ten'), 'perPage');
    assertBadRequest(await server().get('/api/contexts?page_size=-1'), 'page_size');
    assertBadRequest(await server().get('/api/contexts?page=0'), 'page');
    for (const page of ['99999999999', '1e300']) {
      const reply = await server().get(`/api/contexts?page=${page}&perPage=10`);
      if (reply.status === 200) assert.deepEqual(reply.body.data, [], `page=${page}`);
      else assertBadRequest(reply, 'page', `page=${page}`);
    }
  });

  test('sortField/sortOrder over a whitelist', async () => {
    const asc = await server().get('/api/contexts?sortField=id&sortOrder=asc');
    const ascIds = asc.body.data.map((row: { id: string }) => Number(row.id));
    assert.equal(ascIds[0], 1);
    assert.deepEqual(ascIds, [...ascIds].sort((a, b) => a - b));
    const desc = await server().get('/api/contexts?sortField=id&sortOrder=DESC');
    assert.deepEqual(desc.body.data.map((row: { id: string }) => Number(row.id)), [...ascIds].reverse());

    for (const name of ['sort-b', 'sort-c', 'sort-a']) await create(server(), { name });
    const byName = await server().get('/api/contexts?searchField=name&searchKey=sort-&sortField=name&sortOrder=asc');
    assert.deepEqual(byName.body.data.map((row: { name: string }) => row.name), ['sort-a', 'sort-b', 'sort-c']);
    const byNameDesc = await server().get('/api/contexts?searchField=name&searchKey=sort-&sortField=name&sortOrder=desc');
    assert.deepEqual(byNameDesc.body.data.map((row: { name: string }) => row.name), ['sort-c', 'sort-b', 'sort-a']);
    const byKey = await server().get('/api/contexts?sortField=key&sortOrder=asc&key=context-2');
    assert.equal(byKey.status, 200);

    const unknown = await server().get('/api/contexts?sortField=password');
    assertBadRequest(unknown, 'sortField');
    assertBadRequest(await server().get(`/api/contexts?sortField=${encodeURIComponent('id; drop table contexts')}`), 'sortField');
    assertBadRequest(await server().get('/api/contexts?sortField=id&sortOrder=sideways'), 'sortOrder');
    assert.ok((await server().get('/api/contexts')).body.rowCount > 4, 'the table is still there');
  });

  test('searchField/searchKey match substrings over a whitelist', async () => {
    const byName = await server().get(`/api/contexts?searchField=name&searchKey=${encodeURIComponent('技术')}`);
    assert.equal(byName.status, 200);
    assert.deepEqual(byName.body.data.map((row: { key: string }) => row.key), ['context-3']);
    assert.equal(byName.body.rowCount, 1);

    const byDescription = await server().get(`/api/contexts?searchField=description&searchKey=${encodeURIComponent('外部中继')}`);
    assert.deepEqual(byDescription.body.data.map((row: { key: string }) => row.key), ['context-2']);

    const anyField = await server().get(`/api/contexts?searchKey=${encodeURIComponent('本地分机')}`);
    assert.deepEqual(anyField.body.data.map((row: { key: string }) => row.key), ['context-1']);

    const caseless = await server().get('/api/contexts?searchField=name&searchKey=SORT-A');
    assert.deepEqual(caseless.body.data.map((row: { name: string }) => row.name), ['sort-a']);

    // LIKE wildcards in the key are plain text.
    await create(server(), { name: '100% sure' });
    await create(server(), { name: 'under_score' });
    const percent = await server().get(`/api/contexts?searchField=name&searchKey=${encodeURIComponent('%')}`);
    assert.deepEqual(percent.body.data.map((row: { name: string }) => row.name), ['100% sure']);
    const underscore = await server().get(`/api/contexts?searchField=name&searchKey=_`);
    assert.deepEqual(underscore.body.data.map((row: { name: string }) => row.name), ['under_score']);

    const none = await server().get('/api/contexts?searchField=name&searchKey=no-such-context-anywhere');
    assert.deepEqual({ rowCount: none.body.rowCount, data: none.body.data }, { rowCount: 0, data: [] });

    const paged = await server().get('/api/contexts?searchField=name&searchKey=paging-&perPage=5&page=2');
    assert.equal(paged.body.data.length, 5);
    assert.ok(paged.body.data.every((row: { name: string }) => row.name.startsWith('paging-')));
    assert.equal(paged.body.pageCount, Math.ceil(paged.body.rowCount / 5));

    assertBadRequest(await server().get('/api/contexts?searchField=domain&searchKey=x'), 'searchField');
    assertBadRequest(await server().get('/api/contexts?searchField=created_at&searchKey=x'), 'searchField');
  });

  test('filters: key matches exactly, name as a substring', async () => {
    const byKey = await server().get('/api/contexts?key=context-1');
    assert.deepEqual(byKey.body.data.map((row: { key: string }) => row.key), ['context-1']);
    const partialKey = await server().get('/api/contexts?key=context-');
    assert.deepEqual(partialKey.body.data, []);
    const byName = await server().get(`/api/contexts?name=${encodeURIComponent('外')}`);
    assert.deepEqual(byName.body.data.map((row: { key: string }) => row.key), ['context-2']);
  });
});
