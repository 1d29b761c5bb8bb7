import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EslClient, type EslClientOptions, type EslEvent } from '../../../src/freeswitch/esl/client.js';
import { UnsafeCommandValueError, assertSafeCommandValue } from '../../../src/freeswitch/esl/commands.js';
import { EslCommandError, EslConnectionLostError, EslNotConnectedError, EslTimeoutError } from '../../../src/freeswitch/esl/errors.js';
import { FakeEslPeer } from '../../helpers/fake-esl.js';
import { RecordingLogger, waitFor } from './support.js';

const FAST_RECONNECT = { initialMs: 20, maxMs: 200 };

async function startPeer(t: TestContext, options?: Parameters<typeof FakeEslPeer.start>[0]): Promise<FakeEslPeer> {
  const peer = await FakeEslPeer.start(options);
  t.after(() => peer.close());
  return peer;
}

function newClient(t: TestContext, peer: { host: string; port: number }, options: Partial<EslClientOptions> = {}) {
  const logger = new RecordingLogger();
  const client = new EslClient({ host: peer.host, port: peer.port, password: 'ClueCon', logger, reconnectDelay: FAST_RECONNECT, ...options });
  t.after(() => client.close());
  return { client, logger };
}

async function connectedClient(t: TestContext, peer: FakeEslPeer, options: Partial<EslClientOptions> = {}) {
  const made = newClient(t, peer, options);
  const ready = once(made.client, 'ready');
  made.client.start();
  await ready;
  return made;
}

function collectEvents(client: EslClient): EslEvent[] {
  const events: EslEvent[] = [];
  client.on('event', (event) => events.push(event));
  return events;
}

describe('EslClient against a fake Event Socket peer', () => {
  it('authenticates, subscribes, and runs api commands whose multi-line UTF-8 answers are counted in bytes', async (t) => {
    const peer = await startPeer(t);
    const answer = 'UP 0 years, 0 days\nSessions: 0 — 通话 ✓\n\nlast line';
    peer.onApi('status', answer);
    const { client } = await connectedClient(t, peer);

    assert.equal(await client.api('status'), answer);
    assert.equal(await client.api('status'), answer, 'the stream is still in step after a multi-byte body');
    assert.equal(await client.api('nope', ['a', 'b']), '-ERR nope Command not found!\n');
    assert.deepEqual(peer.commands, ['auth ClueCon', 'event json BACKGROUND_JOB', 'api status', 'api status', 'api nope a b']);
    assert.equal(client.status().connected, true);
    assert.equal(client.status().lastError, undefined);
  });

  it('with a wrong password is not connected, says why, and retries with growing delays under the cap', async (t) => {
    const peer = await startPeer(t, { password: 'the-right-one' });
    const password = 'not-the-password-7731';
    const { client, logger } = newClient(t, peer, { password, reconnectDelay: { initialMs: 20, maxMs: 80 } });
    client.start();
    await waitFor(() => peer.connectionTimes.length >= 7, 'seven connection attempts');

    assert.equal(client.connected, false);
    assert.match(client.status().lastError ?? '', /authentication refused \(-ERR invalid\)/);
    assert.ok(client.status().failedAttempts >= 6);
    const error = await client.api('status').catch((caught: unknown) => caught);
    assert.ok(error instanceof EslNotConnectedError);
    assert.match(error.message, /authentication refused/);

    // Delay after the k-th failure is drawn from [c/2, c], c = min(80, 20 * 2^k): 20-40, 40-80, then 40-80.
    const gaps = peer.connectionTimes.slice(1).map((time, index) => time - peer.connectionTimes[index]!);
    assert.ok(gaps[0]! >= 19, `first retry after ${gaps[0]} ms`);
    for (const gap of gaps.slice(1)) assert.ok(gap >= 39, `later retries wait at least 40 ms, got ${gaps.join(', ')}`);
    // Without the cap the fifth would wait 320-640 ms.
    for (const gap of gaps) assert.ok(gap < 300, `retries stay near the 80 ms cap, got ${gaps.join(', ')}`);

    assert.ok(!logger.text.includes(password), 'the password is never logged');
    assert.ok(!error.message.includes(password));
    assert.equal(logger.entries.filter((entry) => entry.level === 'warn').length, 1, 'the same failure is reported once, then at debug level');
  });

  it('bgapi: the job is accepted at once with our Job-UUID, and its result arrives as a BACKGROUND_JOB event', async (t) => {
    const peer = await startPeer(t);
    peer.onApi(/^originate /, { body: '+OK 7f4de4b2-0000\n', delayMs: 50 });
    const { client } = await connectedClient(t, peer);
    const events = collectEvents(client);

    const job = await client.bgapi('originate', ['{origination_caller_id_number=1000}user/1000', '&park()']);
    const sent = peer.received.at(-1)!;
    assert.equal(sent.line, 'bgapi originate {origination_caller_id_number=1000}user/1000 &park()');
    assert.equal(sent.headers['Job-UUID'], job.jobUuid);
    assert.equal(await job.result, '+OK 7f4de4b2-0000\n');
    const background = events.find((event) => event.name === 'BACKGROUND_JOB');
    assert.equal(background?.headers['Job-UUID'], job.jobUuid);
    assert.equal(background?.headers['Job-Command'], 'originate');

    const unknown = await client.bgapi('nope');
    assert.equal(await unknown.result, '-ERR nope Command not found!\n');
  });

  it('bgapi refused by the switch rejects with EslCommandError, and the connection goes on', async (t) => {
    const peer = await startPeer(t);
    // What FreeSWITCH answers a userauth login that may not run this API.
    peer.onApi('fsctl shutdown', { raw: 'Content-Type: command/reply\nReply-Text: -ERR permission denied\n\n' });
    peer.onApi('status', 'UP');
    const { client } = await connectedClient(t, peer);

    const error = await client.bgapi('fsctl', ['shutdown']).catch((caught: unknown) => caught);
    assert.ok(error instanceof EslCommandError);
    assert.equal(error.replyText, '-ERR permission denied');
    assert.equal(await client.api('status'), 'UP');
  });

  it('receives the subscribed events as parsed JSON: headers, arrays, UTF-8, bodies, CUSTOM subclasses', async (t) => {
    const peer = await startPeer(t);
    const { client } = await connectedClient(t, peer, { events: ['CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'], subclasses: ['sofia::register'] });
    assert.equal(peer.commands[1], 'event json BACKGROUND_JOB CHANNEL_CREATE CHANNEL_HANGUP_COMPLETE CUSTOM sofia::register');
    const events = collectEvents(client);

    assert.equal(peer.emitEvent({ 'Event-Name': 'CHANNEL_CREATE', 'Unique-ID': 'u-1', 'Caller-Caller-ID-Name': '张三', variable_list: ['a', 'b c'] }), 1);
    assert.equal(peer.emitEvent({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': 'u-1' }), 0, 'not subscribed');
    assert.equal(peer.emitEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::unregister' }), 0, 'another subclass');
    peer.emitEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register', username: '1000' }, 'first line\nsecond ✓');
    await waitFor(() => events.length === 2, 'two events');

    const [created, registered] = events;
    assert.equal(created?.name, 'CHANNEL_CREATE');
    assert.equal(created?.subclass, undefined);
    assert.equal(created?.headers['Caller-Caller-ID-Name'], '张三');
    assert.deepEqual(created?.headers['variable_list'], ['a', 'b c']);
    assert.equal(created?.headers['Core-UUID'], peer.coreUuid);
    assert.equal(created?.body, undefined);
    assert.equal(registered?.name, 'CUSTOM');
    assert.equal(registered?.subclass, 'sofia::register');
    assert.equal(registered?.headers['username'], '1000');
    assert.equal(registered?.body, 'first line\nsecond ✓');
  });

  it('reads frames cut at every byte boundary: the handshake, api answers and events', async (t) => {
    const peer = await startPeer(t);
    const answer = 'ok ✓ 通\nsecond line';
    peer.onApi('status', answer);
    peer.splitOutgoing({ everyByte: true, gapMs: 1 });
    const { client } = await connectedClient(t, peer, { events: ['CHANNEL_CREATE'] });
    const events = collectEvents(client);
    peer.emitEvent({ 'Event-Name': 'CHANNEL_CREATE', 'Caller-Caller-ID-Name': '李四 ✓' }, 'body ✓');
    await waitFor(() => events.length === 1, 'the event');
    assert.equal(events[0]?.headers['Caller-Caller-ID-Name'], '李四 ✓');
    assert.equal(events[0]?.body, 'body ✓');

    const frameLength = Buffer.byteLength(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(answer)}\n\n${answer}`);
    for (let cut = 1; cut < frameLength; cut++) {
      peer.splitOutgoing({ at: [cut], gapMs: 1 });
      assert.equal(await client.api('status'), answer, `answer cut after byte ${cut}`);
    }
  });

  it('reads several frames arriving in one TCP write, stray line ends included', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('status', 'UP');
    const { client } = await connectedClient(t, peer, { events: ['HEARTBEAT'] });
    const events = collectEvents(client);
    const event = (sequence: number) => {
      const json = JSON.stringify({ 'Event-Name': 'HEARTBEAT', 'Event-Sequence': String(sequence) });
      return `Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`;
    };
    peer.sendRaw(`${event(1)}${event(2)}\n${event(3)}Content-Type: log/data\nContent-Length: 4\n\nlog.`);

    assert.equal(await client.api('status'), 'UP');
    await waitFor(() => events.length === 3, 'three events');
    assert.deepEqual(events.map((received) => received.headers['Event-Sequence']), ['1', '2', '3']);
  });

  it('matches answers to concurrent commands in the order they were sent', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('slow', { body: 'first', delayMs: 80 });
    peer.onApi('fast', 'second');
    peer.onApi(/^echo /, ({ args }) => ({ body: args, delayMs: Number(args) % 3 }));
    const { client } = await connectedClient(t, peer);

    const [slow, fast, job] = await Promise.all([client.api('slow'), client.api('fast'), client.bgapi('echo', ['7'])]);
    assert.deepEqual([slow, fast, await job.result], ['first', 'second', '7']);
    const numbers = Array.from({ length: 20 }, (_, index) => String(index));
    assert.deepEqual(await Promise.all(numbers.map((number) => client.api('echo', [number]))), numbers);
  });

  it('a command with no answer times out, and the connection is dropped and made again', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('hang', { noReply: true });
    peer.onApi('status', 'UP');
    peer.onApi('slow', { body: 'late', delayMs: 300 });
    const { client } = await connectedClient(t, peer, { commandTimeoutMs: 100 });

    const reconnected = once(client, 'ready');
    const hung = client.api('hang');
    const behind = client.api('status');
    const timeout = await hung.catch((caught: unknown) => caught);
    assert.ok(timeout instanceof EslTimeoutError);
    assert.equal(timeout.timeoutMs, 100);
    assert.equal(timeout.command, 'api hang');
    await assert.rejects(behind, EslConnectionLostError);
    assert.match(client.status().lastError ?? '', /no answer to "api hang" within 100 ms/);

    await reconnected;
    assert.equal(await client.api('status'), 'UP');
    assert.equal(peer.connectionTimes.length, 2);

    const overridden = await client.api('slow', [], { timeoutMs: 30 }).catch((caught: unknown) => caught);
    assert.ok(overridden instanceof EslTimeoutError);
    assert.equal(overridden.timeoutMs, 30);
  });

  it('a connection cut in the middle of a command: it fails, others fail at once, then the client reconnects, re-subscribes and works', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('boom', { drop: true });
    peer.onApi('status', 'UP');
    const { client } = await connectedClient(t, peer, { events: ['CHANNEL_CREATE'] });
    const events = collectEvents(client);
    const disconnected = once(client, 'disconnected');
    const reconnected = once(client, 'ready');

    await assert.rejects(client.api('boom'), EslConnectionLostError);
    const startedAt = performance.now();
    await assert.rejects(client.api('status'), EslNotConnectedError);
    assert.ok(performance.now() - startedAt < 50, 'fails at once instead of waiting');
    assert.deepEqual(await disconnected, ['connection closed by the switch']);

    await reconnected;
    const [, secondConnection] = peer.connectionTimes;
    assert.ok(secondConnection! - startedAt >= 9, 'waits its backoff before reconnecting');
    assert.equal(await client.api('status'), 'UP');
    assert.equal(peer.commands.filter((line) => line.startsWith('event json')).length, 2, 'subscribed again');
    peer.emitEvent({ 'Event-Name': 'CHANNEL_CREATE', 'Unique-ID': 'after' });
    await waitFor(() => events.length === 1, 'an event on the new connection');
  });

  it('garbage from the switch drops the connection, and the client recovers', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('garbage', { raw: 'this is not a frame\n\n' });
    peer.onApi('mismatch', { raw: 'Content-Type: command/reply\nReply-Text: +OK\n\n' });
    peer.onApi('status', 'UP');
    const { client } = await connectedClient(t, peer);

    let reconnected = once(client, 'ready');
    const lost = await client.api('garbage').catch((caught: unknown) => caught);
    assert.ok(lost instanceof EslConnectionLostError);
    assert.match(lost.message, /protocol error: malformed header line "this is not a frame"/);
    await reconnected;
    assert.equal(await client.api('status'), 'UP');

    reconnected = once(client, 'ready');
    await assert.rejects(client.api('mismatch'), { name: 'EslConnectionLostError', message: /protocol error: command\/reply in answer to "api mismatch"/ });
    await reconnected;
    assert.equal(await client.api('status'), 'UP');

    reconnected = once(client, 'ready');
    const disconnected = once(client, 'disconnected');
    peer.sendRaw('Content-Length: 3\n\nabc');
    assert.deepEqual(await disconnected, ['protocol error: frame without Content-Type']);
    await reconnected;
    assert.equal(await client.api('status'), 'UP');
  });

  it('a disconnect notice is given as the reason, and a switch restarted on the same port is reconnected', async (t) => {
    const first = await FakeEslPeer.start();
    first.onApi('status', 'first');
    const { client } = await connectedClient(t, first);

    const disconnected = once(client, 'disconnected');
    first.disconnectAll();
    assert.deepEqual(await disconnected, ['disconnected by the switch: The system is being shut down.']);
    await first.close();

    await waitFor(() => client.status().failedAttempts >= 1, 'a refused attempt');
    assert.match(client.status().lastError ?? '', /ECONNREFUSED/);
    const reconnected = once(client, 'ready');
    const restarted = await startPeer(t, { port: first.port });
    restarted.onApi('status', 'restarted');
    await reconnected;
    assert.equal(await client.api('status'), 'restarted');
  });

  it('commands fail at once with EslNotConnectedError before start and while the switch is unreachable', async (t) => {
    const gone = await FakeEslPeer.start();
    await gone.close();
    const { client } = newClient(t, gone);
    await assert.rejects(client.api('status'), EslNotConnectedError);

    client.start();
    await waitFor(() => client.status().failedAttempts >= 2, 'two refused attempts');
    const startedAt = performance.now();
    const error = await client.bgapi('status').catch((caught: unknown) => caught);
    assert.ok(performance.now() - startedAt < 50);
    assert.ok(error instanceof EslNotConnectedError);
    assert.equal(error.switchName, `127.0.0.1:${gone.port}`);
    assert.match(error.message, /is not connected \(connect ECONNREFUSED/);
    assert.equal(client.status().connected, false);
  });

  it('a listener that accepts the connection but never asks for auth counts as a failed attempt', async (t) => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    t.after(() => {
      silent.close();
      for (const socket of sockets) socket.destroy();
    });
    const address = silent.address() as AddressInfo;
    const { client } = newClient(t, { host: '127.0.0.1', port: address.port }, { connectTimeoutMs: 50 });
    client.start();
    await waitFor(() => client.status().failedAttempts >= 2, 'two attempts timing out');
    assert.equal(client.status().lastError, 'not ready within 50 ms');
  });

  it('refuses values with line breaks before anything reaches the switch', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('status', 'UP');
    const { client } = await connectedClient(t, peer);
    const sentBefore = peer.commands.length;

    const injected = await client.api('show', ['channels\n\napi system reboot']).catch((caught: unknown) => caught);
    assert.ok(injected instanceof UnsafeCommandValueError);
    assert.equal(injected.field, 'args[0]');
    await assert.rejects(client.api('uuid_kill', ['abc', 'NORMAL\rCLEARING']), { name: 'UnsafeCommandValueError', message: /^args\[1\]: must not contain line breaks/ });
    await assert.rejects(client.bgapi('originate', ['user/1000\nJob-UUID: x']), UnsafeCommandValueError);
    await assert.rejects(client.api('show channels'), { name: 'UnsafeCommandValueError', message: /^command: must be a FreeSWITCH API name/ });
    await assert.rejects(client.api('status\n'), UnsafeCommandValueError);
    await assert.rejects(client.api('echo', ['nul\0byte']), UnsafeCommandValueError);
    assert.equal(await client.api('status'), 'UP');
    assert.deepEqual(peer.commands.slice(sentBefore), ['api status'], 'only the safe command was sent');

    assert.throws(() => new EslClient({ host: '127.0.0.1', port: 1, password: 'x\nevent plain ALL', logger: new RecordingLogger() }), /^UnsafeCommandValueError: password:/);
    assert.throws(() => new EslClient({ host: '127.0.0.1', port: 1, password: 'x', logger: new RecordingLogger(), events: ['CHANNEL_CREATE\n\napi x'] }), UnsafeCommandValueError);
    assert.throws(() => assertSafeCommandValue('1000\r\n', 'destNumber'), { message: 'destNumber: must not contain line breaks or NUL characters' });
    assert.doesNotThrow(() => assertSafeCommandValue("{origination_caller_id_name='张 三'}user/1000 &park()", 'destNumber'));
  });

  it('a bgapi job fails with the connection that would have carried its result, or after its own timeout', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('forever', { noReply: true });
    peer.onApi('status', 'UP');
    const { client } = await connectedClient(t, peer, { jobTimeoutMs: 50 });

    const timedOut = await client.bgapi('forever');
    await assert.rejects(timedOut.result, EslTimeoutError);
    assert.equal(await client.api('status'), 'UP', 'a job timing out leaves the connection alone');
    assert.equal(peer.connectionTimes.length, 1);

    const lost = await client.bgapi('forever', [], { jobTimeoutMs: 5_000 });
    await client.bgapi('forever'); // its result is never awaited: failing must not be an unhandled rejection
    peer.dropConnections();
    await assert.rejects(lost.result, EslConnectionLostError);
  });

  it('close() says exit, fails what was still waiting, and stays closed', async (t) => {
    const peer = await startPeer(t);
    peer.onApi('slow', { body: 'late', delayMs: 100 });
    const { client } = await connectedClient(t, peer);

    const pending = client.api('slow');
    await client.close();
    await assert.rejects(pending, { name: 'EslConnectionLostError', message: /client closed/ });
    await waitFor(() => peer.commands.includes('exit'), 'exit');
    await assert.rejects(client.api('slow'), { name: 'EslNotConnectedError', message: /client closed/ });
    client.start();
    await sleep(100);
    assert.equal(peer.connectionTimes.length, 1, 'no reconnection after close');
  });
});
