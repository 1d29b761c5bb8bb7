import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDialplan, type DialplanInput } from '../../../src/freeswitch/xml/dialplan.js';
import { dialplanDocument } from '../../helpers/freeswitch.js';

const input = (rejection: string | null): DialplanInput => ({
  call: { context: 'context-2', destNumber: '1000', callerNumber: '0755', domainName: undefined, autoRecord: false },
  route: { id: 7, name: 'office', dnc: '', sdnc: '', autoRecord: true, mediaCodec: 'PCMU', proxyMedia: true, params: [{ k: 'answer', v: '' }] },
  destination: { destType: 'FS_DEST_USER', destUuid: '', body: '' },
  recordingsDir: '/recordings',
  rejection,
});

test('a call the route\'s blacklist refuses is hung up with CALL_REJECTED before anything of the route runs', () => {
  const reason = 'caller "0755" is on blacklist "spam" (id 3) (listed as 0755)';
  const rendered = renderDialplan(input(reason));
  assert.equal(rendered.refusal, `route 7: ${reason}`);
  assert.equal(rendered.document, dialplanDocument([
    `<action application="log" data="WARNING Switchboard route 7: caller &quot;0755&quot; is on blacklist &quot;spam&quot; (id 3) (listed as 0755)"/>`,
    '<action application="hangup" data="CALL_REJECTED"/>',
  ], { context: 'context-2', name: 'office' }));
});

test('with no rejection the route runs as before', () => {
  const rendered = renderDialplan(input(null));
  assert.equal(rendered.refusal, null);
  assert.match(rendered.document, /<action application="bridge" data="user\/1000"\/>/);
});
