/**
 * What FreeSWITCH's directory lookups get from POST /freeswitch/xml, for extensions made through
 * the API: the REGISTER digest lookup as FreeSWITCH 1.10.12 really posted it, `user/N` dialling,
 * and "not found" for everything Switchboard has no user for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';

const CAPTURED_REGISTER = readFileSync(new URL('../freeswitch/fixtures/xml_curl-directory-register.form', import.meta.url), 'utf8').trimEnd();
const NOT_FOUND = '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>';

async function fetchDirectory(server: Harness, form: string | Record<string, string>): Promise<string> {
  const body = typeof form === 'string' ? form : new URLSearchParams({ section: 'directory', tag_name: 'domain', key_name: 'name', ...form }).toString();
  const reply = await server.request('POST', '/freeswitch/xml', body, { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(reply.status, 200);
  assert.match(String(reply.headers['content-type']), /^text\/xml\b/);
  return String(reply.body);
}

describeOnEachDatabase('the directory FreeSWITCH fetches', (server) => {
  test('the captured REGISTER lookup (user 1001 in 127.0.0.1) gets that extension: a1-hash, context, caller id', async () => {
    assert.equal(await fetchDirectory(server(), CAPTURED_REGISTER), NOT_FOUND, 'no extension yet');
    const id = createdId(await server().post('/api/extensions', {
      extn: '1001', password: 'hunter2', context: 'context-2', name: 'Ada', cid_number: '5551001', auto_record: 1,
    }));
    const document = await fetchDirectory(server(), CAPTURED_REGISTER);
    assert.match(document, /<domain name="127\.0\.0\.1">\n\s*<user id="1001">/);
    assert.ok(document.includes(`<param name="a1-hash" value="${createHash('md5').update('1001:127.0.0.1:hunter2').digest('hex')}"/>`), document);
    assert.ok(!document.includes('hunter2'));
    for (const line of [
      '<variable name="user_context" value="context-2"/>',
      '<variable name="accountcode" value="1001"/>',
      '<variable name="effective_caller_id_name" value="Ada"/>',
      '<variable name="effective_caller_id_number" value="5551001"/>',
      '<variable name="auto_record" value="true"/>',
    ]) assert.ok(document.includes(line), `${line} in\n${document}`);

    assert.equal((await server().put(`/api/extensions/${id}`, { disabled: 1 })).status, 200);
    assert.equal(await fetchDirectory(server(), CAPTURED_REGISTER), NOT_FOUND, 'a disabled extension is unknown to the switch');
    assert.equal((await server().delete(`/api/extensions/${id}`)).status, 200);
  });

  test('user/N dialling (action=user_call) finds the user in its domain only', async () => {
    createdId(await server().post('/api/extensions', { extn: '1002', password: 'x', context: 'context-1', domain: 'pbx.example.com' }));
    assert.match(await fetchDirectory(server(), { key_value: 'pbx.example.com', action: 'user_call', as_channel: 'true', key: 'id', user: '1002', domain: 'pbx.example.com' }),
      /<user id="1002">/);
    assert.equal(await fetchDirectory(server(), { key_value: '127.0.0.1', action: 'user_call', key: 'id', user: '1002', domain: '127.0.0.1' }), NOT_FOUND);
    assert.equal(await fetchDirectory(server(), { key_value: 'pbx.example.com', action: 'user_call', key: 'id', user: '1003' }), NOT_FOUND);
  });

  test('a domain with extensions exists; gateways and network lists are "not found" (no user gateways, no IP-authenticated users)', async () => {
    createdId(await server().post('/api/extensions', { extn: '1004', password: 'x', context: 'context-1', domain: 'known.example.com' }));
    assert.match(await fetchDirectory(server(), { key_value: 'known.example.com' }), /<domain name="known\.example\.com"\/>/);
    assert.equal(await fetchDirectory(server(), { key_value: 'unknown.example.com' }), NOT_FOUND);
    assert.equal(await fetchDirectory(server(), { key_value: 'known.example.com', purpose: 'gateways' }), NOT_FOUND);
    assert.equal(await fetchDirectory(server(), { key_value: 'known.example.com', purpose: 'network-list' }), NOT_FOUND);
  });
});
