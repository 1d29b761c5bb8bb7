/**
 * A real FreeSWITCH on the repository's configuration (freeswitch/), routing real SIP calls
 * (sipp) through routes created over the REST API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import {
  describeWithFreeSwitch, freeSipPort, freeUdpPorts, sipMessages, sipUser, startSipp, unroutableDestinationType, type SipMessage, type SippRun,
} from '../helpers/freeswitch.js';
import { createRoute } from '../helpers/routing.js';

/** Calls arrive on the public profile, which routes in this context (freeswitch/sip_profiles/public.xml). */
const CONTEXT = 'context-2';

/** G.711 μ-law to 16-bit linear. */
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** Listens for RTP on a free port and keeps the PCMU audio it receives. */
async function rtpListener(): Promise<{ port: number; socket: Socket; samples: number[]; packets: () => number }> {
  const port = await freeUdpPorts(2);
  const socket = createSocket('udp4');
  const samples: number[] = [];
  let packets = 0;
  socket.on('message', (packet) => {
    const payloadType = packet[1]! & 0x7f;
    if (payloadType !== 0) return;
    packets++;
    for (const byte of packet.subarray(12)) samples.push(ulawToLinear(byte));
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return { port, socket, samples, packets: () => packets };
}

/** The tone's frequency from its zero crossings, over the samples louder than silence. */
function dominantFrequency(samples: number[]): number {
  const audible = samples.filter((sample, index) => Math.abs(sample) > 500 || Math.abs(samples[index + 1] ?? 0) > 500);
  let crossings = 0;
  for (let i = 1; i < audible.length; i++) if ((audible[i - 1]! < 0) !== (audible[i]! < 0)) crossings++;
  return crossings / 2 / (audible.length / 8000);
}

function assertSucceeded(run: SippRun, what: string): void {
  assert.equal(run.code, 0, `${what}: sipp exited with ${run.code}\n${run.output.slice(-3000)}\n${run.messages.slice(-3000)}`);
}

const received = (run: SippRun, method: string): SipMessage => {
  const message = sipMessages(run.messages).find((item) => item.direction === 'received' && item.startLine.startsWith(`${method} `));
  assert.ok(message, `no ${method} received:\n${run.messages}`);
  return message;
};
const header = (message: SipMessage, name: string) => message.headers.find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? '';
const finalResponse = (run: SippRun) => sipMessages(run.messages)
  .filter((item) => item.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d/.test(item.startLine)).at(-1)?.startLine;

describeWithFreeSwitch('FreeSWITCH routes real calls through Switchboard', (both) => {
  /** A call from `caller` to `number` into the public profile; `keys` go to the scenario. */
  async function call(scenario: string, number: string, options: { caller?: string; rtpPort?: number; holdMs?: number } = {}) {
    const { freeswitch } = both();
    const sipp = await startSipp({
      scenario,
      remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
      localPort: await freeSipPort(),
      service: number,
      keys: { caller: options.caller ?? '2000', rtp_port: String(options.rtpPort ?? (await freeUdpPorts(2))) },
      extra: ['-d', String(options.holdMs ?? 300)],
      timeoutSeconds: 20,
    });
    return sipp.done;
  }

  /** A sipp that answers one call on a free port; `done` has what it received. */
  async function answeringPeer() {
    const port = await freeSipPort();
    const sipp = await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 30 });
    return { port, done: sipp.done, stop: sipp.stop };
  }

  test('FreeSWITCH loads the configuration of freeswitch/ with no ERR lines in its log', () => {
    const { freeswitch } = both();
    assert.deepEqual(freeswitch.errorLines(), []);
    assert.match(freeswitch.log(), /mod_xml_curl/);
  });

  test('the LOCAL_STREAM dict names streams FreeSWITCH runs (mod_local_stream, local_stream.conf)', async () => {
    const { server, freeswitch } = both();
    const shown = await freeswitch.api('local_stream', 'show');
    const running = new Set(shown.split('\n').map((line) => line.split(',')[0]).filter(Boolean));
    const dict = (await server.get('/api/dicts?realm=LOCAL_STREAM')).body as { v: string }[];
    assert.ok(dict.length > 0);
    for (const { v } of dict) assert.ok(running.has(v.replace('local_stream://', '')), `${v} among ${shown}`);
  });

  test('FreeSWITCH fetches from Switchboard over its xml_curl binding, with the basic auth credentials', async () => {
    const { server, freeswitch } = both();
    const probe = '<document type="freeswitch/xml"><section name="configuration"><configuration name="probe.conf"><settings><param name="answered-by" value="switchboard"/></settings></configuration></section></document>';
    const fetched: string[] = [];
    server.app.freeswitchXml.addConfiguration('probe.conf', async (fetch) => {
      fetched.push(fetch.fields.get('hostname') ?? '');
      return probe;
    });
    const located = await freeswitch.api('xml_locate', 'configuration', 'configuration', 'name', 'probe.conf');
    assert.match(located, /<param name="answered-by" value="switchboard">/);
    assert.equal(fetched.length, 1);
  });

  test('FS_DEST_SYSTEM: the caller hears the 440 Hz tone the route plays, then FreeSWITCH hangs up', async (t) => {
    const { server } = both();
    await createRoute(server, {
      context: CONTEXT, prefix: '71', max_length: 4, dest_type: 'FS_DEST_SYSTEM',
      body: 'answer\nplayback tone_stream://%(1000,0,440)\nhangup NORMAL_CLEARING',
    });
    const rtp = await rtpListener();
    try {
      const run = await call('uac-callee-hangs-up.xml', '7100', { rtpPort: rtp.port });
      assertSucceeded(run, 'tone call');
      assert.ok(rtp.packets() >= 40, `only ${rtp.packets()} RTP packets of PCMU arrived`);
      const frequency = dominantFrequency(rtp.samples);
      t.diagnostic(`${rtp.packets()} RTP packets, ${frequency.toFixed(0)} Hz`);
      assert.ok(Math.abs(frequency - 440) < 20, `the audio is ${frequency.toFixed(0)} Hz, not the 440 Hz tone`);
    } finally {
      rtp.socket.close();
    }
  });

  test('FS_DEST_IP: the far end receives the call with the dnc result as Request-URI user and the sdnc result as caller', async () => {
    const { server } = both();
    const peer = await answeringPeer();
    await createRoute(server, {
      context: CONTEXT, prefix: '0', max_length: 8, dest_type: 'FS_DEST_IP', body: `127.0.0.1:${peer.port}`, dnc: '-0+86', sdnc: '+99',
    });
    const run = await call('uac-caller-hangs-up.xml', '01234', { caller: '2000' });
    assertSucceeded(run, 'caller');
    const far = await peer.done;
    assertSucceeded(far, 'far end');
    const invite = received(far, 'INVITE');
    assert.equal(sipUser(invite.startLine), '861234', invite.startLine);
    assert.equal(sipUser(header(invite, 'From')), '992000', header(invite, 'From'));
  });

  test('a dnc rule is set on the channel as written: FreeSWITCH does not expand the ${1} of a regex rule', async () => {
    const { server, freeswitch } = both();
    const peer = await answeringPeer();
    const rule = '/^7(\\d+)$/86${1}/';
    await createRoute(server, { context: CONTEXT, prefix: '7', max_length: 8, dest_type: 'FS_DEST_IP', body: `127.0.0.1:${peer.port}`, dnc: rule });
    assertSucceeded(await call('uac-caller-hangs-up.xml', '71234'), 'caller');
    const far = await peer.done;
    assertSucceeded(far, 'far end');
    assert.equal(sipUser(received(far, 'INVITE').startLine), '861234');
    // set logs what it stored at debug level: "SET <channel> [dnc]=[<value>]".
    const stored = [...freeswitch.log().matchAll(/ SET \S+ \[dnc\]=\[(.*)\]$/gm)].map((match) => match[1]);
    assert.ok(stored.length > 0, 'no SET line for dnc in the switch log');
    assert.equal(stored.at(-1), rule);
  });

  test('a route changed through the API changes the next call, with no reload of FreeSWITCH', async () => {
    const { server } = both();
    const firstPeer = await answeringPeer();
    const route = await createRoute(server, {
      context: CONTEXT, prefix: '5', max_length: 4, dest_type: 'FS_DEST_IP', body: `127.0.0.1:${firstPeer.port}`,
    });
    assertSucceeded(await call('uac-caller-hangs-up.xml', '5001'), 'first call');
    assert.equal(sipUser(received(await firstPeer.done, 'INVITE').startLine), '5001');

    const secondPeer = await answeringPeer();
    const changed = await server.put(`/api/routes/${route.id}`, { body: `127.0.0.1:${secondPeer.port}`, dnc: 'r1999' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assertSucceeded(await call('uac-caller-hangs-up.xml', '5001'), 'second call');
    assert.equal(sipUser(received(await secondPeer.done, 'INVITE').startLine), '999001', 'the new peer got the new number');

    assert.equal((await server.put(`/api/routes/${route.id}`, { dest_type: 'FS_DEST_SYSTEM', body: 'respond 486' })).status, 200);
    const busy = await call('uac-refused.xml', '5001');
    assertSucceeded(busy, 'busy call');
    assert.match(finalResponse(busy) ?? '', /^SIP\/2\.0 486/);
  });

  test('no route: Switchboard answers "not found" and FreeSWITCH, finding no extension of its own, refuses the call', async () => {
    const run = await call('uac-refused.xml', '4444444');
    assertSucceeded(run, 'unrouted call');
    assert.match(finalResponse(run) ?? '', /^SIP\/2\.0 404/);
  });

  test('a destination Switchboard cannot route yet is refused (501) and says why in the switch log', async () => {
    const { server, freeswitch } = both();
    const destType = await unroutableDestinationType(server);
    const route = await createRoute(server, { context: CONTEXT, prefix: '66', max_length: 4, dest_type: destType, dest_uuid: '1' });
    const run = await call('uac-refused.xml', '6600');
    assertSucceeded(run, 'call to a route Switchboard cannot render');
    assert.match(finalResponse(run) ?? '', /^SIP\/2\.0 501/);
    assert.match(freeswitch.log(), new RegExp(`Switchboard route ${route.id}: destination type ${destType} is not yet routable`));
  });

  test('routing all these calls made FreeSWITCH log no ERR line', () => {
    assert.deepEqual(both().freeswitch.errorLines(), []);
  });
});
