/**
 * A real FreeSWITCH dialling a trunk group chosen by a route created over the REST API: the
 * INVITE reaches a sipp UAS as the group's member, and when the first member is down the call
 * fails over to the next.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { assertSippSucceeded, callOnPublicProfile, describeWithFreeSwitch, freeSipPort, sipMessages, sipUser, startSipp, type SippRun } from '../helpers/freeswitch.js';
import { createRoute, unique } from '../helpers/routing.js';

/** Calls arrive on the public profile, which routes in this context (freeswitch/sip_profiles/public.xml). */
const CONTEXT = 'context-2';

const invites = (run: SippRun) => sipMessages(run.messages).filter((item) => item.direction === 'received' && item.startLine.startsWith('INVITE '));

describeWithFreeSwitch('FreeSWITCH calls trunk groups through Switchboard', (both) => {
  const call = (number: string) => callOnPublicProfile(both().freeswitch, number);

  async function trunkGroupRoute(prefix: string, addresses: string[]): Promise<void> {
    const { server } = both();
    const members = [];
    for (const remote_addr of addresses) members.push({ trunk_id: createdId(await server.post('/api/trunks', { name: unique('trunk'), remote_addr })) });
    const group = createdId(await server.post('/api/trunk_groups', { name: unique('tg'), strategy: 'RR', members }));
    await createRoute(server, { context: CONTEXT, prefix, max_length: 8, dest_type: 'FS_DEST_CLUSTER_TRUNK_GROUP', dest_uuid: String(group) });
  }

  test('a route to a trunk group delivers the INVITE to its member', async () => {
    const port = await freeSipPort();
    const peer = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 40 });
    await trunkGroupRoute('61', [`127.0.0.1:${port}`]);
    assertSippSucceeded(await call('6100'), 'caller');
    const far = await peer.done;
    assertSippSucceeded(far, 'member');
    assert.equal(sipUser(invites(far)[0]!.startLine), '6100');
  });

  test('with the first member down, the next one gets the call', async () => {
    const downPort = await freeSipPort();
    const port = await freeSipPort();
    const peer = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 40 });
    await trunkGroupRoute('62', [`127.0.0.1:${downPort}`, `sip:127.0.0.1:${port}`]);
    assertSippSucceeded(await call('6200'), 'caller');
    const far = await peer.done;
    assertSippSucceeded(far, 'second member');
    assert.equal(sipUser(invites(far)[0]!.startLine), '6200');
    // The fresh group's first call starts at its first member: FreeSWITCH tried it and moved on.
    assert.match(both().freeswitch.log(), new RegExp(`sofia/public/6200@127\\.0\\.0\\.1:${downPort}\\b`));
  });
});
