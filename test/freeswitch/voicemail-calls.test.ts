/**
 * Voicemail against a real FreeSWITCH (mod_voicemail, freeswitch/autoload_configs/voicemail.conf.xml):
 * an extension dials the voicemail code and its own mailbox answers, without a password prompt,
 * and stays up (its menus silent, freeswitch/lang/en.xml) until the caller hangs up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { describeWithFreeSwitch, freeSipPort, freeUdpPorts, startSipp } from '../helpers/freeswitch.js';
import { eventually } from '../helpers/routing.js';

describeWithFreeSwitch('extensions reach their voicemail', (both) => {
  test('the voicemail code opens the mailbox of the extension that dialled it', async () => {
    const { server, freeswitch } = both();
    createdId(await server.post('/api/extensions', { extn: '1400', password: 'secret-1400', context: 'context-1' }));
    createdId(await server.post('/api/func_code', { func_code: '*98', func_type: 'FS_DEST_FUNC_CALL_VOICEMAIL' }));
    const call = await startSipp({
      scenario: 'uac-auth-caller-hangs-up.xml',
      remote: `127.0.0.1:${freeswitch.ports.internalSip}`,
      localPort: await freeSipPort(),
      service: '*98',
      keys: { caller: '1400', rtp_port: String(await freeUdpPorts(2)) },
      extra: ['-d', '3000', '-au', '1400', '-ap', 'secret-1400'],
      timeoutSeconds: 30,
    });
    const channels = () => freeswitch.api('show', 'channels');
    assert.ok(await eventually(async () => /\*98[^\n]*,voicemail,check auth default 127\.0\.0\.1 1400,/.test(await channels()), 5_000), await channels());
    const answered = await call.done;
    assert.equal(answered.code, 0, `the mailbox hung up before the caller did:\n${answered.messages.slice(-3000)}`);
    assert.deepEqual(freeswitch.errorLines(), [], 'every phrase the mailbox played was found');
  });
}, { control: true });
