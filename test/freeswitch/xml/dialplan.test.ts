import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDialplan, type DialplanInput } from '../../../src/freeswitch/xml/dialplan.js';
import { NOT_FOUND_DOCUMENT, UnrenderableValueError, xmlEscape } from '../../../src/freeswitch/xml/document.js';
import { dialplanDocument } from '../../helpers/freeswitch.js';

/** A call to 1000 in context-1 from 2000, routed by a bare FS_DEST_USER route. */
function input(overrides: {
  call?: Partial<DialplanInput['call']>;
  route?: Partial<DialplanInput['route']>;
  destination?: Partial<DialplanInput['destination']>;
} = {}): DialplanInput {
  return {
    call: { context: 'context-1', destNumber: '1000', callerNumber: '2000', domainName: undefined, autoRecord: false, ...overrides.call },
    route: { id: 7, name: 'local users', dnc: '', sdnc: '', autoRecord: false, mediaCodec: '', proxyMedia: true, params: [], ...overrides.route },
    destination: { destType: 'FS_DEST_USER', destUuid: '', body: '', ...overrides.destination },
    recordingsDir: '/var/lib/freeswitch/recordings',
  };
}

const expected = (actions: string[], { context = 'context-1', name = 'local users' } = {}) => dialplanDocument(actions, { context, name });

function routed(overrides: Parameters<typeof input>[0]): string {
  const rendered = renderDialplan(input(overrides));
  assert.equal(rendered.refusal, null);
  return rendered.document;
}

describe('the "not found" document', () => {
  test('is the document FreeSWITCH reads as "nothing here"', () => {
    assert.equal(NOT_FOUND_DOCUMENT, '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>');
  });
});

describe('xmlEscape', () => {
  test('escapes markup, quotes and whitespace a parser would fold in an attribute', () => {
    assert.equal(xmlEscape(`a&b<c>d"e'f\tg\nh\ri`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i');
    assert.equal(xmlEscape('中文 ${x} $${domain}'), '中文 ${x} $${domain}');
  });

  test('refuses characters XML cannot carry at all', () => {
    for (const bad of ['\u0000', '\u0001', '\u000b', '\u001f', '\ufffe', '\uffff']) {
      assert.throws(() => xmlEscape(`a${bad}b`), UnrenderableValueError, JSON.stringify(bad));
    }
  });
});

describe('dialplan: one extension in XUI action order', () => {
  test('FS_DEST_USER bridges user/NUMBER, with @domain_name when the channel has one', () => {
    assert.equal(routed({}), expected(['<action application="bridge" data="user/1000"/>']));
    assert.equal(routed({ call: { domainName: 'pbx.example.com' } }),
      expected(['<action application="bridge" data="user/1000@pbx.example.com"/>']));
  });

  test('every step, in order: dnc, sdnc, auto_record, enabled params, codecs, bypass, destination', () => {
    const document = routed({
      call: { destNumber: '861234', callerNumber: '+862000' },
      route: {
        dnc: '-0+86', sdnc: '+86', autoRecord: true, mediaCodec: 'PCMU,PCMA', proxyMedia: false,
        params: [{ k: 'set', v: 'a=2222' }, { k: 'ring_ready', v: '' }, { k: 'export', v: 'b=1' }],
      },
      destination: { destType: 'FS_DEST_IP', body: '192.0.2.7:5080' },
    });
    assert.equal(document, expected([
      '<action application="set" data="dnc=-0+86"/>',
      '<action application="set" data="dnc_number=861234"/>',
      '<action application="set" data="sdnc=+86"/>',
      '<action application="set" data="sdnc_number=+862000"/>',
      '<action application="set" data="effective_caller_id_number=+862000"/>',
      '<action application="set" data="auto_record=true"/>',
      '<action application="set" data="auto_record_path=/var/lib/freeswitch/recordings/auto-record-${strftime(%Y%m%d-%H%M%S)}-${uuid}.wav"/>',
      '<action application="record_session" data="${auto_record_path}"/>',
      '<action application="set" data="a=2222"/>',
      '<action application="ring_ready"/>',
      '<action application="export" data="b=1"/>',
      '<action application="set" data="absolute_codec_string=PCMU,PCMA"/>',
      '<action application="set" data="bypass_media=true"/>',
      '<action application="bridge" data="sofia/public/861234@192.0.2.7:5080"/>',
    ]));
  });

  test('through a gateway with its own rules: the route\'s numbers, then the gateway\'s, which the bridge dials and the caller id presents', () => {
    const gateway = { dnc: '+00', sdnc: 's/prefix_nts_3///', destNumberBefore: '861234', callerNumberBefore: '+862000' };
    const document = routed({
      call: { destNumber: '00861234', callerNumber: '00862000', gateway },
      route: { dnc: '-0+86', sdnc: '+86' },
      destination: { destType: 'FS_DEST_GATEWAY', destUuid: '3', body: 'carrier' },
    });
    assert.equal(document, expected([
      '<action application="set" data="dnc=-0+86"/>',
      '<action application="set" data="dnc_number=861234"/>',
      '<action application="set" data="sdnc=+86"/>',
      '<action application="set" data="sdnc_number=+862000"/>',
      '<action application="set" data="gateway_dnc_number=00861234"/>',
      '<action application="set" data="gateway_sdnc_number=00862000"/>',
      '<action application="set" data="effective_caller_id_number=00862000"/>',
      '<action application="bridge" data="sofia/gateway/carrier/00861234"/>',
    ]));
    // A gateway sdnc alone sets the caller id; a gateway without rules sets nothing.
    assert.equal(routed({
      call: { destNumber: '1000', callerNumber: '862000', gateway: { ...gateway, dnc: '', destNumberBefore: '1000', callerNumberBefore: '2000' } },
      destination: { destType: 'FS_DEST_GATEWAY', destUuid: '3', body: 'carrier' },
    }), expected([
      '<action application="set" data="gateway_sdnc_number=862000"/>',
      '<action application="set" data="effective_caller_id_number=862000"/>',
      '<action application="bridge" data="sofia/gateway/carrier/1000"/>',
    ]));
    assert.equal(routed({
      call: { gateway: { dnc: '', sdnc: '', destNumberBefore: '1000', callerNumberBefore: '2000' } },
      destination: { destType: 'FS_DEST_GATEWAY', destUuid: '3', body: 'carrier' },
    }), expected(['<action application="bridge" data="sofia/gateway/carrier/1000"/>']));
    // The gateway's result is checked like any number the dialplan renders.
    const unsafe = renderDialplan(input({
      call: { destNumber: '1000', callerNumber: '${x}', gateway: { ...gateway, dnc: '', destNumberBefore: '1000', callerNumberBefore: '2000' } },
      destination: { destType: 'FS_DEST_GATEWAY', destUuid: '3', body: 'carrier' },
    }));
    assert.match(unsafe.refusal ?? '', /caller number "\$\{x\}"/);
  });

  test('a channel that records every call (auto_record=true) records without the route asking, and without re-setting the flag', () => {
    assert.equal(routed({ call: { autoRecord: true } }), expected([
      '<action application="set" data="auto_record_path=/var/lib/freeswitch/recordings/auto-record-${strftime(%Y%m%d-%H%M%S)}-${uuid}.wav"/>',
      '<action application="record_session" data="${auto_record_path}"/>',
      '<action application="bridge" data="user/1000"/>',
    ]));
  });

  test('FS_DEST_SYSTEM runs its body line by line: app then data; blank lines, # comments and text after \\r left out', () => {
    const body = 'answer\r ignored\n\n# a comment\n  playback   tone_stream://%(100,0,440);loops=2 \nhangup NORMAL_CLEARING';
    assert.equal(routed({ destination: { destType: 'FS_DEST_SYSTEM', body } }), expected([
      '<action application="answer"/>',
      '<action application="playback" data="tone_stream://%(100,0,440);loops=2"/>',
      '<action application="hangup" data="NORMAL_CLEARING"/>',
    ]));
  });

  test('conference destinations join the room named by the number in the default profile', () => {
    for (const destType of ['FS_DEST_CONFERENCE', 'FS_DEST_USER_CONFERENCE']) {
      assert.equal(routed({ destination: { destType, destUuid: '3' } }),
        expected(['<action application="conference" data="1000-$${domain}@default"/>']), destType);
    }
  });

  test('ring-all and sequential extension groups bridge every extension of dest_uuid, with , and |', () => {
    const destUuid = JSON.stringify([{ extn: '1001|pbx.example.com' }, { extn: '1002' }]);
    assert.equal(routed({ destination: { destType: 'FS_DEST_RING_EXTNS', destUuid } }),
      expected(['<action application="bridge" data="user/1001@pbx.example.com,user/1002"/>']));
    assert.equal(routed({ destination: { destType: 'FS_DEST_SEQ_EXTNS', destUuid } }),
      expected(['<action application="bridge" data="user/1001@pbx.example.com|user/1002"/>']));
  });

  test('a script runs under lua with its arguments; a number queue joins the FIFO named by the number', () => {
    assert.equal(routed({ destination: { destType: 'FS_DEST_SCRIPT', body: ' welcome.lua en ' } }),
      expected(['<action application="lua" data="welcome.lua en"/>']));
    assert.equal(routed({ destination: { destType: 'FS_DEST_NUM_QUEUE' } }),
      expected(['<action application="fifo" data="1000 in"/>']));
  });

  test('every value is escaped: route names, params, bodies', () => {
    const document = routed({
      route: { name: 'A&B <"sales">', params: [{ k: 'set', v: `greeting='hi' & <bye>` }] },
      destination: { destType: 'FS_DEST_SYSTEM', body: 'log INFO a<b>&"c"' },
      call: { context: 'ctx&1' },
    });
    assert.equal(document, expected([
      '<action application="set" data="greeting=&apos;hi&apos; &amp; &lt;bye&gt;"/>',
      '<action application="log" data="INFO a&lt;b&gt;&amp;&quot;c&quot;"/>',
    ], { context: 'ctx&amp;1', name: 'A&amp;B &lt;&quot;sales&quot;&gt;' }));
  });

  test('destinations whose target Switchboard does not have yet are hung up, logged, and say why', () => {
    for (const destType of ['FS_DEST_DISTRIBUTORS', 'FS_DEST_USERGW', 'FS_DEST_SOMETHING_NEW']) {
      const rendered = renderDialplan(input({ route: { params: [{ k: 'answer', v: '' }] }, destination: { destType, destUuid: '5' } }));
      assert.equal(rendered.refusal, `route 7: destination type ${destType} is not yet routable`);
      assert.equal(rendered.document, expected([
        `<action application="log" data="WARNING Switchboard route 7: destination type ${destType} is not yet routable"/>`,
        '<action application="hangup" data="SERVICE_NOT_IMPLEMENTED"/>',
      ]), destType);
    }
  });

  test('a called or caller number that would change a dial string or expand a variable is hung up, never rendered', () => {
    const attacks = ['1000,sofia/gateway/premium/900', '${system(id)}', '1000|user/2000', '1000 1', '{x=1}1000', '1000@evil', '[a]1'];
    for (const destNumber of attacks) {
      const rendered = renderDialplan(input({ call: { destNumber } }));
      assert.match(rendered.refusal ?? '', /^route 7: called number .* has characters a dial string cannot carry$/, destNumber);
      assert.ok(!rendered.document.includes('bridge'), destNumber);
      assert.match(rendered.document, /<action application="hangup" data="INVALID_NUMBER_FORMAT"\/>/);
    }
    const caller = renderDialplan(input({ call: { callerNumber: '${uuid_kill(x)}' }, route: { sdnc: '+86' } }));
    assert.match(caller.refusal ?? '', /caller number/);
    // Without sdnc the caller number is not rendered, so it does not matter.
    assert.equal(renderDialplan(input({ call: { callerNumber: '${x}' } })).refusal, null);
    assert.match(renderDialplan(input({ call: { domainName: 'a,b' } })).refusal ?? '', /domain_name/);
  });

  test('numbers as phones and SIP users spell them are routed', () => {
    for (const destNumber of ['+8613800000000', '*66', '#21#', 'alice.smith', 'sip_user-1', '']) {
      assert.equal(renderDialplan(input({ call: { destNumber } })).refusal, null, destNumber);
    }
  });
});
