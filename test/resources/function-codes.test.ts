import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';

describeOnEachDatabase('function codes', (server) => {
  test('create, list (strings), detail (numbers), update, toggle and delete in the spec\'s shapes', async () => {
    const id = createdId(await server().post('/api/func_code', { func_code: '*123', func_type: 'FS_DEST_FUNC_CALL_FORWARDING', description: 'test' }));

    const detail = await server().get(`/api/func_code/${id}`);
    assert.equal(detail.status, 200);
    const { created_at, updated_at, ...rest } = detail.body;
    assert.match(created_at, WIRE_TIME);
    assert.match(updated_at, WIRE_TIME);
    assert.deepEqual(rest, { id, disabled: 0, func_code: '*123', func_type: 'FS_DEST_FUNC_CALL_FORWARDING', description: 'test', deleted_at: '' });

    const list = await server().get('/api/func_code');
    assert.deepEqual(Object.keys(list.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    const row = list.body.data.find((item: { id: string }) => item.id === String(id));
    assert.equal(row.disabled, '0');
    assert.equal(row.func_code, '*123');

    const put = await server().put(`/api/func_code/${id}`, { func_code: '*1234', func_type: 'FS_DEST_MCASTS', description: 'test1' });
    assert.deepEqual(put.body, { code: 200, message: 'success', data: String(id) });
    assert.deepEqual(
      (({ func_code, func_type, description }) => ({ func_code, func_type, description }))((await server().get(`/api/func_code/${id}`)).body),
      { func_code: '*1234', func_type: 'FS_DEST_MCASTS', description: 'test1' },
    );

    assert.equal((await server().put(`/api/func_code/${id}`, { action: 'toggle' })).status, 200);
    assert.equal((await server().get(`/api/func_code/${id}`)).body.disabled, 1);
    await server().put(`/api/func_code/${id}`, { action: 'toggle' });
    assert.equal((await server().get(`/api/func_code/${id}`)).body.disabled, 0);

    const removed = await server().delete(`/api/func_code/${id}`);
    assert.deepEqual(removed.body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/func_code/${id}`));
  });

  test('func_type comes from the spec\'s table; func_code is required, dialable and unique', async () => {
    assertBadRequest(await server().post('/api/func_code', { func_code: '*1', func_type: 'FS_DEST_TELEPORT' }), 'func_type');
    assertBadRequest(await server().post('/api/func_code', { func_type: 'FS_DEST_MCASTS' }), 'func_code');
    assertBadRequest(await server().post('/api/func_code', { func_code: '$VeryGoodPassw0rd', func_type: 'FS_DEST_MCASTS' }), 'func_code');
    createdId(await server().post('/api/func_code', { func_code: '*79', func_type: 'FS_DEST_MCASTS' }));
    assertConflict(await server().post('/api/func_code', { func_code: '*79', func_type: 'FS_DEST_EAVESDROP' }), 'func_code');
    const other = createdId(await server().post('/api/func_code', { func_code: '*80', func_type: 'FS_DEST_EAVESDROP' }));
    assertConflict(await server().put(`/api/func_code/${other}`, { func_code: '*79' }), 'func_code');
    assertBadRequest(await server().put(`/api/func_code/${other}`, { func_type: 'nope' }), 'func_type');
    assertNotFound(await server().put('/api/func_code/999999', { description: 'ghost' }));
  });
});
