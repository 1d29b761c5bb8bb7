import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { pino } from 'pino';
import { EslNotConnectedError, UnknownSwitchError } from '../../../src/freeswitch/esl/errors.js';
import { UnsafeCommandValueError } from '../../../src/freeswitch/esl/commands.js';
import { Switches, parseSwitchList, type SwitchEvent } from '../../../src/freeswitch/esl/switches.js';
import { FakeEslPeer } from '../../helpers/fake-esl.js';
import { waitFor } from './support.js';

describe('parseSwitchList (FREESWITCH_ESL)', () => {
  it('defaults to the local switch with FreeSWITCH’s default password', () => {
    const local = [{ name: '127.0.0.1:8021', host: '127.0.0.1', port: 8021, password: 'ClueCon' }];
    assert.deepEqual(parseSwitchList(undefined), local);
    assert.deepEqual(parseSwitchList('  '), local);
  });

  it('reads several comma-separated switches; passwords may hold colons; IPv6 hosts go in brackets', () => {
    assert.deepEqual(parseSwitchList('fs1.example:8021:ClueCon, 10.0.0.2:8022:pa:ss , [::1]:8021:secret'), [
      { name: 'fs1.example:8021', host: 'fs1.example', port: 8021, password: 'ClueCon' },
      { name: '10.0.0.2:8022', host: '10.0.0.2', port: 8022, password: 'pa:ss' },
      { name: '[::1]:8021', host: '::1', port: 8021, password: 'secret' },
    ]);
  });

  it('names the bad entry and what is wrong, never echoing a password', () => {
    const cases: [string, RegExp][] = [
      ['fs1:8021:ClueCon,', /^FREESWITCH_ESL: entry 2 is empty; each entry is host:port:password$/],
      ['fs1:ClueCon', /^FREESWITCH_ESL: entry 1 \(host "fs1"\) must be host:port:password$/],
      ['fs1:80x:ClueCon', /^FREESWITCH_ESL: entry 1 \(host "fs1"\): port must be a number from 1 to 65535$/],
      ['fs1:0:ClueCon', /port must be a number from 1 to 65535/],
      ['fs1:70000:ClueCon', /port must be a number from 1 to 65535/],
      ['fs1:8021:', /^FREESWITCH_ESL: entry 1 \(host "fs1"\): password is empty$/],
      ['fs1:8021:ClueCon\nauth x', /password must not contain line breaks/],
      [':8021:ClueCon', /must be host:port:password/],
      ['ClueCon', /^FREESWITCH_ESL: entry 1 must be host:port:password$/],
      ['fs1:8021:a,fs1:8021:b', /^FREESWITCH_ESL: switch fs1:8021 is listed twice$/],
    ];
    for (const [raw, expected] of cases) {
      assert.throws(() => parseSwitchList(raw), (error: Error) => {
        assert.match(error.message, expected, raw);
        assert.ok(!error.message.includes('ClueCon'), `no password in "${error.message}"`);
        return true;
      });
    }
  });
});

describe('Switches over two fake switches, one of them down', () => {
  it('reports each switch, runs commands on one or all, and tags events with their switch', async (t) => {
    const up = await FakeEslPeer.start();
    t.after(() => up.close());
    up.onApi('show channels as json', '{"row_count":0}\n');
    up.onApi(/^originate /, '+OK 1234\n');
    const down = await FakeEslPeer.start();
    await down.close();

    const addresses = parseSwitchList(`127.0.0.1:${up.port}:ClueCon,127.0.0.1:${down.port}:ClueCon`);
    const switches = new Switches(addresses, {
      logger: pino({ level: 'silent' }),
      events: ['CHANNEL_CREATE'],
      reconnectDelay: { initialMs: 20, maxMs: 100 },
    });
    t.after(() => switches.close());
    const upName = `127.0.0.1:${up.port}`;
    const downName = `127.0.0.1:${down.port}`;
    const ready = once(switches, 'ready');
    switches.start();
    assert.deepEqual(await ready, [upName]);
    await waitFor(() => switches.get(downName).status().failedAttempts > 0, 'a refused attempt on the switch that is down');

    assert.deepEqual(switches.names, [upName, downName]);
    const [upStatus, downStatus] = switches.status();
    assert.equal(upStatus?.connected, true);
    assert.equal(upStatus?.lastError, undefined);
    assert.ok(upStatus?.connectedSince instanceof Date);
    assert.equal(downStatus?.connected, false);
    assert.match(downStatus?.lastError ?? '', /ECONNREFUSED/);
    assert.deepEqual(switches.connected().map((client) => client.name), [upName]);

    assert.equal(await switches.api(upName, 'show', ['channels', 'as', 'json']), '{"row_count":0}\n');
    await assert.rejects(switches.api(downName, 'show', ['channels', 'as', 'json']), EslNotConnectedError);
    assert.throws(() => switches.get('elsewhere:8021'), UnknownSwitchError);

    const [fromUp, fromDown] = await switches.apiAll('show', ['channels', 'as', 'json']);
    assert.deepEqual(fromUp, { switch: upName, ok: true, value: '{"row_count":0}\n' });
    assert.equal(fromDown?.switch, downName);
    assert.ok(fromDown?.ok === false && fromDown.error instanceof EslNotConnectedError);
    await assert.rejects(switches.apiAll('show', ['channels\n\nexit']), UnsafeCommandValueError);

    const [jobOnUp, jobOnDown] = await switches.bgapiAll('originate', ['user/1000', '&park()']);
    assert.ok(jobOnUp?.ok === true);
    assert.equal(await jobOnUp.value.result, '+OK 1234\n');
    assert.ok(jobOnDown?.ok === false && jobOnDown.error instanceof EslNotConnectedError);
    const single = await switches.bgapi(upName, 'originate', ['user/1001', '&park()']);
    assert.equal(await single.result, '+OK 1234\n');

    const events: SwitchEvent[] = [];
    switches.on('event', (event) => event.name === 'CHANNEL_CREATE' && events.push(event));
    up.emitEvent({ 'Event-Name': 'CHANNEL_CREATE', 'Unique-ID': 'u-1' });
    await waitFor(() => events.length > 0, 'the event');
    assert.equal(events[0]?.switch, upName);
    assert.equal(events[0]?.headers['Unique-ID'], 'u-1');

    const disconnected = once(switches, 'disconnected');
    up.dropConnections();
    assert.deepEqual(await disconnected, [upName, 'connection closed by the switch']);
  });
});
