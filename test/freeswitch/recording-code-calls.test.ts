/**
 * The recording function code against a real FreeSWITCH: an extension dials it, and its next call
 * is recorded to a file under the recordings directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createdId } from '../helpers/assertions.js';
import { describeWithFreeSwitch, freeSipPort, freeUdpPorts, registerExtension, startSipp, type FreeSwitch } from '../helpers/freeswitch.js';
import { createRoute, eventually } from '../helpers/routing.js';

/** A call from extension 1460 to `to`, up for `pauseMs` once answered, then hung up by the caller. */
async function callFrom1460(freeswitch: FreeSwitch, to: string, pauseMs: number) {
  return startSipp({
    scenario: 'uac-auth-caller-hangs-up.xml',
    remote: `127.0.0.1:${freeswitch.ports.internalSip}`,
    localPort: await freeSipPort(),
    service: to,
    keys: { caller: '1460', rtp_port: String(await freeUdpPorts(2)) },
    extra: ['-d', String(pauseMs), '-au', '1460', '-ap', 'secret-1460'],
    timeoutSeconds: 30,
  });
}

describeWithFreeSwitch('extensions switch recording on from the phone', (both) => {
  test('after the recording code, the extension\'s calls are recorded', async () => {
    const { server, freeswitch } = both();
    const id = createdId(await server.post('/api/extensions', { extn: '1460', password: 'secret-1460', context: 'context-1' }));
    createdId(await server.post('/api/extensions', { extn: '1461', password: 'secret-1461', context: 'context-1' }));
    createdId(await server.post('/api/func_code', { func_code: '*97', func_type: 'FS_DEST_FUNC_CALL_RECORD' }));
    await createRoute(server, { context: 'context-1', prefix: '1461', max_length: 4, dest_type: 'FS_DEST_USER' });
    const phonePort = await freeSipPort();
    const registered = await registerExtension(freeswitch, { extn: '1461', password: 'secret-1461', localPort: phonePort });
    assert.equal(registered.code, 0, registered.output.slice(-2000));

    const code = await (await callFrom1460(freeswitch, '*97', 100)).done;
    assert.equal(code.code, 0, code.messages.slice(-3000));
    assert.equal((await server.get(`/api/extensions/${id}`)).body.auto_record, 1);

    const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: phonePort, timeoutSeconds: 30 });
    const call = await callFrom1460(freeswitch, '1461', 1500);
    const callerUuid = async () => (await freeswitch.api('show', 'channels')).split('\n').find((line) => line.includes('sofia/internal/1460@'))?.split(',')[0];
    assert.ok(await eventually(async () => /sofia\/internal\/1461@/.test(await freeswitch.api('show', 'bridged_calls')), 5_000));
    const uuid = await callerUuid();
    assert.ok(uuid, await freeswitch.api('show', 'channels'));
    const file = (await freeswitch.api('uuid_getvar', uuid, 'auto_record_path')).trim();
    assert.match(file, /auto-record-.*\.wav$/);
    await Promise.all([call.done, phone.done]);
    assert.ok(await eventually(async () => existsSync(file), 5_000), `${file} was recorded`);
  });
}, { control: true });
