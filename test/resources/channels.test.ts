import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pino } from 'pino';
import { Switches, parseSwitchList } from '../../src/freeswitch/esl/switches.js';
import { FakeEslPeer, type ApiRequest } from '../helpers/fake-esl.js';
import { describeOnEachDatabase, type Reply } from '../helpers/harness.js';
import { assertBadRequest, assertNotFound } from '../helpers/assertions.js';
import { start } from '../helpers/process.js';
import { waitFor } from '../freeswitch/esl/support.js';

const RECORDINGS = '/var/lib/switchboard/recordings';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The spec's example row of 获取通话 Channel 信息, as `show channels as json` has it. */
const SPEC_ROW = {
  uuid: 'cfd41551-bec3-4fc6-bca0-c1a07784f207', direction: 'inbound', created: '2022-05-18 14:09:00', created_epoch: '1652854140',
  name: 'sofia/default/1003@192.168.3.222', state: 'CS_EXECUTE', cid_name: '1003', cid_num: '1003', ip_addr: '192.168.3.192',
  dest: '1001', application: 'bridge', application_data: '{origination_callee_id_name=1001}user/1001', dialplan: 'XML',
  context: 'context-1', read_codec: 'PCMA', read_rate: '8000', read_bit_rate: '64000', write_codec: 'PCMA', write_rate: '8000',
  write_bit_rate: '64000', secure: '', hostname: 'bob', presence_id: '1003@192.168.3.222', presence_data: '', accountcode: '1003',
  callstate: 'ACTIVE', callee_name: '1001', callee_num: '1001', callee_direction: 'SEND', call_uuid: 'cfd41551-bec3-4fc6-bca0-c1a07784f207',
  sent_callee_name: '1001', sent_callee_num: '1001', initial_cid_name: '1003', initial_cid_num: '1003', initial_ip_addr: '192.168.3.192',
  initial_dest: '1001', initial_dialplan: 'XML', initial_context: 'context-1',
};
const COLUMNS = Object.keys(SPEC_ROW);

/** A fake switch with live channels: `show channels`, `uuid_exists`, `uuid_kill` and `originate` answer from them. */
class FakeSwitch {
  readonly channels = new Map<string, Record<string, string>>();
  /** Where the commands of the current test begin. */
  private mark = 0;

  private constructor(readonly peer: FakeEslPeer) {}

  static async start(): Promise<FakeSwitch> {
    const fake = new FakeSwitch(await FakeEslPeer.start());
    fake.reset();
    return fake;
  }

  get name(): string {
    return `127.0.0.1:${this.peer.port}`;
  }

  /** Default answers again, no channels, and a new start for `sent()`. */
  reset(): void {
    this.channels.clear();
    this.mark = this.peer.received.length;
    const { peer } = this;
    peer.onApi('show channels as json', () => {
      const rows = [...this.channels.values()];
      return `${JSON.stringify(rows.length === 0 ? { row_count: 0 } : { row_count: rows.length, rows })}\n`;
    });
    peer.onApi(/^uuid_exists /, ({ args }) => String(this.channels.has(args)));
    peer.onApi(/^(uuid_kill|uuid_audio|uuid_record|uuid_write_png) /, ({ args }) =>
      (this.channels.has(args.split(' ')[0]!) ? '+OK\n' : '-ERR No such channel!\n'));
    peer.onApi(/^originate /, ({ args }: ApiRequest) => `+OK ${/origination_uuid=([^,}]+)/.exec(args)?.[1]}\n`);
  }

  add(uuid: string): void {
    this.channels.set(uuid, { ...SPEC_ROW, uuid, call_uuid: uuid });
  }

  /** The commands received since the last reset. */
  sent(): string[] {
    return this.peer.commands.slice(this.mark);
  }
}

const first = await FakeSwitch.start();
const second = await FakeSwitch.start();
const switches = new Switches(parseSwitchList(`${first.name}:ClueCon,${second.name}:ClueCon`), {
  logger: pino({ level: 'silent' }),
  commandTimeoutMs: 500,
  reconnectDelay: { initialMs: 20, maxMs: 100 },
});
const bothConnected = () => waitFor(() => switches.connected().length === 2, 'both switches connected');
switches.start();
await bothConnected();
after(async () => {
  await switches.close();
  await first.peer.close();
  await second.peer.close();
});

function resetSwitches(): void {
  first.reset();
  second.reset();
}

const sentToAny = () => [...first.sent(), ...second.sent()];

function assertSpecFailure(reply: Reply, status: number, field: string, spec: Record<string, string>): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.code, status);
  assert.match(reply.body.message, new RegExp(`^${field}: `));
  // The spec's failure bodies: `reason` on a 400, `msg` (the switch's words) otherwise.
  assert.equal(typeof reply.body[status === 400 ? 'reason' : 'msg'], 'string', JSON.stringify(reply.body));
  for (const [key, value] of Object.entries(spec)) assert.equal(reply.body[key], value, key);
}

describeOnEachDatabase('channels over two fake switches', (server) => {
  const post = (body: unknown, headers?: Record<string, string>) => server().request('POST', '/api/channels', body, headers ? { headers } : {});

  test('外呼 (form): originates on the first switch as the spec’s curl example asks, answering the new channel’s uuid', async () => {
    resetSwitches();
    const reply = await post('destNumber=1000&app=playback&args=/wav/vacation.wav', FORM);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(Object.keys(reply.body).sort(), ['result', 'uuid']);
    assert.equal(reply.body.result, 'ok');
    assert.match(reply.body.uuid, UUID_SHAPE);
    assert.deepEqual(first.sent(), [`bgapi originate {origination_uuid=${reply.body.uuid}}user/1000 playback:/wav/vacation.wav inline`]);
    assert.deepEqual(second.sent(), []);
  });

  test('外呼 (JSON): the spec’s recorded transfer, with caller id, auto answer and early media off', async () => {
    resetSwitches();
    const reply = await post({
      autoAnswer: 'true',
      earlyMedia: false,
      destNumber: '1000',
      cidName: 'Zhang San',
      cidNumber: '4000',
      apps: [
        { app: 'set', args: 'RECORD_ANSWER_REQ=true' },
        { app: 'record_session', args: 'test.wav' },
        { app: 'transfer', args: '18600000000' },
      ],
    });
    assert.deepEqual(reply.body, { result: 'ok', uuid: reply.body.uuid });
    assert.deepEqual(first.sent(), [
      `bgapi originate {origination_uuid=${reply.body.uuid},origination_caller_id_name='Zhang San',origination_caller_id_number=4000,` +
      `ignore_early_media=true,sip_auto_answer=true}user/1000 ` +
      `set:RECORD_ANSWER_REQ=true,record_session:${RECORDINGS}/test.wav,transfer:'18600000000 XML context-1' inline`,
    ]);
  });

  test('a call with no app parks; flags read as the spec writes them and as CONTRACT allows', async () => {
    resetSwitches();
    for (const [body, variables] of [
      [{ destNumber: 1000 }, ''],
      [{ destNumber: '1000', autoAnswer: 1, earlyMedia: '0' }, ',ignore_early_media=true,sip_auto_answer=true'],
      [{ destNumber: '1000', autoAnswer: 'false', earlyMedia: 'true' }, ''],
    ] as const) {
      first.reset();
      const reply = await post(body);
      assert.equal(reply.body.result, 'ok', JSON.stringify(body));
      assert.deepEqual(first.sent(), [`bgapi originate {origination_uuid=${reply.body.uuid}${variables}}user/1000 park inline`], JSON.stringify(body));
    }
  });

  test('async answers once the switch took the job, with the job’s uuid, without waiting for the call', async () => {
    resetSwitches();
    first.peer.onApi(/^originate /, { noReply: true });
    const reply = await post('destNumber=1000&async=true', FORM);
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['jobUUID', 'result', 'uuid']);
    assert.equal(reply.body.result, 'ok');
    assert.match(reply.body.jobUUID, UUID_SHAPE);
    assert.deepEqual(first.sent(), [`bgapi originate {origination_uuid=${reply.body.uuid}}user/1000 park inline`]);
  });

  test('a call the switch cannot place answers result error with its cause', async () => {
    resetSwitches();
    first.peer.onApi(/^originate /, '-ERR USER_NOT_REGISTERED\n');
    const reply = await post({ destNumber: '1009' });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { result: 'error', reason: 'USER_NOT_REGISTERED' });
  });

  test('three-way, eavesdrop and intercept originate on the switch of the channel they join', async () => {
    for (const app of ['three_way', 'eavesdrop', 'intercept']) {
      resetSwitches();
      second.add('call-on-second');
      const reply = await post(`destNumber=1007&app=${app}&args=call-on-second`, FORM);
      assert.equal(reply.body.result, 'ok', app);
      assert.deepEqual(first.sent(), ['api uuid_exists call-on-second'], app);
      assert.deepEqual(second.sent(), [
        'api uuid_exists call-on-second',
        `bgapi originate {origination_uuid=${reply.body.uuid}}user/1007 ${app}:call-on-second inline`,
      ], app);
    }
    resetSwitches();
    const missing = await post({ app: 'eavesdrop', destNumber: '1007', args: 'no-such-call' });
    assertBadRequest(missing, 'args');
    assert.ok(!sentToAny().some((command) => command.includes('originate')), 'nothing originated');
  });

  test('`switch` chooses the switch that places the call; one FREESWITCH_ESL does not list is 404', async () => {
    resetSwitches();
    const reply = await post({ destNumber: '1000', switch: second.name });
    assert.equal(reply.body.result, 'ok');
    assert.deepEqual(first.sent(), []);
    assert.deepEqual(second.sent(), [`bgapi originate {origination_uuid=${reply.body.uuid}}user/1000 park inline`]);
    const unknown = await post({ destNumber: '1000', switch: 'elsewhere:8021' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { code: 404, message: 'switch elsewhere:8021: not configured (FREESWITCH_ESL)' });
  });

  test('a user gateway carries the call: its registered contact, with the number in place of the user', async () => {
    resetSwitches();
    first.peer.onApi('sofia_contact 5005', 'sofia/internal/sip:5005@10.0.0.5:5060;transport=udp');
    const reply = await post('destNumber=8000&userGateway=5005&app=playback&args=/tmp/test.wav', FORM);
    assert.equal(reply.body.result, 'ok');
    assert.deepEqual(first.sent(), [
      'api sofia_contact 5005',
      `bgapi originate {origination_uuid=${reply.body.uuid}}sofia/internal/sip:8000@10.0.0.5:5060;transport=udp playback:/tmp/test.wav inline`,
    ]);

    resetSwitches();
    first.peer.onApi('sofia_contact 5006', 'error/user_not_registered');
    assert.deepEqual((await post({ destNumber: '8000', userGateway: '5006' })).body, { result: 'error', reason: 'USER_NOT_REGISTERED' });
    assert.deepEqual(first.sent(), ['api sofia_contact 5006']);
  });

  test('injection attempts are refused with 400 naming the field, and nothing reaches a switch', async () => {
    resetSwitches();
    const attempts: [unknown, string][] = [
      [{ destNumber: '1000\r\n\r\napi system id' }, 'destNumber'],
      [{ destNumber: '1000 &system(id)' }, 'destNumber'],
      [{ destNumber: '1000}{api_hangup_hook=system id' }, 'destNumber'],
      [{ destNumber: '1000,user/1001' }, 'destNumber'],
      [{ destNumber: '1000', cidName: "x',api_on_answer='system id" }, 'cidName'],
      [{ destNumber: '1000', cidName: 'x}user/1001 &park(' }, 'cidName'],
      [{ destNumber: '1000', cidNumber: '1 2' }, 'cidNumber'],
      [{ destNumber: '1000', app: 'system', args: 'id' }, 'app'],
      [{ destNumber: '1000', app: 'playback', args: '/wav/a.wav,hangup' }, 'args'],
      [{ destNumber: '1000', app: 'playback', args: '/wav/a.wav inline XML evil' }, 'args'],
      [{ destNumber: '1000', app: 'playback', args: '${system(id)}' }, 'args'],
      [{ destNumber: '1000', app: 'transfer', args: "1000' XML public" }, 'args'],
      [{ destNumber: '1000', app: 'set', args: 'api_hangup_hook=system id' }, 'args'],
      [{ destNumber: '1000', apps: [{ app: 'answer' }, { app: 'record_session', args: '../../etc/cron.d/x.wav' }] }, 'apps.1.args'],
      [{ destNumber: '1000', apps: [{ app: 'record_session', args: '/tmp/test.wav' }] }, 'apps.0.args'],
      [{ destNumber: '1000', userGateway: '5005 &park' }, 'userGateway'],
      [{ destNumber: '1000', app: 'park', apps: [{ app: 'park' }] }, 'apps'],
      [{ destNumber: '1000', args: '/wav/a.wav' }, 'app'],
      [{ destNumber: '1000', apps: 'park' }, 'apps.0'],
      [{}, 'destNumber'],
    ];
    for (const [body, field] of attempts) assertBadRequest(await post(body), field, JSON.stringify(body));
    for (const [path, field] of [
      [`/api/channels/${encodeURIComponent("x'y")}`, 'uuid'],
      [`/api/channels/${encodeURIComponent('a b')}`, 'uuid'],
      [`/api/channels/${encodeURIComponent('a\r\nb')}`, 'uuid'],
      ['/api/channels/abc?hangupCause=USER_BUSY%20x', 'hangupCause'],
    ] as const) {
      assertBadRequest(await server().delete(path), field, path);
    }
    for (const fileName of ['../../etc/passwd.mp4', '/etc/x.mp4', 'a/b/c.mp4', 'x y.mp4', "x'.mp4", 'x.sh']) {
      const reply = await server().put('/api/channels/abc', { action: 'record', record: 'on', file_name: fileName });
      assertSpecFailure(reply, 400, 'file_name', {});
    }
    assertSpecFailure(await server().put('/api/channels/abc', { action: 'snapshot', png_name: '../x.png' }), 400, 'png_name', {});
    assert.deepEqual(sentToAny(), [], 'no command was sent');
  });

  test('GET lists the channels of both switches, each saying which switch has it, in the spec’s fields', async () => {
    resetSwitches();
    assert.deepEqual((await server().get('/api/channels')).body, []);
    first.add('a-1');
    first.add('a-2');
    second.add('b-1');
    second.channels.get('b-1')!.extra_column = 'not in the spec';
    const reply = await server().get('/api/channels');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.map((row: { uuid: string; switch: string }) => [row.uuid, row.switch]), [
      ['a-1', first.name], ['a-2', first.name], ['b-1', second.name],
    ]);
    for (const row of reply.body) {
      assert.deepEqual(Object.keys(row).sort(), [...COLUMNS, 'switch'].sort());
      assert.deepEqual({ ...row, switch: undefined }, { ...SPEC_ROW, uuid: row.uuid, call_uuid: row.uuid, switch: undefined });
    }
    assert.deepEqual(first.sent(), ['api show channels as json', 'api show channels as json']);
  });

  test('DELETE hangs up on the switch that has the channel, with an optional cause', async () => {
    resetSwitches();
    second.add('b-1');
    const reply = await server().delete('/api/channels/b-1');
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: 'b-1' });
    assert.deepEqual(first.sent(), ['api uuid_exists b-1']);
    assert.deepEqual(second.sent(), ['api uuid_exists b-1', 'api uuid_kill b-1']);

    resetSwitches();
    first.add('a-1');
    assert.equal((await server().delete('/api/channels/a-1?hangupCause=USER_BUSY')).status, 200);
    assert.deepEqual(first.sent(), ['api uuid_exists a-1', 'api uuid_kill a-1 USER_BUSY']);
  });

  test('an unknown uuid is 404 for DELETE and for every action, and nothing is sent to hang it up', async () => {
    resetSwitches();
    assertNotFound(await server().delete('/api/channels/no-such-call'));
    for (const body of [{ action: 'deaf', deaf: 'on' }, { action: 'record', record: 'on', file_name: 'a.mp4' }, { action: 'snapshot', png_name: 'a.png' }]) {
      const reply = await server().put('/api/channels/no-such-call', body);
      assert.equal(reply.status, 404, JSON.stringify(body));
      assert.deepEqual(reply.body, { code: 404, message: 'not found', data: '{}', msg: 'Could not locate session.' });
    }
    assert.ok(sentToAny().every((command) => command === 'api uuid_exists no-such-call'), JSON.stringify(sentToAny()));
  });

  test('静音 (deaf): on and off mute what the channel hears; the spec’s bodies', async () => {
    resetSwitches();
    first.add('a-1');
    assert.deepEqual((await server().put('/api/channels/a-1', { action: 'deaf', deaf: 'on' })).body, { msg: 'ok', code: 200 });
    assert.deepEqual((await server().put('/api/channels/a-1', { action: 'deaf', deaf: 'off' })).body, { msg: 'ok', code: 200 });
    assert.deepEqual(first.sent().filter((command) => !command.includes('uuid_exists')), [
      'api uuid_audio a-1 start write mute 1',
      'api uuid_audio a-1 start write mute 0',
    ]);
    for (const body of [{ action: 'deaf' }, { action: 'deaf', deaf: 'yes' }]) {
      assertSpecFailure(await server().put('/api/channels/a-1', body), 400, 'deaf', { reason: 'missing mute param in json body' });
    }
  });

  test('录屏 (record): starts and stops under RECORDINGS_DIR and answers the file; the spec’s bodies', async () => {
    resetSwitches();
    first.add('a-1');
    assert.deepEqual((await server().put('/api/channels/a-1', { action: 'record', record: 'on', file_name: 'test.mp4' })).body,
      { msg: 'ok', file: `${RECORDINGS}/test.mp4`, code: 200 });
    assert.deepEqual((await server().put('/api/channels/a-1', { action: 'record', record: 'off', file_name: 'test.mp4' })).body,
      { msg: 'ok', file: `${RECORDINGS}/test.mp4`, code: 200 });
    assert.deepEqual((await server().put('/api/channels/a-1', { action: 'record', record: 'off' })).body, { msg: 'ok', code: 200 });
    assert.deepEqual(first.sent().filter((command) => !command.includes('uuid_exists')), [
      `api uuid_record a-1 start ${RECORDINGS}/test.mp4`,
      `api uuid_record a-1 stop ${RECORDINGS}/test.mp4`,
      'api uuid_record a-1 stop all',
    ]);
    assertSpecFailure(await server().put('/api/channels/a-1', { action: 'record', record: 'maybe', file_name: 'a.mp4' }), 400, 'record',
      { reason: 'record param should be on or off' });
    assertSpecFailure(await server().put('/api/channels/a-1', { action: 'record', record: 'on' }), 400, 'file_name', {});
  });

  test('截图 (snapshot): writes the picture under RECORDINGS_DIR; the switch’s refusal is passed on', async () => {
    resetSwitches();
    first.add('a-1');
    assert.deepEqual((await server().put('/api/channels/a-1', { action: 'snapshot', png_name: 'test.png' })).body, { msg: 'ok', code: 200 });
    assert.deepEqual(first.sent().at(-1), `api uuid_write_png a-1 ${RECORDINGS}/test.png`);
    first.peer.onApi(/^uuid_write_png /, '-ERR Session does not have video.\n');
    assertSpecFailure(await server().put('/api/channels/a-1', { action: 'snapshot', png_name: 'test.png' }), 409, 'png_name',
      { msg: 'Session does not have video.' });
    assertSpecFailure(await server().put('/api/channels/a-1', { action: 'snapshot' }), 400, 'png_name', {});
    assertSpecFailure(await server().put('/api/channels/a-1', { action: 'dance' }), 400, 'action', {});
    assertSpecFailure(await server().put('/api/channels/a-1', {}), 400, 'action', {});
  });

  test('a switch that drops the connection mid-command, or does not answer in time, is a 503 naming it; then it is back', async () => {
    resetSwitches();
    first.add('a-1');
    first.peer.onApi(/^uuid_kill /, { drop: true });
    const dropped = await server().delete('/api/channels/a-1');
    assert.equal(dropped.status, 503);
    assert.deepEqual(dropped.body, { code: 503, message: `switch ${first.name}: connection lost before it answered` });
    await bothConnected();

    first.peer.onApi(/^uuid_kill /, { body: '+OK\n', delayMs: 1_500 });
    const slow = await server().delete('/api/channels/a-1');
    assert.deepEqual(slow.body, { code: 503, message: `switch ${first.name}: no answer within 500 ms` });
    await bothConnected();

    first.reset();
    first.add('a-1');
    assert.equal((await server().delete('/api/channels/a-1')).status, 200, 'commands work again after the reconnection');
  });

  test('with one switch failing, the list shows the other’s channels; a channel found on neither may be on the failing one: 503', async () => {
    resetSwitches();
    second.add('b-1');
    first.peer.onApi('show channels as json', { drop: true });
    const listed = await server().get('/api/channels');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.map((row: { uuid: string }) => row.uuid), ['b-1']);
    await bothConnected();

    first.peer.onApi(/^uuid_exists /, { drop: true });
    assert.equal((await server().delete('/api/channels/b-1')).status, 200, 'found on the switch that answered');
    await bothConnected();
    const unknown = await server().delete('/api/channels/no-such-call');
    assert.deepEqual(unknown.body, { code: 503, message: `switch ${first.name}: connection lost before it answered` });
    await bothConnected();
  });
}, { switches, recordingsDir: RECORDINGS });

// A switch that was never there: the port of a peer that is closed again.
const gone = await FakeEslPeer.start();
await gone.close();
const downName = `127.0.0.1:${gone.port}`;
const down = new Switches(parseSwitchList(`${downName}:ClueCon`), { logger: pino({ level: 'silent' }), reconnectDelay: { initialMs: 20, maxMs: 100 } });
down.start();
after(() => down.close());

describeOnEachDatabase('channels with every switch down', (server) => {
  test('every switch-bound endpoint answers 503 saying which switch; bad input is still 400; the rest of the API goes on', async () => {
    await waitFor(() => down.status()[0]!.failedAttempts > 0, 'a refused connection');
    const unavailable = { code: 503, message: `switch ${downName}: not connected` };
    for (const [method, path, body] of [
      ['GET', '/api/channels', undefined],
      ['POST', '/api/channels', { destNumber: '1000' }],
      ['DELETE', '/api/channels/a-1', undefined],
      ['PUT', '/api/channels/a-1', { action: 'deaf', deaf: 'on' }],
    ] as const) {
      const reply = await server().request(method, path, body);
      assert.equal(reply.status, 503, `${method} ${path}`);
      assert.deepEqual(reply.body, unavailable, `${method} ${path}`);
    }
    assertBadRequest(await server().post('/api/channels', { destNumber: '1000;x' }), 'destNumber');
    assert.equal((await server().get('/api/contexts')).status, 200);
    assert.equal((await server().get('/api/ping')).status, 200);
  });
}, { switches: down, recordingsDir: RECORDINGS });

describeOnEachDatabase('channels with no switch configured (FREESWITCH_ESL=none)', (server) => {
  test('switch-bound endpoints answer 503 saying there is none', async () => {
    const reply = await server().get('/api/channels');
    assert.equal(reply.status, 503);
    assert.deepEqual(reply.body, { code: 503, message: 'switch: none configured (FREESWITCH_ESL)' });
    assert.equal((await server().post('/api/channels', { destNumber: '1000' })).status, 503);
  });
});

describe('the process: switches start once the API listens, and are told goodbye on shutdown', () => {
  test('GET /api/channels answers from the switch of FREESWITCH_ESL; SIGTERM says exit to it', async () => {
    const fake = await FakeSwitch.start();
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-channels-'));
    try {
      fake.add('live-1');
      const authenticated = once(fake.peer, 'authenticated');
      const running = await start({
        DATABASE_URL: join(dir, 'db.sqlite'),
        ADMIN_PASSWORD: 'channels-test-password',
        FREESWITCH_ESL: `${fake.name}:ClueCon`,
        RECORDINGS_DIR: join(dir, 'recordings'),
      });
      await authenticated;
      const token = await running.tokenFor('channels-test-password');
      const reply = await fetch(running.url('/api/channels'), { headers: { 'x-xtra-auth-id': token } });
      assert.equal(reply.status, 200);
      assert.deepEqual(((await reply.json()) as { uuid: string }[]).map((row) => row.uuid), ['live-1']);
      assert.deepEqual(await running.stop(), { code: 0, signal: null });
      assert.equal(fake.peer.commands.at(-1), 'exit');
    } finally {
      await fake.peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
