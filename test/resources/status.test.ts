import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { hostname, totalmem } from 'node:os';
import { pino } from 'pino';
import { Switches, parseSwitchList } from '../../src/freeswitch/esl/switches.js';
import { FakeEslPeer } from '../helpers/fake-esl.js';
import { describeOnEachDatabase } from '../helpers/harness.js';
import { WIRE_TIME } from '../helpers/assertions.js';
import { waitFor } from '../freeswitch/esl/support.js';

/** What FreeSWITCH 1.10's `json {"command":"status","data":""}` answers (mod_commands' json_status). */
const FREESWITCH_STATUS = {
  systemStatus: 'ready',
  uptime: { years: 0, days: 3, hours: 4, minutes: 5, seconds: 6, milliseconds: 7, microseconds: 8 },
  version: '1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit',
  sessions: { count: { total: 41, active: 2, peak: 5, peak5Min: 1, limit: 1000 }, rate: { current: 0, max: 30, peak: 2, peak5Min: 0 } },
  idleCPU: { used: 0, allowed: 97.5 },
  stackSizeKB: { current: 240, max: 8192 },
};

const answering = await FakeEslPeer.start();
answering.onApi(/^json /, ({ args }) => (JSON.parse(args).command === 'status'
  ? JSON.stringify({ command: 'status', data: '', status: 'success', response: FREESWITCH_STATUS })
  : '-ERR unexpected\n'));
answering.onApi('show registrations count', '\n3 total.\n\n');
// What FreeSWITCH 1.10.12 answered to `sofia xmlstatus` on freeswitch/ (a profile per transport, gateways between).
answering.onApi('sofia xmlstatus', [
  '<?xml version="1.0" encoding="ISO-8859-1"?>', '<profiles>',
  '<profile>', '<name>public</name>', '<type>profile</type>', '<data>sip:mod_sofia@127.0.0.1:5080</data>', '<state>RUNNING (0)</state>', '</profile>',
  '<gateway>', '<name>carrier</name>', '<type>gateway</type>', '<data>sip:walker@192.0.2.10</data>', '<state>FAIL_WAIT</state>', '</gateway>', ' (retry: 16s)',
  '<profile>', '<name>internal</name>', '<type>profile</type>', '<data>sip:mod_sofia@127.0.0.1:5060</data>', '<state>RUNNING (0)</state>', '</profile>',
  '<profile>', '<name>internal</name>', '<type>profile</type>', '<data>sips:mod_sofia@127.0.0.1:5061;transport=tls</data>', '<state>RUNNING (0) (TLS)</state>', '</profile>',
  '</profiles>', '',
].join('\n'));
const gone = await FakeEslPeer.start();
await gone.close();
const answeringName = `127.0.0.1:${answering.port}`;
const goneName = `127.0.0.1:${gone.port}`;
const quiet = { logger: pino({ level: 'silent' }), commandTimeoutMs: 500, reconnectDelay: { initialMs: 20, maxMs: 100 } };
const oneUp = new Switches(parseSwitchList(`${goneName}:ClueCon,${answeringName}:ClueCon`), quiet);
oneUp.start();
const allDown = new Switches(parseSwitchList(`${goneName}:ClueCon`), quiet);
allDown.start();
await waitFor(() => oneUp.connected().length === 1, 'the answering switch connected');
after(async () => {
  await oneUp.close();
  await allDown.close();
  await answering.close();
});

describeOnEachDatabase('dashboard: the host, from the operating system', (server) => {
  test('host_info names this host and its addresses; CherryPBX reads hostname, ip and ext_ip', async () => {
    const reply = await server().get('/api/status/host_info');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.hostname, hostname());
    assert.equal(typeof reply.body.ip, 'string');
    assert.equal(reply.body.ip, reply.body.ips[0] ?? '');
    assert.equal(reply.body.ext_ip, '');
  });

  test('disk: an array whose first item carries usage and percent (what CherryPBX parses), the root file system included, figures as statfs gives them', async () => {
    const reply = await server().get('/api/status/disk');
    assert.equal(reply.status, 200);
    assert.ok(Array.isArray(reply.body) && reply.body.length >= 1);
    for (const disk of reply.body) {
      assert.ok(disk.total > 0 && disk.used >= 0 && disk.used <= disk.total && disk.available <= disk.total, JSON.stringify(disk));
      assert.ok(disk.percent >= 0 && disk.percent <= 100);
      assert.equal(parseFloat(disk.usage), disk.percent);
    }
    const root = statfsSync('/');
    const rootRow = reply.body.find((disk: { path: string }) => disk.path === '/')
      ?? reply.body.find((disk: { total: number }) => disk.total === root.blocks * root.bsize);
    assert.ok(rootRow, JSON.stringify(reply.body));
    assert.equal(rootRow.total, root.blocks * root.bsize);
  });

  test('memory: physical_memory_usage in bytes (CherryPBX divides by 1024²), within the host total', async () => {
    const reply = await server().get('/api/status/memory');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.total, totalmem());
    assert.ok(reply.body.physical_memory_usage > 0 && reply.body.physical_memory_usage <= reply.body.total);
    assert.equal(reply.body.physical_memory_usage, reply.body.total - reply.body.available);
  });

  test('like every /api path they need a token; the session cookie CherryPBX\'s dashboard carries is one', async () => {
    for (const path of ['/api/status/host_info', '/api/status/disk', '/api/status/memory', '/api/freeswitch/stats', '/api/sip_status']) {
      assert.equal((await server().get(path, { token: null })).status, 401, path);
      const withCookie = await server().request('GET', path, undefined, { token: null, headers: { cookie: `freeswitch_xtra_session_id=${server().token}` } });
      assert.equal(withCookie.status, 200, path);
    }
  });

  test('with no switch configured, the switch figures say so and invent none', async () => {
    const stats = await server().get('/api/freeswitch/stats');
    assert.equal(stats.status, 200);
    const { date, ...rest } = stats.body;
    assert.match(date, WIRE_TIME);
    assert.deepEqual(rest, { connected: false, message: 'no switch connected' });
    const sip = await server().get('/api/sip_status');
    assert.deepEqual(sip.body, { connected: false, message: 'no switch connected', switches: [] });
  });
});

describeOnEachDatabase('dashboard: the switches, over the Event Socket (one down, one answering)', (server) => {
  test('freeswitch/stats passes on the answering switch\'s own status: idleCPU.allowed, uptime.days/hours/minutes, sessions.count.active/total, version', async () => {
    const reply = await server().get('/api/freeswitch/stats');
    assert.equal(reply.status, 200);
    const { date, ...rest } = reply.body;
    assert.match(date, WIRE_TIME);
    assert.deepEqual(rest, { ...FREESWITCH_STATUS, connected: true, switch: answeringName });
  });

  test('sip_status counts the registrations of the switches that answered, and names the one that did not', async () => {
    const reply = await server().get('/api/sip_status');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {
      connected: true,
      register_count: 3,
      switches: [{ switch: goneName, connected: false }, { switch: answeringName, connected: true, register_count: 3 }],
    });
  });

  test('SIP page: sip_profiles/sip_status gives profiles.<name>.info.url and .status.state as the switch reports them, gateways left out', async () => {
    const reply = await server().get('/api/sip_profiles/sip_status');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {
      connected: true,
      profiles: {
        public: { info: { url: 'sip:mod_sofia@127.0.0.1:5080' }, status: { state: 'RUNNING (0)' }, switch: answeringName },
        internal: { info: { url: 'sip:mod_sofia@127.0.0.1:5060' }, status: { state: 'RUNNING (0)' }, switch: answeringName },
      },
    });
  });
}, { switches: oneUp });

describeOnEachDatabase('dashboard: every switch down', (server) => {
  test('the switch endpoints answer 200 saying no switch is connected, with no figure', async () => {
    const stats = await server().get('/api/freeswitch/stats');
    assert.equal(stats.body.connected, false);
    assert.equal(stats.body.message, 'no switch connected');
    for (const figure of ['uptime', 'sessions', 'idleCPU', 'version']) assert.ok(!(figure in stats.body), figure);
    const sip = await server().get('/api/sip_status');
    assert.deepEqual(sip.body, { connected: false, message: 'no switch connected', switches: [{ switch: goneName, connected: false }] });
    const profiles = await server().get('/api/sip_profiles/sip_status');
    assert.deepEqual([profiles.status, profiles.body], [200, { connected: false, message: 'no switch connected', profiles: {} }]);
  });
}, { switches: allDown });
