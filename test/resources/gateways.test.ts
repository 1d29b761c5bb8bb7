import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { createRoute, freshContext, unique } from '../helpers/routing.js';

async function profileId(server: Harness, name: string): Promise<number> {
  const reply = await server.get('/api/sip_profiles');
  const profile = reply.body.find((row: { name: string }) => row.name === name);
  assert.ok(profile, `no profile ${name}: ${JSON.stringify(reply.body)}`);
  return profile.id;
}

async function createGateway(server: Harness, fields: Record<string, unknown> = {}): Promise<number> {
  return createdId(await server.post('/api/gateways', { name: unique('gw'), realm: '192.0.2.10:5060', username: 'trunk', password: 's3cret!', register: 'yes', ...fields }));
}

describeOnEachDatabase('SIP profiles', (server) => {
  test('a fresh install has the internal and public profiles, with working settings', async () => {
    const list = await server().get('/api/sip_profiles');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body), 'a bare array, as CherryPBX reads it');
    assert.deepEqual(list.body.map((row: { name: string }) => row.name), ['internal', 'public']);
    assert.equal(list.body[0].disabled, 0, 'disabled is the number 0 (CherryPBX compares strictly)');
    assert.match(list.body[0].created_at, WIRE_TIME);
    const internal = await server().get(`/api/sip_profiles/${list.body[0].id}`);
    const settings = Object.fromEntries(internal.body.params.map((p: { k: string; v: string }) => [p.k, p.v]));
    assert.equal(settings['sip-port'], '$${internal_sip_port}');
    assert.equal(settings.context, 'context-1');
    assert.equal(settings['rtp-timer-name'], 'soft');
    const pub = await server().get(`/api/sip_profiles/${list.body[1].id}`);
    assert.equal(pub.body.params.find((p: { k: string }) => p.k === 'context').v, 'context-2');
  });

  test('create, rename, toggle and delete a profile; names are unique and one word', async () => {
    const id = createdId(await server().post('/api/sip_profiles', { name: 'lab', description: 'test bench' }));
    assertConflict(await server().post('/api/sip_profiles', { name: 'lab' }), 'name');
    assertBadRequest(await server().post('/api/sip_profiles', { name: 'two words' }), 'name');
    assert.equal((await server().put(`/api/sip_profiles/${id}`, { name: 'lab2' })).body.data, String(id));
    assert.equal((await server().put(`/api/sip_profiles/${id}`, { action: 'toggle' })).status, 200);
    const toggled = await server().get(`/api/sip_profiles/${id}`);
    assert.equal(toggled.body.name, 'lab2');
    assert.equal(toggled.body.disabled, 1);
    assert.equal((await server().delete(`/api/sip_profiles/${id}`)).status, 200);
    assertNotFound(await server().get(`/api/sip_profiles/${id}`));
  });

  test('profile params: add, edit, toggle, delete (singular param) with the spec shapes', async () => {
    const id = createdId(await server().post('/api/sip_profiles', { name: unique('p') }));
    const pid = createdId(await server().post(`/api/sip_profiles/${id}/params`, { k: 'sip-port', v: '5090' }));
    const edited = await server().put(`/api/sip_profiles/${id}/params/${pid}`, { v: '5091' });
    assert.equal(edited.status, 200);
    assert.deepEqual({ k: edited.body.data.k, v: edited.body.data.v, disabled: edited.body.data.disabled, ref_id: edited.body.data.ref_id }, { k: 'sip-port', v: '5091', disabled: 0, ref_id: id });
    assert.equal((await server().put(`/api/sip_profiles/${id}/params/${pid}`, { action: 'toggle' })).body.data.disabled, 1);
    assertBadRequest(await server().post(`/api/sip_profiles/${id}/params`, { k: 'sip-port', v: 'a\nb' }), 'v');
    assertBadRequest(await server().post(`/api/sip_profiles/${id}/params`, { k: 'bad name', v: '1' }), 'k');
    assertNotFound(await server().put(`/api/sip_profiles/${id}/params/999999`, { v: '1' }));
    const deleted = await server().delete(`/api/sip_profiles/${id}/param/${pid}`);
    assert.deepEqual(deleted.body, { code: 200, message: 'success', data: 1 });
    assert.deepEqual((await server().get(`/api/sip_profiles/${id}`)).body.params, []);
  });

  test('a profile a gateway runs on cannot be deleted (409 naming the gateway)', async () => {
    const id = createdId(await server().post('/api/sip_profiles', { name: unique('p') }));
    const name = unique('gw');
    await createGateway(server(), { name, profile_id: id });
    const refused = await server().delete(`/api/sip_profiles/${id}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`gateway "${name}"`));
  });
});

describeOnEachDatabase('gateways', (server) => {
  test('create with the spec body; the detail has params and variables, never the password', async () => {
    const id = createdId(await server().post('/api/gateways', {
      name: 'test123', realm: '192.168.1.100:7000', username: 'test', password: '$VeryGoodPassw0rd',
      description: '', profile_id: String(await profileId(server(), 'public')), register: 'yes', template: 'default',
    }));
    const detail = await server().get(`/api/gateways/${id}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.id, id);
    assert.equal(detail.body.profile_id, await profileId(server(), 'public'));
    assert.equal(detail.body.register, 'yes');
    assert.equal(detail.body.disabled, '0');
    assert.equal('password' in detail.body, false);
    assert.deepEqual(detail.body.variables, []);
    // The default template is copied, its params disabled until the operator enables them.
    const keys = detail.body.params.map((p: { k: string }) => p.k);
    assert.ok(keys.includes('expire-seconds') && keys.includes('retry-seconds'), keys.join());
    for (const param of detail.body.params) {
      assert.equal(param.realm, 'GATEWAY');
      assert.equal(param.ref_id, id);
      assert.equal(param.disabled, 1);
    }
    const byParams = await server().get(`/api/gateways/params/${id}`);
    assert.deepEqual(byParams.body, detail.body.params);
  });

  test('the list pages, strings its ids as the spec, and blanks passwords', async () => {
    const id = await createGateway(server());
    const list = await server().get('/api/gateways?page=1&perPage=100');
    assert.equal(list.status, 200);
    const row = list.body.data.find((item: { id: string }) => item.id === String(id));
    assert.ok(row);
    assert.equal(row.password, '');
    assert.equal(typeof row.profile_id, 'string');
    assert.equal(row.disabled, '0');
    assert.ok(!JSON.stringify(list.body).includes('s3cret!'));
  });

  test('dnc and sdnc: "" until set; created, edited and cleared; answered as strings in the detail and the list rows', async () => {
    const id = await createGateway(server());
    const rowOf = async () => (await server().get('/api/gateways?page=1&perPage=1000')).body.data.find((item: { id: string }) => item.id === String(id));
    const fresh = (await server().get(`/api/gateways/${id}`)).body;
    assert.deepEqual([fresh.dnc, fresh.sdnc], ['', '']);
    assert.deepEqual([(await rowOf()).dnc, (await rowOf()).sdnc], ['', '']);

    assert.equal((await server().put(`/api/gateways/${id}`, { dnc: '-0+86', sdnc: '/^(\\d+)$/0$1/' })).status, 200);
    const edited = (await server().get(`/api/gateways/${id}`)).body;
    assert.deepEqual([edited.dnc, edited.sdnc, edited.realm], ['-0+86', '/^(\\d+)$/0$1/', '192.0.2.10:5060'], 'other fields are kept');
    const row = await rowOf();
    assert.deepEqual([row.dnc, row.sdnc], ['-0+86', '/^(\\d+)$/0$1/']);

    // Saving another field leaves them alone; "" clears one.
    assert.equal((await server().put(`/api/gateways/${id}`, { description: 'carrier' })).status, 200);
    assert.equal((await server().get(`/api/gateways/${id}`)).body.dnc, '-0+86');
    assert.equal((await server().put(`/api/gateways/${id}`, { dnc: '' })).status, 200);
    const cleared = (await server().get(`/api/gateways/${id}`)).body;
    assert.deepEqual([cleared.dnc, cleared.sdnc], ['', '/^(\\d+)$/0$1/']);

    const withRules = await createGateway(server(), { dnc: 'r200', sdnc: '+86' });
    const created = (await server().get(`/api/gateways/${withRules}`)).body;
    assert.deepEqual([created.dnc, created.sdnc], ['r200', '+86']);
  });

  test('dnc and sdnc are checked as a route\'s: a rule that cannot work, or a table that does not exist, is a 400 naming the field', async () => {
    const id = await createGateway(server());
    const bad: [string, string][] = [['dnc', '86'], ['sdnc', 'r'], ['dnc', '/(unclosed/1/'], ['sdnc', 'x/only'], ['dnc', '+8\u00016'], ['sdnc', 's/prefix_nts_99999999///']];
    for (const [field, rule] of bad) {
      assertBadRequest(await server().put(`/api/gateways/${id}`, { [field]: rule }), field);
      assertBadRequest(await server().post('/api/gateways', { name: unique('gw'), realm: '192.0.2.10', [field]: rule }), field);
    }
    assertBadRequest(await server().put(`/api/gateways/${id}`, { dnc: 'x'.repeat(256) }), 'dnc');
    const unchanged = (await server().get(`/api/gateways/${id}`)).body;
    assert.deepEqual([unchanged.dnc, unchanged.sdnc], ['', '']);
  });

  test('names are unique; register needs credentials; profile_id must name a profile; template must exist', async () => {
    const name = unique('gw');
    await createGateway(server(), { name });
    assertConflict(await server().post('/api/gateways', { name, realm: 'x.example' }), 'name');
    assertBadRequest(await server().post('/api/gateways', { name: unique('gw'), realm: 'x.example', register: 'yes' }), 'username');
    assertBadRequest(await server().post('/api/gateways', { name: unique('gw'), realm: 'x.example', profile_id: 999999 }), 'profile_id');
    assertBadRequest(await server().post('/api/gateways', { name: 'a b', realm: 'x.example' }), 'name');
    assertBadRequest(await server().post('/api/gateways', { name: unique('gw'), realm: 'x.example', register: 'maybe' }), 'register');
    assertBadRequest(await server().post('/api/gateways', { name: unique('gw'), realm: 'x.example', template: 'nope' }), 'template');
    assertBadRequest(await server().post('/api/gateways', { name: unique('gw'), realm: 'x\u0001' }), 'realm');
  });

  test('update: fields change, an empty password keeps the stored one, disabled toggles', async () => {
    const id = await createGateway(server());
    const changed = await server().put(`/api/gateways/${id}`, { realm: '192.168.1.100:7000', username: '1005', password: '' });
    assert.deepEqual(changed.body, { code: 200, message: 'success', data: String(id) });
    const detail = await server().get(`/api/gateways/${id}`);
    assert.equal(detail.body.username, '1005');
    assert.equal((await server().put(`/api/gateways/${id}`, { disabled: 1 })).status, 200);
    assert.equal((await server().get(`/api/gateways/${id}`)).body.disabled, '1');
    assert.equal((await server().put(`/api/gateways/${id}`, { action: 'toggle' })).status, 200);
    assert.equal((await server().get(`/api/gateways/${id}`)).body.disabled, '0');
    // Still registering: the kept password satisfies the check.
    assert.equal((await server().put(`/api/gateways/${id}`, { register: 'true' })).status, 200);
  });

  test('params and variables: add, edit, toggle, delete with the spec shapes and odd paths', async () => {
    const id = await createGateway(server());
    const pid = createdId(await server().post(`/api/gateways/${id}/params`, { k: 'auth-username', v: 'cluecon', disabled: '0' }));
    const param = await server().put(`/api/gateways/${id}/params/${pid}`, { k: 'auth-username', v: 'clueconn' });
    assert.deepEqual({ ...param.body, data: { ...param.body.data, created_at: '', updated_at: '' } }, {
      code: 200, message: 'success',
      data: { id: pid, realm: 'GATEWAY', ref_id: id, k: 'auth-username', v: 'clueconn', disabled: 0, created_at: '', updated_at: '', deleted_at: '' },
    });
    assert.deepEqual((await server().delete(`/api/gateways/${id}/param/${pid}`)).body, { code: 200, message: 'success', data: 1 });
    assertNotFound(await server().delete(`/api/gateways/${id}/param/${pid}`));

    const vid = createdId(await server().post(`/api/gateways/${id}/variables`, { k: 'test_var', v: 'xui', disabled: '0', direction: '1' }));
    const words = createdId(await server().post(`/api/gateways/${id}/variables`, { k: 'test', v: 'xyt', direction: 'outbound' }));
    const variable = await server().put(`/api/gateways/${id}/variables/${vid}`, { k: 'test_var', v: 'xui2' });
    assert.equal(variable.body.data.gateway_id, id);
    assert.equal(variable.body.data.direction, 1);
    assert.equal(variable.body.data.v, 'xui2');
    assert.equal((await server().put(`/api/gateways/${id}/variables/${vid}`, { action: 'toggle' })).body.data.disabled, 1);
    const listed = await server().get(`/api/gateways/variables/${id}`);
    assert.deepEqual(listed.body.map((row: { id: number; direction: number }) => [row.id, row.direction]), [[vid, 1], [words, 2]]);
    assert.deepEqual((await server().get(`/api/gateways/${id}`)).body.variables, listed.body);
    assertBadRequest(await server().post(`/api/gateways/${id}/variables`, { k: 'x', direction: 3 }), 'direction');
    assert.deepEqual((await server().delete(`/api/gateways/${id}/variable/${vid}`)).body, { code: 200, message: 'success', data: 1 });
    assertNotFound(await server().post('/api/gateways/999999/variables', { k: 'x' }));
  });

  test('routes to a gateway: dest_uuid checked, body filled with its name, delete and rename refused while used', async () => {
    const name = unique('gw');
    const id = await createGateway(server(), { name });
    const context = await freshContext(server());
    assertBadRequest(await server().post('/api/routes', { name: unique('r'), context, prefix: '9', max_length: 20, dest_type: 'FS_DEST_GATEWAY', dest_uuid: '999999' }), 'dest_uuid');
    const route = await createRoute(server(), { context, prefix: '9', max_length: 20, dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(id) });
    assert.equal(route.body, name);
    const refused = await server().delete(`/api/gateways/${id}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`route "${route.name}"`));
    assertConflict(await server().put(`/api/gateways/${id}`, { name: unique('gw') }), 'name');
    assert.equal((await server().delete(`/api/routes/${route.id}`)).status, 200);
    assert.deepEqual((await server().delete(`/api/gateways/${id}`)).body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/gateways/${id}`));
    assertNotFound(await server().get(`/api/gateways/variables/${id}`));
  });

  test('status lists every configured gateway as UNKNOWN when no switch answers; control answers 503', async () => {
    const name = unique('gw');
    const id = await createGateway(server(), { name });
    const list = await server().get('/api/gateways/list');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.find((row: { gwname: string }) => row.gwname === name), { gwname: name, gwstatus: 'UNKNOWN' });
    const list1 = await server().get('/api/gateways/list1');
    assert.deepEqual(list1.body.find((row: { name: string }) => row.name === name), { name, gateway_state: 'UNKNOWN', gateway_status: 'UNKNOWN' });
    const control = await server().put('/api/gateways/control', { gwname: name, action: 'start' });
    assert.equal(control.status, 503, JSON.stringify(control.body));
    assert.equal((await server().put(`/api/gateways/${id}/control`, { action: 'killgw' })).status, 503);
    assertNotFound(await server().put('/api/gateways/control', { gwname: 'no-such-gateway', action: 'start' }));
    assertBadRequest(await server().put(`/api/gateways/${id}/control`, { action: 'explode' }), 'action');
  });
});
