/**
 * DIDs and DODs made through the REST API, against a real FreeSWITCH: a call to a DID line number
 * rings the registered phone of its extension, and an extension's call out through a gateway
 * presents its DOD line number as the caller at the far end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSippSucceeded, describeWithFreeSwitch, freeSipPort, freeUdpPorts, registerExtension, sipMessages, sipUser, startSipp, type SipMessage, type SippRun } from '../helpers/freeswitch.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute, eventually, unique } from '../helpers/routing.js';
import type { Harness } from '../helpers/harness.js';

function receivedInvite(run: SippRun): SipMessage {
  const invite = sipMessages(run.messages).find((message) => message.direction === 'received' && message.startLine.startsWith('INVITE '));
  assert.ok(invite, run.messages);
  return invite;
}
const fromUser = (invite: SipMessage) => sipUser(invite.headers.find((line) => /^from:/i.test(line)) ?? '');

const createExtension = async (server: Harness, extn: string, password: string) =>
  createdId(await server.post('/api/extensions', { extn, password, context: 'context-1', name: `Phone ${extn}` }));

async function contextId(server: Harness, key: string): Promise<number> {
  const reply = await server.get(`/api/contexts?key=${key}`);
  const id = reply.body.data[0]?.id;
  assert.ok(id, JSON.stringify(reply.body));
  return Number(id);
}

describeWithFreeSwitch('DIDs and DODs through a real FreeSWITCH', (both) => {
  /** A call from `caller` to `number` into the profile on `sipPort`, held for 300 ms. */
  async function call(sipPort: number, number: string, caller: string, scenario = 'uac-caller-hangs-up.xml', extra: string[] = []): Promise<SippRun> {
    const sipp = await startSipp({
      scenario,
      remote: `127.0.0.1:${sipPort}`,
      localPort: await freeSipPort(),
      service: number,
      keys: { caller, rtp_port: String(await freeUdpPorts(2)) },
      extra: [...extra, '-d', '300'],
      timeoutSeconds: 20,
    });
    return sipp.done;
  }

  test('a call from a trunk to a DID line number rings the registered phone of its extension', async () => {
    const { server, freeswitch } = both();
    await createExtension(server, '1101', 'did-secret');
    const phonePort = await freeSipPort();
    assertSippSucceeded(await registerExtension(freeswitch, { extn: '1101', password: 'did-secret', localPort: phonePort }), 'register');
    // Calls from trunks arrive on the public profile, routed in context-2: DIDs apply there once it has hotline_enabled.
    assert.equal((await server.put(`/api/contexts/${await contextId(server, 'context-2')}`, { hotline_enabled: 1 })).status, 200);
    createdId(await server.post('/api/hotlines', { line_number: '6753997', numbers: '1101' }));

    const phone = await startSipp({ scenario: 'uas-answer.xml', localPort: phonePort, timeoutSeconds: 30 });
    assertSippSucceeded(await call(freeswitch.ports.publicSip, '6753997', '13900000000'), 'the caller');
    const answered = await phone.done;
    assertSippSucceeded(answered, 'the phone');
    const invite = receivedInvite(answered);
    assert.equal(sipUser(invite.startLine), '1101', invite.startLine);
    assert.equal(fromUser(invite), '13900000000');
  });

  test('an extension calling out through a gateway presents its DOD line number in From at the far end', async () => {
    const { server, freeswitch } = both();
    await createExtension(server, '1102', 'dod-secret');
    const farEnd = await freeSipPort();
    const gateway = unique('carrier');
    // On the public profile, where gateways run when no profile is named.
    const gatewayId = createdId(await server.post('/api/gateways', { name: gateway, realm: `127.0.0.1:${farEnd}`, register: 'no' }));
    // Without it FreeSWITCH puts the gateway's user in From (the caller id goes in Remote-Party-ID).
    assert.equal((await server.post(`/api/gateways/${gatewayId}/params`, { k: 'caller-id-in-from', v: 'true' })).status, 200);
    assert.ok(await eventually(async () => /\bNOREG\b|\bUP\b/.test(await freeswitch.api('sofia', 'status', 'gateway', gateway)), 15_000, 200),
      `gateway ${gateway} does not run: ${await freeswitch.api('sofia', 'status', 'gateway', gateway)}`);
    createdId(await server.post('/api/dods', { extn: '1102', line_number: '86201858', type: 'GATEWAY', name: gateway }));
    await createRoute(server, { context: 'context-1', prefix: '0', max_length: 12, dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gatewayId) });

    const peer = await startSipp({ scenario: 'uas-answer.xml', localPort: farEnd, timeoutSeconds: 30 });
    // The extension's phone, authenticated as 1102 on the internal profile (routed in context-1).
    assertSippSucceeded(await call(freeswitch.ports.internalSip, '013800000000', '1102', 'uac-auth-caller-hangs-up.xml', ['-au', '1102', '-ap', 'dod-secret']), 'the extension');
    const far = await peer.done;
    assertSippSucceeded(far, 'the far end');
    const invite = receivedInvite(far);
    assert.equal(sipUser(invite.startLine), '013800000000', invite.startLine);
    assert.equal(fromUser(invite), '86201858', invite.headers.join('\n'));
  });

  test('these calls made FreeSWITCH log no ERR line', () => {
    assert.deepEqual(both().freeswitch.errorLines(), []);
  });
}, { control: true });
