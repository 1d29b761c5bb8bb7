import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { createRoute, explain, freshContext, unique } from '../helpers/routing.js';

const TABLE_KEYS = ['created_at', 'deleted_at', 'description', 'id', 'name', 'type', 'updated_at'];

const createTable = async (server: Harness, fields: Record<string, unknown> = {}): Promise<number> =>
  createdId(await server.post('/api/number_translation', { name: unique('nts'), type: 'exact', ...fields }));

async function numbers(server: Harness, id: number, query = '') {
  const reply = await server.get(`/api/number_translation/${id}/numbers${query}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

/** CherryPBX's "number change table" rule, as its route page writes dnc/sdnc. */
const tableRule = (id: number) => `s/prefix_nts_${id}///`;

describeOnEachDatabase('number translation', (server) => {
  test('tables: create, list with filters, update name and description only, delete', async () => {
    const name = unique('test');
    const id = await createTable(server(), { name, description: 'd', type: 'prefix' });
    const list = await server().get(`/api/number_translation?page=1&page_size=10&name=${name}&type=prefix`);
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.equal(list.body.rowCount, 1);
    const [row] = list.body.data;
    assert.deepEqual(Object.keys(row).sort(), TABLE_KEYS);
    assert.match(row.updated_at, WIRE_TIME);
    assert.deepEqual([row.id, row.name, row.description, row.type, row.deleted_at], [String(id), name, 'd', 'prefix', '']);
    assert.equal((await server().get(`/api/number_translation?name=${name}&type=exact`)).body.rowCount, 0);

    assertBadRequest(await server().put(`/api/number_translation/${id}`, { name: `${name}-2`, type: 'exact' }), 'type');
    assert.equal((await server().get(`/api/number_translation/${id}`)).body.name, name, 'a refused update changes nothing');
    // CherryPBX's edit dialog resends the type it read.
    const updated = await server().put(`/api/number_translation/${id}`, { name: `${name}-2`, description: 'test01', type: 'prefix' });
    assert.deepEqual(updated.body, { code: 200, data: String(id), message: 'success' });
    const after = (await server().get(`/api/number_translation/${id}`)).body;
    assert.deepEqual([after.name, after.description, after.type], [`${name}-2`, 'test01', 'prefix']);

    assertBadRequest(await server().post('/api/number_translation', { name: unique('t'), type: 'regex' }), 'type');
    assertBadRequest(await server().post('/api/number_translation', { name: unique('t') }), 'type');
    assertConflict(await server().post('/api/number_translation', { name: `${name}-2`, type: 'exact' }), 'name');

    assert.deepEqual((await server().delete(`/api/number_translation/${id}`)).body, { data: String(id), code: 200, message: 'success' });
    assertNotFound(await server().get(`/api/number_translation/${id}`));
    assertNotFound(await server().get(`/api/number_translation/${id}/numbers`));
  });

  test('numbers: add, list in the spec\'s shape, change and remove one', async () => {
    const name = unique('test2');
    const id = await createTable(server(), { name });
    const first = createdId(await server().post(`/api/number_translation/${id}/numbers`, { original_number: '1001', nts_number: '91001' }));
    // CherryPBX also sends the table's id and type.
    const second = createdId(await server().post(`/api/number_translation/${id}/numbers`, { id, type: 'exact', original_number: '1002', nts_number: '81002' }));
    const body = await numbers(server(), id);
    assert.deepEqual(Object.keys(body).sort(), ['nts_numbers', 'number_translation_info']);
    assert.deepEqual(body.number_translation_info, [{ name, description: '', type: 'exact' }]);
    assert.deepEqual([body.nts_numbers.page, body.nts_numbers.rowCount, body.nts_numbers.pageCount], [1, 2, 1]);
    assert.deepEqual(body.nts_numbers.data.map((row: Record<string, string>) => [row.id, row.original_number, row.nts_number, row.deleted_at]),
      [[String(second), '1002', '81002', ''], [String(first), '1001', '91001', '']]);
    assert.deepEqual(Object.keys(body.nts_numbers.data[0]).sort(), ['created_at', 'deleted_at', 'id', 'nts_number', 'original_number', 'updated_at']);
    const paged = await numbers(server(), id, '?page=2&page_size=1');
    assert.deepEqual([paged.nts_numbers.page, paged.nts_numbers.pageCount, paged.nts_numbers.data[0].id], [2, 2, String(first)]);

    assertConflict(await server().post(`/api/number_translation/${id}/numbers`, { original_number: '1001', nts_number: '1' }), 'original_number');
    assertBadRequest(await server().post(`/api/number_translation/${id}/numbers`, { original_number: '1003', nts_number: '1${x}' }), 'nts_number');

    const changed = await server().put(`/api/number_translation/${id}/${first}`, { nts_number: '1112', original_number: '1004' });
    assert.deepEqual(changed.body, { message: 'success', data: String(first), code: 200 });
    assertConflict(await server().put(`/api/number_translation/${id}/${first}`, { original_number: '1002' }), 'original_number');
    const other = await createTable(server());
    assertNotFound(await server().put(`/api/number_translation/${other}/${first}`, { nts_number: '1' }));
    assertNotFound(await server().delete(`/api/number_translation/${other}/${first}`));
    assert.deepEqual((await server().delete(`/api/number_translation/${id}/${second}`)).body, { message: 'success', code: 200, data: String(second) });
    assert.deepEqual((await numbers(server(), id)).nts_numbers.data.map((row: Record<string, string>) => [row.original_number, row.nts_number]), [['1004', '1112']]);
  });

  test('import adds every number or none and answers the table id', async () => {
    const id = await createTable(server());
    const reply = await server().post(`/api/number_translation/${id}/import/`, [
      { nts_number: '10001', original_number: '901001' }, { nts_number: '1002', original_number: '811002' },
    ]);
    assert.deepEqual(reply.body, { code: 200, data: id, message: 'success' });
    assertConflict(await server().post(`/api/number_translation/${id}/import`, [
      { nts_number: '1', original_number: '5' }, { nts_number: '2', original_number: '811002' },
    ]), '1.original_number', 'already in the table');
    assertConflict(await server().post(`/api/number_translation/${id}/import`, [
      { nts_number: '1', original_number: '5' }, { nts_number: '2', original_number: '5' },
    ]), '1.original_number', 'twice in the import');
    assertBadRequest(await server().post(`/api/number_translation/${id}/import`, [
      { nts_number: '1', original_number: '6' }, { nts_number: '', original_number: '7' },
    ]), '1.nts_number');
    assert.equal((await numbers(server(), id)).nts_numbers.rowCount, 2, 'nothing of a refused import');
    assertNotFound(await server().post('/api/number_translation/99999999/import', [{ nts_number: '1', original_number: '5' }]));
  });

  test('a route\'s dnc or sdnc names a table; the table translates exactly or by longest prefix; explain shows it', async () => {
    const context = await freshContext(server());
    const exact = await createTable(server(), { type: 'exact' });
    await server().post(`/api/number_translation/${exact}/import`, [{ original_number: '1001', nts_number: '8001' }]);
    const prefix = await createTable(server(), { type: 'prefix' });
    await server().post(`/api/number_translation/${prefix}/import`, [
      { original_number: '0', nts_number: '86' }, { original_number: '0755', nts_number: '+86755' },
    ]);
    assertBadRequest(await server().post('/api/routes', { name: unique('r'), max_length: 12, dest_type: 'FS_DEST_USER', context, dnc: tableRule(99999999) }), 'dnc');
    const route = await createRoute(server(), { context, prefix: '1', dnc: tableRule(exact), sdnc: `s/prefix_nts_${prefix}/original_number/nts_number/` });

    const translated = await explain(server(), { destNumber: '1001', context, callerNumber: '075512345' });
    assert.equal(translated.dnc_number, '8001');
    assert.equal(translated.sdnc_number, '+8675512345');
    assert.deepEqual(translated.translations, [
      { table_id: exact, name: translated.translations[0].name, type: 'exact', from: '1001', to: '8001', matched: '1001' },
      { table_id: prefix, name: translated.translations[1].name, type: 'prefix', from: '075512345', to: '+8675512345', matched: '0755' },
    ]);
    const shorter = await explain(server(), { destNumber: '10011', context, callerNumber: '0201' });
    assert.deepEqual([shorter.dnc_number, shorter.sdnc_number], ['10011', '86201'], 'exact needs the whole number; prefix the longest');

    // A change to a table counts at once.
    await server().post(`/api/number_translation/${exact}/numbers`, { original_number: '10011', nts_number: '7' });
    assert.equal((await explain(server(), { destNumber: '10011', context })).dnc_number, '7');

    const refused = await server().delete(`/api/number_translation/${exact}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`route "${route.name}" \\(id ${route.id}\\)`));
    assertBadRequest(await server().put(`/api/routes/${route.id}`, { sdnc: tableRule(99999999) }), 'sdnc');
    await server().put(`/api/routes/${route.id}`, { dnc: '' });
    assert.equal((await server().delete(`/api/number_translation/${exact}`)).status, 200);
  });

  test('a gateway\'s dnc or sdnc names a table: it translates after the route\'s rules, explain shows the gateway\'s step, and the table cannot be deleted while named', async () => {
    const context = await freshContext(server());
    const table = await createTable(server(), { type: 'prefix' });
    await server().post(`/api/number_translation/${table}/import`, [{ original_number: '86', nts_number: '0086' }, { original_number: '8610', nts_number: '00861' }]);
    const gatewayName = unique('ntsgw');
    const gateway = createdId(await server().post('/api/gateways', { name: gatewayName, realm: '192.0.2.10', sdnc: tableRule(table) }));
    assert.equal((await server().put(`/api/gateways/${gateway}`, { dnc: `s/prefix_nts_${table}/original_number/nts_number/` })).status, 200);
    await createRoute(server(), { context, prefix: '0', dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gateway), dnc: '-0+86' });

    const explained = await explain(server(), { destNumber: '01012345', context, callerNumber: '8620000' });
    assert.equal(explained.dnc_number, '861012345', 'the route\'s dnc_number is before the gateway\'s rules');
    assert.equal(explained.sdnc_number, '8620000');
    assert.deepEqual(explained.translations, [], 'the route names no table');
    assert.deepEqual(explained.gateway, {
      id: gateway, name: gatewayName, dnc: `s/prefix_nts_${table}/original_number/nts_number/`,
      sdnc: `s/prefix_nts_${table}/original_number/nts_number/`, // stored in the form CherryPBX reads back a table from
      dest_number_before: '861012345', dest_number: '0086112345',
      caller_number_before: '8620000', caller_number: '008620000',
      translations: [
        { table_id: table, name: explained.gateway.translations[0].name, type: 'prefix', from: '8620000', to: '008620000', matched: '86' },
        { table_id: table, name: explained.gateway.translations[0].name, type: 'prefix', from: '861012345', to: '0086112345', matched: '8610' },
      ],
    });
    // A change to the table or to the gateway counts at once.
    await server().post(`/api/number_translation/${table}/numbers`, { original_number: '862', nts_number: '2' });
    assert.equal((await explain(server(), { destNumber: '01012345', context, callerNumber: '8620000' })).gateway.caller_number, '20000');
    assert.equal((await server().put(`/api/gateways/${gateway}`, { dnc: '+9' })).status, 200);
    assert.equal((await explain(server(), { destNumber: '01012345', context })).gateway.dest_number, '9861012345');

    const refused = await server().delete(`/api/number_translation/${table}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`gateway "${gatewayName}" \\(id ${gateway}\\)`));
    assert.equal((await server().put(`/api/gateways/${gateway}`, { sdnc: '' })).status, 200);
    assert.equal((await server().delete(`/api/number_translation/${table}`)).status, 200);
    const after = await explain(server(), { destNumber: '01012345', context, callerNumber: '8620000' });
    assert.deepEqual([after.gateway.dest_number, after.gateway.caller_number, after.gateway.translations], ['9861012345', '8620000', []]);
  });
});
