import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderIvrConf, type IvrEntry, type IvrMenu } from '../../../src/freeswitch/xml/ivr-conf.js';
import { UnrenderableValueError } from '../../../src/freeswitch/xml/document.js';

const DEFAULTS: IvrMenu['settings'] = {
  greet_long: '', greet_short: '', invalid_sound: '', exit_sound: '', transfer_sound: '', timeout: '15000', max_failures: '3',
  max_timeouts: '4', inter_digit_timeout: '3000', digit_len: '1', exec_on_max_failures: '', exec_on_max_timeouts: '',
  confirm_macro: '', confirm_key: '', tts_engine: '', tts_voice: '', confirm_attempts: '', pin: '', pin_file: '', bad_pin_file: '',
};

const menu = (name: string, entries: IvrEntry[], settings: Partial<IvrMenu['settings']> = {}): IvrMenu =>
  ({ name, settings: { ...DEFAULTS, ...settings }, entries });
const entry = (action: string, digits: string, fields: Partial<IvrEntry> = {}): IvrEntry =>
  ({ action, digits, matchPrefix: false, args: '', body: '', ...fields });

const document = (menus: string[]) => [
  '<document type="freeswitch/xml">',
  '  <section name="configuration">',
  '    <configuration name="ivr.conf" description="IVR menus">',
  ...(menus.length === 0 ? ['      <menus/>'] : ['      <menus>', ...menus.map((line) => `        ${line}`), '      </menus>']),
  '    </configuration>',
  '  </section>',
  '</document>',
  '',
].join('\n');

const DEFAULT_ATTRIBUTES = 'timeout="15000" max-failures="3" max-timeouts="4" inter-digit-timeout="3000" digit-len="1"';

/** The one entry element a menu with this entry renders. */
function entryLine(item: IvrEntry, settings: Partial<IvrMenu['settings']> = {}): string {
  const rendered = renderIvrConf([menu('m', [item], settings)]);
  const lines = rendered.split('\n').filter((line) => line.includes('<entry '));
  assert.equal(lines.length, 1, rendered);
  return lines[0]!.trim();
}

describe('ivr.conf', () => {
  test('a menu with its settings as attributes (sounds as paths, empty ones left out) and its entries in order', () => {
    const rendered = renderIvrConf([
      menu('welcome', [entry('IVR_SUB', '1', { args: '2', body: 'sales', subMenu: 'sales' }), entry('IVR_EXIT', '9')], {
        greet_long: '$${sound_prefix}/ivr/ivr-generic_greeting.wav', invalid_sound: 'tone_stream://%(500,0,440)',
        exec_on_max_failures: 'hangup', pin: '1234',
      }),
      menu('sales', [entry('IVR_TOP', '*'), entry('IVR_BACK', '#')]),
    ]);
    assert.equal(rendered, document([
      '<menu name="welcome" greet-long="$${sound_prefix}/ivr/ivr-generic_greeting.wav" invalid-sound="tone_stream://%(500,0,440)" '
        + `${DEFAULT_ATTRIBUTES} exec-on-max-failures="hangup" pin="1234">`,
      '  <entry action="menu-sub" digits="1" param="sales"/>',
      '  <entry action="menu-exit" digits="9"/>',
      '</menu>',
      `<menu name="sales" greet-long="silence_stream://250" ${DEFAULT_ATTRIBUTES}>`,
      '  <entry action="menu-back" digits="*"/>',
      '  <entry action="menu-top" digits="#"/>',
      '</menu>',
    ]));
  });

  test('a menu without greeting greets with a moment of silence: FreeSWITCH collects digits only after a greeting', () => {
    assert.match(renderIvrConf([menu('quiet', [])]), /<menu name="quiet" greet-long="silence_stream:\/\/250" timeout=/);
  });

  test('no menu: an empty menus element', () => {
    assert.equal(renderIvrConf([]), document([]));
  });

  test('each action type as FreeSWITCH runs it', () => {
    assert.equal(entryLine(entry('IVR_PLAY', '0', { args: 'tone_stream://%(1000,0,640)' })), '<entry action="menu-play-sound" digits="0" param="tone_stream://%(1000,0,640)"/>');
    assert.equal(entryLine(entry('IVR_SYSTEM', '1', { body: 'playback /tmp/a.wav' })), '<entry action="menu-exec-app" digits="1" param="playback /tmp/a.wav"/>');
    assert.equal(entryLine(entry('IVR_SYSTEM', '1', { args: 'echo' })), '<entry action="menu-exec-app" digits="1" param="echo"/>');
    assert.equal(
      entryLine(entry('IVR_EXTENSION', '2', { args: '[{"extn":"1001|example.com"},{"extn":"1002|"}]' })),
      '<entry action="menu-exec-app" digits="2" param="bridge user/1001@example.com,user/1002"/>',
    );
    assert.equal(entryLine(entry('IVR_EXTENSION', '1001')), '<entry action="menu-exec-app" digits="1001" param="transfer 1001 XML context-1"/>');
    assert.equal(entryLine(entry('IVR_ROUTE', '3')), '<entry action="menu-exec-app" digits="3" param="transfer 3 XML context-1"/>');
    assert.equal(
      entryLine(entry('IVR_ROUTE', '3', { args: '2', body: '9196', context: 'context-2' })),
      '<entry action="menu-exec-app" digits="3" param="transfer 9196 XML context-2"/>',
    );
    assert.equal(entryLine(entry('IVR_CONFERENCE', '4', { body: '3000' })), '<entry action="menu-exec-app" digits="4" param="conference 3000-$${domain}@default"/>');
    assert.equal(
      entryLine(entry('IVR_TTS', '5', { args: 'hello' }), { tts_engine: 'flite', tts_voice: 'kal' }),
      '<entry action="menu-exec-app" digits="5" param="speak flite|kal|hello"/>',
    );
    for (const unmanaged of ['IVR_QUEUE', 'IVR_MEETING_ROOM', 'IVR_CONFERENCE_ROOM', 'IVR_SCRIPT']) {
      assert.equal(entryLine(entry(unmanaged, '6', { args: '5' })), '<entry action="menu-exec-app" digits="6" param="hangup SERVICE_NOT_IMPLEMENTED"/>', unmanaged);
    }
  });

  test('a prefix match binds a regular expression and hands the whole number pressed to the action', () => {
    assert.equal(entryLine(entry('IVR_EXTENSION', '1', { matchPrefix: true })), '<entry action="menu-exec-app" digits="/^(1[0-9*#]*)$/" param="transfer $1 XML context-1"/>');
    assert.equal(entryLine(entry('IVR_ROUTE', '*9', { matchPrefix: true })), '<entry action="menu-exec-app" digits="/^(\\*9[0-9*#]*)$/" param="transfer $1 XML context-1"/>');
  });

  test('every value is escaped; one XML cannot carry is an error, never a broken document', () => {
    const rendered = renderIvrConf([menu('a&b "quoted" <menu>', [entry('IVR_PLAY', '1', { args: "/tmp/it's.wav" })])]);
    assert.match(rendered, /<menu name="a&amp;b &quot;quoted&quot; &lt;menu&gt;" /);
    assert.match(rendered, /param="\/tmp\/it&apos;s.wav"/);
    assert.throws(() => renderIvrConf([menu('bad\u0001', [])]), UnrenderableValueError);
  });
});
