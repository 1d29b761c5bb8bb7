import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sqlite } from '../helpers/databases.js';
import { describeOnEachDatabase, Harness, type Reply } from '../helpers/harness.js';
import { dialplanDocument, unroutableDestinationType } from '../helpers/freeswitch.js';
import { addSegments, createRoute, freshContext, unique } from '../helpers/routing.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}.form`, import.meta.url), 'utf8').trimEnd();
/** The real form bodies FreeSWITCH 1.10.12 posted: a call from realfs to 1000 in context-1, sofia.conf (the REGISTER's: test/resources/extensions-directory.test.ts). */
const CAPTURED_DIALPLAN = fixture('xml_curl-dialplan');
const CAPTURED_SOFIA = fixture('xml_curl-configuration-sofia.conf');

const NOT_FOUND = '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A mod_xml_curl POST: the form as FreeSWITCH sends it, no API token. */
function fetchXml(server: Harness, form: string | Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return server.request('POST', '/freeswitch/xml', body, { token: null, headers: { ...FORM, ...headers } });
}

/** The fields of a dialplan fetch for a call, as mod_dialplan_xml sends them (the rest left out). */
function dialplanFetch(context: string, destNumber: string, callerNumber = '2000', variables: Record<string, string> = {}) {
  return {
    section: 'dialplan', tag_name: '', key_name: '', key_value: '',
    'Caller-Caller-ID-Number': callerNumber, 'Caller-Destination-Number': destNumber, 'Caller-Context': context,
    'Hunt-Context': context, 'Hunt-Destination-Number': destNumber, 'Hunt-Caller-ID-Number': callerNumber,
    ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [`variable_${name}`, value])),
  };
}

function assertXml(reply: Reply): string {
  assert.equal(reply.status, 200, String(reply.body));
  assert.match(String(reply.headers['content-type']), /^text\/xml\b/);
  return String(reply.body);
}

/** The actions of the one extension of a dialplan document, as [application, data] pairs. */
function actionsOf(document: string): [string, string][] {
  assert.equal((document.match(/<extension /g) ?? []).length, 1, document);
  return [...document.matchAll(/<action application="([^"]*)"(?: data="([^"]*)")?\/>/g)].map((match) => [match[1]!, match[2] ?? '']);
}

async function routedActions(server: Harness, context: string, destNumber: string, callerNumber?: string, variables?: Record<string, string>) {
  return actionsOf(assertXml(await fetchXml(server, dialplanFetch(context, destNumber, callerNumber, variables))));
}

describeOnEachDatabase('POST /freeswitch/xml: the dialplan', (server) => {
  test('the fetch FreeSWITCH really sends is routed by the route the API created, as one extension', async () => {
    const route = await createRoute(server(), {
      context: 'context-1', prefix: '1000', max_length: 4, dest_type: 'FS_DEST_SYSTEM', body: 'answer\necho', name: unique('echo'),
    });
    const document = assertXml(await fetchXml(server(), CAPTURED_DIALPLAN));
    assert.equal(document, dialplanDocument(['<action application="answer"/>', '<action application="echo"/>'], { name: route.name }));
    await server().delete(`/api/routes/${route.id}`);
  });

  test('no route for the call: the "not found" document, with HTTP 200', async () => {
    const context = await freshContext(server());
    const reply = await fetchXml(server(), dialplanFetch(context, '12345'));
    assert.equal(assertXml(reply), NOT_FOUND);
    const disabled = await createRoute(server(), { context, prefix: '1', disabled: 1 });
    assert.equal(assertXml(await fetchXml(server(), dialplanFetch(context, '12345'))), NOT_FOUND, `route ${disabled.id} is disabled`);
    assert.equal(assertXml(await fetchXml(server(), { section: 'dialplan' })), NOT_FOUND, 'a fetch without the call');
  });

  test('dnc and sdnc results, auto_record, enabled params in order, codecs and bypass come before the destination', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), {
      context, prefix: '0', dest_type: 'FS_DEST_IP', body: '192.0.2.7:5080', dnc: '-0+86', sdnc: '+99',
      auto_record: 1, media_codec: ['PCMU', 'PCMA'], proxy_media: 0,
    });
    for (const [k, v, disabled] of [['set', 'a=1', 0], ['ring_ready', '', 0], ['set', 'skipped=1', 1], ['export', 'b=2', 0]] as const) {
      const reply = await server().post(`/api/routes/${route.id}/params`, { k, v, disabled });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
    const actions = await routedActions(server(), context, '01234', '2000');
    assert.deepEqual(actions.map(([application, data]) => `${application} ${data}`.trim()), [
      'set dnc=-0+86',
      'set dnc_number=861234',
      'set sdnc=+99',
      'set sdnc_number=992000',
      'set effective_caller_id_number=992000',
      'set auto_record=true',
      actions[6]!.join(' '),
      'record_session ${auto_record_path}',
      'set a=1',
      'ring_ready',
      'export b=2',
      'set absolute_codec_string=PCMU,PCMA',
      'set bypass_media=true',
      'bridge sofia/public/861234@192.0.2.7:5080',
    ]);
    assert.match(actions[6]!.join(' '), /^set auto_record_path=\/\S+\/auto-record-\$\{strftime\(%Y%m%d-%H%M%S\)\}-\$\{uuid\}\.wav$/);
  });

  test('FS_DEST_USER bridges to the user in the caller’s domain; a channel with auto_record=true is recorded', async () => {
    const context = await freshContext(server());
    await createRoute(server(), { context, prefix: '1', max_length: 4, dest_type: 'FS_DEST_USER' });
    assert.deepEqual(await routedActions(server(), context, '1001', '2000', { domain_name: 'pbx.example.com' }),
      [['bridge', 'user/1001@pbx.example.com']]);
    const recorded = await routedActions(server(), context, '1001', '2000', { auto_record: 'true' });
    assert.deepEqual(recorded.map(([application]) => application), ['set', 'record_session', 'bridge']);
  });

  test('a change through the API changes the very next fetch: params, destination, a time segment, disabling', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '5', dest_type: 'FS_DEST_SYSTEM', body: 'answer' });
    assert.deepEqual(await routedActions(server(), context, '5000'), [['answer', '']]);
    const param = (await server().post(`/api/routes/${route.id}/params`, { k: 'ring_ready' })).body.data;
    assert.deepEqual(await routedActions(server(), context, '5000'), [['ring_ready', ''], ['answer', '']]);
    assert.equal((await server().put(`/api/routes/${route.id}/params/${param}`, { action: 'toggle' })).status, 200);
    assert.deepEqual(await routedActions(server(), context, '5000'), [['answer', '']], 'a disabled param is left out');
    assert.equal((await server().delete(`/api/routes/${route.id}/param/${param}`)).status, 200);
    assert.equal((await server().put(`/api/routes/${route.id}`, { dest_type: 'FS_DEST_IP', body: '192.0.2.9', dnc: 'r1' })).status, 200);
    assert.deepEqual(await routedActions(server(), context, '5000'),
      [['set', 'dnc=r1'], ['set', 'dnc_number=000'], ['bridge', 'sofia/public/000@192.0.2.9']]);
    await addSegments(server(), [{ route_id: route.id, dest_type: 'FS_DEST_SYSTEM', body: 'playback tone_stream://%(100,0,440)', time_recurrence: '20200101T000000|PT24H|daily' }]);
    assert.deepEqual((await routedActions(server(), context, '5000')).at(-1), ['playback', 'tone_stream://%(100,0,440)']);
    assert.equal((await server().put(`/api/routes/${route.id}`, { action: 'toggle' })).status, 200);
    assert.equal(assertXml(await fetchXml(server(), dialplanFetch(context, '5000'))), NOT_FOUND, 'disabled');
  });

  test('destinations Switchboard cannot reach yet hang up with a reason; callers dialling dial-string syntax are hung up', async () => {
    const context = await freshContext(server());
    const destType = await unroutableDestinationType(server());
    const route = await createRoute(server(), { context, prefix: '7', dest_type: destType, dest_uuid: '3' });
    assert.deepEqual(await routedActions(server(), context, '7000'), [
      ['log', `WARNING Switchboard route ${route.id}: destination type ${destType} is not yet routable`],
      ['hangup', 'SERVICE_NOT_IMPLEMENTED'],
    ]);
    await createRoute(server(), { context, prefix: '', max_length: 64, dest_type: 'FS_DEST_USER' });
    const attack = await routedActions(server(), context, '1000,sofia/gateway/x/900');
    assert.deepEqual(attack.at(-1), ['hangup', 'INVALID_NUMBER_FORMAT']);
    assert.ok(!attack.some(([application]) => application === 'bridge'));
  });

  test('form values are read as FreeSWITCH encodes them: %-escapes and + for space; a field is found by its whole name, the first one wins', async () => {
    const context = await freshContext(server());
    await createRoute(server(), { context, prefix: '+86', max_length: 16, dest_type: 'FS_DEST_SYSTEM', body: 'answer', sdnc: 'r1' });
    const form = (caller: string) => [
      'section=dialplan', 'XHunt-Context=wrong', `Hunt-Context=${encodeURIComponent(context)}`, 'Hunt-Context=second',
      'Hunt-Destination-Number=%2B8613800000000', `Caller-Caller-ID-Number=${caller}`,
    ].join('&');
    assert.deepEqual(actionsOf(assertXml(await fetchXml(server(), form('%2B12')))),
      [['set', 'sdnc=r1'], ['set', 'sdnc_number=12'], ['set', 'effective_caller_id_number=12'], ['answer', '']]);
    const spaced = actionsOf(assertXml(await fetchXml(server(), form('%2B1+2'))));
    assert.match(spaced[0]![1], /caller number &quot;1 2&quot; has characters a dial string cannot carry/);
  });

  test('a body that is not a form has none of its fields; a form that is not UTF-8 is refused with 400', async () => {
    const json = await server().request('POST', '/freeswitch/xml', { section: 'dialplan' }, { token: null });
    assert.equal(assertXml(json), NOT_FOUND);
    const bad = await server().request('POST', '/freeswitch/xml', Buffer.from('section=\xff', 'latin1'), { token: null, headers: FORM });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { code: 400, message: 'body: is not valid UTF-8' });
  });

  test('values the dialplan cannot render are refused when written: 400 naming the field, nothing stored', async () => {
    const context = await freshContext(server());
    const refused: [Record<string, unknown>, string][] = [
      [{ dest_type: 'FS_DEST_SYSTEM', body: 'answer\nplay-back now' }, 'body'],
      [{ dest_type: 'FS_DEST_SYSTEM', body: 'answer\u0007' }, 'body'],
      [{ dest_type: 'FS_DEST_IP', body: '10.0.0.1,sofia/gateway/x' }, 'body'],
      [{ dest_type: 'FS_DEST_IP', body: ' :5060' }, 'body'],
      [{ dest_type: 'FS_DEST_SCRIPT', body: 'a.lua\nb.lua' }, 'body'],
      [{ dest_type: 'FS_DEST_RING_EXTNS', dest_uuid: '1001,1002' }, 'dest_uuid'],
      [{ dest_type: 'FS_DEST_SEQ_EXTNS', dest_uuid: JSON.stringify([{ extn: '1001|a b' }]) }, 'dest_uuid'],
      [{ dest_type: 'FS_DEST_USER', media_codec: 'PCMU,${x}' }, 'media_codec'],
      [{ dest_type: 'FS_DEST_USER', name: 'bell\u0007' }, 'name'],
    ];
    for (const [fields, field] of refused) {
      const reply = await server().post('/api/routes', { name: unique('refused'), max_length: 12, context, prefix: '1', ...fields });
      assert.equal(reply.status, 400, `${JSON.stringify(fields)}: ${JSON.stringify(reply.body)}`);
      assert.match(reply.body.message, new RegExp(`^${field}: \\S`), JSON.stringify(fields));
    }
    assert.equal((await server().get(`/api/routes?context=${context}`)).body.rowCount, 0);

    const route = await createRoute(server(), { context, prefix: '1', dest_type: 'FS_DEST_RING_EXTNS', dest_uuid: JSON.stringify([{ extn: '1001|pbx.example.com' }]) });
    assert.equal((await server().put(`/api/routes/${route.id}`, { dest_type: 'FS_DEST_IP', body: 'host name' })).status, 400);
    assert.equal((await server().put('/api/routes', { route: [route.id], media_codec: 'PCMU,${x}' })).status, 400);
    const segment = await server().post('/api/time_recurrence', [{ route_id: route.id, dest_type: 'FS_DEST_SYSTEM', body: '9x', time_recurrence: '20200101T000000|PT24H|daily' }]);
    assert.equal(segment.status, 400, JSON.stringify(segment.body));
    assert.match(segment.body.message, /^0\.body: /);
    for (const [param, field] of [[{ k: 'set bad', v: 'a=1' }, 'k'], [{ k: 'set', v: 'a=1\nb=2' }, 'v'], [{ k: '${x}' }, 'k']] as const) {
      const reply = await server().post(`/api/routes/${route.id}/params`, param);
      assert.equal(reply.status, 400, JSON.stringify(param));
      assert.match(reply.body.message, new RegExp(`^${field}: `));
    }
    assert.deepEqual((await server().get(`/api/routes/${route.id}/params`)).body, []);
    const param = (await server().post(`/api/routes/${route.id}/params`, { k: 'set', v: 'a=${b}' })).body.data;
    assert.equal((await server().put(`/api/routes/${route.id}/params/${param}`, { v: 'x\ry' })).status, 400);
  });

  test('other sections and configuration files nobody serves: "not found" with HTTP 200', async () => {
    for (const form of ['section=configuration&key_name=name&key_value=ivr.conf', 'section=phrases', 'section=', '']) {
      assert.equal(assertXml(await fetchXml(server(), form)), NOT_FOUND, form.slice(0, 60));
    }
    // sofia.conf is served from the SIP profiles (test/freeswitch/sofia-conf.test.ts).
    assert.match(assertXml(await fetchXml(server(), CAPTURED_SOFIA)), /<configuration name="sofia.conf"/);
  });

  test('a later issue serves a configuration file by adding one source; the rest stays "not found"', async () => {
    const document = '<document type="freeswitch/xml"><section name="configuration"><configuration name="example.conf"/></section></document>';
    const seen: string[] = [];
    server().app.freeswitchXml.addConfiguration('example.conf', async (fetch) => {
      seen.push(`${fetch.tagName}/${fetch.keyName}=${fetch.keyValue} profile=${fetch.fields.get('profile')}`);
      return document;
    });
    const form = { section: 'configuration', tag_name: 'configuration', key_name: 'name', key_value: 'example.conf', profile: 'internal' };
    assert.equal(assertXml(await fetchXml(server(), form)), document);
    assert.deepEqual(seen, ['configuration/name=example.conf profile=internal']);
    assert.equal(assertXml(await fetchXml(server(), { ...form, key_value: 'other.conf' })), NOT_FOUND);
  });
});

describe('POST /freeswitch/xml: HTTP basic auth', () => {
  const credentials = { user: 'freeswitch', password: 'pa:ss wörd' };
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  let server: Harness;
  before(async () => {
    server = await Harness.start(sqlite, { freeswitchXml: credentials });
  });
  after(() => server.close());

  test('with FREESWITCH_XML_USER/PASSWORD set, only those credentials are let in', async () => {
    assert.equal(assertXml(await fetchXml(server, 'section=directory', basic(credentials.user, credentials.password))), NOT_FOUND);
    const refusals: [string, Record<string, string>][] = [
      ['no credentials', {}],
      ['wrong password', basic(credentials.user, 'wrong')],
      ['wrong user', basic('admin', credentials.password)],
      ['password prefix', basic(credentials.user, 'pa:ss')],
      ['not basic', { authorization: `Bearer ${server.token}` }],
      ['an API token', { 'x-xtra-auth-id': server.token }],
      ['garbage', { authorization: 'Basic !!!' }],
    ];
    for (const [what, headers] of refusals) {
      const reply = await fetchXml(server, 'section=directory', headers);
      assert.equal(reply.status, 401, what);
      assert.equal(reply.body.code, 401, what);
      assert.match(String(reply.headers['www-authenticate']), /^Basic realm="switchboard"/, what);
    }
  });

  test('the API itself still wants its token, not basic auth', async () => {
    const reply = await server.request('GET', '/api/contexts', undefined, { token: null, headers: basic(credentials.user, credentials.password) });
    assert.equal(reply.status, 401);
  });
});

describe('POST /freeswitch/xml: without credentials configured', () => {
  let server: Harness;
  before(async () => {
    server = await Harness.start(sqlite);
  });
  after(() => server.close());

  test('answers without authentication (FreeSWITCH on the same host)', async () => {
    assert.equal(assertXml(await fetchXml(server, 'section=directory')), NOT_FOUND);
  });
});
