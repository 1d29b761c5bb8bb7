/**
 * The channels API against a real FreeSWITCH over its Event Socket: a call placed with originate
 * reaches a sipp UAS, is listed while it lasts and ended by DELETE; the switch restarting is
 * reconnected and commands work again.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeWithFreeSwitch, freeSipPort, registerExtension, sipUser, sipMessages, startSipp, type SippRun } from '../helpers/freeswitch.js';
import { eventually } from '../helpers/routing.js';
import type { Harness } from '../helpers/harness.js';

/** Where extension 1000 registers, and so where calls to user/1000 ring: a sipp that answers. */
const PEER_PORT = await freeSipPort();
const USER = '1000';
const PASSWORD = 'peer-secret';

async function channelUuids(server: Harness): Promise<string[]> {
  const reply = await server.get('/api/channels');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(Array.isArray(reply.body), JSON.stringify(reply.body));
  return reply.body.map((row: { uuid: string }) => row.uuid);
}

/** A sipp that answers one call on PEER_PORT and waits for the hang-up; `done` settles when it exits. */
async function answeringPeer(): Promise<{ done: Promise<SippRun> }> {
  const sipp = await startSipp({ scenario: 'uas-answer.xml', localPort: PEER_PORT, timeoutSeconds: 60 });
  return { done: sipp.done };
}

describeWithFreeSwitch('the channels API controls a real FreeSWITCH', (both) => {
  before(async () => {
    const reply = await both().server.post('/api/extensions', { extn: USER, password: PASSWORD, context: 'context-1' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  });

  /** Originates a call to user 1000, registered from the peer's address, which answers; answers its uuid and the peer's run. */
  async function placeCall(server: Harness) {
    const registered = await registerExtension(both().freeswitch, { extn: USER, password: PASSWORD, localPort: PEER_PORT });
    assert.equal(registered.code, 0, `extension ${USER} did not register:\n${registered.output.slice(-2000)}`);
    const peer = (await answeringPeer()).done;
    const reply = await server.post('/api/channels', { destNumber: USER, app: 'park' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.result, 'ok', JSON.stringify(reply.body));
    assert.match(reply.body.uuid, /^[0-9a-f-]{36}$/);
    return { uuid: reply.body.uuid as string, peer };
  }

  test('originate reaches the far end; GET /api/channels lists the live call; DELETE ends it', async () => {
    const { server } = both();
    const { uuid, peer } = await placeCall(server);
    assert.ok((await channelUuids(server)).includes(uuid), 'the call is listed while it lasts');

    const ended = await server.delete(`/api/channels/${uuid}`);
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    const far = await peer;
    assert.equal(far.code, 0, `the far end did not see the call through:\n${far.output.slice(-2000)}`);
    const invite = sipMessages(far.messages).find((message) => message.direction === 'received' && message.startLine.startsWith('INVITE '));
    assert.equal(sipUser(invite?.startLine ?? ''), USER);
    assert.ok(sipMessages(far.messages).some((message) => message.direction === 'received' && message.startLine.startsWith('BYE ')), 'the far end was hung up on');
    assert.ok(await eventually(async () => !(await channelUuids(server)).includes(uuid), 5_000), 'the call is gone from the list');
    assert.equal((await server.delete(`/api/channels/${uuid}`)).status, 404, 'an ended call is unknown');
  });

  test('the switch restarting: 503 while it is down, reconnected after, and commands work again', async () => {
    const { server, freeswitch } = both();
    await freeswitch.stopProcess();
    assert.ok(await eventually(async () => (await server.get('/api/channels')).status === 503, 10_000), 'a stopped switch answers 503');
    const down = await server.get('/api/channels');
    assert.match(down.body.message, /not connected/);

    await freeswitch.restart();
    assert.ok(await eventually(async () => (await server.get('/api/channels')).status === 200, 30_000), 'reconnected to the restarted switch');
    const { uuid, peer } = await placeCall(server);
    assert.ok((await channelUuids(server)).includes(uuid));
    assert.equal((await server.delete(`/api/channels/${uuid}`)).status, 200);
    assert.equal((await peer).code, 0);
  });
}, { control: true });
