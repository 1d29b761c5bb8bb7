import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CHANNEL_APPS,
  TRANSFER_CONTEXT,
  endpointThroughContact,
  originateArgs,
  planOriginate,
  recordingFile,
  userEndpoint,
  type OriginateInput,
} from '../../src/freeswitch/channel-commands.js';
import { UnsafeCommandValueError } from '../../src/freeswitch/esl/commands.js';

const FILES = { recordingsDir: '/var/lib/switchboard/recordings' };
const UUID = '2119feac-4cb5-499d-b5e8-6a39e2830ec0';
const TARGET = 'cfd41551-bec3-4fc6-bca0-c1a07784f207';
const BASE: OriginateInput = { destNumber: '1000', autoAnswer: false, earlyMedia: true };

const originate = (input: Partial<OriginateInput>) => {
  const plan = planOriginate({ ...BASE, ...input }, FILES);
  return originateArgs(plan, UUID, userEndpoint(plan.destNumber));
};

/**
 * How FreeSWITCH's API splits an originate line (switch_separate_string with a space): single
 * quotes group words and are removed, a backslash keeps the next character.
 */
function freeswitchArgv(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\') {
      current += line[++i] ?? '';
      started = true;
    } else if (char === "'") {
      quoted = !quoted;
      started = true;
    } else if (char === ' ' && !quoted) {
      if (started) tokens.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) tokens.push(current);
  return tokens;
}

const VARIABLES = new Set(['origination_uuid', 'origination_caller_id_name', 'origination_caller_id_number', 'ignore_early_media', 'sip_auto_answer']);

/** What FreeSWITCH will read from the command: exactly our structure, whatever went in. */
function assertStructure(args: string[]): void {
  const line = args.join(' ');
  assert.doesNotMatch(line, /[\r\n\0$"\\]/, line);
  const argv = freeswitchArgv(line);
  assert.equal(argv.length, 3, `three arguments in ${line}`);
  assert.equal(argv[2], 'inline', line);
  const leg = /^\{([^{}]*)\}user\/[0-9+*#]+$/.exec(argv[0]!);
  assert.ok(leg, `one variable block and a user endpoint in ${argv[0]}`);
  for (const assignment of leg[1]!.split(',')) {
    assert.ok(VARIABLES.has(assignment.slice(0, assignment.indexOf('='))), `variable ${assignment}`);
  }
  for (const element of argv[1]!.split(',')) {
    const name = element.includes(':') ? element.slice(0, element.indexOf(':')) : element;
    assert.ok(Object.hasOwn(CHANNEL_APPS, name), `app ${name} in ${argv[1]}`);
  }
}

function assertRefused(input: Partial<OriginateInput>, field: string): void {
  assert.throws(() => originate(input), (error: unknown) => {
    assert.ok(error instanceof UnsafeCommandValueError, String(error));
    assert.equal(error.field, field, `${JSON.stringify(input)}: ${error.message}`);
    return true;
  });
}

describe('originate command', () => {
  it('parks a plain call, with our uuid, ringing user/<destNumber>', () => {
    assert.deepEqual(originate({}), [`{origination_uuid=${UUID}}user/1000`, 'park', 'inline']);
  });

  it('carries the caller id (the name quoted, spaces kept), early media and auto answer as channel variables', () => {
    const args = originate({ cidName: 'Zhang San', cidNumber: '+8610', earlyMedia: false, autoAnswer: true, app: { app: 'transfer', args: '18600000000' } });
    assert.deepEqual(args, [
      `{origination_uuid=${UUID},origination_caller_id_name='Zhang San',origination_caller_id_number=+8610,ignore_early_media=true,sip_auto_answer=true}user/1000`,
      `transfer:'18600000000 XML ${TRANSFER_CONTEXT}'`,
      'inline',
    ]);
    assert.deepEqual(freeswitchArgv(args.join(' ')).slice(1), [`transfer:18600000000 XML ${TRANSFER_CONTEXT}`, 'inline']);
    assertStructure(args);
  });

  it('renders the spec’s app list, recordings under the recordings directory', () => {
    const args = originate({
      apps: [
        { app: 'set', args: 'RECORD_ANSWER_REQ=true' },
        { app: 'record_session', args: '2024/test.wav' },
        { app: 'playback', args: '/wav/vacation.wav' },
        { app: 'bridge', args: '1001' },
        { app: 'bridge', args: 'sofia/gateway/gw-1/18600000000' },
        { app: 'hangup' },
      ],
    });
    assert.equal(args[1], 'set:RECORD_ANSWER_REQ=true,record_session:/var/lib/switchboard/recordings/2024/test.wav,playback:/wav/vacation.wav,bridge:user/1001,bridge:sofia/gateway/gw-1/18600000000,hangup');
    assertStructure(args);
  });

  it('names the channels that three_way, eavesdrop and intercept act on', () => {
    for (const app of ['three_way', 'eavesdrop', 'intercept']) {
      const plan = planOriginate({ ...BASE, app: { app, args: TARGET } }, FILES);
      assert.deepEqual(plan.targets, [{ uuid: TARGET, field: 'args' }]);
      assert.equal(originateArgs(plan, UUID, userEndpoint('1000'))[1], `${app}:${TARGET}`);
    }
    const listed = planOriginate({ ...BASE, apps: [{ app: 'answer' }, { app: 'eavesdrop', args: TARGET }] }, FILES);
    assert.deepEqual(listed.targets, [{ uuid: TARGET, field: 'apps.1.args' }]);
  });

  it('refuses every hostile value, naming the field it came in', () => {
    const cases: [Partial<OriginateInput>, string][] = [
      [{ destNumber: '1000 &system(id)' }, 'destNumber'],
      [{ destNumber: '1000\r\n\r\nbgapi system id' }, 'destNumber'],
      [{ destNumber: '1000,user/1001' }, 'destNumber'],
      [{ destNumber: '1000}{api_hangup_hook=system id' }, 'destNumber'],
      [{ destNumber: "1000'" }, 'destNumber'],
      [{ destNumber: '${system(id)}' }, 'destNumber'],
      [{ destNumber: '' }, 'destNumber'],
      [{ cidName: "a' b" }, 'cidName'],
      [{ cidName: 'a,api_hangup_hook=system id' }, 'cidName'],
      [{ cidName: 'a}user/1001 &park' }, 'cidName'],
      [{ cidName: '{x=y}' }, 'cidName'],
      [{ cidName: '${system(id)}' }, 'cidName'],
      [{ cidName: 'a\nb' }, 'cidName'],
      [{ cidName: 'a\\b' }, 'cidName'],
      [{ cidName: 'a"b' }, 'cidName'],
      [{ cidName: ' leading' }, 'cidName'],
      [{ cidNumber: '1000 x' }, 'cidNumber'],
      [{ cidNumber: 'anonymous,x=y' }, 'cidNumber'],
      [{ userGateway: '5005 &park' }, 'userGateway'],
      [{ userGateway: '5005@evil' }, 'userGateway'],
      [{ app: { app: 'system', args: 'id' } }, 'app'],
      [{ app: { app: 'lua', args: 'evil.lua' } }, 'app'],
      [{ app: { app: 'constructor' } }, 'app'],
      [{ app: { app: '__proto__' } }, 'app'],
      [{ app: { app: 'park ' } }, 'app'],
      [{ app: { app: 'park', args: 'x' } }, 'args'],
      [{ app: { app: 'playback', args: '/wav/a.wav,hangup' } }, 'args'],
      [{ app: { app: 'playback', args: '/wav/a b.wav' } }, 'args'],
      [{ app: { app: 'playback', args: '../../etc/passwd' } }, 'args'],
      [{ app: { app: 'playback', args: '/wav/../../etc/passwd' } }, 'args'],
      [{ app: { app: 'playback', args: 'shout://evil.example/x.mp3' } }, 'args'],
      [{ app: { app: 'playback', args: '$${sounds_dir}/x.wav' } }, 'args'],
      [{ app: { app: 'playback', args: "a'b.wav" } }, 'args'],
      [{ app: { app: 'record_session', args: '/tmp/test.wav' } }, 'args'],
      [{ app: { app: 'record_session', args: '../escape.wav' } }, 'args'],
      [{ app: { app: 'record_session', args: 'a/b/c.wav' } }, 'args'],
      [{ app: { app: 'record_session', args: '.hidden.wav' } }, 'args'],
      [{ app: { app: 'record_session', args: 'call.sh' } }, 'args'],
      [{ app: { app: 'transfer', args: '1000 XML public' } }, 'args'],
      [{ app: { app: 'transfer', args: "1000' XML x" } }, 'args'],
      [{ app: { app: 'bridge', args: 'sofia/internal/1000@evil.example' } }, 'args'],
      [{ app: { app: 'bridge', args: '{absolute_codec_string=PCMU}user/1000' } }, 'args'],
      [{ app: { app: 'bridge', args: 'user/1000,user/1001' } }, 'args'],
      [{ app: { app: 'set', args: 'api_hangup_hook=system id' } }, 'args'],
      [{ app: { app: 'set', args: 'execute_on_answer=lua x' } }, 'args'],
      [{ app: { app: 'set', args: 'RECORD_STEREO=${x}' } }, 'args'],
      [{ app: { app: 'three_way', args: `${TARGET} x` } }, 'args'],
      [{ app: { app: 'eavesdrop', args: 'all,' } }, 'args'],
      [{ apps: [{ app: 'answer' }, { app: 'sleep', args: '1000 &x' }] }, 'apps.1.args'],
      [{ apps: [{ app: 'answer' }, { app: 'exec' }] }, 'apps.1.app'],
    ];
    for (const [input, field] of cases) assertRefused(input, field);
  });

  it('whatever a client sends, the switch reads our structure or nothing is built', () => {
    const hostile = fc.string({ unit: fc.constantFrom(...'09+*#aZ _-./@=\'",{}$\\:;\r\n\0&|^()[]<>%~\t'.split(''), 'é', '张'), maxLength: 24 });
    // Valid values next to hostile ones, so that both outcomes are explored, and mixes of the two.
    const mixed = (...valid: string[]) => fc.oneof(
      { arbitrary: fc.constantFrom(...valid), weight: 10 },
      { arbitrary: hostile, weight: 1 },
      { arbitrary: fc.tuple(fc.constantFrom(...valid), hostile).map(([a, b]) => a + b), weight: 1 },
    );
    const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
    const app = fc.oneof(
      fc.record({ app: fc.constantFrom('park', 'answer', 'echo'), args: maybe(mixed('')) }),
      fc.record({ app: fc.constantFrom('playback', 'record_session', 'record'), args: mixed('/wav/a.wav', 'b/c.wav', 'silence_stream://500') }),
      fc.record({ app: fc.constantFrom('transfer', 'bridge', 'sleep'), args: mixed('1001', '+8610', 'user/1002') }),
      fc.record({ app: fc.constantFrom('three_way', 'eavesdrop', 'intercept'), args: mixed(TARGET) }),
      fc.record({ app: fc.constantFrom('set'), args: mixed('RECORD_STEREO=true', 'call_timeout=30') }),
      fc.record({ app: mixed(...Object.keys(CHANNEL_APPS)), args: maybe(hostile) }),
    );
    let built = 0;
    let refused = 0;
    fc.assert(fc.property(
      fc.record({
        destNumber: mixed('1000', '+8610*1#'),
        cidName: maybe(mixed('Zhang San', '张三', 'ACME Ltd.')),
        cidNumber: maybe(mixed('1000', '+8610')),
        earlyMedia: fc.boolean(),
        autoAnswer: fc.boolean(),
        app: maybe(app),
        apps: maybe(fc.array(app, { minLength: 1, maxLength: 3 })),
      }),
      (input) => {
        let args: string[];
        try {
          args = originate(input);
        } catch (error) {
          assert.ok(error instanceof UnsafeCommandValueError, String(error));
          refused++;
          return;
        }
        built++;
        assertStructure(args);
      },
    ), { numRuns: 5000 });
    assert.ok(built > 250 && refused > 250, `both outcomes explored: ${built} built, ${refused} refused`);
  });
});

describe('dialling through a user registered as a gateway', () => {
  it('replaces the user part of its first registered contact with the number', () => {
    assert.equal(endpointThroughContact('sofia/internal/sip:5005@10.0.0.5:5060;transport=udp\n', '8000'), 'sofia/internal/sip:8000@10.0.0.5:5060;transport=udp');
    assert.equal(endpointThroughContact('sofia/internal/sip:5005@[2001:db8::5]:5060,sofia/internal/sip:5005@10.0.0.6', '8000'), 'sofia/internal/sip:8000@[2001:db8::5]:5060');
  });

  it('refuses a contact that is not registered or that a device made hostile', () => {
    for (const contact of [
      'error/user_not_registered',
      'sofia/internal/sip:5005@10.0.0.5 &park',
      "sofia/internal/sip:5005@10.0.0.5;x='y'",
      'sofia/internal/sip:5005@10.0.0.5;x={a=b}',
      'sofia/internal/sip:5005@10.0.0.5;x=${system(id)}',
      'sofia/internal/sip:5005@10.0.0.5|user/1000',
    ]) {
      assert.equal(endpointThroughContact(contact, '8000'), undefined, contact);
    }
  });
});

describe('recording file names', () => {
  it('resolves a name or one subfolder under the recordings directory', () => {
    assert.equal(recordingFile('test.mp4', 'file_name', ['mp4'], FILES), '/var/lib/switchboard/recordings/test.mp4');
    assert.equal(recordingFile('2024-05/call_1.MP4', 'file_name', ['mp4'], FILES), '/var/lib/switchboard/recordings/2024-05/call_1.MP4');
  });

  it('refuses anything that would leave it or break the command line', () => {
    for (const name of ['../x.mp4', '/etc/x.mp4', 'a/../../x.mp4', 'a/b/c.mp4', '.x.mp4', 'x.mp4/', 'x y.mp4', "x'.mp4", 'x.mp4 &', 'x.png', '', 'a//b.mp4', '..', 'x.mp4\n']) {
      assert.throws(() => recordingFile(name, 'file_name', ['mp4'], FILES), UnsafeCommandValueError, JSON.stringify(name));
    }
  });
});
