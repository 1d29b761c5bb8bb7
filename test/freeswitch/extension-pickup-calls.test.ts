/**
 * Pickup and listening in from a phone, against a real FreeSWITCH: while an outside call rings
 * (or talks to) a registered extension, another extension dials the pickup code (or the listen-in
 * code) followed by that extension's number and takes (or hears) the call; the last-pickup code
 * alone takes the call that last rang an extension.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { describeWithFreeSwitch, freeSipPort, freeUdpPorts, registerExtension, startSipp, type FreeSwitch, type Sipp } from '../helpers/freeswitch.js';
import { createRoute, eventually } from '../helpers/routing.js';
import type { Harness } from '../helpers/harness.js';

async function createExtension(server: Harness, extn: string): Promise<number> {
  return createdId(await server.post('/api/extensions', { extn, password: `secret-${extn}`, context: 'context-1' }));
}

/** A registered extension whose phone on `localPort` plays `scenario` when called from outside (context-2). */
async function phoneOf(server: Harness, freeswitch: FreeSwitch, extn: string, localPort: number): Promise<void> {
  await createExtension(server, extn);
  const registered = await registerExtension(freeswitch, { extn, password: `secret-${extn}`, localPort });
  assert.equal(registered.code, 0, registered.output.slice(-2000));
  await createRoute(server, { context: 'context-2', prefix: extn, max_length: extn.length, dest_type: 'FS_DEST_USER' });
}

/** A call that stays up for `pauseMs` once answered; the test hangs it up (hupall), so its exit code is not asserted. */
async function longCall(freeswitch: FreeSwitch, options: { from: string; to: string; pauseMs: number; authenticated: boolean }): Promise<Sipp> {
  const { from, to, pauseMs, authenticated } = options;
  return startSipp({
    scenario: authenticated ? 'uac-auth-caller-hangs-up.xml' : 'uac-caller-hangs-up.xml',
    remote: `127.0.0.1:${authenticated ? freeswitch.ports.internalSip : freeswitch.ports.publicSip}`,
    localPort: await freeSipPort(),
    service: to,
    keys: { caller: from, rtp_port: String(await freeUdpPorts(2)) },
    extra: ['-d', String(pauseMs), ...(authenticated ? ['-au', from, '-ap', `secret-${from}`] : [])],
    timeoutSeconds: 30,
  });
}

const ringing = async (freeswitch: FreeSwitch, extn: string) => /^[0-9a-f-]{36}$/.test((await freeswitch.api('hash', `select/switchboard_ringing/${extn}@127.0.0.1`)).trim());

describeWithFreeSwitch('extensions pick up and listen in on calls with function codes', (both) => {
  /** An outside call rings `extn`'s phone; `picker` dials `dialled` and must end up bridged to it. */
  async function pickUp(extn: string, picker: string, code: { func_code: string; func_type: string }, dialled: string): Promise<void> {
    const { server, freeswitch } = both();
    const port = await freeSipPort();
    await phoneOf(server, freeswitch, extn, port);
    await createExtension(server, picker);
    createdId(await server.post('/api/func_code', code));

    const phone = await startSipp({ scenario: 'uas-ring.xml', localPort: port, timeoutSeconds: 30 });
    const caller = await longCall(freeswitch, { from: '2000', to: extn, pauseMs: 8000, authenticated: false });
    assert.ok(await eventually(() => ringing(freeswitch, extn), 5_000), `the call to ${extn} left its uuid`);
    const picking = await longCall(freeswitch, { from: picker, to: dialled, pauseMs: 6000, authenticated: true });
    const bridged = () => freeswitch.api('show', 'bridged_calls');
    assert.ok(await eventually(async () => (await bridged()).includes(dialled), 5_000), await bridged());
    const rang = await phone.done;
    assert.equal(rang.code, 0, `the phone that rang was cancelled:\n${rang.messages.slice(-3000)}`);
    await freeswitch.api('hupall');
    await Promise.all([caller.done, picking.done]);
  }

  test('the pickup code + an extension takes the call ringing it; the phone that rang is cancelled', async () => {
    await pickUp('1500', '1501', { func_code: '*8', func_type: 'FS_DEST_DEST_INTERCEPT' }, '*81500');
  });

  test('the last-pickup code alone takes the call that last rang an extension of the domain', async () => {
    await pickUp('1700', '1701', { func_code: '**', func_type: 'FS_DEST_LAST_INTERCEPT' }, '**');
  });

  /** An outside call talks to `extn`'s answering phone; returns the calling leg's uuid and the calls, still up. */
  async function callInProgress(extn: string): Promise<{ callerUuid: string; calls: Sipp[] }> {
    const { server, freeswitch } = both();
    const port = await freeSipPort();
    await phoneOf(server, freeswitch, extn, port);
    const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 30 });
    const caller = await longCall(freeswitch, { from: '2000', to: extn, pauseMs: 8000, authenticated: false });
    const bridged = () => freeswitch.api('show', 'bridged_calls');
    assert.ok(await eventually(async () => new RegExp(`sofia/internal/${extn}@`).test(await bridged()), 5_000), await bridged());
    const callerUuid = (await freeswitch.api('hash', `select/switchboard_ringing/${extn}@127.0.0.1`)).trim();
    return { callerUuid, calls: [phone, caller] };
  }

  test('the break-in code + an extension takes the place of the other party on its call, which is hung up', async () => {
    const { server, freeswitch } = both();
    const { callerUuid, calls } = await callInProgress('1800');
    await createExtension(server, '1801');
    createdId(await server.post('/api/func_code', { func_code: '*7', func_type: 'FS_DEST_FORCE_BREAKDOWN' }));
    const breaking = await longCall(freeswitch, { from: '1801', to: '*71800', pauseMs: 6000, authenticated: true });
    const bridged = () => freeswitch.api('show', 'bridged_calls');
    assert.ok(await eventually(async () => /\*71800[^\n]*sofia\/internal\/1800@/.test(await bridged()), 5_000), await bridged());
    assert.ok(await eventually(async () => (await freeswitch.api('uuid_exists', callerUuid)).trim() === 'false', 5_000), 'the other party was hung up');
    await freeswitch.api('hupall');
    await Promise.all([...calls.map((call) => call.done), breaking.done]);
  });

  test('the barge-in code + an extension joins its call as a third party; the call stays up', async () => {
    const { server, freeswitch } = both();
    const { callerUuid, calls } = await callInProgress('1900');
    await createExtension(server, '1901');
    createdId(await server.post('/api/func_code', { func_code: '*6', func_type: 'FS_DEST_FORCE_INSERT' }));
    const barging = await longCall(freeswitch, { from: '1901', to: '*61900', pauseMs: 6000, authenticated: true });
    const channels = () => freeswitch.api('show', 'channels');
    assert.ok(await eventually(async () => /\*61900[^\n]*,three_way,/.test(await channels()), 5_000), await channels());
    assert.equal((await freeswitch.api('uuid_exists', callerUuid)).trim(), 'true');
    assert.match(await freeswitch.api('show', 'bridged_calls'), /sofia\/internal\/1900@/);
    await freeswitch.api('hupall');
    await Promise.all([...calls.map((call) => call.done), barging.done]);
  });

  test('the listen-in code + an extension listens in on its call', async () => {
    const { server, freeswitch } = both();
    const port = await freeSipPort();
    await phoneOf(server, freeswitch, '1600', port);
    await createExtension(server, '1601');
    createdId(await server.post('/api/func_code', { func_code: '*9', func_type: 'FS_DEST_EAVESDROP' }));

    const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 30 });
    const caller = await longCall(freeswitch, { from: '2000', to: '1600', pauseMs: 8000, authenticated: false });
    const bridged = () => freeswitch.api('show', 'bridged_calls');
    assert.ok(await eventually(async () => /sofia\/internal\/1600@/.test(await bridged()), 5_000), await bridged());
    const listener = await longCall(freeswitch, { from: '1601', to: '*91600', pauseMs: 6000, authenticated: true });
    const channels = () => freeswitch.api('show', 'channels');
    assert.ok(await eventually(async () => /\*91600[^\n]*,eavesdrop,/.test(await channels()), 5_000), await channels());
    await freeswitch.api('hupall');
    await Promise.all([caller.done, listener.done, phone.done]);
  });
}, { control: true });
