/**
 * `GET /api/extensions?status=registered|unregistered` asks the switches who is registered
 * (each running profile's `sofia xmlstatus profile P reg` over the Event Socket, here fake
 * switches answering as FreeSWITCH 1.10 does), and says so when none answers; disabling an
 * extension drops its registrations on every enabled profile.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Switches, parseSwitchList } from '../../src/freeswitch/esl/switches.js';
import { FakeEslPeer } from '../helpers/fake-esl.js';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { waitFor } from '../freeswitch/esl/support.js';

/** `sofia xmlstatus` of a switch running these profiles (and a gateway, which has no registrations of phones), as FreeSWITCH 1.10.12 prints it. */
const profileList = (...names: string[]) => [
  '<?xml version="1.0" encoding="ISO-8859-1"?>', '<profiles>',
  ...names.flatMap((name) => ['<profile>', `<name>${name}</name>`, '<type>profile</type>', `<data>sip:mod_sofia@127.0.0.1:5060</data>`, '<state>RUNNING (0)</state>', '</profile>']),
  '<gateway>', '<name>gw1</name>', '<type>gateway</type>', '<data>sip:gw1@192.0.2.9</data>', '<state>NOREG</state>', '</gateway>',
  '</profiles>', '',
].join('\n');

/** `sofia xmlstatus profile P reg` holding registrations of these `user@host`. */
const registrations = (...users: string[]) => [
  '<?xml version="1.0" encoding="ISO-8859-1"?>', '<profile>', '  <registrations>',
  ...users.flatMap((user) => [
    '    <registration>', `        <call-id>1-1@${user}</call-id>`, `        <user>${user}</user>`,
    `        <contact>&quot;&quot; &lt;sip:${user.split('@')[0]}@192.0.2.7:5060&gt;</contact>`, '        <agent>phone</agent>',
    `        <sip-auth-user>${user.split('@')[0]}</sip-auth-user>`, `        <sip-auth-realm>${user.split('@')[1]}</sip-auth-realm>`,
    '    </registration>',
  ]),
  '  </registrations>', '</profile>', '',
].join('\n');

const first = await FakeEslPeer.start();
first.onApi('sofia xmlstatus', profileList('internal', 'public'));
first.onApi('sofia xmlstatus profile internal reg', registrations('2001@127.0.0.1', '2002@other.example.com'));
first.onApi('sofia xmlstatus profile public reg', registrations());
const second = await FakeEslPeer.start();
second.onApi('sofia xmlstatus', profileList('internal'));
second.onApi('sofia xmlstatus profile internal reg', registrations('2003@127.0.0.1'));
const quiet = { logger: pino({ level: 'silent' }), commandTimeoutMs: 500, reconnectDelay: { initialMs: 20, maxMs: 100 } };
const both = new Switches(parseSwitchList(`127.0.0.1:${first.port}:ClueCon,127.0.0.1:${second.port}:ClueCon`), quiet);
both.start();
await waitFor(() => both.connected().length === 2, 'both switches connected');
after(async () => {
  await both.close();
  await first.close();
  await second.close();
});

const extnsOf = async (server: Harness, query: string) =>
  (await server.get(`/api/extensions?${query}`)).body.data.map((row: { extn: string; domain: string }) => `${row.extn}@${row.domain}`).sort();

describeOnEachDatabase('extensions registered on the switches', (server) => {
  test('status=registered lists the extensions some switch holds a registration of, in their domain; unregistered the others', async () => {
    for (const extn of ['2001', '2002', '2003', '2004']) {
      createdId(await server().post('/api/extensions', { extn, password: 'x', context: 'context-1', name: 'reg-test' }));
    }
    assert.deepEqual(await extnsOf(server(), 'name=reg-test&status=registered'), ['2001@127.0.0.1', '2003@127.0.0.1']);
    assert.deepEqual(await extnsOf(server(), 'name=reg-test&status=unregistered&page=1&page_size=10'), ['2002@127.0.0.1', '2004@127.0.0.1'],
      '2002 registered in another domain only');
    // CherryPBX's filter and export say online and offline.
    assert.deepEqual(await extnsOf(server(), 'name=reg-test&status=online'), ['2001@127.0.0.1', '2003@127.0.0.1']);
    assert.deepEqual(await extnsOf(server(), 'name=reg-test&status=offline'), ['2002@127.0.0.1', '2004@127.0.0.1']);
  });

  test('disabling or deleting a registered extension flushes its registrations on every enabled profile', async () => {
    const id = createdId(await server().post('/api/extensions', { extn: '2005', password: 'x', context: 'context-1' }));
    // The fake switches serve both databases' suites: only this test's commands count.
    const earlier = first.commands.length;
    const flushes = () => first.commands.slice(earlier).filter((command) => command.includes('flush_inbound_reg'));
    assert.equal((await server().put(`/api/extensions/${id}`, { action: 'toggle' })).status, 200);
    assert.deepEqual(flushes(), [
      'api sofia profile internal flush_inbound_reg 2005@127.0.0.1',
      'api sofia profile public flush_inbound_reg 2005@127.0.0.1',
    ]);
    assert.equal((await server().put(`/api/extensions/${id}`, { name: 'disabled already', disabled: 1 })).status, 200);
    assert.equal(flushes().length, 2, 'nothing to flush for a disabled extension');
    assert.equal((await server().put(`/api/extensions/${id}`, { action: 'toggle' })).status, 200);
    assert.equal(flushes().length, 2, 'enabling flushes nothing');
    assert.equal((await server().put(`/api/extensions/${id}`, { password: 'new' })).status, 200);
    assert.equal(flushes().length, 2, 'a new password holds from the next REGISTER: the registration stays');
    assert.equal((await server().delete(`/api/extensions/${id}`)).status, 200);
    assert.equal(flushes().length, 4);
  });
}, { switches: both });

describeOnEachDatabase('extensions registered, with no switch', (server) => {
  test('status=registered or unregistered: 503 saying no switch answered (CONTRACT); the other statuses still work', async () => {
    for (const status of ['registered', 'unregistered']) {
      const reply = await server().get(`/api/extensions?status=${status}`);
      assert.equal(reply.status, 503, status);
      assert.match(reply.body.message, /^switch: none answered, so who is registered is unknown/);
    }
    assert.equal((await server().get('/api/extensions?status=enabled')).status, 200);
  });
});
