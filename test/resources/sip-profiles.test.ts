/**
 * The SIP profile detail's settings-as-fields (sip_ip, icodec…) and sofia.conf's global settings
 * (`/api/params`, realm SOFIAGLOBALS). The sofia commands these writes send are in
 * test/freeswitch/sofia-conf.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { assertBadRequest, assertNotFound, createdId } from '../helpers/assertions.js';
import { unique } from '../helpers/routing.js';

async function profileNamed(server: Harness, name: string): Promise<Record<string, any>> {
  const id = (await server.get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === name).id;
  return (await server.get(`/api/sip_profiles/${id}`)).body;
}

const settingsOf = (profile: { params: { k: string; v: string; disabled: number }[] }) =>
  profile.params.filter((param) => param.disabled === 0).map((param) => [param.k, param.v]);

const globals = async (server: Harness) => (await server.get('/api/params/realm/SOFIAGLOBALS')).body.data as { id: number; k: string; v: string; disabled: string }[];

describeOnEachDatabase('SIP profile settings as detail fields', (server) => {
  test('the detail answers the seeded settings as fields, with their _expanded forms', async () => {
    const internal = await profileNamed(server(), 'internal');
    assert.equal(internal.sip_port, '$${internal_sip_port}');
    assert.equal(internal.sip_port_expanded, '$${internal_sip_port}', 'no switch variables are substituted');
    assert.equal(internal.context, 'context-1');
    assert.equal(internal.icodec, 'PCMU,PCMA');
    assert.equal(internal.ocodec_expanded, 'PCMU,PCMA');
    assert.equal(internal.sip_ip, internal.params.find((p: { k: string }) => p.k === 'sip-ip').v);
    assert.equal(internal.ext_sip_ip, internal.params.find((p: { k: string }) => p.k === 'ext-sip-ip')?.v ?? '');
  });

  test('a save writes changed fields to the settings (edit, add, "" removes), leaves the rest, and a disabled setting does not count', async () => {
    const id = createdId(await server().post('/api/sip_profiles', { name: unique('fields').replace('-', '') }));
    const blank = (await server().get(`/api/sip_profiles/${id}`)).body;
    assert.deepEqual([blank.sip_ip, blank.sip_port, blank.context, blank.icodec], ['', '', '', '']);
    await server().post(`/api/sip_profiles/${id}/params`, { k: 'sip-port', v: '5070', disabled: 1 });
    assert.equal((await server().get(`/api/sip_profiles/${id}`)).body.sip_port, '', 'a disabled setting is not applied');

    const saved = await server().put(`/api/sip_profiles/${id}`, { ...blank, sip_ip: '192.0.2.1', sip_port: '5080', context: 'context-2', icodec: 'OPUS,PCMA' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const after = (await server().get(`/api/sip_profiles/${id}`)).body;
    assert.deepEqual(settingsOf(after), [['sip-ip', '192.0.2.1'], ['sip-port', '5080'], ['context', 'context-2'], ['inbound-codec-prefs', 'OPUS,PCMA']]);
    assert.equal(after.params.length, 5, 'the disabled sip-port stays as it was');
    assert.deepEqual([after.sip_port, after.sip_port_expanded, after.icodec], ['5080', '5080', 'OPUS,PCMA']);

    // The page sends everything back: unchanged fields change nothing, a changed one edits in place.
    const ids = after.params.map((p: { id: number }) => p.id);
    await server().put(`/api/sip_profiles/${id}`, { ...after, sip_port: '5081', icodec: '' });
    const again = (await server().get(`/api/sip_profiles/${id}`)).body;
    assert.deepEqual(settingsOf(again), [['sip-ip', '192.0.2.1'], ['sip-port', '5081'], ['context', 'context-2']]);
    assert.deepEqual(again.params.map((p: { id: number }) => p.id), ids.filter((pid: number) => pid !== ids[4]));
  });

  test('field values must be one line without control characters, and a bad one changes nothing', async () => {
    const id = createdId(await server().post('/api/sip_profiles', { name: unique('bad').replace('-', '') }));
    assertBadRequest(await server().put(`/api/sip_profiles/${id}`, { name: 'renamed', sip_ip: '192.0.2.1\n<x/>' }), 'sip_ip');
    assertBadRequest(await server().put(`/api/sip_profiles/${id}`, { ocodec: 'PCMU\u0001' }), 'ocodec');
    const after = (await server().get(`/api/sip_profiles/${id}`)).body;
    assert.notEqual(after.name, 'renamed');
    assert.deepEqual(after.params, []);
  });
});

describeOnEachDatabase('sofia global settings (/api/params, realm SOFIAGLOBALS)', (server) => {
  test('add, edit, toggle and delete a global setting', async () => {
    const id = createdId(await server().post('/api/params', { k: 'debug-presence', v: '0', realm: 'SOFIAGLOBALS' }));
    const added = (await globals(server())).find((row) => row.id === id);
    assert.deepEqual([added?.k, added?.v, added?.disabled], ['debug-presence', '0', '0']);
    const edited = await server().put(`/api/params/${id}`, { id: String(id), k: 'debug-presence', v: '1' });
    assert.equal(edited.status, 200);
    assert.deepEqual([edited.body.data.v, edited.body.data.disabled], ['1', '0']);
    const toggled = await server().put(`/api/params/${id}`, { action: 'toggle', id });
    assert.equal(toggled.body.data.disabled, '1');
    assert.equal((await globals(server())).find((row) => row.id === id)?.disabled, '1');
    assert.deepEqual((await server().delete(`/api/params/${id}`)).body, { code: 200, message: 'success', data: 1 });
    assert.equal((await globals(server())).some((row) => row.id === id), false);
    assertNotFound(await server().delete(`/api/params/${id}`));
    assertNotFound(await server().put(`/api/params/${id}`, { v: '2' }));
  });

  test('other realms are refused, naming realm, and their rows are left alone', async () => {
    assertBadRequest(await server().post('/api/params', { k: 'x', v: '1', realm: 'SIP_PROFILE' }), 'realm');
    assertBadRequest(await server().post('/api/params', { k: 'x', v: '1' }), 'realm');
    const internal = await profileNamed(server(), 'internal');
    const setting = internal.params[0];
    assertBadRequest(await server().put(`/api/params/${setting.id}`, { v: 'hijacked' }), 'realm');
    assertBadRequest(await server().delete(`/api/params/${setting.id}`), 'realm');
    assert.deepEqual((await profileNamed(server(), 'internal')).params[0], setting);
  });

  test('names and values are checked as profile settings are', async () => {
    assertBadRequest(await server().post('/api/params', { k: 'two words', v: '1', realm: 'SOFIAGLOBALS' }), 'k');
    assertBadRequest(await server().post('/api/params', { k: 'auto-restart', v: 'a\nb', realm: 'SOFIAGLOBALS' }), 'v');
    const id = (await globals(server()))[0]!.id;
    assertBadRequest(await server().put(`/api/params/${id}`, { v: 'x\u0007' }), 'v');
    assertBadRequest(await server().put(`/api/params/${id}`, { k: '<bad>' }), 'k');
    assert.equal((await globals(server())).some((row) => row.k === 'auto-restart' || row.v.includes('\u0007')), false);
  });
});
