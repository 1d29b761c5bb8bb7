import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { createRoute, explain, freshContext, unique } from '../helpers/routing.js';

const LIST_KEYS = ['created_at', 'deleted_at', 'description', 'id', 'limit_user_type', 'list_type', 'name', 'updated_at'];
const NUMBER_KEYS = ['created_at', 'deleted_at', 'disabled', 'id', 'k', 'realm', 'ref_id', 'updated_at', 'v'];

const createList = async (server: Harness, fields: Record<string, unknown> = {}): Promise<number> =>
  createdId(await server.post('/api/blacklists', { name: unique('list'), list_type: '0', limit_user_type: '0', ...fields }));

async function numbersOf(server: Harness, id: number): Promise<{ id: number; k: string; v: string }[]> {
  const reply = await server.get(`/api/blacklists/${id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.params;
}

/** `count` distinct numbers in no order: lengths 1 to 20, some with letters, `+`, `*` or `#`, as a list may hold them. */
function mixedNumbers(count: number, seed: number): string[] {
  const shapes = [(i: number) => String(13_000_000_000 + ((i * 7_919) % 1_000_003) * 997), (i: number) => String(i), (i: number) => `+86${i * 31}`,
    (i: number) => `${i}#`, (i: number) => `*${i % 97}${i}`, (i: number) => `anonymous${i}`, (i: number) => `0${i}`.padEnd(20, '9')];
  const numbers = new Set<string>();
  for (let i = 0; numbers.size < count; i++) numbers.add(shapes[(i * seed) % shapes.length]!(i * seed + 1));
  return [...numbers];
}

/** Labels JSON must escape, or that take several UTF-8 bytes a character, between plain ones. */
const LABELS = ['', 'lili', 'say "hi"', 'back\\slash', 'line\nbreak\ttab', '\u007f del', '名单 张三', '😀 emoji', '\u2028 separator', '</script>'];

describeOnEachDatabase('blacklists', (server) => {
  test('create, list, get, update and delete in the spec\'s shapes: every value a string', async () => {
    const name = unique('hei');
    const id = await createList(server(), { name, description: 'test', list_type: '1', limit_user_type: '1' });
    const list = await server().get(`/api/blacklists?name=${name}`);
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.equal(list.body.rowCount, 1);
    const [row] = list.body.data;
    assert.deepEqual(Object.keys(row).sort(), LIST_KEYS);
    assert.match(row.created_at, WIRE_TIME);
    assert.deepEqual({ ...row, created_at: '', updated_at: '' }, {
      id: String(id), name, description: 'test', list_type: '1', limit_user_type: '1', created_at: '', updated_at: '', deleted_at: '',
    });

    const detail = await server().get(`/api/blacklists/${id}`);
    assert.deepEqual(detail.body, { ...row, params: [] });

    const updated = await server().put(`/api/blacklists/${id}`, { name: `${name}-2`, id: String(id), list_type: '0', limit_user_type: '2', description: 'x' });
    assert.deepEqual(updated.body, { code: 200, data: String(id), message: 'success' });
    const after = (await server().get(`/api/blacklists/${id}`)).body;
    assert.deepEqual([after.name, after.list_type, after.limit_user_type, after.description], [`${name}-2`, '0', '2', 'x']);

    assert.deepEqual((await server().delete(`/api/blacklists/${id}`)).body, { data: String(id), code: 200, message: 'success' });
    assertNotFound(await server().get(`/api/blacklists/${id}`));
    assertNotFound(await server().delete(`/api/blacklists/${id}`));
  });

  test('list_type is 0|1, limit_user_type 0|1|2, the name is required and unique', async () => {
    assertBadRequest(await server().post('/api/blacklists', { name: unique('l'), list_type: 2, limit_user_type: 0 }), 'list_type');
    assertBadRequest(await server().post('/api/blacklists', { name: unique('l'), list_type: 0, limit_user_type: 3 }), 'limit_user_type');
    assertBadRequest(await server().post('/api/blacklists', { name: unique('l'), list_type: 0 }), 'limit_user_type');
    assertBadRequest(await server().post('/api/blacklists', { list_type: 0, limit_user_type: 0 }), 'name');
    const name = unique('taken');
    const id = await createList(server(), { name });
    assertConflict(await server().post('/api/blacklists', { name, list_type: 0, limit_user_type: 0 }), 'name');
    assertBadRequest(await server().put(`/api/blacklists/${id}`, { limit_user_type: 5 }), 'limit_user_type');
    assertConflict(await server().put(`/api/blacklists/${await createList(server())}`, { name }), 'name');
  });

  test('numbers: add, change and remove one, each answered as the spec shows', async () => {
    const id = await createList(server());
    const numberId = createdId(await server().post(`/api/blacklists/${id}/lists`, { k: 'test', v: '1008' }));
    const [number] = await numbersOf(server(), id);
    assert.deepEqual(Object.keys(number!).sort(), NUMBER_KEYS);
    assert.deepEqual({ ...number, created_at: '', updated_at: '' }, {
      id: numberId, k: 'test', v: '1008', realm: 'BLACKLIST', ref_id: id, disabled: 0, created_at: '', updated_at: '', deleted_at: '',
    });
    assertConflict(await server().post(`/api/blacklists/${id}/lists`, { k: 'again', v: '1008' }), 'v');
    assertBadRequest(await server().post(`/api/blacklists/${id}/lists`, { k: 'bad', v: '10 08' }), 'v');
    assertNotFound(await server().post('/api/blacklists/99999999/lists', { v: '1' }));

    const changed = await server().put(`/api/blacklists/${id}/lists/${numberId}`, { k: 'test', v: '1009' });
    assert.deepEqual(changed.body, { message: 'success', data: String(numberId), code: 200 });
    assert.equal((await numbersOf(server(), id))[0]!.v, '1009');

    const other = await createList(server());
    assertNotFound(await server().put(`/api/blacklists/${other}/lists/${numberId}`, { v: '1' }), 'a number of another list');
    assertNotFound(await server().delete(`/api/blacklists/${other}/lists/${numberId}`));
    assert.deepEqual((await server().delete(`/api/blacklists/${id}/lists/${numberId}`)).body, { message: 'success', code: 200, data: String(numberId) });
    assert.deepEqual(await numbersOf(server(), id), []);
  });

  test('import adds every number or none, from {data:[...]} or a bare array, naming a refused item', async () => {
    const id = await createList(server());
    const imported = await server().post(`/api/blacklists/${id}/import`, { data: [{ k: 'lili', v: '1008' }, { k: 'lisi', v: '1009' }, { k: '1012', v: '1012' }] });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.code, 200);
    assert.deepEqual(imported.body.data.map((row: Record<string, unknown>) => [row.k, row.v, row.realm, row.ref_id, row.disabled]),
      [['lili', '1008', 'BLACKLIST', id, 0], ['lisi', '1009', 'BLACKLIST', id, 0], ['1012', '1012', 'BLACKLIST', id, 0]]);
    assert.deepEqual(Object.keys(imported.body.data[0]).sort(), NUMBER_KEYS);
    assert.deepEqual(imported.body.data, await numbersOf(server(), id), 'the answer is the stored rows');

    const bare = await server().post(`/api/blacklists/${id}/import/`, [{ k: 'x', v: '2009' }, { k: 'y', v: '2001' }]);
    assert.equal(bare.status, 200, JSON.stringify(bare.body));
    const stored = new Map((await numbersOf(server(), id)).map((number) => [number.id, number]));
    assert.deepEqual(bare.body.data.map((row: { id: number; v: string }) => [row.v, stored.get(row.id)?.v]), [['2009', '2009'], ['2001', '2001']],
      'each answered row carries the id its number was stored under, in the order sent');
    assertConflict(await server().post(`/api/blacklists/${id}/import`, { data: [{ v: '3001' }, { v: '1009' }] }), 'data.1.v', 'already listed');
    assertConflict(await server().post(`/api/blacklists/${id}/import`, { data: [{ v: '3001' }, { v: '3002' }, { v: '3001' }] }), 'data.2.v', 'twice');
    assertBadRequest(await server().post(`/api/blacklists/${id}/import`, { data: [{ v: '3001' }, { v: 'a;b' }] }), 'data.1.v');
    assert.deepEqual((await numbersOf(server(), id)).map((number) => number.v).sort(), ['1008', '1009', '1012', '2001', '2009'], 'nothing of a refused import');
    assertNotFound(await server().post('/api/blacklists/99999999/import', { data: [{ v: '1' }] }));
  });

  test('a large import answers every row, in the order sent, with the id GET lists it under', async () => {
    const id = await createList(server());
    await server().post(`/api/blacklists/${id}/lists`, { k: 'before', v: '5' });
    const numbers = mixedNumbers(1_300, 3);
    const data = numbers.map((v, index) => ({ k: LABELS[index % LABELS.length]!, v }));
    const imported = await server().post(`/api/blacklists/${id}/import`, { data });
    assert.equal(imported.status, 200, JSON.stringify(imported.body).slice(0, 300));
    assert.deepEqual(Object.keys(imported.body).sort(), ['code', 'data', 'message']);
    assert.deepEqual([imported.body.code, imported.body.message], [200, 'success']);
    const rows: Record<string, unknown>[] = imported.body.data;
    assert.equal(rows.length, data.length);
    rows.forEach((row, index) => {
      assert.deepEqual(Object.keys(row).sort(), NUMBER_KEYS);
      assert.deepEqual([row.k, row.v, row.ref_id, row.realm, row.disabled, row.deleted_at], [data[index]!.k, data[index]!.v, id, 'BLACKLIST', 0, ''], `row ${index}`);
      assert.match(String(row.created_at), WIRE_TIME);
      assert.equal(row.updated_at, row.created_at);
    });
    assert.equal(new Set(rows.map((row) => row.id)).size, rows.length, 'every id once');

    const stored = await numbersOf(server(), id);
    const byId = new Map(stored.map((number) => [number.id, number]));
    assert.equal(stored.length, data.length + 1);
    for (const row of rows) assert.deepEqual(row, byId.get(row.id as number), 'the answered row is the stored one');
    const first = stored.find((number) => number.v === '5')!;
    assert.ok(rows.every((row) => (row.id as number) > first.id), 'the imported numbers come after the one added before');
  });

  test('ids only grow: an import after removing the newest numbers reuses none of their ids, and one added after it comes next', async () => {
    const id = await createList(server());
    const first = (await server().post(`/api/blacklists/${id}/import`, { data: [{ v: '7001' }, { v: '7002' }, { v: '7003' }] })).body.data;
    const highest = Math.max(...first.map((row: { id: number }) => row.id));
    for (const row of first) await server().delete(`/api/blacklists/${id}/lists/${row.id}`);
    const second = await server().post(`/api/blacklists/${id}/import`, [{ k: 'b', v: '7002' }, { k: 'a', v: '7001' }]);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.ok(second.body.data.every((row: { id: number }) => row.id > highest), `new ids ${second.body.data.map((row: { id: number }) => row.id)} after ${highest}`);
    const added = createdId(await server().post(`/api/blacklists/${id}/lists`, { v: '7004' }));
    assert.ok(second.body.data.every((row: { id: number }) => added > row.id), 'a number added one by one gets an id after the imported ones');
    assert.deepEqual((await numbersOf(server(), id)).map((number) => [number.id, number.k, number.v]),
      [...second.body.data.map((row: { id: number; k: string; v: string }) => [row.id, row.k, row.v]).sort((a: number[], b: number[]) => a[0]! - b[0]!), [added, '', '7004']]);
  });

  test('an import refused in its middle or at its end, past the first statement\'s worth of rows, leaves nothing written', async () => {
    const id = await createList(server());
    await server().post(`/api/blacklists/${id}/lists`, { v: '99999999999' });
    const data = mixedNumbers(1_200, 5).filter((v) => v !== '99999999999').map((v) => ({ k: 'x', v }));

    const bad = data.map((item, index) => (index === 600 ? { k: 'x', v: '12 34' } : item));
    assertBadRequest(await server().post(`/api/blacklists/${id}/import`, { data: bad }), 'data.600.v');
    const longLabel = data.map((item, index) => (index === 601 ? { k: 'k'.repeat(129), v: item.v } : item));
    assertBadRequest(await server().post(`/api/blacklists/${id}/import`, { data: longLabel }), 'data.601.k');
    // The listed number sorts after every other one, so the rows before it have gone in when it is refused.
    const taken = [...data, { k: 'x', v: '99999999999' }];
    assertConflict(await server().post(`/api/blacklists/${id}/import`, { data: taken }), `data.${data.length}.v`, 'already listed');
    const twice = [...data, { k: 'again', v: data[3]!.v }];
    assertConflict(await server().post(`/api/blacklists/${id}/import`, { data: twice }), `data.${data.length}.v`, 'is also item 3');
    const withNul = data.map((item, index) => (index === 700 ? { k: 'a\u0000b', v: item.v } : item));
    assertBadRequest(await server().post(`/api/blacklists/${id}/import`, { data: withNul }), 'data.700.k');
    assert.deepEqual((await numbersOf(server(), id)).map((number) => number.v), ['99999999999'], 'nothing of a refused import');

    const accepted = await server().post(`/api/blacklists/${id}/import`, { data });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body).slice(0, 300));
    assert.equal((await numbersOf(server(), id)).length, data.length + 1, 'the same rows go in once nothing refuses them');
  });

  test('multimodify changes every listed number or none and answers the last one', async () => {
    const id = await createList(server());
    const rows = (await server().post(`/api/blacklists/${id}/import`, { data: [{ k: 'a', v: '1001' }, { k: 'b', v: '1002' }, { k: 'c', v: '1003' }] })).body.data;
    const reply = await server().put(`/api/blacklists/${id}/multimodify`, { data: [{ k: 'xiaoyang', v: '1004', id: rows[0].id }, { k: 'xiaoyang1', v: '1005', id: rows[1].id }] });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.code, 200);
    assert.deepEqual([reply.body.data.id, reply.body.data.k, reply.body.data.v, reply.body.data.realm], [rows[1].id, 'xiaoyang1', '1005', 'BLACKLIST']);

    const other = await createList(server());
    const stranger = createdId(await server().post(`/api/blacklists/${other}/lists`, { v: '9' }));
    assertBadRequest(await server().put(`/api/blacklists/${id}/multimodify`, { data: [{ id: rows[0].id, v: '7777' }, { id: stranger, v: '8' }] }), 'data.1.id');
    assertConflict(await server().put(`/api/blacklists/${id}/multimodify`, { data: [{ id: rows[0].id, v: '7777' }, { id: rows[1].id, v: '1003' }] }), 'data.1.v');
    assert.deepEqual((await numbersOf(server(), id)).map((number) => number.v), ['1004', '1005', '1003'], 'nothing of a refused edit');
  });

  test('the spreadsheet import creates one list per 名称, all or nothing, and the download answers the same columns', async () => {
    const name = unique('import');
    const reply = await server().post('/api/blacklists/import', {
      lists: [
        { 名称: name, 名单类型: 1, 限制用户类型: 1, 号码名称: 'hello', 起始号码: '123' },
        { 名称: name, 名单类型: 1, 限制用户类型: 1, 号码名称: 'hello1', 起始号码: '12345' },
        { 名称: `${name}-empty`, 名单类型: '0', 限制用户类型: '2' },
      ],
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.message, 'success');
    const [first, second] = reply.body.data;
    assert.deepEqual({ ...first, id: 0 }, { list_type: 1, name, limit_user_type: 1, description: '', id: 0 });
    assert.deepEqual((await numbersOf(server(), first.id)).map((number) => [number.k, number.v]), [['hello', '123'], ['hello1', '12345']]);
    assert.deepEqual(await numbersOf(server(), second.id), []);

    const download = await server().get('/api/blacklists/download?language=zh');
    assert.equal(download.status, 200);
    assert.deepEqual(download.body[0], ['名称', '名单类型', '限制用户类型', '号码名称', '起始号码']);
    const mine = download.body.filter((row: unknown[]) => String(row[0]).startsWith(name));
    assert.deepEqual(mine, [[name, 1, 1, 'hello', '123'], [name, 1, 1, 'hello1', '12345'], [`${name}-empty`, 0, 2, '', '']]);

    // The download imports back once the names are free.
    await server().delete(`/api/blacklists/${first.id}`);
    await server().delete(`/api/blacklists/${second.id}`);
    const header = download.body[0] as string[];
    const again = await server().post('/api/blacklists/import', { lists: mine.map((row: unknown[]) => Object.fromEntries(header.map((column, i) => [column, row[i]]))) });
    assert.equal(again.status, 200, JSON.stringify(again.body));

    const fresh = unique('fresh');
    assertBadRequest(await server().post('/api/blacklists/import', {
      lists: [{ 名称: fresh, 名单类型: 1, 限制用户类型: 1, 起始号码: '1' }, { 名称: fresh, 名单类型: 0, 限制用户类型: 1, 起始号码: '2' }],
    }), 'lists.1.名单类型');
    assertConflict(await server().post('/api/blacklists/import', {
      lists: [{ 名称: fresh, 名单类型: 1, 限制用户类型: 1, 起始号码: '1' }, { 名称: name, 名单类型: 1, 限制用户类型: 1, 起始号码: '2' }],
    }), 'lists.1.名称');
    assertConflict(await server().post('/api/blacklists/import', {
      lists: [{ 名称: fresh, 名单类型: 1, 限制用户类型: 1, 起始号码: '1' }, { 名称: fresh, 名单类型: 1, 限制用户类型: 1, 起始号码: '1' }],
    }), 'lists.1.起始号码');
    assertBadRequest(await server().post('/api/blacklists/import', { lists: [{ 名称: fresh, 名单类型: 3, 限制用户类型: 1 }] }), 'lists.0.名单类型');
    assert.equal((await server().get(`/api/blacklists?name=${fresh}`)).body.rowCount, 0, 'nothing of a refused import');
  });

  test('routes name a blacklist by id: an unknown one is refused, a named one cannot be deleted', async () => {
    const context = await freshContext(server());
    assertBadRequest(await server().post('/api/routes', { name: unique('r'), max_length: 12, dest_type: 'FS_DEST_USER', context, blacklist: '99999999' }), 'blacklist');
    const id = await createList(server());
    const route = await createRoute(server(), { context, blacklist: String(id) });
    assert.equal(route.blacklist, String(id));
    assertBadRequest(await server().put(`/api/routes/${route.id}`, { blacklist: '99999999' }), 'blacklist');
    assertBadRequest(await server().put('/api/routes', { route: [route.id], blacklist: '99999999' }), 'blacklist');
    const refused = await server().delete(`/api/blacklists/${id}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`route "${route.name}" \\(id ${route.id}\\)`));
    await server().put(`/api/routes/${route.id}`, { blacklist: '' });
    assert.equal((await server().delete(`/api/blacklists/${id}`)).status, 200);
  });

  test('explain shows the verdict: a blacklist refuses listed callers by prefix, a whitelist admits only listed callees', async () => {
    const context = await freshContext(server());
    const blacklist = await createList(server(), { list_type: 0, limit_user_type: 0 });
    await server().post(`/api/blacklists/${blacklist}/import`, { data: [{ k: 'spam', v: '0755' }] });
    await createRoute(server(), { context, prefix: '1', blacklist: String(blacklist) });

    const refused = await explain(server(), { destNumber: '1001', context, callerNumber: '075512345' });
    assert.deepEqual(refused.blacklist, {
      id: blacklist, name: refused.blacklist.name, list_type: 0, limit_user_type: 0, rejected: true,
      reason: `caller "075512345" is on blacklist "${refused.blacklist.name}" (id ${blacklist}) (listed as 0755)`,
      checks: [{ party: 'caller', number: '075512345', listed: '0755', passed: false }],
    });
    const passed = await explain(server(), { destNumber: '1001', context, callerNumber: '0756' });
    assert.equal(passed.blacklist.rejected, false);

    // A number added after the route was decided on counts at once.
    await server().post(`/api/blacklists/${blacklist}/lists`, { v: '0756' });
    assert.equal((await explain(server(), { destNumber: '1001', context, callerNumber: '0756' })).blacklist.rejected, true);

    const whitelist = await createList(server(), { list_type: 1, limit_user_type: 1 });
    await server().post(`/api/blacklists/${whitelist}/lists`, { v: '2001' });
    await createRoute(server(), { context, prefix: '2', blacklist: String(whitelist) });
    assert.equal((await explain(server(), { destNumber: '2001', context, callerNumber: '0755' })).blacklist.rejected, false);
    const stranger = await explain(server(), { destNumber: '2002', context, callerNumber: '0755' });
    assert.equal(stranger.blacklist.rejected, true);
    assert.deepEqual(stranger.blacklist.checks, [{ party: 'callee', number: '2002', listed: '', passed: false }]);

    const unlisted = await explain(server(), { destNumber: '3001', context, callerNumber: '0755' });
    assert.equal(unlisted.blacklist, null);
  });
});

// A database of its own: these leave tens of thousands of numbers, past a page of the download above.
describeOnEachDatabase('blacklist imports side by side', (server) => {
  test('imports into several lists at once each answer the ids their numbers were stored under', async () => {
    const lists = await Promise.all([1, 2, 3, 4].map(() => createList(server())));
    // Big enough that, on PostgreSQL, the imports take ids from the one sequence at the same time.
    const imports = await Promise.all(lists.map((id, index) =>
      server().post(`/api/blacklists/${id}/import`, { data: mixedNumbers(10_000, 11 + index * 2).map((v) => ({ k: String(index), v })) })));
    const all = new Set<number>();
    for (const [index, id] of lists.entries()) {
      const reply = imports[index]!;
      assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
      const stored = new Map<number, string>();
      for (let page = 1; stored.size < 10_000; page++) {
        const params: { id: number; v: string }[] = (await server().get(`/api/blacklists/${id}?page=${page}&perPage=10000`)).body.params;
        assert.ok(params.length > 0, `list ${id} has ${stored.size} numbers`);
        for (const number of params) stored.set(number.id, number.v);
      }
      for (const row of reply.body.data as { id: number; v: string }[]) {
        assert.equal(stored.get(row.id), row.v, `list ${id}: number ${row.v} answered with id ${row.id}`);
        all.add(row.id);
      }
    }
    assert.equal(all.size, 40_000, 'no id answered twice');
  });
});
