import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';

const NOT_FOUND = '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>';

/** The configuration fetch mod_dptools' `ivr` application makes: ivr.conf, with the menu's name in Menu-Name. */
async function fetchIvrConf(server: Harness, menuName?: string): Promise<string> {
  const form = new URLSearchParams({
    section: 'configuration', tag_name: 'configuration', key_name: 'name', key_value: 'ivr.conf', 'Event-Name': 'REQUEST_PARAMS',
    ...(menuName === undefined ? {} : { 'Menu-Name': menuName }),
  });
  const reply = await server.request('POST', '/freeswitch/xml', form.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(reply.status, 200);
  return String(reply.body);
}

const menuNames = (document: string) => [...document.matchAll(/<menu name="([^"]*)"/g)].map((match) => match[1]);

describeOnEachDatabase('POST /freeswitch/xml: ivr.conf', (server) => {
  test('answers the menu asked for and every sub-menu it leads to, with the IVR\'s sounds as paths', async () => {
    const main = createdId(await server().post('/api/ivrs', { name: 'main menu' }));
    const sales = createdId(await server().post('/api/ivrs', { name: 'sales' }));
    const deeper = createdId(await server().post('/api/ivrs', { name: 'deeper' }));
    createdId(await server().post('/api/ivrs', { name: 'unrelated' }));
    await server().put(`/api/ivrs/${main}`, { greet_long: JSON.stringify({ media_id: 3, media_path: '/sounds/welcome.wav', media_type: 'UPLOAD' }) });
    createdId(await server().post(`/api/ivrs/${main}/actions`, { digits: '1', action: 'IVR_SUB', args: String(sales) }));
    createdId(await server().post(`/api/ivrs/${sales}/actions`, { digits: '2', action: 'IVR_SUB', args: String(deeper) }));
    createdId(await server().post(`/api/ivrs/${deeper}/actions`, { digits: '0', action: 'IVR_BACK' }));
    createdId(await server().post(`/api/ivrs/${deeper}/actions`, { digits: '9', action: 'IVR_SUB', args: String(main) }));

    const document = await fetchIvrConf(server(), 'main menu');
    assert.deepEqual(menuNames(document), ['main menu', 'sales', 'deeper']);
    assert.match(document, /<menu name="main menu" greet-long="\/sounds\/welcome.wav" /);
    assert.match(document, /<entry action="menu-sub" digits="1" param="sales"\/>/);
    assert.match(document, /<entry action="menu-top" digits="0"\/>/);

    assert.deepEqual(menuNames(await fetchIvrConf(server(), 'deeper')), ['deeper', 'main menu', 'sales']);
    assert.deepEqual(menuNames(await fetchIvrConf(server())), ['main menu', 'sales', 'deeper', 'unrelated'], 'the whole file without Menu-Name');
    assert.equal(await fetchIvrConf(server(), 'no such menu'), NOT_FOUND);
  });
});
