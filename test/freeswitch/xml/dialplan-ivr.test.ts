import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDialplan, type DialplanDestination } from '../../../src/freeswitch/xml/dialplan.js';
import { dialplanDocument } from '../../helpers/freeswitch.js';

function render(destination: DialplanDestination) {
  return renderDialplan({
    call: { context: 'context-1', destNumber: '5000', callerNumber: '2000', domainName: undefined, autoRecord: false },
    route: { id: 9, name: 'menu', dnc: '', sdnc: '', autoRecord: false, mediaCodec: '', proxyMedia: true, params: [] },
    destination,
    recordingsDir: '/recordings',
  });
}

/** What Lua's own decoding of the hex in an inline `lua ~...` line gives back. */
function decodedLua(data: string): string {
  const hex = /^~local code = \("([0-9a-f]*)"\):gsub\("%x%x", function\(h\) return string\.char\(tonumber\(h, 16\)\) end\) assert\(load\(code, "=block-\d+"\)\)\(\)$/.exec(data)?.[1];
  assert.ok(hex !== undefined, data);
  return Buffer.from(hex, 'hex').toString('utf8');
}

describe('dialplan: IVRs and blocks', () => {
  test('FS_DEST_IVR answers and runs the menu named in body', () => {
    const rendered = render({ destType: 'FS_DEST_IVR', destUuid: '3', body: 'main menu' });
    assert.equal(rendered.refusal, null);
    assert.equal(rendered.document, dialplanDocument(['<action application="answer"/>', '<action application="ivr" data="main menu"/>'], { name: 'menu' }));
  });

  test('FS_DEST_IVRBLOCK runs the block\'s Lua inline, carried as hex so FreeSWITCH expands nothing in it', () => {
    const lua = 'session:answer()\nlocal x = "${not_a_var} \\n \\\\ \'q\'"\nfreeswitch.consoleLog("info", x .. "\\n") -- 中文 <&>';
    const rendered = render({ destType: 'FS_DEST_IVRBLOCK', destUuid: '4', body: 'block', blockLua: lua });
    assert.equal(rendered.refusal, null);
    const data = /<action application="lua" data="([^"]*)"\/>/.exec(rendered.document)?.[1]?.replaceAll('&quot;', '"');
    assert.ok(data, rendered.document);
    assert.ok(!/[$\\]/.test(data), 'no $ nor backslash reaches FreeSWITCH');
    assert.equal(decodedLua(data), lua);
  });

  test('a block without Lua (JavaScript or Blockly XML only) or gone hangs up saying so', () => {
    for (const blockLua of ['', undefined]) {
      const rendered = render({ destType: 'FS_DEST_IVRBLOCK', destUuid: '4', body: 'block', blockLua });
      assert.match(rendered.refusal ?? '', /block 4 has no Lua to run/);
      assert.match(rendered.document, /<action application="hangup" data="SERVICE_NOT_IMPLEMENTED"\/>/);
    }
  });
});
