import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DIAL_STRING, renderDirectoryDomain, renderDirectoryUser, type DirectoryUser } from '../../../src/freeswitch/xml/directory.js';
import { UnrenderableValueError } from '../../../src/freeswitch/xml/document.js';

const HASH = '0123456789abcdef0123456789abcdef';
const user = (fields: Partial<DirectoryUser> = {}): DirectoryUser => ({
  extn: '1000', domain: '127.0.0.1', a1Hash: HASH, context: 'context-1', name: 'Front desk', cidName: '', cidNumber: '', autoRecord: false,
  dtmfType: 0, codec: '', voicemail: true, vmA1Hash: '',
  ...fields,
});

/** The params of a rendered user, as name → value. */
const paramsOf = (document: string) =>
  Object.fromEntries([...document.matchAll(/<param name="([^"]*)" value="([^"]*)"\/>/g)].map(([, name, value]) => [name, value]));

/** The variables of a rendered user, as name → value. */
const variablesOf = (document: string) =>
  Object.fromEntries([...document.matchAll(/<variable name="([^"]*)" value="([^"]*)"\/>/g)].map(([, name, value]) => [name, value]));

describe('the directory', () => {
  test('a user: a1-hash and FreeSWITCH\'s default dial-string, its context, account code and caller id', () => {
    assert.equal(renderDirectoryUser(user({ cidName: 'Reception', cidNumber: '8000' })), [
      '<document type="freeswitch/xml">',
      '  <section name="directory">',
      '    <domain name="127.0.0.1">',
      '      <user id="1000">',
      '        <params>',
      `          <param name="a1-hash" value="${HASH}"/>`,
      '          <param name="dial-string" value="{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}"/>',
      '        </params>',
      '        <variables>',
      '          <variable name="user_context" value="context-1"/>',
      '          <variable name="accountcode" value="1000"/>',
      '          <variable name="effective_caller_id_name" value="Reception"/>',
      '          <variable name="effective_caller_id_number" value="8000"/>',
      '        </variables>',
      '      </user>',
      '    </domain>',
      '  </section>',
      '</document>',
      '',
    ].join('\n'));
  });

  test('the dial-string is FreeSWITCH\'s own default, without verto', () => {
    assert.equal(DIAL_STRING, '{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}');
  });

  test('caller id falls back to the name and number; PASS leaves it as the phone sent it', () => {
    assert.deepEqual(variablesOf(renderDirectoryUser(user())), {
      user_context: 'context-1', accountcode: '1000', effective_caller_id_name: 'Front desk', effective_caller_id_number: '1000',
    });
    assert.equal(variablesOf(renderDirectoryUser(user({ name: '' }))).effective_caller_id_name, '1000');
    assert.deepEqual(variablesOf(renderDirectoryUser(user({ cidName: 'PASS', cidNumber: '8000' }))), { user_context: 'context-1', accountcode: '1000' });
  });

  test('auto_record=true for an extension that records its calls', () => {
    assert.equal(variablesOf(renderDirectoryUser(user({ autoRecord: true }))).auto_record, 'true');
    assert.equal(variablesOf(renderDirectoryUser(user())).auto_record, undefined);
  });

  test('the extension page\'s settings: codecs, DTMF type, voicemail PIN hash and voicemail off', () => {
    const plain = renderDirectoryUser(user());
    assert.deepEqual(Object.keys(paramsOf(plain)), ['a1-hash', 'dial-string']);
    for (const name of ['absolute_codec_string', 'dtmf_type']) assert.equal(variablesOf(plain)[name], undefined, name);

    const set = renderDirectoryUser(user({ codec: 'PCMA,OPUS,opus@48000h@20i', dtmfType: 3, voicemail: false, vmA1Hash: 'f'.repeat(32) }));
    assert.equal(variablesOf(set).absolute_codec_string, 'PCMA,OPUS,opus@48000h@20i');
    assert.equal(variablesOf(set).dtmf_type, 'rfc2833');
    assert.equal(paramsOf(set)['vm-a1-hash'], 'f'.repeat(32));
    assert.equal(paramsOf(set)['vm-enabled'], 'false');
    assert.equal(paramsOf(set)['vm-password'], undefined, 'the PIN is never in the directory, only its hash');
    assert.equal(variablesOf(renderDirectoryUser(user({ dtmfType: 1 }))).dtmf_type, 'info');
    assert.equal(variablesOf(renderDirectoryUser(user({ dtmfType: 2 }))).dtmf_type, 'none');
  });

  test('every value is escaped; what XML cannot carry is refused', () => {
    const document = renderDirectoryUser(user({ name: 'A "B" <C> & D\'s', context: 'ctx&1' }));
    assert.ok(document.includes('<variable name="effective_caller_id_name" value="A &quot;B&quot; &lt;C&gt; &amp; D&apos;s"/>'), document);
    assert.ok(document.includes('<variable name="user_context" value="ctx&amp;1"/>'), document);
    assert.throws(() => renderDirectoryUser(user({ name: 'bell\u0007' })), UnrenderableValueError);
  });

  test('a domain alone', () => {
    assert.equal(renderDirectoryDomain('pbx.example.com'), [
      '<document type="freeswitch/xml">',
      '  <section name="directory">',
      '    <domain name="pbx.example.com"/>',
      '  </section>',
      '</document>',
      '',
    ].join('\n'));
  });
});
