/**
 * sofia.conf as FreeSWITCH fetches it (whole, per profile on rescan, per gateway on startgw), the
 * gateway route in the dialplan, and the sofia commands writes send to a switch (a fake Event
 * Socket peer), including the resync of a switch that was away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { renderSofiaConf, type SofiaConfig } from '../../src/freeswitch/xml/sofia-conf.js';
import { Switches } from '../../src/freeswitch/esl/switches.js';
import { describeOnEachDatabase, Harness } from '../helpers/harness.js';
import { sqlite } from '../helpers/databases.js';
import { FakeEslPeer } from '../helpers/fake-esl.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute, eventually, freshContext, unique } from '../helpers/routing.js';

/** A form body FreeSWITCH 1.10.12 posted (fixtures/README.md). */
const captured = (name: string) => readFileSync(new URL(`fixtures/xml_curl-configuration-${name}.form`, import.meta.url), 'utf8').trimEnd();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function fetchSofia(server: Harness, form: string): Promise<string> {
  const reply = await server.request('POST', '/freeswitch/xml', form, { token: null, headers: FORM });
  assert.equal(reply.status, 200);
  return String(reply.body);
}

const CONFIG: SofiaConfig = {
  globals: [{ k: 'log-level', v: '0' }],
  profiles: [
    {
      name: 'internal',
      settings: [{ k: 'sip-port', v: '$${internal_sip_port}' }],
      gateways: [],
    },
    {
      name: 'public',
      settings: [{ k: 'context', v: 'context-2' }],
      gateways: [
        {
          name: 'carrier', realm: '192.0.2.10:5060', username: 'u1', password: 'p"<&', register: true,
          params: [{ k: 'expire-seconds', v: '600' }],
          variables: [{ k: 'both_var', v: '1', direction: 0 }, { k: 'in_var', v: '2', direction: 1 }, { k: 'out_var', v: '3', direction: 2 }],
        },
        { name: 'peer', realm: 'peer.example', username: '', password: '', register: false, params: [], variables: [] },
      ],
    },
  ],
};

describe('sofia.conf renderer', () => {
  test('the whole file: globals, every profile with its gateways (params, variables by direction) and settings, escaped', () => {
    assert.equal(renderSofiaConf(CONFIG), [
      '<document type="freeswitch/xml">',
      '  <section name="configuration">',
      '    <configuration name="sofia.conf" description="SIP">',
      '      <global_settings>',
      '        <param name="log-level" value="0"/>',
      '      </global_settings>',
      '      <profiles>',
      '        <profile name="internal">',
      '          <gateways/>',
      '          <settings>',
      '            <param name="sip-port" value="$${internal_sip_port}"/>',
      '          </settings>',
      '        </profile>',
      '        <profile name="public">',
      '          <gateways>',
      '            <gateway name="carrier">',
      '              <param name="realm" value="192.0.2.10:5060"/>',
      '              <param name="username" value="u1"/>',
      '              <param name="password" value="p&quot;&lt;&amp;"/>',
      '              <param name="register" value="true"/>',
      '              <param name="expire-seconds" value="600"/>',
      '              <variables>',
      '                <variable name="both_var" value="1"/>',
      '                <variable name="in_var" value="2" direction="inbound"/>',
      '                <variable name="out_var" value="3" direction="outbound"/>',
      '              </variables>',
      '            </gateway>',
      '            <gateway name="peer">',
      '              <param name="realm" value="peer.example"/>',
      '              <param name="register" value="false"/>',
      '            </gateway>',
      '          </gateways>',
      '          <settings>',
      '            <param name="context" value="context-2"/>',
      '          </settings>',
      '        </profile>',
      '      </profiles>',
      '    </configuration>',
      '  </section>',
      '</document>',
      '',
    ].join('\n'));
  });

  test('global_settings: each global in order, escaped; none renders an empty element, and every scoped fetch carries them', () => {
    const globals = [{ k: 'log-level', v: '9' }, { k: 'capture-server', v: 'udp:192.0.2.1:9060;hep=3&"x"' }];
    const whole = renderSofiaConf({ ...CONFIG, globals });
    assert.match(whole, /<global_settings>\n\s*<param name="log-level" value="9"\/>\n\s*<param name="capture-server" value="udp:192.0.2.1:9060;hep=3&amp;&quot;x&quot;"\/>\n\s*<\/global_settings>/);
    // mod_sofia re-reads them on each parse, a profile rescan's too.
    assert.match(renderSofiaConf({ ...CONFIG, globals }, { profile: 'internal' }), /<param name="log-level" value="9"\/>/);
    assert.match(renderSofiaConf({ ...CONFIG, globals: [] }), /<global_settings\/>/);
  });

  test('a profile fetch holds that profile only; a gateway fetch only that gateway; an unknown profile none', () => {
    const internalOnly = renderSofiaConf(CONFIG, { profile: 'internal' });
    assert.match(internalOnly, /<profile name="internal">/);
    assert.doesNotMatch(internalOnly, /name="public"/);
    const peer = renderSofiaConf(CONFIG, { profile: 'public', gateway: 'peer' });
    assert.match(peer, /<gateway name="peer">/);
    assert.doesNotMatch(peer, /carrier|<settings>/);
    assert.equal((renderSofiaConf(CONFIG, { profile: 'public', gateway: '_all_' }).match(/<gateway name=/g) ?? []).length, 2);
    assert.match(renderSofiaConf(CONFIG, { profile: 'nope' }), /<profiles\/>/);
  });
});

describeOnEachDatabase('sofia.conf and gateway routes over /freeswitch/xml', (server) => {
  test('the fetches FreeSWITCH makes: load, profile rescan, startgw; disabled gateways are left out', async () => {
    const whole = await fetchSofia(server(), captured('sofia.conf'));
    assert.match(whole, /<profile name="internal">[\s\S]*<param name="sip-port" value="\$\$\{internal_sip_port\}"\/>[\s\S]*<profile name="public">/);
    const publicId = (await server().get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === 'public').id;
    const internalId = (await server().get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === 'internal').id;
    // The captures fetch profile internal and its gateway realfs-static.
    const gw = createdId(await server().post('/api/gateways', { name: 'realfs-static', realm: '192.0.2.5', profile_id: internalId }));
    await server().post(`/api/gateways/${gw}/variables`, { k: 'sip_h_X-Trunk', v: 'a', direction: 'outbound' });
    await server().post('/api/gateways', { name: unique('elsewhere'), realm: '192.0.2.6', profile_id: publicId });
    const rescan = await fetchSofia(server(), captured('sofia.conf-rescan'));
    assert.match(rescan, /<profile name="internal">[\s\S]*<gateway name="realfs-static">/);
    assert.doesNotMatch(rescan, /name="public"|elsewhere/);
    const startgw = await fetchSofia(server(), captured('sofia.conf-startgw'));
    assert.match(startgw, /<gateway name="realfs-static">\n\s*<param name="realm" value="192.0.2.5"\/>\n\s*<param name="register" value="false"\/>\n\s*<variables>\n\s*<variable name="sip_h_X-Trunk" value="a" direction="outbound"\/>/);
    assert.doesNotMatch(startgw, /<settings>/);
    await server().put(`/api/gateways/${gw}`, { disabled: 1 });
    assert.doesNotMatch(await fetchSofia(server(), captured('sofia.conf-startgw')), /realfs-static/);
  });

  test('the global settings edited through /api/params render when enabled, in every fetch', async () => {
    const on = createdId(await server().post('/api/params', { k: 'auto-restart', v: 'false', realm: 'SOFIAGLOBALS' }));
    const off = createdId(await server().post('/api/params', { k: 'debug-sla', v: '1', realm: 'SOFIAGLOBALS' }));
    await server().put(`/api/params/${off}`, { action: 'toggle' });
    await server().put('/api/params/' + on, { k: 'auto-restart', v: 'true' });
    for (const form of [captured('sofia.conf'), captured('sofia.conf-rescan')]) {
      const document = await fetchSofia(server(), form);
      assert.match(document, /<global_settings>\n\s*<param name="log-level" value="0"\/>\n\s*<param name="auto-restart" value="true"\/>\n\s*<\/global_settings>/);
      assert.doesNotMatch(document, /debug-sla/);
    }
  });

  test('a route to a gateway bridges sofia/gateway/NAME/ with the transformed number', async () => {
    const name = unique('gw');
    const id = createdId(await server().post('/api/gateways', { name, realm: '192.0.2.7' }));
    const context = await freshContext(server());
    await createRoute(server(), { context, prefix: '0', max_length: 20, dnc: '-0+86', dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(id) });
    const form = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': '01234', 'Caller-Caller-ID-Number': '2000' }).toString();
    const document = await fetchSofia(server(), form);
    assert.match(document, new RegExp(`<action application="bridge" data="sofia/gateway/${name}/861234"/>`));
  });
});

describe('sofia commands reach the switch after each write, and a switch that was away is resynchronised', () => {
  let peer: FakeEslPeer;
  let switches: Switches;
  let server: Harness;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const sofiaCommands = () => peer.commands.filter((line) => line.startsWith('api sofia profile'));

  before(async () => {
    peer = await FakeEslPeer.start();
    peer.onApi(/^sofia /, '+OK\n');
    switches = new Switches([{ name: `127.0.0.1:${peer.port}`, host: '127.0.0.1', port: peer.port, password: peer.password }], {
      logger: silent, reconnectDelay: { initialMs: 20, maxMs: 50 },
    });
    server = await Harness.start(sqlite, { switches });
    const authenticated = once(peer, 'authenticated');
    switches.start();
    await authenticated;
    // Every (re)connection rescans each enabled profile.
    assert.ok(await eventually(async () => sofiaCommands().length >= 2), peer.commands.join('\n'));
    assert.deepEqual(sofiaCommands(), ['api sofia profile internal rescan', 'api sofia profile public rescan']);
  });
  after(async () => {
    await server.close();
    await switches.close();
    await peer.close();
  });

  test('gateway create, edit, param, delete; profile setting and toggle', async () => {
    peer.received.length = 0;
    const id = createdId(await server.post('/api/gateways', { name: 'gw-a', realm: '192.0.2.7' }));
    await server.put(`/api/gateways/${id}`, { realm: '192.0.2.8' });
    await server.put(`/api/gateways/${id}`, { description: 'renders nothing' });
    await server.post(`/api/gateways/${id}/params`, { k: 'ping', v: '30', disabled: 0 });
    await server.put(`/api/gateways/${id}`, { disabled: 1 });
    await server.delete(`/api/gateways/${id}`);
    const publicId = (await server.get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === 'public').id;
    await server.post(`/api/sip_profiles/${publicId}/params`, { k: 'user-agent-string', v: 'switchboard' });
    await server.post(`/api/sip_profiles/${publicId}/params`, { k: 'sip-port', v: '5090', disabled: 1 });
    const labId = createdId(await server.post('/api/sip_profiles', { name: 'lab' }));
    await server.put(`/api/sip_profiles/${labId}`, { action: 'toggle' });
    assert.deepEqual(sofiaCommands(), [
      'api sofia profile public startgw gw-a',
      'api sofia profile public killgw gw-a',
      'api sofia profile public startgw gw-a',
      'api sofia profile public killgw gw-a',
      'api sofia profile public startgw gw-a',
      'api sofia profile public killgw gw-a',
      'api sofia profile public rescan',
      'api sofia profile public restart',
      'api sofia profile lab start',
      'api sofia profile lab stop',
    ]);
  });

  test('a global setting rescans the first enabled profile; profile fields saved from the detail rescan or restart it, unchanged ones send nothing', async () => {
    peer.received.length = 0;
    const global = createdId(await server.post('/api/params', { k: 'debug-presence', v: '0', realm: 'SOFIAGLOBALS' }));
    await server.put(`/api/params/${global}`, { action: 'toggle' });
    await server.delete(`/api/params/${global}`);
    const publicId = (await server.get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === 'public').id;
    const shown = (await server.get(`/api/sip_profiles/${publicId}`)).body;
    await server.put(`/api/sip_profiles/${publicId}`, shown);
    await server.put(`/api/sip_profiles/${publicId}`, { ...shown, ocodec: 'PCMA' });
    await server.put(`/api/sip_profiles/${publicId}`, { ...shown, ocodec: 'PCMA', rtp_ip: '192.0.2.44' });
    assert.deepEqual(sofiaCommands(), [
      'api sofia profile internal rescan',
      'api sofia profile internal rescan',
      'api sofia profile internal rescan',
      'api sofia profile public rescan',
      'api sofia profile public restart',
    ]);
  });

  test('gateway control runs on the switch; list1 reads sofia xmlstatus gateway', async () => {
    const id = createdId(await server.post('/api/gateways', { name: 'gw-b', realm: '192.0.2.9', username: 'u', password: 'p', register: 'yes' }));
    createdId(await server.post('/api/gateways', { name: 'gw-c', realm: '192.0.2.9' }));
    peer.onApi('sofia xmlstatus gateway', [
      '<?xml version="1.0" encoding="ISO-8859-1"?>', '<gateways>',
      '  <gateway>', '    <name>gw-b</name>', '    <profile>public</profile>', '    <state>REGED</state>', '    <status>UP</status>', '  </gateway>',
      '</gateways>', '',
    ].join('\n'));
    peer.received.length = 0;
    assert.equal((await server.put('/api/gateways/control', { gwname: 'gw-b', action: 'unreg' })).status, 200);
    assert.equal((await server.put(`/api/gateways/${id}/control`, { action: 'stop' })).status, 200);
    assert.deepEqual(sofiaCommands(), ['api sofia profile public unregister gw-b', 'api sofia profile public killgw gw-b']);
    // FreeSWITCH 1.10 answers startgw with a reload line before the +OK; a -ERR is a refusal.
    peer.onApi('sofia profile public startgw gw-b', 'Reload XML [Success]\n+OK start gateway gw-b complete\n');
    assert.equal((await server.put(`/api/gateways/${id}/control`, { action: 'start' })).status, 200);
    peer.onApi('sofia profile public startgw gw-b', 'Reload XML [Success]\n-ERR start gateway gw-b failed\n');
    const refused = await server.put(`/api/gateways/${id}/control`, { action: 'start' });
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /^action: the switch refused: .*-ERR start gateway gw-b failed/s);
    const list1 = (await server.get('/api/gateways/list1')).body;
    assert.deepEqual(list1, [
      { name: 'gw-b', gateway_state: 'REGED', gateway_status: 'UP' },
      { name: 'gw-c', gateway_state: 'NOT_RUNNING', gateway_status: 'DOWN' },
    ]);
    assert.deepEqual((await server.get('/api/gateways/list')).body, [{ gwname: 'gw-b', gwstatus: 'REGED' }, { gwname: 'gw-c', gwstatus: 'UNREG' }]);
  });

  test('changes made while the switch is away are replayed when it is back, then every profile is rescanned', async () => {
    const port = peer.port;
    await peer.close();
    assert.ok(await eventually(async () => switches.connected().length === 0));
    const id = createdId(await server.post('/api/gateways', { name: 'gw-away', realm: '192.0.2.11' }));
    await server.put(`/api/gateways/${id}`, { realm: '192.0.2.12' });
    assert.equal((await server.put(`/api/gateways/${id}/control`, { action: 'start' })).status, 503);
    peer = await FakeEslPeer.start({ port });
    peer.onApi(/^sofia /, '+OK\n');
    assert.ok(await eventually(async () => sofiaCommands().length >= 3, 5000), peer.commands.join('\n'));
    assert.deepEqual(sofiaCommands(), [
      // Both writes collapse into the last one's commands.
      'api sofia profile public killgw gw-away',
      'api sofia profile public startgw gw-away',
      'api sofia profile internal rescan',
      'api sofia profile public rescan',
    ]);
  });
});
