/**
 * Do-not-disturb and call forwarding set from a phone, against a real FreeSWITCH: an extension
 * dials a function code (an authenticated sipp call), hears the confirmation, and its detail shows
 * the change; calls to it (a FS_DEST_USER route) are then refused as busy (486) or forwarded to
 * another registered phone (always, when its own phone is busy, when it is not registered),
 * until it dials the cancelling code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { callOnPublicProfile, describeWithFreeSwitch, freeSipPort, freeUdpPorts, registerExtension, sipMessages, sipUser, startSipp, type FreeSwitch, type SippRun } from '../helpers/freeswitch.js';
import { createRoute } from '../helpers/routing.js';
import type { Harness } from '../helpers/harness.js';

function assertSucceeded(run: SippRun, what: string): void {
  assert.equal(run.code, 0, `${what}: sipp exited with ${run.code}\n${run.output.slice(-3000)}\n${run.messages.slice(-4000)}`);
}

async function createExtension(server: Harness, extn: string): Promise<number> {
  return createdId(await server.post('/api/extensions', { extn, password: `secret-${extn}`, context: 'context-1' }));
}

/** Extension `extn` dials `number` from its phone (digest-authenticated) and the call is answered. */
async function dialFromExtension(freeswitch: FreeSwitch, extn: string, number: string): Promise<void> {
  const caller = await startSipp({
    scenario: 'uac-auth-caller-hangs-up.xml',
    remote: `127.0.0.1:${freeswitch.ports.internalSip}`,
    localPort: await freeSipPort(),
    service: number,
    keys: { caller: extn, rtp_port: String(await freeUdpPorts(2)) },
    extra: ['-d', '300', '-au', extn, '-ap', `secret-${extn}`],
    timeoutSeconds: 20,
  });
  assertSucceeded(await caller.done, `${extn} dials ${number}`);
}

/** A call from outside (the public profile, context-2) to `number`, refused: the final status it got. */
async function refusedStatus(freeswitch: FreeSwitch, number: string): Promise<number> {
  const caller = await startSipp({
    scenario: 'uac-refused.xml',
    remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
    localPort: await freeSipPort(),
    service: number,
    keys: { caller: '2000', rtp_port: String(await freeUdpPorts(2)) },
    timeoutSeconds: 20,
  });
  const run = await caller.done;
  assertSucceeded(run, `a call to ${number} refused`);
  const final = sipMessages(run.messages).filter((message) => message.direction === 'received' && /^SIP\/2\.0 [3-6]\d\d/.test(message.startLine));
  return Number(final.at(-1)?.startLine.split(' ')[1]);
}

/** A call from outside to `number` that the phone listening on `phonePort` answers: the Request-URI user it was rung with. */
async function answeredBy(freeswitch: FreeSwitch, number: string, phonePort: number): Promise<string | undefined> {
  const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: phonePort, timeoutSeconds: 30 });
  assertSucceeded(await callOnPublicProfile(freeswitch, number), `the call to ${number}`);
  const answered = await phone.done;
  assertSucceeded(answered, 'the phone');
  const invite = sipMessages(answered.messages).find((message) => message.direction === 'received' && message.startLine.startsWith('INVITE '));
  return invite && sipUser(invite.startLine);
}

const featuresOf = async (server: Harness, id: number) => {
  const { dnd, forward_always, forward_busy, forward_noanswer } = (await server.get(`/api/extensions/${id}`)).body;
  return { dnd, forward_always, forward_busy, forward_noanswer };
};

describeWithFreeSwitch('extensions set do-not-disturb and forwards with function codes', (both) => {
  test('do-not-disturb refuses calls as busy (486) until cancelled', async () => {
    const { server, freeswitch } = both();
    const id = await createExtension(server, '1100');
    await createRoute(server, { context: 'context-2', prefix: '1100', max_length: 4, dest_type: 'FS_DEST_USER' });
    createdId(await server.post('/api/func_code', { func_code: '*78', func_type: 'FS_DEST_FUNC_CALL_DND' }));
    createdId(await server.post('/api/func_code', { func_code: '*79', func_type: 'FS_DEST_FUNC_CALL_DND_CANCEL' }));
    assert.deepEqual(await featuresOf(server, id), { dnd: 0, forward_always: '', forward_busy: '', forward_noanswer: '' });
    // Not registered: FreeSWITCH answers USER_NOT_REGISTERED as 480.
    assert.equal(await refusedStatus(freeswitch, '1100'), 480);

    await dialFromExtension(freeswitch, '1100', '*78');
    assert.equal((await featuresOf(server, id)).dnd, 1);
    assert.equal(await refusedStatus(freeswitch, '1100'), 486);

    await dialFromExtension(freeswitch, '1100', '*79');
    assert.equal((await featuresOf(server, id)).dnd, 0);
    assert.equal(await refusedStatus(freeswitch, '1100'), 480);
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('a busy forward takes the call its phone refuses with 486 Busy Here', async () => {
    const { server, freeswitch } = both();
    const id = await createExtension(server, '1300');
    await createExtension(server, '1301');
    const busyPort = await freeSipPort();
    const answerPort = await freeSipPort();
    assertSucceeded(await registerExtension(freeswitch, { extn: '1300', password: 'secret-1300', localPort: busyPort }), 'register 1300');
    assertSucceeded(await registerExtension(freeswitch, { extn: '1301', password: 'secret-1301', localPort: answerPort }), 'register 1301');
    await createRoute(server, { context: 'context-2', prefix: '1300', max_length: 4, dest_type: 'FS_DEST_USER' });
    await createRoute(server, { context: 'context-1', prefix: '1301', max_length: 4, dest_type: 'FS_DEST_USER' });
    createdId(await server.post('/api/func_code', { func_code: '*76', func_type: 'FS_DEST_FUNC_CALL_FORWARD_BUSY' }));

    await dialFromExtension(freeswitch, '1300', '*761301');
    assert.equal((await featuresOf(server, id)).forward_busy, '1301');
    const busyPhone = await startSipp({ scenario: 'uas-busy.xml', localPort: busyPort, timeoutSeconds: 30 });
    assert.equal(await answeredBy(freeswitch, '1300', answerPort), '1301');
    assertSucceeded(await busyPhone.done, 'the busy phone was rung first');
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('an unconditional forward, then a no-answer forward, send calls to another registered phone', async () => {
    const { server, freeswitch } = both();
    const id = await createExtension(server, '1200');
    await createExtension(server, '1201');
    const port = await freeSipPort();
    assertSucceeded(await registerExtension(freeswitch, { extn: '1201', password: 'secret-1201', localPort: port }), 'register 1201');
    await createRoute(server, { context: 'context-2', prefix: '1200', max_length: 4, dest_type: 'FS_DEST_USER' });
    // Forwards are routed in the forwarding extension's context.
    await createRoute(server, { context: 'context-1', prefix: '1201', max_length: 4, dest_type: 'FS_DEST_USER' });
    for (const [code, type] of [
      ['*72', 'FS_DEST_FUNC_CALL_FORWARDING'], ['*73', 'FS_DEST_FUNC_CALL_FORWARDING_CANCEL'],
      ['*74', 'FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE'], ['*75', 'FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE_CANCEL'],
    ]) createdId(await server.post('/api/func_code', { func_code: code, func_type: type }));

    await dialFromExtension(freeswitch, '1200', '*721201');
    assert.deepEqual(await featuresOf(server, id), { dnd: 0, forward_always: '1201', forward_busy: '', forward_noanswer: '' });
    assert.equal(await answeredBy(freeswitch, '1200', port), '1201');

    await dialFromExtension(freeswitch, '1200', '*73');
    await dialFromExtension(freeswitch, '1200', '*741201');
    assert.deepEqual(await featuresOf(server, id), { dnd: 0, forward_always: '', forward_busy: '', forward_noanswer: '1201' });
    // 1200 is not registered: the bridge fails with USER_NOT_REGISTERED and the no-answer forward takes the call.
    assert.equal(await answeredBy(freeswitch, '1200', port), '1201');

    await dialFromExtension(freeswitch, '1200', '*75');
    assert.equal((await featuresOf(server, id)).forward_noanswer, '');
    assert.equal(await refusedStatus(freeswitch, '1200'), 480);
    assert.deepEqual(freeswitch.errorLines(), []);
  });
}, { control: true });
