import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { createRoute } from '../helpers/routing.js';

const MEDIA = { media_id: 217, media_path: '/usr/local/freeswitch/storage/upload/welcome.wav', media_type: 'UPLOAD' };

const createIvr = async (server: Harness, body: unknown): Promise<number> => createdId(await server.post('/api/ivrs', body));
const addAction = async (server: Harness, ivr: number, body: unknown): Promise<number> =>
  createdId(await server.post(`/api/ivrs/${ivr}/actions`, body));

async function detail(server: Harness, id: number) {
  const reply = await server.get(`/api/ivrs/${id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

async function routeTo(server: Harness, id: number, name: string): Promise<number> {
  const route = await createRoute(server, { name, prefix: `7${id}`, context: 'context-1', dest_type: 'FS_DEST_IVR', dest_uuid: String(id) });
  return route.id;
}

describeOnEachDatabase('ivrs', (server) => {
  test('a new IVR takes the spec\'s defaults; the detail answers numbers, the list strings and count_actions', async () => {
    const id = await createIvr(server(), { name: 'welcome' });
    const ivr = await detail(server(), id);
    assert.equal(ivr.id, id);
    assert.equal(ivr.name, 'welcome');
    assert.equal(ivr.key, `ivr-${id}`);
    assert.equal(ivr.identifier, `ivr-${id}`);
    assert.deepEqual(
      [ivr.timeout, ivr.max_failures, ivr.max_timeouts, ivr.digit_len, ivr.inter_digit_timeout],
      [15000, 3, 4, 1, 3000],
    );
    for (const field of ['greet_long', 'greet_short', 'invalid_sound', 'exit_sound', 'transfer_sound', 'pin', 'pin_file', 'bad_pin_file', 'confirm_attempts', 'deleted_at']) {
      assert.equal(ivr[field], '', field);
    }
    assert.match(ivr.created_at, WIRE_TIME);

    await addAction(server(), id, { digits: '1', action: 'IVR_EXIT' });
    await addAction(server(), id, { digits: '2', action: 'IVR_EXIT' });
    const list = await server().get('/api/ivrs');
    assert.equal(list.status, 200);
    const row = list.body.data.find((item: { id: string }) => item.id === String(id));
    assert.equal(row.count_actions, '2');
    assert.deepEqual([row.timeout, row.max_failures, row.max_timeouts, row.digit_len, row.inter_digit_timeout], ['15000', '3', '4', '1', '3000']);
  });

  test('name is required and unique', async () => {
    assertBadRequest(await server().post('/api/ivrs', { description: 'no name' }), 'name');
    assertBadRequest(await server().post('/api/ivrs', { name: '' }), 'name');
    await createIvr(server(), { name: 'unique-one' });
    assertConflict(await server().post('/api/ivrs', { name: 'unique-one' }), 'name');
    const other = await createIvr(server(), { name: 'unique-two' });
    assertConflict(await server().put(`/api/ivrs/${other}`, { name: 'unique-one' }), 'name');
  });

  test('sound fields take the console\'s JSON string or a plain path and answer objects or the path', async () => {
    const id = await createIvr(server(), { name: 'sounds' });
    const put = await server().put(`/api/ivrs/${id}`, { id: String(id), greet_long: JSON.stringify(MEDIA) });
    assert.deepEqual(put.body, { code: 200, message: 'success', data: String(id) });
    await server().put(`/api/ivrs/${id}`, { greet_short: '$${sound_prefix}/ivr/ivr-generic_greeting.wav', invalid_sound: 'tone_stream://%(500,0,440)' });
    const ivr = await detail(server(), id);
    assert.deepEqual(ivr.greet_long, MEDIA);
    assert.equal(ivr.greet_short, '$${sound_prefix}/ivr/ivr-generic_greeting.wav');
    assert.equal(ivr.invalid_sound, 'tone_stream://%(500,0,440)');
    const row = (await server().get('/api/ivrs')).body.data.find((item: { id: string }) => item.id === String(id));
    assert.deepEqual(row.greet_long, MEDIA);

    await server().put(`/api/ivrs/${id}`, { greet_long: '' });
    assert.equal((await detail(server(), id)).greet_long, '');

    assertBadRequest(await server().put(`/api/ivrs/${id}`, { greet_long: '{"media_id":1}' }), 'greet_long');
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { exit_sound: '{not json' }), 'exit_sound');
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { exit_sound: '/tmp/${evil}.wav' }), 'exit_sound');
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { transfer_sound: '/tmp/a.wav\n/tmp/b.wav' }), 'transfer_sound');
  });

  test('settings the console writes are stored; values FreeSWITCH cannot run are refused naming the field', async () => {
    const id = await createIvr(server(), { name: 'settings' });
    const reply = await server().put(`/api/ivrs/${id}`, {
      max_failures: 5, max_timeouts: '2', timeout: 9000, inter_digit_timeout: 2000, digit_len: '4',
      exec_on_max_failures: 'hangup NORMAL_CLEARING', confirm_attempts: 3, pin: '1234', tts_engine: 'flite',
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const ivr = await detail(server(), id);
    assert.deepEqual(
      [ivr.max_failures, ivr.max_timeouts, ivr.timeout, ivr.inter_digit_timeout, ivr.digit_len, ivr.exec_on_max_failures, ivr.confirm_attempts, ivr.pin],
      [5, 2, 9000, 2000, 4, 'hangup NORMAL_CLEARING', '3', '1234'],
    );
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { exec_on_max_timeouts: 'not-an-app!' }), 'exec_on_max_timeouts');
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { digit_len: 0 }), 'digit_len');
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { name: 'a ${x}' }), 'name');
    assertBadRequest(await server().put(`/api/ivrs/${id}`, { pin: '12a' }), 'pin');
    assertNotFound(await server().put('/api/ivrs/999999', { name: 'ghost' }));
  });

  test('actions: every endpoint in the spec\'s shapes, one action answered as a one-element array', async () => {
    const id = await createIvr(server(), { name: 'actions' });
    const actionId = await addAction(server(), id, { digits: '333', match_prefix: '0', action: 'IVR_PLAY', args: 'tone_stream://%(1000,0,640)', body: 'BEEP', ivr_menu_id: String(id) });
    const list = await server().get(`/api/ivrs/${id}/actions`);
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1);
    const { created_at, updated_at, ...rest } = list.body[0];
    assert.match(created_at, WIRE_TIME);
    assert.match(updated_at, WIRE_TIME);
    assert.deepEqual(rest, { id: actionId, ivr_menu_id: id, digits: '333', action: 'IVR_PLAY', match_prefix: 0, args: 'tone_stream://%(1000,0,640)', body: 'BEEP', deleted_at: '' });

    const one = await server().get(`/api/ivrs/${id}/actions/${actionId}`);
    assert.equal(one.status, 200);
    // The one action answers match_prefix as "0"/"1" for CherryPBX's action page (CONTRACT: the client wins).
    assert.deepEqual(one.body, [{ ...list.body[0], match_prefix: '0' }]);

    const put = await server().put(`/api/ivrs/${id}/actions/${actionId}`, { id: actionId, digits: '0', match_prefix: '1', action: 'IVR_EXIT', args: '' });
    assert.deepEqual(put.body, { code: 200, message: 'success', data: String(actionId) });
    const changed = (await server().get(`/api/ivrs/${id}/actions/${actionId}`)).body[0];
    assert.deepEqual([changed.digits, changed.match_prefix, changed.action], ['0', '1', 'IVR_EXIT']);
    assert.strictEqual((await server().get(`/api/ivrs/${id}/actions`)).body[0].match_prefix, 1, 'the list keeps the spec\'s number');

    const other = await createIvr(server(), { name: 'actions-other' });
    assertNotFound(await server().get(`/api/ivrs/${other}/actions/${actionId}`), 'another IVR\'s action');
    assertNotFound(await server().delete(`/api/ivrs/${other}/actions/${actionId}`), 'another IVR\'s action');
    assertNotFound(await server().get('/api/ivrs/999999/actions'));
    assertNotFound(await server().post('/api/ivrs/999999/actions', { digits: '1', action: 'IVR_EXIT' }));

    const removed = await server().delete(`/api/ivrs/${id}/actions/${actionId}`);
    assert.deepEqual(removed.body, { code: 200, message: 'success', data: String(actionId) });
    assert.deepEqual((await server().get(`/api/ivrs/${id}/actions`)).body, []);
  });

  test('actions take only the spec\'s action types, need digits, and their targets must exist', async () => {
    const id = await createIvr(server(), { name: 'checked' });
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_FLY' }), 'action');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { action: 'IVR_EXIT' }), 'digits');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '', action: 'IVR_EXIT' }), 'digits');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_SUB', args: '999999' }), 'args');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_SUB', args: String(id) }), 'args');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_ROUTE', args: '999999' }), 'args');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_ROUTE', body: '10 01' }), 'body');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_SYSTEM', body: '' }), 'body');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_SYSTEM', body: 'bad-app! data' }), 'body');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_PLAY', args: 257 }), 'args');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_EXTENSION', args: '["1001"]' }), 'args');
    assertBadRequest(await server().post(`/api/ivrs/${id}/actions`, { digits: '1', action: 'IVR_TTS', args: 'say ${x}' }), 'args');
    assert.deepEqual((await server().get(`/api/ivrs/${id}/actions`)).body, [], 'refused actions wrote nothing');

    await addAction(server(), id, { digits: '1', match_prefix: '1', action: 'IVR_EXTENSION', args: JSON.stringify([{ extn: '1001|example.com' }]) });
    await addAction(server(), id, { digits: '2', action: 'IVR_ROUTE', args: '2', body: '9196' });
    await addAction(server(), id, { digits: '3', action: 'IVR_SYSTEM', body: 'playback /tmp/a.wav' });
  });

  test('IVR_SUB stores the sub-menu\'s name in body and follows its renames; a referenced sub-menu cannot be deleted', async () => {
    const top = await createIvr(server(), { name: 'top' });
    const sub = await createIvr(server(), { name: 'sub' });
    const action = await addAction(server(), top, { digits: '9', action: 'IVR_SUB', args: String(sub) });
    assert.equal((await server().get(`/api/ivrs/${top}/actions/${action}`)).body[0].body, 'sub');
    assert.equal((await server().put(`/api/ivrs/${sub}`, { name: 'sub-renamed' })).status, 200);
    assert.equal((await server().get(`/api/ivrs/${top}/actions/${action}`)).body[0].body, 'sub-renamed');

    const refused = await server().delete(`/api/ivrs/${sub}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`action ${action} of IVR "top"`));
  });

  test('deleting an IVR deletes its actions; an IVR a route points at cannot be deleted nor renamed (409 naming the route)', async () => {
    const id = await createIvr(server(), { name: 'routed' });
    await addAction(server(), id, { digits: '1', action: 'IVR_EXIT' });
    const routeId = await routeTo(server(), id, 'to the IVR');
    const route = await server().get(`/api/routes/${routeId}`);
    assert.equal(route.body.body, 'routed', 'the route\'s body is the IVR name');

    const refused = await server().delete(`/api/ivrs/${id}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, /route "to the IVR"/);
    assertConflict(await server().put(`/api/ivrs/${id}`, { name: 'renamed' }), 'name');

    const routes = await server().get(`/api/ivrs/${id}/routes`);
    assert.deepEqual(routes.body.data.map((row: { id: number; name: string }) => [row.id, row.name]), [[routeId, 'to the IVR']]);

    assertBadRequest(await server().post('/api/routes', { name: 'nowhere', prefix: '79', max_length: 12, context: 'context-1', dest_type: 'FS_DEST_IVR', dest_uuid: '999999' }), 'dest_uuid');

    assert.equal((await server().delete(`/api/routes/${routeId}`)).status, 200);
    const removed = await server().delete(`/api/ivrs/${id}`);
    assert.deepEqual(removed.body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/ivrs/${id}`));
    assertNotFound(await server().get(`/api/ivrs/${id}/actions`));
    const again = await createIvr(server(), { name: 'routed' });
    assert.deepEqual((await server().get(`/api/ivrs/${again}/actions`)).body, [], 'no orphan actions reappear');
  });

  test('a context an IVR_ROUTE action sends calls to cannot be deleted', async () => {
    const context = createdId(await server().post('/api/contexts', { name: 'ivr target' }));
    const id = await createIvr(server(), { name: 'router' });
    await addAction(server(), id, { digits: '1', action: 'IVR_ROUTE', args: String(context) });
    assertConflict(await server().delete(`/api/contexts/${context}`), 'id');
  });
});
