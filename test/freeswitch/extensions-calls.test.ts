/**
 * Extensions made through the REST API, against a real FreeSWITCH fetching its directory from
 * Switchboard: a sipp phone registers with digest auth (and is listed as registered), a wrong
 * password is refused, a route to FS_DEST_USER rings the registered phone, an extension's calls
 * are routed in its context with its caller id, and a password changed or an extension disabled
 * through the API holds from the next REGISTER on.
 */
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { describeWithFreeSwitch, freeSipPort, freeUdpPorts, registerExtension, sipMessages, sipUser, startSipp, type SippRun } from '../helpers/freeswitch.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute, eventually } from '../helpers/routing.js';
import type { Harness } from '../helpers/harness.js';

function assertSucceeded(run: SippRun, what: string): void {
  assert.equal(run.code, 0, `${what}: sipp exited with ${run.code}\n${run.output.slice(-3000)}\n${run.messages.slice(-4000)}`);
}

/** The final answers to the REGISTERs sipp sent, in order. */
const registerAnswers = (run: SippRun) => sipMessages(run.messages)
  .filter((message) => message.direction === 'received' && /^SIP\/2\.0 \d{3}/.test(message.startLine))
  .map((message) => Number(message.startLine.split(' ')[1]));

async function createExtension(server: Harness, extn: string, password: string): Promise<number> {
  return createdId(await server.post('/api/extensions', { extn, password, context: 'context-1', name: `Phone ${extn}` }));
}

describeWithFreeSwitch('extensions register and are called through a real FreeSWITCH', (both) => {
  test('a phone registers with digest auth; a wrong password or an unknown extension is refused', async () => {
    const { server, freeswitch } = both();
    await createExtension(server, '1000', 'right-secret');
    const port = await freeSipPort();
    const registered = await registerExtension(freeswitch, { extn: '1000', password: 'right-secret', localPort: port });
    assertSucceeded(registered, 'register');
    assert.deepEqual(registerAnswers(registered), [401, 200]);
    const registrations = await freeswitch.api('sofia', 'status', 'profile', 'internal', 'reg', '1000');
    assert.match(registrations, new RegExp(`^User:\\s+1000@127\\.0\\.0\\.1$`, 'm'), registrations);
    assert.match(registrations, new RegExp(`^Contact:\\s+"?[^\\n]*sip:1000@127\\.0\\.0\\.1:${port}\\b`, 'm'), registrations);

    assert.ok(await eventually(async () => (await server.get('/api/extensions?status=registered&extn=1000')).body.rowCount === 1, 5_000),
      'listed as registered');
    assert.equal((await server.get('/api/extensions?status=unregistered&extn=1000')).body.rowCount, 0);

    const wrong = await registerExtension(freeswitch, { extn: '1000', password: 'wrong-secret', localPort: await freeSipPort(), scenario: 'uac-register-refused.xml' });
    assertSucceeded(wrong, 'a wrong password refused');
    assert.deepEqual(registerAnswers(wrong), [401, 403], 'challenged, then Forbidden');
    const unknown = await registerExtension(freeswitch, { extn: '1999', password: 'x', localPort: await freeSipPort(), scenario: 'uac-register-refused.xml' });
    assertSucceeded(unknown, 'an unknown extension refused');
  });

  test('a route to FS_DEST_USER rings the registered phone at the contact it registered', async () => {
    const { server, freeswitch } = both();
    await createExtension(server, '1001', 'phone-secret');
    const port = await freeSipPort();
    assertSucceeded(await registerExtension(freeswitch, { extn: '1001', password: 'phone-secret', localPort: port }), 'register');
    await createRoute(server, { context: 'context-2', prefix: '1001', max_length: 4, dest_type: 'FS_DEST_USER' });

    // The phone answers on the address it registered.
    const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 30 });
    const caller = await startSipp({
      scenario: 'uac-caller-hangs-up.xml',
      remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
      localPort: await freeSipPort(),
      service: '1001',
      keys: { caller: '2000', rtp_port: String(await freeUdpPorts(2)) },
      extra: ['-d', '300'],
      timeoutSeconds: 20,
    });
    assertSucceeded(await caller.done, 'the caller');
    const answered = await phone.done;
    assertSucceeded(answered, 'the phone');
    const invite = sipMessages(answered.messages).find((message) => message.direction === 'received' && message.startLine.startsWith('INVITE '));
    assert.ok(invite, answered.messages);
    assert.equal(sipUser(invite.startLine), '1001');
    const from = invite.headers.find((line) => /^from:/i.test(line)) ?? '';
    assert.equal(sipUser(from), '2000', `the phone sees who calls: ${from}`);
  });

  test('an extension calls in its own context, with its caller id: user_context and effective_caller_id_* from the directory', async () => {
    const { server, freeswitch } = both();
    // A context of its own, not the internal profile's context-1: the call is routed in user_context.
    assert.equal((await server.post('/api/contexts', { name: 'desk phones', key: 'desks' })).status, 200);
    createdId(await server.post('/api/extensions', { extn: '1004', password: 'caller-secret', context: 'desks', cid_name: 'Ada Lovelace', cid_number: '5551004' }));
    await createExtension(server, '1005', 'callee-secret');
    const port = await freeSipPort();
    assertSucceeded(await registerExtension(freeswitch, { extn: '1005', password: 'callee-secret', localPort: port }), 'register the callee');
    await createRoute(server, { context: 'desks', prefix: '1005', max_length: 4, dest_type: 'FS_DEST_USER' });

    const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 30 });
    const caller = await startSipp({
      scenario: 'uac-auth-caller-hangs-up.xml',
      remote: `127.0.0.1:${freeswitch.ports.internalSip}`,
      localPort: await freeSipPort(),
      service: '1005',
      keys: { caller: '1004', rtp_port: String(await freeUdpPorts(2)) },
      extra: ['-d', '300', '-au', '1004', '-ap', 'caller-secret'],
      timeoutSeconds: 20,
    });
    assertSucceeded(await caller.done, 'the caller');
    const answered = await phone.done;
    assertSucceeded(answered, 'the phone');
    const invite = sipMessages(answered.messages).find((message) => message.direction === 'received' && message.startLine.startsWith('INVITE '));
    const from = invite?.headers.find((line) => /^from:/i.test(line)) ?? '';
    assert.equal(sipUser(from), '5551004', from);
    assert.match(from, /^From: "Ada Lovelace" </i);
  });

  test('a password changed through the API refuses the old one at the next REGISTER; disabling drops the registrations and refuses the next', async () => {
    const { server, freeswitch } = both();
    const id = await createExtension(server, '1002', 'old-secret');
    assertSucceeded(await registerExtension(freeswitch, { extn: '1002', password: 'old-secret', localPort: await freeSipPort() }), 'register');

    assert.equal((await server.put(`/api/extensions/${id}`, { password: 'new-secret' })).status, 200);
    assertSucceeded(await registerExtension(freeswitch, { extn: '1002', password: 'old-secret', localPort: await freeSipPort(), scenario: 'uac-register-refused.xml' }),
      'the old password refused');
    assertSucceeded(await registerExtension(freeswitch, { extn: '1002', password: 'new-secret', localPort: await freeSipPort() }), 'the new password');

    assert.ok(await eventually(async () => (await server.get('/api/extensions?status=registered&extn=1002')).body.rowCount === 1, 5_000));
    assert.equal((await server.put(`/api/extensions/${id}`, { disabled: 1 })).status, 200);
    assert.ok(await eventually(async () => (await server.get('/api/extensions?status=unregistered&extn=1002')).body.rowCount === 1, 5_000),
      'disabling dropped its registrations');
    assert.match(await freeswitch.api('sofia', 'status', 'profile', 'internal', 'reg', '1002'), /^Total items returned: 0$/m);
    assertSucceeded(await registerExtension(freeswitch, { extn: '1002', password: 'new-secret', localPort: await freeSipPort(), scenario: 'uac-register-refused.xml' }),
      'a disabled extension refused');
  });
  test('the extension page\'s settings reach FreeSWITCH\'s directory: user_data reads the PIN\'s vm-a1-hash, vm-enabled, absolute_codec_string and dtmf_type', async () => {
    const { server, freeswitch } = both();
    const id = await createExtension(server, '1003', 'page-secret');
    const userData = (kind: 'param' | 'var', name: string) => freeswitch.api('user_data', '1003@127.0.0.1', kind, name).then((text) => text.trim());
    // user_data answers "-ERR no reply" for what the user does not have.
    assert.equal(await userData('var', 'user_context'), 'context-1', 'FreeSWITCH reads the extension from the directory');
    assert.match(await userData('param', 'vm-a1-hash'), /^-ERR/, 'no PIN yet');
    const saved = await server.put(`/api/extensions/${id}`, { vm_password: '4321', voicemail: '0', codec: ['PCMA', 'G722'], dtmf_type: '1' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(await userData('param', 'vm-a1-hash'), createHash('md5').update('1003:127.0.0.1:4321').digest('hex'));
    assert.equal(await userData('param', 'vm-enabled'), 'false');
    assert.equal(await userData('var', 'absolute_codec_string'), 'PCMA,G722');
    assert.equal(await userData('var', 'dtmf_type'), 'info');
    assert.match(await userData('param', 'vm-password'), /^-ERR/, 'the PIN itself is never in the directory');
  });
}, { control: true });
