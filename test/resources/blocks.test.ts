import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { createRoute } from '../helpers/routing.js';

const LUA = 'session:answer()\nsession:streamFile("tone_stream://%(200,0,440)")\nfreeswitch.consoleLog("info", "done\\n")\n';

describeOnEachDatabase('blocks', (server) => {
  test('create, list, detail, update and delete with the spec\'s fields', async () => {
    const id = createdId(await server().post('/api/blocks', { name: 'test', description: 'test' }));
    const detail = await server().get(`/api/blocks/${id}`);
    assert.equal(detail.status, 200);
    const { created_at, updated_at, ...rest } = detail.body;
    assert.match(created_at, WIRE_TIME);
    assert.match(updated_at, WIRE_TIME);
    assert.deepEqual(rest, { id, name: 'test', description: 'test', ver: '', xml: '', js: '', lua: '', ivr_menu_id: '', deleted_at: '' });

    const put = await server().put(`/api/blocks/${id}`, { name: 'greeter', lua: LUA, xml: '<xml xmlns="http://www.w3.org/1999/xhtml"></xml>' });
    assert.deepEqual(put.body, { code: 200, message: 'success', data: String(id) });
    const list = await server().get('/api/blocks');
    const row = list.body.data.find((item: { id: string }) => item.id === String(id));
    assert.equal(row.name, 'greeter');
    assert.equal(row.lua, LUA);

    const removed = await server().delete(`/api/blocks/${id}`);
    assert.deepEqual(removed.body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/blocks/${id}`));
    assertNotFound(await server().delete(`/api/blocks/${id}`));
  });

  test('name is required; a block a route runs cannot be deleted, and routes name it in body', async () => {
    assertBadRequest(await server().post('/api/blocks', { description: 'nameless' }), 'name');
    assertBadRequest(await server().post('/api/blocks', { name: 'x', lua: 'a\u0001b' }), 'lua');
    const id = createdId(await server().post('/api/blocks', { name: 'routed block', lua: LUA }));
    const route = await createRoute(server(), { name: 'to the block', prefix: '88', context: 'context-1', dest_type: 'FS_DEST_IVRBLOCK', dest_uuid: String(id) });
    assert.equal((await server().get(`/api/routes/${route.id}`)).body.body, 'routed block');
    const refused = await server().delete(`/api/blocks/${id}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, /route "to the block"/);
    assertBadRequest(await server().post('/api/routes', { name: 'nowhere', prefix: '89', max_length: 12, context: 'context-1', dest_type: 'FS_DEST_IVRBLOCK', dest_uuid: '999999' }), 'dest_uuid');
  });
});
