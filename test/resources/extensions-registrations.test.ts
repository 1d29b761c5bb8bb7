/**
 * `GET /api/extensions?status=registered|unregistered` asks the switches who is registered
 * (`show registrations as json` over the Event Socket, here fake switches answering as
 * FreeSWITCH 1.10 does), and says so when none answers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Switches, parseSwitchList } from '../../src/freeswitch/esl/switches.js';
import { FakeEslPeer } from '../helpers/fake-esl.js';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { waitFor } from '../freeswitch/esl/support.js';

/** A registration row of `show registrations as json`, as FreeSWITCH 1.10.12 prints it. */
const registration = (user: string, realm: string) => ({
  reg_user: user, realm, token: `1-1@${realm}`, url: `sofia/internal/sip:${user}@192.0.2.7:5060`, expires: '1795819273',
  network_ip: '192.0.2.7', network_port: '5060', network_proto: 'udp', hostname: 'vm', metadata: '',
});

const first = await FakeEslPeer.start();
first.onApi('show registrations as json', JSON.stringify({ row_count: 2, rows: [registration('2001', '127.0.0.1'), registration('2002', 'other.example.com')] }));
const second = await FakeEslPeer.start();
second.onApi('show registrations as json', JSON.stringify({ row_count: 1, rows: [registration('2003', '127.0.0.1')] }));
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
  });
}, { switches: both });

describeOnEachDatabase('extensions registered, with no switch', (server) => {
  test('status=registered or unregistered: 503 saying no switch answered; the other statuses still work', async () => {
    for (const status of ['registered', 'unregistered']) {
      const reply = await server().get(`/api/extensions?status=${status}`);
      assert.equal(reply.status, 503, status);
      assert.match(reply.body.message, /^status: no switch answered/);
    }
    assert.equal((await server().get('/api/extensions?status=enabled')).status, 200);
  });
});
