import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness, type Reply } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, unique } from '../helpers/routing.js';

const BASE = '/api/time_recurrence/templates';
const ITEMS = `${BASE}/time_recurrences`;
const TEMPLATE_KEYS = ['created_at', 'deleted_at', 'description', 'id', 'name', 'updated_at'];

function assertOk(reply: Reply, what = ''): any {
  assert.equal(reply.status, 200, `${what}: ${JSON.stringify(reply.body)}`);
  assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'data', 'message'], what);
  assert.equal(reply.body.code, 200, what);
  assert.equal(reply.body.message, 'ok', what);
  return reply.body.data;
}

async function createTemplates(server: Harness, items: Record<string, unknown>[]): Promise<Record<string, any>[]> {
  return assertOk(await server.post(BASE, items), 'create templates');
}

async function detail(server: Harness, id: number): Promise<Record<string, any>> {
  return assertOk(await server.get(`${BASE}/${id}`), `template ${id}`);
}

async function addItems(server: Harness, items: Record<string, unknown>[]): Promise<Record<string, any>[]> {
  return assertOk(await server.post(ITEMS, items), 'add items');
}

async function itemsOf(server: Harness, templateId: number): Promise<[number, string][]> {
  return (await detail(server, templateId)).time_recurrences.map((item: { id: number; time_recurrence: string }) => [item.id, item.time_recurrence]);
}

async function storedItemCount(server: Harness): Promise<number> {
  return (await server.db.kysely.selectFrom('template_recurrences').select('id').execute()).length;
}

describeOnEachDatabase('time templates', (server) => {
  // ---------------------------------------------------------------------------------- templates

  test("POST with the spec's array body answers {code:200,message:'ok',data:[rows]}", async () => {
    const name = unique('template');
    const rows = await createTemplates(server(), [{ name, description: 'desc 1' }]);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row).sort(), TEMPLATE_KEYS);
    assert.equal(typeof row.id, 'number');
    assert.equal(row.name, name);
    assert.equal(row.description, 'desc 1');
    assert.equal(row.deleted_at, '');
    assert.match(row.created_at, WIRE_TIME);
    assert.match(row.updated_at, WIRE_TIME);
    const { time_recurrences: items, ...stored } = await detail(server(), row.id);
    assert.deepEqual(stored, row);
    assert.deepEqual(items, []);
  });

  test('POST takes several templates in order, and a single object as the curl example sends', async () => {
    const [a, b] = [unique('many'), unique('many')];
    const rows = await createTemplates(server(), [{ name: a }, { name: b, description: 'second' }]);
    assert.deepEqual(rows.map((row) => [row.name, row.description]), [[a, ''], [b, 'second']]);
    assert.ok(rows[0]!.id < rows[1]!.id);
    const single = assertOk(await server().post(BASE, { name: unique('single'), description: 'test' }), 'single object');
    assert.equal(single.length, 1);
    assert.equal(single[0].description, 'test');
  });

  test('a duplicate name answers 409 naming it, and nothing of the body is created', async () => {
    const taken = unique('taken');
    await createTemplates(server(), [{ name: taken }]);
    assertConflict(await server().post(BASE, [{ name: taken }]), '0.name');
    const fresh = unique('fresh');
    assertConflict(await server().post(BASE, [{ name: fresh }, { name: taken }]), '1.name');
    assertConflict(await server().post(BASE, [{ name: fresh }, { name: fresh }]), '1.name', 'twice in one body');
    const listed = assertOk(await server().get(`${BASE}?name=${fresh}`), 'list');
    assert.equal(listed.rowCount, 0, 'all or nothing');
  });

  test('concurrent creates with one name: one succeeds, the others answer 409 (never 500)', async () => {
    const name = unique('race');
    const replies = await Promise.all(Array.from({ length: 5 }, () => server().post(BASE, [{ name }])));
    assert.deepEqual(replies.map((reply) => reply.status).sort(), [200, 409, 409, 409, 409], JSON.stringify(replies.map((reply) => reply.body)));
    for (const reply of replies.filter((one) => one.status === 409)) assertConflict(reply, '0.name');
    assert.equal(assertOk(await server().get(`${BASE}?name=${name}`), 'list').rowCount, 1);
  });

  test('POST without a name, with an empty one or an empty array answers 400', async () => {
    assertBadRequest(await server().post(BASE, [{ description: 'x' }]), '0.name');
    assertBadRequest(await server().post(BASE, [{ name: '' }]), '0.name');
    assertBadRequest(await server().post(BASE, [{ name: unique('ok') }, { name: 'x'.repeat(129) }]), '1.name');
    assertBadRequest(await server().post(BASE, []), 'body');
  });

  test('list answers {code,message,data:{page,rowCount,pageCount,data}}; paging with page_size, perPage and page', async () => {
    const stem = unique('Paged');
    const rows = await createTemplates(server(), [1, 2, 3, 4, 5].map((i) => ({ name: `${stem}-${i}` })));
    const all = assertOk(await server().get(BASE), 'list');
    assert.deepEqual(Object.keys(all).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.equal(all.page, 1);
    assert.equal(all.pageCount, 1);
    assert.equal(all.rowCount, all.data.length);
    assert.ok(all.data.every((row: Record<string, unknown>) => Object.keys(row).sort().join() === TEMPLATE_KEYS.join() && typeof row.id === 'number'));

    const page = async (params: string) => {
      const data = assertOk(await server().get(`${BASE}?name=${stem}&${params}`), params);
      return { page: data.page, rowCount: data.rowCount, pageCount: data.pageCount, ids: data.data.map((row: { id: number }) => row.id) };
    };
    const ids = rows.map((row) => row.id);
    assert.deepEqual(await page('page_size=2&page=2'), { page: 2, rowCount: 5, pageCount: 3, ids: ids.slice(2, 4) });
    assert.deepEqual(await page('perPage=2&page=3'), { page: 3, rowCount: 5, pageCount: 3, ids: ids.slice(4) });
    assert.deepEqual(await page('page_size=100'), { page: 1, rowCount: 5, pageCount: 1, ids });
    assert.deepEqual(await page('perPage=4'), { page: 1, rowCount: 5, pageCount: 2, ids: ids.slice(0, 4) });
    assertBadRequest(await server().get(`${BASE}?page_size=0`), 'page_size');
  });

  test('detail includes time_recurrences [{id,time_recurrence}] in id order; unknown id 404', async () => {
    const [template] = await createTemplates(server(), [{ name: unique('detail') }]);
    await addItems(server(), [
      { template_id: template!.id, time_recurrence: '20211231T000000|PT47H59M59S|yearly||1|' },
      { template_id: template!.id, time_recurrence: '20100101T010101|PT10H||daily' },
    ]);
    const data = await detail(server(), template!.id);
    assert.deepEqual(Object.keys(data).sort(), [...TEMPLATE_KEYS, 'time_recurrences'].sort());
    assert.deepEqual(data.time_recurrences.map((item: Record<string, unknown>) => Object.keys(item).sort()), [['id', 'time_recurrence'], ['id', 'time_recurrence']]);
    assert.ok(data.time_recurrences.every((item: { id: unknown }) => typeof item.id === 'number'));
    assert.deepEqual(data.time_recurrences.map((item: { time_recurrence: string }) => item.time_recurrence), [
      '20211231T000000|PT47H59M59S|yearly||1|', '20100101T010101|PT10H||daily',
    ]);
    assert.ok(data.time_recurrences[0].id < data.time_recurrences[1].id);
    assertNotFound(await server().get(`${BASE}/99999999`));
    assertBadRequest(await server().get(`${BASE}/abc`), 'id');
  });

  test('PUT with an array answers data [{id}] and changes name and description', async () => {
    const [a, b] = await createTemplates(server(), [{ name: unique('put'), description: 'a' }, { name: unique('put'), description: 'b' }]);
    const renamed = unique('tempalte_333');
    const data = assertOk(await server().put(BASE, [{ id: a!.id, name: renamed, description: 'desc333' }, { id: String(b!.id), description: 'only' }]), 'put');
    assert.deepEqual(data, [{ id: a!.id }, { id: b!.id }]);
    const afterA = await detail(server(), a!.id);
    assert.deepEqual([afterA.name, afterA.description], [renamed, 'desc333']);
    const afterB = await detail(server(), b!.id);
    assert.deepEqual([afterB.name, afterB.description], [b!.name, 'only']);
    // The curl example sends one object with a string id.
    const single = assertOk(await server().put(BASE, { name: unique('test'), description: 'test', id: String(b!.id) }), 'single object');
    assert.deepEqual(single, [{ id: b!.id }]);
    assert.equal((await detail(server(), b!.id)).description, 'test');
  });

  test('PUT to a taken name answers 409, an unknown id 400; nothing of the body changes', async () => {
    const [a, b] = await createTemplates(server(), [{ name: unique('keep'), description: 'a' }, { name: unique('keep'), description: 'b' }]);
    assertConflict(await server().put(BASE, [{ id: a!.id, description: 'changed' }, { id: b!.id, name: a!.name }]), '1.name');
    assertBadRequest(await server().put(BASE, [{ id: a!.id, description: 'changed' }, { id: 99999999, name: unique('ghost') }]), '1.id');
    assertBadRequest(await server().put(BASE, [{ name: unique('no-id') }]), '0.id');
    assertBadRequest(await server().put(BASE, [{ id: a!.id, name: '' }]), '0.name');
    const afterA = await detail(server(), a!.id);
    assert.deepEqual([afterA.name, afterA.description], [a!.name, 'a']);
    // Keeping its own name is no conflict.
    assertOk(await server().put(BASE, [{ id: a!.id, name: a!.name, description: 'same name' }]), 'own name');
  });

  test('concurrent renames to one name: one succeeds, the other answers 409 (never 500)', async () => {
    const [a, b] = await createTemplates(server(), [{ name: unique('rename') }, { name: unique('rename') }]);
    const name = unique('renamed');
    const replies = await Promise.all([a!, b!].map((template) => server().put(BASE, [{ id: template.id, name }])));
    assert.deepEqual(replies.map((reply) => reply.status).sort(), [200, 409], JSON.stringify(replies.map((reply) => reply.body)));
    assertConflict(replies.find((reply) => reply.status === 409)!, '0.name');
    assert.equal(assertOk(await server().get(`${BASE}?name=${name}`), 'list').rowCount, 1);
  });

  test('PUT /templates/:id changes one template; unknown id 404; a taken name 409', async () => {
    const [a, b] = await createTemplates(server(), [{ name: unique('one') }, { name: unique('one') }]);
    const data = assertOk(await server().put(`${BASE}/${a!.id}`, { description: 'via path' }), 'put one');
    assert.deepEqual(data, { id: a!.id });
    assert.equal((await detail(server(), a!.id)).description, 'via path');
    assertNotFound(await server().put(`${BASE}/99999999`, { description: 'x' }));
    assertConflict(await server().put(`${BASE}/${a!.id}`, { name: b!.name }), 'name', 'one object: no index');
  });

  test('DELETE with an id array body answers data [{id}]; the templates and their items are gone', async () => {
    const [a, b, kept] = await createTemplates(server(), [{ name: unique('del') }, { name: unique('del') }, { name: unique('del') }]);
    const [group] = await addItems(server(), [{ template_id: a!.id, time_recurrence: '20100101T010101|PT10H||daily' }]);
    await addItems(server(), [{ template_id: kept!.id, time_recurrence: '20100101T010101|PT10H||daily' }]);
    const data = assertOk(await server().request('DELETE', BASE, [a!.id, b!.id]), 'delete');
    assert.deepEqual(data, [{ id: a!.id }, { id: b!.id }]);
    assertNotFound(await server().get(`${BASE}/${a!.id}`));
    assertNotFound(await server().get(`${BASE}/${b!.id}`));
    assertNotFound(await server().delete(`${ITEMS}/${group!.time_recurrences[0].id}`), 'items went with their template');
    assert.equal((await itemsOf(server(), kept!.id)).length, 1);
  });

  test('DELETE with an unknown id answers 400 and deletes nothing; a non-array body 400', async () => {
    const [a] = await createTemplates(server(), [{ name: unique('survivor') }]);
    assertBadRequest(await server().request('DELETE', BASE, [a!.id, 99999999]), '1');
    assert.equal((await detail(server(), a!.id)).id, a!.id);
    assertBadRequest(await server().request('DELETE', BASE, { id: a!.id }), 'body');
    assertBadRequest(await server().request('DELETE', BASE, []), 'body');
    assertBadRequest(await server().request('DELETE', BASE, ['x']), '0');
    assert.equal((await detail(server(), a!.id)).id, a!.id);
  });

  // ---------------------------------------------------------------------------------- template items

  test("POST items with the spec's body answers [{id:<template id>, time_recurrences:[{id:'<string>',time_recurrence}]}]", async () => {
    const [template] = await createTemplates(server(), [{ name: unique('items') }]);
    const data = await addItems(server(), [
      { template_id: template!.id, time_recurrence: '20100101T010101|PT10H||daily' },
      { template_id: template!.id, time_recurrence: '20100102T010101|PT10H||daily' },
    ]);
    assert.equal(data.length, 1);
    assert.deepEqual(Object.keys(data[0]!).sort(), ['id', 'time_recurrences']);
    assert.equal(data[0]!.id, template!.id);
    const items = data[0]!.time_recurrences;
    assert.deepEqual(items.map((item: Record<string, unknown>) => [typeof item.id, item.time_recurrence]), [
      ['string', '20100101T010101|PT10H||daily'], ['string', '20100102T010101|PT10H||daily'],
    ]);
    assert.match(items[0].id, /^[1-9]\d*$/);
    assert.deepEqual(await itemsOf(server(), template!.id), items.map((item: { id: string; time_recurrence: string }) => [Number(item.id), item.time_recurrence]));
  });

  test('POST items for several templates groups them per template; string template ids are accepted', async () => {
    const [a, b] = await createTemplates(server(), [{ name: unique('group') }, { name: unique('group') }]);
    const data = await addItems(server(), [
      { template_id: String(a!.id), time_recurrence: '20220503T070000|PT59M59.464S|daily||1|SU' },
      { template_id: String(b!.id), time_recurrence: '20220511T000000|PT119H59M59S|yearly||1|' },
      { template_id: String(a!.id), time_recurrence: '20230305T170000|PT6H0.06S|daily||1|MO,TU,WE,TH,FR' },
    ]);
    assert.deepEqual(data.map((group) => [group.id, group.time_recurrences.map((item: { time_recurrence: string }) => item.time_recurrence)]), [
      [a!.id, ['20220503T070000|PT59M59.464S|daily||1|SU', '20230305T170000|PT6H0.06S|daily||1|MO,TU,WE,TH,FR']],
      [b!.id, ['20220511T000000|PT119H59M59S|yearly||1|']],
    ]);
    assert.equal((await itemsOf(server(), a!.id)).length, 2);
    assert.equal((await itemsOf(server(), b!.id)).length, 1);
  });

  test('POST items: a malformed recurrence or an unknown template answers 400 naming the item, and nothing is written', async () => {
    const [template] = await createTemplates(server(), [{ name: unique('bad-items') }]);
    const before = await storedItemCount(server());
    const good = { template_id: template!.id, time_recurrence: '20100101T010101|PT10H||daily' };
    for (const [part, text] of [['dtstart', '2010-01-01|PT10H||daily'], ['duration', '20100101T010101|10 hours||daily'], ['freq', '20100101T010101|PT10H|often'], ['byday', '20100101T010101|PT10H|daily||1|XX']]) {
      const reply = await server().post(ITEMS, [good, { template_id: template!.id, time_recurrence: text }]);
      assertBadRequest(reply, '1.time_recurrence', text);
      assert.match(reply.body.message, new RegExp(`\\b${part}\\b`));
    }
    assertBadRequest(await server().post(ITEMS, [good, { template_id: 99999999, time_recurrence: '20100101T010101|PT10H||daily' }]), '1.template_id');
    assertBadRequest(await server().post(ITEMS, [{ time_recurrence: '20100101T010101|PT10H||daily' }]), '0.template_id');
    assertBadRequest(await server().post(ITEMS, [{ template_id: template!.id }]), '0.time_recurrence');
    assert.deepEqual(await itemsOf(server(), template!.id), []);
    assert.equal(await storedItemCount(server()), before);
  });

  test('PUT items changes recurrences (data [{id}]); a bad item answers 400 and changes nothing', async () => {
    const [template] = await createTemplates(server(), [{ name: unique('put-items') }]);
    const [group] = await addItems(server(), [
      { template_id: template!.id, time_recurrence: '20220503T070000|PT59M59.464S|daily||1|SU' },
      { template_id: template!.id, time_recurrence: '20220511T000000|PT119H59M59S|yearly||1|' },
    ]);
    const [first, second] = group!.time_recurrences.map((item: { id: string }) => Number(item.id));
    const data = assertOk(await server().put(ITEMS, [
      { template_id: String(template!.id), time_recurrence: '20220503T070000|PT2H|daily||1|SU', id: first },
      { id: String(second), time_recurrence: '20770101T010101|PT10H||daily' },
    ]), 'put items');
    assert.deepEqual(data, [{ id: first }, { id: second }]);
    const changed = await itemsOf(server(), template!.id);
    assert.deepEqual(changed, [[first, '20220503T070000|PT2H|daily||1|SU'], [second, '20770101T010101|PT10H||daily']]);

    assertBadRequest(await server().put(ITEMS, [{ id: first, time_recurrence: '20100101T010101|PT1H||daily' }, { id: second, time_recurrence: '20770101T010101|PT10H|sometimes' }]), '1.time_recurrence');
    assertBadRequest(await server().put(ITEMS, [{ id: first, time_recurrence: '20100101T010101|PT1H||daily' }, { id: 99999999, time_recurrence: '20100101T010101|PT1H||daily' }]), '1.id');
    assertBadRequest(await server().put(ITEMS, [{ id: first, time_recurrence: '20100101T010101|PT1H||daily', template_id: 99999999 }]), '0.template_id');
    // The item that names no template still counts: the unknown one is item 1.
    assertBadRequest(await server().put(ITEMS, [
      { id: first, time_recurrence: '20100101T010101|PT1H||daily' },
      { id: second, time_recurrence: '20100101T010101|PT1H||daily', template_id: 99999999 },
    ]), '1.template_id');
    assertBadRequest(await server().put(ITEMS, [{ time_recurrence: '20100101T010101|PT1H||daily' }]), '0.id');
    assert.deepEqual(await itemsOf(server(), template!.id), changed);
  });

  test('DELETE items with an id array answers data [{id}]; an unknown id 400 and nothing deleted', async () => {
    const [template] = await createTemplates(server(), [{ name: unique('del-items') }]);
    const [group] = await addItems(server(), ['20100101T010101|PT1H||daily', '20100102T010101|PT1H||daily', '20100103T010101|PT1H||daily']
      .map((text) => ({ template_id: template!.id, time_recurrence: text })));
    const [a, b, c] = group!.time_recurrences.map((item: { id: string }) => Number(item.id));
    assertBadRequest(await server().request('DELETE', ITEMS, [a, 99999999]), '1');
    assert.equal((await itemsOf(server(), template!.id)).length, 3, 'nothing deleted');
    const data = assertOk(await server().request('DELETE', ITEMS, [a, b]), 'delete items');
    assert.deepEqual(data, [{ id: a }, { id: b }]);
    assert.deepEqual((await itemsOf(server(), template!.id)).map(([id]) => id), [c]);
  });

  test("DELETE items/:id answers {code,message:'ok',data:{id:'<id>'}}; 404 afterwards", async () => {
    const [template] = await createTemplates(server(), [{ name: unique('del-one') }]);
    const [group] = await addItems(server(), [{ template_id: template!.id, time_recurrence: '20100101T010101|PT1H||daily' }]);
    const id = group!.time_recurrences[0].id as string;
    const data = assertOk(await server().delete(`${ITEMS}/${id}`), 'delete one item');
    assert.deepEqual(data, { id });
    assert.deepEqual(await itemsOf(server(), template!.id), []);
    assertNotFound(await server().delete(`${ITEMS}/${id}`));
    assertBadRequest(await server().delete(`${ITEMS}/abc`), 'id');
  });

  test('POST and PUT items refuse a recurrence that never starts or would need unbounded work, naming the item; nothing is written', async () => {
    const [template] = await createTemplates(server(), [{ name: unique('unbounded') }]);
    const [group] = await addItems(server(), [{ template_id: template!.id, time_recurrence: '20100101T010101|PT10H||daily' }]);
    const before = await itemsOf(server(), template!.id);
    const count = await storedItemCount(server());
    const good = { template_id: template!.id, time_recurrence: '20100101T010101|PT10H||daily' };
    for (const [part, text] of [
      ['bymonthday', '20200101T000000|PT1H|daily||1||30|||2'], // 30 February
      ['byyearday', '20230101T000000|PT1H|yearly||1|||1||6'], // day 1 is never in June
      ['duration', '20200101T000000|P99999999W|daily||1'],
      ['duration', '20200101T000000|P99999999W'],
      ['interval', '20230101T000000|PT1H|weekly||10001'],
    ]) {
      const created = await server().post(ITEMS, [good, { template_id: template!.id, time_recurrence: text }]);
      assertBadRequest(created, '1.time_recurrence', text);
      assert.match(created.body.message, new RegExp(`\\b${part}\\b`), `${text}: ${created.body.message}`);
      const changed = await server().put(ITEMS, [{ id: group!.time_recurrences[0].id, time_recurrence: text }]);
      assertBadRequest(changed, '0.time_recurrence', text);
      assert.match(changed.body.message, new RegExp(`\\b${part}\\b`), `${text}: ${changed.body.message}`);
    }
    assert.deepEqual(await itemsOf(server(), template!.id), before);
    assert.equal(await storedItemCount(server()), count);
  });

  test('bulk DELETE bodies are a JSON array of ids: a bare id, a nested array or a non-id item answers 400 naming body and deletes nothing', async () => {
    const [template, other] = await createTemplates(server(), [{ name: unique('coerced') }, { name: unique('coerced') }]);
    const [group] = await addItems(server(), [
      { template_id: other!.id, time_recurrence: '20100101T010101|PT10H||daily' },
      { template_id: other!.id, time_recurrence: '20100102T010101|PT10H||daily' },
    ]);
    const [item, otherItem] = group!.time_recurrences.map((entry: { id: string }) => Number(entry.id));
    const json = { headers: { 'content-type': 'application/json' } };
    for (const [url, id] of [[BASE, template!.id], [ITEMS, item!]] as const) {
      for (const body of [`"${id}"`, `${id}`, `[[${id}]]`, `[["${id}"]]`, `[true]`, `[null]`, `[{"id":${id}}]`, `{"0":${id}}`, `[${id},[${id}]]`]) {
        assertBadRequest(await server().request('DELETE', url, body, json), 'body', `${url} ${body}`);
      }
    }
    assert.equal((await detail(server(), template!.id)).id, template!.id, 'the template is still there');
    assert.deepEqual((await itemsOf(server(), other!.id)).map(([id]) => id), [item, otherItem], 'the items are still there');
    // Ids as text stay accepted, as everywhere else.
    assert.deepEqual(assertOk(await server().request('DELETE', ITEMS, `["${item}"]`, json), 'delete items by text id'), [{ id: item }]);
    assert.deepEqual(assertOk(await server().request('DELETE', BASE, `["${template!.id}"]`, json), 'delete templates by text id'), [{ id: template!.id }]);
    assertNotFound(await server().get(`${BASE}/${template!.id}`));
    assert.deepEqual((await itemsOf(server(), other!.id)).map(([id]) => id), [otherItem]);
  });

  test('template endpoints need a token', async () => {
    for (const [method, url] of [['GET', BASE], ['GET', `${BASE}/1`], ['POST', BASE], ['PUT', BASE], ['DELETE', BASE], ['POST', ITEMS], ['PUT', ITEMS], ['DELETE', ITEMS], ['DELETE', `${ITEMS}/1`]] as const) {
      const reply = await server().request(method, url, method === 'GET' || url.endsWith('/1') ? undefined : [1], { token: null });
      assert.equal(reply.status, 401, `${method} ${url}`);
    }
  });
});
