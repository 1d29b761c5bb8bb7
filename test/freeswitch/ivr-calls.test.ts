/**
 * A real FreeSWITCH runs an IVR created over the REST API: a route sends the call to the menu,
 * FreeSWITCH fetches ivr.conf from Switchboard, and an RFC 2833 digit takes the configured action.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describeWithFreeSwitch, freeSipPort, freeUdpPorts, sipMessages, startSipp, type SippRun } from '../helpers/freeswitch.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute } from '../helpers/routing.js';

/** Calls arrive on the public profile, which routes in this context (freeswitch/sip_profiles/public.xml). */
const CONTEXT = 'context-2';
/** sipp's own capture of the RFC 2833 events of the key 5 (Debian's sip-tester ships it). */
const DTMF_5 = '/usr/share/sip-tester/dtmf_2833_5.pcap';

/** The Reason header of the BYE FreeSWITCH sent to end the call. */
function byeReason(run: SippRun): string {
  assert.equal(run.code, 0, `sipp exited with ${run.code}\n${run.output.slice(-3000)}\n${run.messages.slice(-3000)}`);
  const bye = sipMessages(run.messages).find((message) => message.direction === 'received' && message.startLine.startsWith('BYE '));
  assert.ok(bye, run.messages);
  return bye.headers.find((line) => /^reason:/i.test(line)) ?? '';
}

describeWithFreeSwitch('FreeSWITCH runs IVRs from Switchboard', (both) => {
  test('a call routed to an IVR is answered, and pressing 5 (RFC 2833) runs the action bound to 5', { skip: existsSync(DTMF_5) ? false : `${DTMF_5} is missing` }, async () => {
    const { server, freeswitch } = both();
    const ivr = createdId(await server.post('/api/ivrs', { name: 'dtmf menu', timeout: 8000 }));
    createdId(await server.post(`/api/ivrs/${ivr}/actions`, { digits: '1', action: 'IVR_SYSTEM', body: 'hangup CALL_REJECTED' }));
    createdId(await server.post(`/api/ivrs/${ivr}/actions`, { digits: '5', action: 'IVR_SYSTEM', body: 'hangup USER_BUSY' }));
    await createRoute(server, { name: 'to the menu', context: CONTEXT, prefix: '5000', max_length: 4, dest_type: 'FS_DEST_IVR', dest_uuid: String(ivr) });

    const sipp = await startSipp({
      scenario: 'uac-dtmf-5.xml',
      remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
      localPort: await freeSipPort(),
      service: '5000',
      keys: { caller: '2000' },
      timeoutSeconds: 20,
    });
    // USER_BUSY is Q.850 cause 17: the action of 5 ended the call, not a timeout nor the action of 1.
    assert.match(byeReason(await sipp.done), /cause=17\b/);
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('a call routed to a block runs its Lua, byte for byte: nothing in it is expanded by FreeSWITCH', async () => {
    const { server, freeswitch } = both();
    const lua = [
      'session:answer()',
      'local variable = "${not_a_variable}"',
      'local escaped = "a\\\\nb"',
      'if variable == "$" .. "{not_a_variable}" and escaped == string.char(97, 92, 110, 98) then',
      '  session:hangup("CALL_REJECTED")',
      'else',
      '  session:hangup("USER_BUSY")',
      'end',
    ].join('\n');
    const block = createdId(await server.post('/api/blocks', { name: 'lua block', lua }));
    await createRoute(server, { name: 'to the block', context: CONTEXT, prefix: '6000', max_length: 4, dest_type: 'FS_DEST_IVRBLOCK', dest_uuid: String(block) });
    const sipp = await startSipp({
      scenario: 'uac-callee-hangs-up.xml',
      remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
      localPort: await freeSipPort(),
      service: '6000',
      keys: { caller: '2000', rtp_port: String(await freeUdpPorts(2)) },
      timeoutSeconds: 20,
    });
    // CALL_REJECTED is Q.850 cause 21: the script ran and saw its text unchanged.
    assert.match(byeReason(await sipp.done), /cause=21\b/);
    assert.deepEqual(freeswitch.errorLines(), []);
  });
});
