/**
 * A real FreeSWITCH routing sipp calls through a route with a blacklist and a number translation
 * table, all created over the REST API: a listed caller is refused with CALL_REJECTED (SIP 603
 * Decline), an unlisted one is routed, and the far end receives the translated number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { describeWithFreeSwitch, freeSipPort, freeUdpPorts, sipMessages, sipUser, startSipp, type SippRun } from '../helpers/freeswitch.js';
import { createRoute, unique } from '../helpers/routing.js';

/** Calls arrive on the public profile, which routes in this context (freeswitch/sip_profiles/public.xml). */
const CONTEXT = 'context-2';

function assertSucceeded(run: SippRun, what: string): void {
  assert.equal(run.code, 0, `${what}: sipp exited with ${run.code}\n${run.output.slice(-3000)}\n${run.messages.slice(-3000)}`);
}

const finalResponse = (run: SippRun) => sipMessages(run.messages)
  .filter((item) => item.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d/.test(item.startLine)).at(-1)?.startLine;

describeWithFreeSwitch('FreeSWITCH applies blacklists and number translation through Switchboard', (both) => {
  async function call(scenario: string, number: string, caller: string): Promise<SippRun> {
    const sipp = await startSipp({
      scenario,
      remote: `127.0.0.1:${both().freeswitch.ports.publicSip}`,
      localPort: await freeSipPort(),
      service: number,
      keys: { caller, rtp_port: String(await freeUdpPorts(2)) },
      extra: ['-d', '300'],
      timeoutSeconds: 20,
    });
    return sipp.done;
  }

  test('a blacklisted caller is refused with CALL_REJECTED; another is routed, to the number the table translates to', async () => {
    const { server, freeswitch } = both();
    const port = await freeSipPort();
    const peer = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 40 });

    const blacklist = createdId(await server.post('/api/blacklists', { name: unique('spam'), list_type: 0, limit_user_type: 0 }));
    assert.equal((await server.post(`/api/blacklists/${blacklist}/import`, { data: [{ k: 'spammers', v: '6666' }] })).status, 200);
    const table = createdId(await server.post('/api/number_translation', { name: unique('nts'), type: 'exact' }));
    assert.equal((await server.post(`/api/number_translation/${table}/numbers`, { original_number: '7300', nts_number: '997300' })).status, 200);
    const route = await createRoute(server, {
      context: CONTEXT, prefix: '73', max_length: 4, dest_type: 'FS_DEST_IP', body: `127.0.0.1:${port}`,
      blacklist: String(blacklist), dnc: `s/prefix_nts_${table}///`,
    });

    const refused = await call('uac-refused.xml', '7300', '66661234');
    assertSucceeded(refused, 'blacklisted call');
    assert.match(finalResponse(refused) ?? '', /^SIP\/2\.0 603/);
    assert.match(freeswitch.log(), new RegExp(`Switchboard route ${route.id}: caller "66661234" is on blacklist`));

    assertSucceeded(await call('uac-caller-hangs-up.xml', '7300', '2000'), 'unlisted call');
    const far = await peer.done;
    assertSucceeded(far, 'far end');
    const invite = sipMessages(far.messages).find((item) => item.direction === 'received' && item.startLine.startsWith('INVITE '));
    assert.ok(invite, far.messages);
    assert.equal(sipUser(invite.startLine), '997300');
  });

  test('these calls made FreeSWITCH log no ERR line', () => {
    assert.deepEqual(both().freeswitch.errorLines(), []);
  });
});
