/**
 * What CherryPBX (xswitch-cn/CherryPBX, XSwitch's own web console) reads from the answers of the
 * resources Switchboard serves, page by page, with the comparisons it makes. Each test names the
 * page and the comparison: a type changed here breaks that page (a strict `=== "1"` against a
 * number reads as "off", and the page writes "off" back on the next save). See
 * ../shared/research/xswitch-client-expectations.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { destinationId, freshContext } from '../helpers/routing.js';
import { temporaryMediaDir, uploadWav } from '../helpers/media.js';

/** What CherryPBX's route page parses a dnc/sdnc back into a "number change table" choice with. */
const CHERRY_NUMTAB = /^s\/prefix_nts_([0-9]+)\/([^/]+)\/([^/]+)\/$/;

let made = 0;
const unique = (what: string) => `${what}-${++made}`;

async function createRoute(server: Harness, fields: Record<string, unknown> = {}): Promise<Record<string, any>> {
  made += 1;
  const reply = await server.post('/api/routes', {
    name: unique('cherry'), max_length: 12, context: 'context-1', dest_type: 'FS_DEST_USER', prefix: `8${made}`, body: '1000', ...fields,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.data;
}

describeOnEachDatabase('CherryPBX reads the types it compares strictly', (server) => {
  test('contexts list page: item.hotline_enabled === "1" shows DID on; the identifier column reads identifier and key', async () => {
    const id = createdId(await server().post('/api/contexts', { name: unique('did on'), hotline_enabled: '1' }));
    const list = await server().get('/api/contexts?page=1&perPage=1000');
    const row = list.body.data.find((item: { id: string }) => item.id === String(id));
    assert.strictEqual(row.hotline_enabled, '1');
    assert.strictEqual(typeof row.identifier, 'string');
    assert.strictEqual(row.identifier, row.key);
    assert.strictEqual(typeof list.body.rowCount, 'number');
  });

  test('contexts detail page: hotline_enabled === "1", and saving a rename sends back what it showed without turning DID off', async () => {
    const id = createdId(await server().post('/api/contexts', { name: unique('rename me'), hotline_enabled: '1' }));
    const shown = (await server().get(`/api/contexts/${id}`)).body;
    assert.strictEqual(shown.hotline_enabled, '1');
    assert.ok(shown.identifier || shown.key);
    // The page's save: name, description, and the flag as the page understood it.
    const didEnabled = shown.hotline_enabled === '1';
    const saved = await server().put(`/api/contexts/${id}`, { name: `${shown.name} renamed`, description: shown.description, hotline_enabled: didEnabled ? '1' : '0' });
    assert.equal(saved.status, 200);
    const after = (await server().get(`/api/contexts/${id}`)).body;
    assert.strictEqual(after.hotline_enabled, '1');
    assert.strictEqual(after.name, `${shown.name} renamed`);
    const off = createdId(await server().post('/api/contexts', { name: unique('did off') }));
    assert.strictEqual((await server().get(`/api/contexts/${off}`)).body.hotline_enabled, '0');
  });

  test('route create dialog: the contexts drop-down reads data[].key and data[].name from a list without paging', async () => {
    const all = await server().get('/api/contexts');
    assert.ok(all.body.data.length >= 2);
    for (const row of all.body.data) {
      assert.strictEqual(typeof row.key, 'string');
      assert.strictEqual(typeof row.name, 'string');
    }
  });

  test('routes list page: the enabled switch is row.disabled === 0, and {"action":"toggle"} flips it to 1', async () => {
    const route = await createRoute(server());
    const list = await server().get(`/api/routes?page=1&perPage=1000&name=${encodeURIComponent(route.name)}`);
    const row = list.body.data[0];
    assert.strictEqual(row.disabled, 0);
    for (const field of ['id', 'name', 'context', 'prefix', 'dest_type', 'body']) assert.ok(field in row, field);
    assert.strictEqual(typeof list.body.rowCount, 'number');
    assert.strictEqual(typeof list.body.pageCount, 'number');
    await server().put(`/api/routes/${route.id}`, { action: 'toggle' });
    const toggled = await server().get(`/api/routes?name=${encodeURIComponent(route.name)}`);
    assert.strictEqual(toggled.body.data[0].disabled, 1);
  });

  test('routes batch dialog: GET /api/routes?type=ALL answers every route in data', async () => {
    await createRoute(server());
    const all = await server().get('/api/routes?type=ALL');
    assert.equal(all.status, 200);
    assert.equal(all.body.data.length, all.body.rowCount);
  });

  test('route detail page: auto_record, proxy_media, did_enabled and ringback_enabled === 1 show "yes"; params[].disabled === 0 shows enabled', async () => {
    const route = await createRoute(server(), { auto_record: '1', proxy_media: '1', did_enabled: '1', ringback_enabled: '1' });
    const param = createdId(await server().post(`/api/routes/${route.id}/params`, { k: 'set', v: 'a=b' }));
    const detail = (await server().get(`/api/routes/${route.id}?with_params=true`)).body;
    for (const flag of ['auto_record', 'proxy_media', 'did_enabled', 'ringback_enabled']) assert.strictEqual(detail[flag], 1, flag);
    assert.strictEqual(detail.disabled, 0);
    assert.strictEqual(typeof detail.max_length, 'number');
    assert.strictEqual(typeof detail.blacklist, 'string');
    const [shownParam] = detail.params;
    assert.strictEqual(shownParam.id, param);
    assert.strictEqual(shownParam.disabled, 0);
    assert.strictEqual(shownParam.k, 'set');
    assert.strictEqual(shownParam.v, 'a=b');
  });

  test('route pages: GET /api/dicts?realm=DEST answers a bare array of {id, k, v} with k = FS_DEST_*', async () => {
    const dest = await server().get('/api/dicts?realm=DEST');
    assert.ok(Array.isArray(dest.body));
    for (const row of dest.body) {
      assert.strictEqual(typeof row.id, 'number');
      assert.match(row.k, /^FS_DEST_/);
      assert.strictEqual(typeof row.v, 'string');
    }
  });

  test('time rules list page: the envelope\'s data.data, data.rowCount and data.pageCount', async () => {
    await server().post('/api/time_recurrence/templates', [{ name: unique('rule'), description: '' }]);
    const list = (await server().get('/api/time_recurrence/templates?page=1&page_size=10')).body;
    assert.strictEqual(list.code, 200);
    assert.ok(Array.isArray(list.data.data) && list.data.data.length > 0);
    assert.strictEqual(typeof list.data.rowCount, 'number');
    assert.strictEqual(typeof list.data.pageCount, 'number');
  });

  test('time rules detail page: data.time_recurrences[] of {id, time_recurrence}', async () => {
    const created = (await server().post('/api/time_recurrence/templates', [{ name: unique('rule'), description: '' }])).body;
    const id = created.data[0].id;
    const item = await server().post('/api/time_recurrence/templates/time_recurrences', [
      { template_id: id, time_recurrence: '20260101T090000|PT8H0M0S|daily||1|MO,TU' },
    ]);
    assert.equal(item.status, 200, JSON.stringify(item.body));
    const detail = (await server().get(`/api/time_recurrence/templates/${id}`)).body;
    assert.strictEqual(detail.data.id, id);
    assert.strictEqual(detail.data.time_recurrences.length, 1);
    assert.strictEqual(typeof detail.data.time_recurrences[0].id, 'number');
    assert.strictEqual(detail.data.time_recurrences[0].time_recurrence, '20260101T090000|PT8H0M0S|daily||1|MO,TU');
  });

  test('route detail page and IVR sound picker: dicts TONE {id, k, v} whose v plays as tone_stream://<v>, and /api/tones/<v> is its player URL', async () => {
    const tones = (await server().get('/api/dicts?realm=TONE')).body;
    assert.ok(tones.length >= 20);
    const toneStream = /^(%\(\d+,\d+(,\d+(\.\d+)?)+\);?)+$/;
    for (const tone of tones) assert.match(tone.v, toneStream, tone.k);
    assert.equal(tones.find((tone: { k: string }) => tone.k === 'cn-ring').v, '%(1000,4000,450)');
  });

  test('IVR sound picker: dicts LOCAL_STREAM v is the whole local_stream:// URL the page stores as the path', async () => {
    const streams = (await server().get('/api/dicts?realm=LOCAL_STREAM')).body;
    assert.ok(streams.length > 0);
    for (const stream of streams) assert.match(stream.v, /^local_stream:\/\/[a-z0-9_/-]+$/);
  });

  test('pickers: MFILE_TYPE, EXTENSION_TYPE (default "SIP" among k), CONF_VIDEO_MODE (default CONF_VIDEO_MODE_PASSTHROUGH), CONF_CALL_PERM are seeded', async () => {
    const realm = async (name: string) => ((await server().get(`/api/dicts?realm=${name}`)).body as { k: string; v: string }[]);
    assert.ok((await realm('MFILE_TYPE')).some((row) => row.k === 'UPLOAD'));
    assert.ok((await realm('EXTENSION_TYPE')).some((row) => row.k === 'SIP' && row.v === 'SIP'));
    const modes = await realm('CONF_VIDEO_MODE');
    assert.deepEqual(modes.map((row) => row.v).sort(), ['mux', 'passthrough', 'transcode']);
    assert.ok(modes.some((row) => row.k === 'CONF_VIDEO_MODE_PASSTHROUGH'));
    assert.ok((await realm('CONF_CALL_PERM')).length > 0);
  });

  test('extension and DOD pages: dicts XUI k === "IS_PRODUCT_GW" with v !== "false" offers trunks', async () => {
    const xui = (await server().get('/api/dicts?realm=XUI')).body as { k: string; v: string }[];
    assert.equal(xui.find((row) => row.k === 'IS_PRODUCT_GW')?.v, 'true');
  });

  test('route action list: GET /api/dicts/realm/XUI_SCRIPTS answers a bare array (empty: no built-in scripts ship)', async () => {
    const scripts = await server().get('/api/dicts/realm/XUI_SCRIPTS');
    assert.equal(scripts.status, 200);
    assert.deepEqual(scripts.body, []);
  });

  test('extension page: GET /api/configs/xui_type answers the bare value, and xuiType === "ippbx" shows the PBX fields', async () => {
    const reply = await server().get('/api/configs/xui_type');
    assert.equal(reply.status, 200);
    assert.strictEqual(reply.body, 'ippbx');
    const unknown = await server().get('/api/configs/no_such_key');
    assert.deepEqual([unknown.status, unknown.body], [404, { code: 404, message: 'not found', data: '{}' }]);
    assert.equal((await server().get('/api/configs/__proto__')).status, 404);
  });

  test('dashboard: host_info, freeswitch/stats, sip_status, disk and memory answer what the page reads (it unwraps a "data" key, so none is sent)', async () => {
    const host = (await server().get('/api/status/host_info')).body;
    for (const field of ['hostname', 'ip', 'ext_ip']) assert.strictEqual(typeof host[field], 'string', field);
    const stats = (await server().get('/api/freeswitch/stats')).body;
    assert.ok(!('data' in stats));
    assert.strictEqual(typeof stats.date, 'string');
    const sip = (await server().get('/api/sip_status')).body;
    assert.ok(!('data' in sip));
    const [disk] = (await server().get('/api/status/disk')).body;
    assert.ok(!Number.isNaN(parseFloat(disk.usage)));
    const memory = (await server().get('/api/status/memory')).body;
    assert.strictEqual(typeof memory.physical_memory_usage, 'number');
  });

  test('dashboard: the disk and memory graphs read /api/rrdgraphs/<figure>?days=1 as rows with a number first; no samples are kept, so none', async () => {
    for (const figure of ['disk', 'memory']) {
      const reply = await server().get(`/api/rrdgraphs/${figure}?days=1`);
      assert.equal(reply.status, 200, figure);
      assert.deepEqual(reply.body, [], figure);
    }
    assert.equal((await server().get('/api/rrdgraphs/uptime')).status, 400);
  });

  test('route create dialog: it sends the destination type only; the route is stored, calls to it are refused until the route page chooses the destination', async () => {
    const context = await freshContext(server());
    // Exactly what the dialog posts (routes/components/create-route-dialog.tsx).
    const dialog = { name: unique('to ivr'), description: '', prefix: '9', max_length: 12, context, dest_type: 'FS_DEST_IVR' };
    const created = await server().post('/api/routes', dialog);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.data.id;
    assert.deepEqual([created.body.data.dest_uuid, created.body.data.body], ['', '']);
    const fetchForm = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': '9001', 'Caller-Caller-ID-Number': '1000' });
    const refused = await server().request('POST', '/freeswitch/xml', fetchForm.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.match(String(refused.body), /FS_DEST_IVR destination is not chosen yet/);
    assert.match(String(refused.body), /<action application="hangup" data="UNALLOCATED_NUMBER"\/>/);
    // The route page saves its whole form with the destination chosen.
    const ivr = await destinationId(server(), 'FS_DEST_IVR');
    const shown = (await server().get(`/api/routes/${id}?with_params=true`)).body;
    const saved = await server().put(`/api/routes/${id}`, { ...shown, dest_uuid: ivr });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const after = (await server().get(`/api/routes/${id}`)).body;
    assert.equal(after.dest_uuid, ivr);
    assert.notEqual(after.body, '');
    const routed = await server().request('POST', '/freeswitch/xml', fetchForm.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.match(String(routed.body), new RegExp(`<action application="ivr" data="${after.body}"/>`));
    for (const destType of ['FS_DEST_IP', 'FS_DEST_GATEWAY', 'FS_DEST_RING_EXTNS']) {
      const waiting = await server().post('/api/routes', { ...dialog, name: unique('waiting'), prefix: `9${made}`, dest_type: destType });
      assert.equal(waiting.status, 200, `${destType}: ${JSON.stringify(waiting.body)}`);
    }
    const bogus = await server().post('/api/routes', { ...dialog, name: unique('bogus'), prefix: '99', dest_uuid: '999999' });
    assert.equal(bogus.status, 400, 'a chosen destination is still checked');
  });

  test('SIP page: the global settings list is data[] of {id, k, v} with disabled === "0" (a string) for the enabled switch, and sip_status answers without a switch', async () => {
    const reply = await server().get('/api/params/realm/SOFIAGLOBALS');
    assert.equal(reply.status, 200);
    assert.ok(reply.body.data.length > 0, 'the seeded log-level');
    for (const row of reply.body.data) {
      assert.strictEqual(typeof row.id, 'number');
      assert.strictEqual(typeof row.k, 'string');
      assert.strictEqual(typeof row.v, 'string');
      assert.ok(row.disabled === '0' || row.disabled === '1', JSON.stringify(row));
    }
    assert.ok(reply.body.data.some((row: { k: string; disabled: string }) => row.k === 'log-level' && row.disabled === '0'));
    const status = await server().get('/api/sip_profiles/sip_status');
    assert.equal(status.status, 200);
    assert.deepEqual(status.body.profiles, {});
  });

  test('SIP profile page: the profile list is a bare array whose disabled === 0 (a number) shows enabled', async () => {
    const created = await server().post('/api/sip_profiles', { name: unique('prof').replace('-', ''), description: '' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const list = (await server().get('/api/sip_profiles')).body;
    assert.ok(Array.isArray(list));
    for (const profile of list) assert.strictEqual(profile.disabled, 0);
  });

  test('media page: GET /api/check/clean-file answers {msg} (msg === "Already Running" shows the cancel button); the delete dialog sends DATE_TYPE <v><k> as threshold', async () => {
    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Not Running' });
    const thresholds = (await server().get('/api/dicts?realm=DATE_TYPE')).body as { k: string; v: string }[];
    assert.ok(thresholds.length > 0);
    for (const { k, v } of thresholds) assert.equal((await server().delete(`/api/media_files/regular/${v}${k}/false`)).status, 200, `${v}${k}`);
    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Already Running' });
    assert.equal((await server().delete('/api/media_files/cancel/regular')).status, 200);
    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Not Running' });
  });

  test('route detail page: ringback_tone is the JSON the tone picker stores and JSON.parse reads back (media_k shown); with ringback_enabled the caller hears its media_path', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '5', dest_type: 'FS_DEST_SYSTEM', body: 'answer' });
    const tone = ((await server().get('/api/dicts?realm=TONE')).body as { id: number; k: string; v: string }[]).find((row) => row.k === 'cn-ring')!;
    // The picker's option value (routes/[id]/page.tsx), saved with the rest of the advanced section.
    const picked = JSON.stringify({ media_id: tone.id, media_path: `tone_stream://${tone.v}`, media_type: 'RINGTONE', media_k: tone.k });
    const shown = (await server().get(`/api/routes/${route.id}?with_params=true`)).body;
    assert.strictEqual(shown.ringback_tone, '', 'falsy: the page shows "-" without parsing');
    const saved = await server().put(`/api/routes/${route.id}`, { ...shown, ringback_enabled: '1', ringback_tone: picked });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const after = (await server().get(`/api/routes/${route.id}`)).body;
    assert.strictEqual(after.ringback_enabled, 1);
    assert.equal(JSON.parse(after.ringback_tone).media_k, 'cn-ring');
    const fetchForm = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': '5001', 'Caller-Caller-ID-Number': '1000' }).toString();
    const dialplan = async () => String((await server().request('POST', '/freeswitch/xml', fetchForm, { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body);
    assert.match(await dialplan(), /<action application="set" data="ringback=tone_stream:\/\/%\(1000,4000,450\)"\/>/);
    await server().put(`/api/routes/${route.id}`, { ringback_enabled: '0' });
    assert.doesNotMatch(await dialplan(), /ringback=/);
    // Anything JSON.parse would choke on would break the page: refused, naming the field.
    for (const bad of ['%(1000,4000,450)', '{"media_path":"tone_stream://${evil}"}', '[]']) {
      const refused = await server().put(`/api/routes/${route.id}`, { ringback_tone: bad });
      assert.equal(refused.status, 400, bad);
      assert.match(refused.body.message, /^ringback_tone: /);
    }
  });

  test('gateway detail page: relevance_info/:id answers {routes, dods, distributors}: the routes and the DODs using the gateway', async () => {
    const gateway = await destinationId(server(), 'FS_DEST_GATEWAY');
    const unused = (await server().get(`/api/gateways/relevance_info/${gateway}`)).body;
    assert.deepEqual(unused, { routes: [], dods: [], distributors: [] });
    const route = await createRoute(server(), { dest_type: 'FS_DEST_GATEWAY', dest_uuid: gateway });
    const used = await server().get(`/api/gateways/relevance_info/${gateway}`);
    assert.equal(used.status, 200);
    assert.deepEqual(used.body.routes.map(({ id, name, prefix }: Record<string, unknown>) => ({ id, name, prefix })), [{ id: route.id, name: route.name, prefix: route.prefix }]);
    const { name } = (await server().get(`/api/gateways/${gateway}`)).body;
    const extn = String(80_000 + Math.floor(Math.random() * 10_000));
    createdId(await server().post('/api/extensions', { extn, password: 'secret-1', context: 'context-1' }));
    const line_number = `86${extn}`;
    const dod = createdId(await server().post('/api/dods', { line_number, extn, type: 'GATEWAY', name }));
    assert.deepEqual((await server().get(`/api/gateways/relevance_info/${gateway}`)).body.dods, [{ id: dod, line_number }]);
    assert.equal((await server().get('/api/gateways/relevance_info/999999')).status, 404);
  });

  test('gateway pages: the create dialog sends register "true"/"false"; the detail\'s register switch is on for "yes", and saving it sends "yes"/"no"', async () => {
    const created = await server().post('/api/gateways', { name: unique('gw').replace('-', ''), realm: '192.0.2.10', username: 'walker', password: 'secret-1', register: 'true' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.data;
    const shown = (await server().get(`/api/gateways/${id}`)).body;
    assert.strictEqual(shown.register, 'yes');
    assert.strictEqual(shown.disabled, '0');
    assert.equal((await server().put(`/api/gateways/${id}`, { register: 'no' })).status, 200);
    assert.strictEqual((await server().get(`/api/gateways/${id}`)).body.register, 'no');
  });

  test('gateway detail page, 号码变换 section: reads gateway.sdnc/gateway.dnc as strings, picks a table from /api/number_translation?page=1&perPage=5000 by id, saves {sdnc, dnc}; the basic-info save sends the whole detail back', async () => {
    const name = unique('ntsgw').replace('-', '');
    const id = createdId(await server().post('/api/gateways', { name, realm: '192.0.2.10', username: 'walker', password: 'secret-1', register: 'true' }));
    const shown = (await server().get(`/api/gateways/${id}`)).body;
    // `gateway?.sdnc || ""`: parseTransformValue("") shows "-" (no transform).
    assert.strictEqual(shown.sdnc, '');
    assert.strictEqual(shown.dnc, '');

    const table = createdId(await server().post('/api/number_translation', { name: unique('carrier nts'), type: 'prefix' }));
    const picker = await server().get('/api/number_translation?page=1&perPage=5000');
    assert.equal(picker.status, 200);
    // numberTransRes.data?.data?.map((item) => ({ value: item.id, label: item.name })); the select compares value with
    // the table id parseTransformValue reads from the rule, a string.
    const option = picker.body.data.find((item: { id: unknown }) => item.id === String(table));
    assert.ok(option, JSON.stringify(picker.body));
    assert.strictEqual(typeof option.name, 'string');

    // formatTransformValue: numtab → s/prefix_nts_<id>/<original>/<nts>/ (both "" when only the table is picked);
    // "-nnn+nnn" → -0+86; "pattern" → /pattern/replacement without the closing slash.
    const section = { sdnc: `s/prefix_nts_${table}///`, dnc: '-0+86' };
    const saved = await server().put(`/api/gateways/${id}`, section);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const reread = (await server().get(`/api/gateways/${id}`)).body;
    assert.strictEqual(reread.dnc, section.dnc);
    // parseTransformValue reads numtab only with both slots filled; otherwise the section shows no table.
    assert.strictEqual(CHERRY_NUMTAB.exec(reread.sdnc)?.[1], String(table), `the page shows no table for sdnc ${JSON.stringify(reread.sdnc)}`);
    assert.equal((await server().put(`/api/gateways/${id}`, { sdnc: '', dnc: '/^0(\\d+)$/86$1' })).status, 200);
    assert.strictEqual((await server().get(`/api/gateways/${id}`)).body.dnc, '/^0(\\d+)$/86$1');

    // The basic-info section saves {...gateway, profile_id: String(profile_id)}: params, variables, dnc and sdnc included.
    const whole = (await server().get(`/api/gateways/${id}`)).body;
    const basic = await server().put(`/api/gateways/${id}`, { ...whole, profile_id: String(whole.profile_id), description: 'renamed carrier' });
    assert.equal(basic.status, 200, JSON.stringify(basic.body));
    const after = (await server().get(`/api/gateways/${id}`)).body;
    assert.deepEqual([after.description, after.dnc, after.sdnc], ['renamed carrier', '/^0(\\d+)$/86$1', '']);
  });

  test('gateway detail page, 号码变换 section: every form formatTransformValue writes for a type Switchboard applies reads back through parseTransformValue as that type; the X (distributor) form is a 400 naming the field and stores neither field', async () => {
    const id = createdId(await server().post('/api/gateways', { name: unique('ntsall').replace('-', ''), realm: '192.0.2.11', register: 'false' }));
    const table = createdId(await server().post('/api/number_translation', { name: unique('gw nts'), type: 'exact' }));
    // parseTransformValue's tests, in its order; the first match is the type the section shows.
    const parse: Array<[string, RegExp]> = [
      ['-nnn+nnn', /^-([0-9]+)\+([0-9]+)$/], ['-nnn', /^-([0-9]+)$/], ['+nnn', /^\+([0-9]+)$/], ['rnnn', /^r([0-9]+)$/], ['Rnnn', /^R([0-9]+)$/],
      ['mxnnn', /^m([0-9]+)([0-9]+)$/], ['ixnnn', /^i([0-9]+)([0-9]+)$/], ['Ixnnn', /^I([0-9]+)([0-9]+)$/], ['dxn', /^d([0-9]+)([0-9]+)$/],
      ['nnn', /^@(.+)$/], ['pattern', /^\/(.+)\/(.+)$/], ['numtab', CHERRY_NUMTAB], ['distributors', /^X\/([^/]+)$/],
    ];
    const typeShown = (rule: string) => parse.find(([, re]) => re.test(rule))?.[0] ?? '-';
    // formatTransformValue for the values typed in the walk (sdnc, dnc).
    const applied: Array<[string, string, string]> = [
      ['-nnn+nnn', '-0+86', '-00+1'], ['-nnn', '-0', '-9'], ['+nnn', '+86', '+0'], ['rnnn', 'r3999', 'r10'], ['Rnnn', 'R200', 'R4123'],
      ['pattern', '/^0(\\d+)$/86$1', '/^9(.*)$/$1'], ['numtab', `s/prefix_nts_${table}///`, `s/prefix_nts_${table}///`],
      ['mxnnn', 'm21', 'm3999'], ['ixnnn', 'i21', 'i199'], ['Ixnnn', 'I21', 'I90'], ['dxn', 'd21', 'd13'], ['nnn', '@132', '@10086'],
    ];
    for (const [type, sdnc, dnc] of applied) {
      const saved = await server().put(`/api/gateways/${id}`, { sdnc, dnc });
      assert.equal(saved.status, 200, `${type}: ${JSON.stringify(saved.body)}`);
      const shown = (await server().get(`/api/gateways/${id}`)).body;
      assert.deepEqual([typeShown(shown.sdnc), typeShown(shown.dnc)], [type, type], `${type}: stored ${JSON.stringify([shown.sdnc, shown.dnc])}`);
      if (type === 'numtab') assert.deepEqual([CHERRY_NUMTAB.exec(shown.sdnc)?.[1], CHERRY_NUMTAB.exec(shown.dnc)?.[1]], [String(table), String(table)]);
    }

    const kept = (await server().get(`/api/gateways/${id}`)).body;
    // Switchboard has no distributors.
    const refused: Array<[string, string]> = [['distributors', 'X/1']];
    for (const field of ['sdnc', 'dnc'] as const) {
      for (const [type, rule] of refused) {
        assert.strictEqual(typeShown(rule), type);
        // The section sends both fields; the other one is a valid change that must not be stored either.
        const body = field === 'sdnc' ? { sdnc: rule, dnc: '+0' } : { sdnc: '+86', dnc: rule };
        const reply = await server().put(`/api/gateways/${id}`, body);
        assert.equal(reply.status, 400, `${field} ${rule}: ${JSON.stringify(reply.body)}`);
        assert.match(reply.body.message, new RegExp(`^${field}: `), `${field} ${rule}: ${reply.body.message}`);
        const after = (await server().get(`/api/gateways/${id}`)).body;
        assert.deepEqual([after.sdnc, after.dnc], [kept.sdnc, kept.dnc], `${field} ${rule} changed the gateway`);
      }
    }
  });
});

describeOnEachDatabase('CherryPBX SIP pages: profile fields and global params', (server) => {
  test('SIP profile detail page: shows sip_ip_expanded, sip_port_expanded, rtp_ip_expanded, icodec_expanded, ocodec_expanded and picks context by contexts[].key; saving {...sipData, sip_port} keeps the rest', async () => {
    const id = (await server().get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === 'public').id;
    const sipData = (await server().get(`/api/sip_profiles/${id}`)).body;
    for (const field of ['sip_ip_expanded', 'sip_port_expanded', 'rtp_ip_expanded', 'icodec_expanded', 'ocodec_expanded', 'context', 'sip_ip', 'sip_port', 'rtp_ip', 'icodec', 'ocodec']) {
      assert.strictEqual(typeof sipData[field], 'string', field);
    }
    assert.strictEqual(sipData.sip_port_expanded, '$${public_sip_port}');
    const contexts = (await server().get('/api/contexts')).body.data;
    assert.ok(contexts.some((context: { key: string }) => context.key === sipData.context), 'getLabels(contexts, sipData.context, "name", "key") finds it');
    // EditableSection saves defaultValues ({...sipData}, params and *_expanded included) with the edited field.
    const saved = await server().put(`/api/sip_profiles/${id}`, { ...sipData, sip_port: '5090', context: 'context-1' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const after = (await server().get(`/api/sip_profiles/${id}`)).body;
    assert.deepEqual([after.sip_port_expanded, after.context, after.name, after.icodec_expanded, after.params.length], ['5090', 'context-1', sipData.name, sipData.icodec_expanded, sipData.params.length]);
    assert.equal(after.params.find((param: { k: string }) => param.k === 'sip-port').v, '5090', 'the profile settings table shows the same value');
  });

  test('SIP page global params: add {k,v,realm:"SOFIAGLOBALS"}, edit {id,k,v}, switch {action:"toggle",id} flips disabled "0"/"1", delete; the list reloads each time', async () => {
    const list = async () => (await server().get('/api/params/realm/SOFIAGLOBALS')).body.data as { id: number; k: string; v: string; disabled: string }[];
    const added = await server().post('/api/params', { k: 'auto-restart', v: 'false', realm: 'SOFIAGLOBALS' });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const id = createdId(added);
    assert.strictEqual((await list()).find((row) => row.id === id)?.disabled, '0', 'switchCheckedValue "0"');
    assert.equal((await server().put(`/api/params/${id}`, { id, k: 'auto-restart', v: 'true' })).status, 200);
    assert.strictEqual((await list()).find((row) => row.id === id)?.v, 'true');
    assert.equal((await server().put(`/api/params/${id}`, { action: 'toggle', id })).status, 200);
    assert.strictEqual((await list()).find((row) => row.id === id)?.disabled, '1', 'switchUncheckedValue "1"');
    assert.equal((await server().delete(`/api/params/${id}`)).status, 200);
    assert.equal((await list()).some((row) => row.id === id), false);
  });
});

describeOnEachDatabase('CherryPBX extension page reads its DOD through flat fields', (server) => {
  test('extension detail page: dod_id (string) names the existing DOD, so a save sends it back instead of creating a duplicate; line_number, dod_type, dod_name show it', async () => {
    const extn = `63${++made}`;
    const gateway = createdId(await server().post('/api/gateways', { name: unique('dodgw'), realm: '192.0.2.30', username: 'w', password: 'secret-1' }));
    const extension = createdId(await server().post('/api/extensions', { name: unique('dod extn'), extn, password: 'walk-pass-1', context: 'context-1' }));
    const none = (await server().get(`/api/extensions/${extension}`)).body;
    assert.ok(!('dod_id' in none), 'no DOD yet: the page reads a missing dod_id as "create one on save"');
    const dod = createdId(await server().post('/api/dods', { ref_id: String(gateway), type: 'GATEWAY', line_number: `88${extn}`, extn, name: null }));
    // (name: null is what the page sends when only ref_id names the gateway.)
    const shown = (await server().get(`/api/extensions/${extension}`)).body;
    assert.strictEqual(shown.dod_id, String(dod));
    assert.strictEqual(shown.line_number, `88${extn}`);
    assert.strictEqual(shown.dod_type, 'GATEWAY');
    assert.strictEqual(typeof shown.dod_name, 'string');
    assert.ok(shown.dod_name.length > 0);
    assert.strictEqual(shown.ref_id, String(gateway));
    // The page's save: the flat DOD fields ride along on PUT /api/extensions/:id and are accepted.
    const saved = await server().put(`/api/extensions/${extension}`, { name: 'renamed', dod_id: shown.dod_id, dod_type: shown.dod_type, dod_name: shown.dod_name, ref_id: shown.ref_id, call_limit: '0' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal((await server().get(`/api/dods?page=1&page_size=100&extn=${extn}`)).body.rowCount, 1);
  });
});

describeOnEachDatabase('CherryPBX extension detail page: owner and call forward', (server) => {
  test('extension detail page: the required "Extension User" field reads login (the owner\'s), or the Basic Information section never saves', async () => {
    const login = unique('owner').replace('-', '');
    const user = createdId(await server().post('/api/users', { login, name: 'Owner', password: 'walk-pass-1', type: 'NORMAL' }));
    const owned = createdId(await server().post('/api/extensions', { name: 'owned', extn: `64${++made}`, password: 'walk-pass-1', context: 'context-1', user_id: user }));
    const shown = (await server().get(`/api/extensions/${owned}`)).body;
    assert.strictEqual(shown.login, login, 'the select shows users.find(u => u.login === extension.login)');
    const orphan = createdId(await server().post('/api/extensions', { name: 'orphan', extn: `64${++made}`, password: 'walk-pass-1', context: 'context-1' }));
    assert.strictEqual((await server().get(`/api/extensions/${orphan}`)).body.login, '');
  });

  test('extension detail page: call_transfer_type "4"/"2"/"3" with connect_phone is shown back after a reload (the forward a call honours), "0" clears it', async () => {
    const extn = `65${++made}`;
    const id = createdId(await server().post('/api/extensions', { name: 'forwarding', extn, password: 'walk-pass-1', context: 'context-1' }));
    const shown = async () => {
      const detail = (await server().get(`/api/extensions/${id}`)).body;
      return [detail.call_transfer_type?.toString(), detail.connect_phone, detail.forward_always, detail.forward_noanswer, detail.forward_busy];
    };
    assert.deepEqual(await shown(), ['0', '', '', '', ''], 'the select reads call_transfer_type?.toString() || "0"');
    // The "called services" section's save: the changed fields, strings as the page's selects hold them.
    const save = (body: Record<string, unknown>) => server().put(`/api/extensions/${id}`, { ...body, codec: '', timeout: '30' });
    assert.equal((await save({ call_transfer_type: '4', connect_phone: '2009' })).status, 200);
    assert.deepEqual(await shown(), ['4', '2009', '2009', '', '']);
    assert.equal((await save({ call_transfer_type: '2' })).status, 200, 'the number stays when only the type changes');
    assert.deepEqual(await shown(), ['2', '2009', '', '2009', '']);
    assert.equal((await save({ call_transfer_type: '3', connect_phone: '2010' })).status, 200);
    assert.deepEqual(await shown(), ['3', '2010', '', '', '2010']);
    for (const [body, field] of [[{ call_transfer_type: '1', connect_phone: '2011' }, 'call_transfer_type'], [{ call_transfer_type: '4', connect_phone: 'x1' }, 'connect_phone'], [{ call_transfer_type: '4', connect_phone: extn }, 'connect_phone']] as const) {
      const refused = await save(body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.match(refused.body.message, new RegExp(`^${field}: `));
    }
    assert.deepEqual(await shown(), ['3', '2010', '', '', '2010'], 'a refused save changes nothing');
    assert.equal((await save({ call_transfer_type: '0' })).status, 200);
    assert.deepEqual(await shown(), ['0', '', '', '', '']);
  });
});

describeOnEachDatabase('CherryPBX extensions list page: status filter and export', (server) => {
  test('extensions list page: the export sends status=all (or online/offline, the filter\'s values); all is every extension, online/offline ask the switches (503 with none)', async () => {
    const extn = `66${++made}`;
    createdId(await server().post('/api/extensions', { name: 'exported', extn, password: 'walk-pass-1', context: 'context-1' }));
    const all = await server().get('/api/extensions/download?status=all&language=en&extn=&name=');
    assert.equal(all.status, 200, JSON.stringify(all.body));
    const header = all.body[0] as string[];
    assert.ok(all.body.some((row: unknown[]) => row[header.indexOf('extn')] === extn));
    for (const status of ['online', 'offline']) {
      for (const path of ['/api/extensions/download?language=en&status=', '/api/extensions?page=1&page_size=10&status=']) {
        const reply = await server().get(`${path}${status}`);
        assert.equal(reply.status, 503, `${path}${status}: who is registered is the switches' to say`);
      }
    }
  });
});

describeOnEachDatabase('CherryPBX user detail page: user groups', (server) => {
  test('user detail page: GET /api/user_groups/:id answers an array of {id, name, domain, description} ([] without groups, not a 404 toast); Remove sends DELETE /api/groups/members/:gid/:uid', async () => {
    const user = createdId(await server().post('/api/users', { login: unique('grouped').replace('-', ''), name: 'Grouped', password: 'walk-pass-1', type: 'NORMAL' }));
    const none = await server().get(`/api/user_groups/${user}`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, []);
    const group = createdId(await server().post('/api/groups', { name: unique('support'), description: 'second line', domain: 'example.com' }));
    createdId(await server().post(`/api/groups/${group}/members`, { user_id: user }));
    const [row] = (await server().get(`/api/user_groups/${user}`)).body;
    assert.deepEqual({ ...row, name: undefined }, { id: group, name: undefined, domain: 'example.com', description: 'second line' });
    assert.strictEqual(typeof row.name, 'string');
    // The page drops the row where row.id !== id after the delete answers 2xx.
    assert.equal((await server().delete(`/api/groups/members/${group}/${user}`)).status, 200);
    assert.deepEqual((await server().get(`/api/user_groups/${user}`)).body, []);
  });
});

describeOnEachDatabase('CherryPBX extension page: a DOD on a trunk', (server) => {
  test('extension detail page: with IS_PRODUCT_GW its DOD types are GATEWAY, TRUNK, DISTRIBUTORS; a TRUNK DOD arrives as {type:"TRUNK", name:<the picked trunk id>} (trunk ids are numbers, so item.id === picked fails) and is the trunk\'s', async () => {
    const extn = `67${++made}`;
    createdId(await server().post('/api/extensions', { name: 'trunk dod', extn, password: 'walk-pass-1', context: 'context-1' }));
    const trunkName = unique('dodtrunk');
    const trunk = createdId(await server().post('/api/trunks', { name: trunkName, remote_addr: '192.0.2.61' }));
    const [listed] = (await server().get(`/api/trunks?name=${trunkName}`)).body.data.filter((row: { name: string }) => row.name === trunkName);
    assert.strictEqual(listed.id, trunk, 'the trunks list answers numeric ids (the spec\'s example)');
    // What handleDodCreation posts: ref_id undefined (dropped by JSON), name the picker's string value.
    const posted = await server().post('/api/dods', { name: String(trunk), type: 'TRUNK', line_number: `89${extn}`, extn });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const [dod] = (await server().get(`/api/dods?page=1&page_size=10&extn=${extn}`)).body.data;
    assert.deepEqual([dod.type, dod.ref_id, dod.name], ['TRUNKS', String(trunk), trunkName]);
    const refused = await server().post('/api/dods', { name: '999999', type: 'TRUNK', line_number: `88${extn}`, extn });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /^name: no trunk "999999"/);
  });
});

describeOnEachDatabase('CherryPBX IVR detail page: the action dialog plays a media file', (server) => {
  test('IVR action dialog and action page: IVR_PLAY args is String(file.id) of /api/media_files?client=IVR; saving answers code 200, and the action page finds its pick again by args == file.id', async () => {
    const file = await uploadWav(server(), 'menu-prompt.wav');
    const offered = (await server().get('/api/media_files?client=IVR&perPage=1000')).body.data as { id: number }[];
    assert.ok(offered.some((row) => row.id === file.id), 'the dialog offers the uploaded file');
    const ivr = createdId(await server().post('/api/ivrs', { name: unique('play menu') }));
    // Exactly what the dialog posts (components/ui/ivr-action-dialog.tsx).
    const saved = await server().post(`/api/ivrs/${ivr}/actions`, { digits: '4', match_prefix: '0', action: 'IVR_PLAY', args: String(file.id), body: '' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.ok(saved.body.code === 200 || saved.body.data, 'the dialog checks code === 200 or a truthy data');
    const [action] = (await server().get(`/api/ivrs/${ivr}/actions/${saved.body.data}`)).body;
    assert.ok(action.args == file.id, `the action page preselects the file: ${action.args}`);
    const edited = await server().put(`/api/ivrs/${ivr}/actions/${action.id}`, { id: action.id, digits: '5', match_prefix: '0', action: 'IVR_PLAY', body: '', args: String(file.id) });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const refused = await server().post(`/api/ivrs/${ivr}/actions`, { digits: '6', match_prefix: '0', action: 'IVR_PLAY', args: '999999', body: '' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /^args: no media file with id 999999/);
  });
}, { mediaDir: temporaryMediaDir() });

describeOnEachDatabase('CherryPBX IVR action page: match_prefix', (server) => {
  test('IVR action page: its switch is formData.match_prefix === "1" and its save sends match_prefix === "1" ? "1" : "0", so GET /api/ivrs/:id/actions/:aid answers "1" and a save keeps prefix matching on; the IVR page\'s list reads String(match_prefix)', async () => {
    const ivr = createdId(await server().post('/api/ivrs', { name: unique('prefix menu') }));
    const created = await server().post(`/api/ivrs/${ivr}/actions`, { digits: '7', match_prefix: '1', action: 'IVR_EXIT', args: '', body: '' });
    const id = created.body.data;
    const [action] = (await server().get(`/api/ivrs/${ivr}/actions/${id}`)).body;
    const formPrefix = action.match_prefix || '0';
    assert.strictEqual(formPrefix, '1', 'the switch shows on');
    // The page's save, changing only the digits.
    const saved = await server().put(`/api/ivrs/${ivr}/actions/${id}`, { id, digits: '8', match_prefix: formPrefix === '1' ? '1' : '0', action: action.action, body: action.body, args: action.args });
    assert.equal(saved.status, 200);
    const [after] = (await server().get(`/api/ivrs/${ivr}/actions/${id}`)).body;
    assert.deepEqual([after.digits, after.match_prefix], ['8', '1']);
    assert.strictEqual(String((await server().get(`/api/ivrs/${ivr}/actions`)).body[0].match_prefix), '1');
  });
});

describeOnEachDatabase('CherryPBX extension page: forwards set from the phone', (server) => {
  test('extension detail page: saving its called-services section resends the one forward it shows; the busy forward set from the phone beside it stays', async () => {
    const extn = `68${++made}`;
    const id = createdId(await server().post('/api/extensions', { name: 'phone forwards', extn, password: 'walk-pass-1', context: 'context-1' }));
    for (const [code, type] of [['*76', 'FS_DEST_FUNC_CALL_FORWARD_BUSY'], ['*74', 'FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE']]) {
      createdId(await server().post('/api/func_code', { func_code: code, func_type: type }));
    }
    // The owner dials *761301 and *741302 from the phone (FreeSWITCH fetches the code's dialplan).
    for (const dialled of ['*761301', '*741302']) {
      const form = new URLSearchParams({
        section: 'dialplan', 'Hunt-Context': 'context-1', 'Hunt-Destination-Number': dialled, 'Caller-Caller-ID-Number': extn,
        variable_user_name: extn, variable_domain_name: '127.0.0.1',
      });
      const fetched = await server().request('POST', '/freeswitch/xml', form.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(fetched.status, 200);
    }
    const shown = (await server().get(`/api/extensions/${id}`)).body;
    assert.deepEqual([shown.call_transfer_type, shown.connect_phone, shown.forward_busy, shown.forward_noanswer], ['2', '1302', '1301', '1302']);
    // A save of the section after ticking a codec: the shown forward comes along unchanged.
    const saved = await server().put(`/api/extensions/${id}`, { auto_record: '1', call_transfer_type: shown.call_transfer_type, connect_phone: shown.connect_phone, timeout: '', codec: 'PCMA' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const after = (await server().get(`/api/extensions/${id}`)).body;
    assert.deepEqual([after.auto_record, after.forward_busy, after.forward_noanswer], [1, '1301', '1302']);
  });
});

describeOnEachDatabase('CherryPBX extension page: ring timeout', (server) => {
  test('extension detail page: the Timeout field (timeout, seconds as text) is shown back after a reload and rings a call that long', async () => {
    const extn = `69${++made}`;
    const id = createdId(await server().post('/api/extensions', { name: 'ring timeout', extn, password: 'walk-pass-1', context: 'context-1' }));
    assert.strictEqual((await server().get(`/api/extensions/${id}`)).body.timeout, '', 'the page shows "-" for ""');
    const save = (timeout: string) => server().put(`/api/extensions/${id}`, { auto_record: '0', call_transfer_type: '0', connect_phone: '', timeout, codec: '' });
    assert.equal((await save('30')).status, 200);
    assert.strictEqual((await server().get(`/api/extensions/${id}`)).body.timeout, '30');
    const context = await freshContext(server());
    await createRoute(server(), { context, prefix: extn, max_length: extn.length, dest_type: 'FS_DEST_USER', body: '' });
    const form = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': extn, 'Caller-Caller-ID-Number': '1000' }).toString();
    const dialplan = async () => String((await server().request('POST', '/freeswitch/xml', form, { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body);
    assert.match(await dialplan(), /<action application="set" data="call_timeout=30"\/>\s*<action application="bridge"/);
    for (const bad of ['abc', '0', '601', '-5']) {
      const refused = await save(bad);
      assert.equal(refused.status, 400, bad);
      assert.match(refused.body.message, /^timeout: /);
    }
    assert.equal((await save('')).status, 200);
    assert.strictEqual((await server().get(`/api/extensions/${id}`)).body.timeout, '');
    assert.doesNotMatch(await dialplan(), /call_timeout/);
  });
});

describeOnEachDatabase('CherryPBX extension page: ringback', (server) => {
  test('extension detail page: the ringback picked with enable_ringback on is what callers of the extension hear, over the route\'s', async () => {
    const extn = `68${++made}`;
    const id = createdId(await server().post('/api/extensions', { name: 'ringback', extn, password: 'walk-pass-1', context: 'context-1' }));
    const context = await freshContext(server());
    const routeTone = JSON.stringify({ media_path: 'tone_stream://%(1000,4000,450)', media_k: 'cn-ring' });
    await createRoute(server(), { context, prefix: extn, max_length: extn.length, dest_type: 'FS_DEST_USER', body: '', ringback_tone: routeTone, ringback_enabled: 1 });
    const form = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': extn, 'Caller-Caller-ID-Number': '1000' }).toString();
    const dialplan = async () => String((await server().request('POST', '/freeswitch/xml', form, { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body);
    const ringbacks = async () => [...(await dialplan()).matchAll(/<action application="set" data="ringback=([^"]*)"\/>/g)].map((match) => match[1]);
    const routeOnly = await ringbacks();

    // The 被叫业务 section's save: the switch as "1"/"0" and the picked tone as JSON.
    const ringback = JSON.stringify({ media_id: 3, media_path: 'tone_stream://%(400,200,400,450);%(400,2000,400,450)', media_type: 'RINGTONE', media_k: 'uk-ring' });
    assert.equal((await server().put(`/api/extensions/${id}`, { enable_ringback: '1', ringback })).status, 200);
    const shown = await ringbacks();
    assert.equal(shown.at(-1), 'tone_stream://%(400,200,400,450);%(400,2000,400,450)', 'the last ringback set before the bridge is the extension\'s');
    assert.match(await dialplan(), /data="ringback=tone_stream:\/\/%\(400,200,400,450\);%\(400,2000,400,450\)"\/>\s*<action application="set" data="transfer_ringback=[^"]*"\/>\s*<action application="bridge"/);

    assert.equal((await server().put(`/api/extensions/${id}`, { enable_ringback: '0', ringback })).status, 200);
    assert.deepEqual(await ringbacks(), routeOnly, 'switched off, the route\'s ringback alone');
  });
});

describeOnEachDatabase('CherryPBX blacklist and number transform pages, and the route page choosing them', (server) => {
  test('route detail page, number transform fields: a table chosen is sent as "s/prefix_nts_<id>///"; read back, /^s\\/prefix_nts_([0-9]+)\\/([^/]+)\\/([^/]+)\\/$/ must match and its id equal the picker\'s option value String(row.id)', async () => {
    const table = createdId(await server().post('/api/number_translation', { name: unique('numtab'), description: '', type: 'prefix' }));
    assert.equal((await server().post(`/api/number_translation/${table}/numbers`, { id: String(table), type: 'prefix', original_number: '0086', nts_number: '0' })).status, 200);
    const route = await createRoute(server());
    // The page's save of its number-transform section: both fields, the untouched one empty.
    const saved = await server().put(`/api/routes/${route.id}`, { sdnc: '', dnc: `s/prefix_nts_${table}///` });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const shown = (await server().get(`/api/routes/${route.id}?with_params=true`)).body;
    const parsed = CHERRY_NUMTAB.exec(shown.dnc);
    assert.ok(parsed, `the page shows no table for dnc ${JSON.stringify(shown.dnc)}`);
    // The picker's options: GET /api/number_translation?page=1&perPage=5000, value = item.id.
    const options = (await server().get('/api/number_translation?page=1&perPage=5000')).body.data.map((item: { id: unknown }) => item.id);
    assert.ok(options.includes(parsed[1]), `option values ${JSON.stringify(options)} hold no ${parsed[1]}`);
    assert.strictEqual(parsed[1], String(table));
    // Saved again as shown (the page re-formats from what it parsed), it is the same rule and still translates.
    assert.equal((await server().put(`/api/routes/${route.id}`, { sdnc: `s/prefix_nts_${parsed[1]}/${parsed[2]}/${parsed[3]}/`, dnc: shown.dnc })).status, 200);
    const again = (await server().get(`/api/routes/${route.id}`)).body;
    assert.strictEqual(again.sdnc, shown.dnc);
    const explained = (await server().get(`/api/routes/explain?destNumber=${route.prefix}0086123&callerNumber=0086555&context=${route.context}`)).body.data;
    assert.equal(explained.dnc_number, `${route.prefix}0086123`, 'the route prefix is not in the table: unchanged');
    assert.equal(explained.sdnc_number, '0555');
  });

  test('route detail page, blacklist picker: blacklists[].id === route.blacklist (both strings) and list_type === "0" picks the label; GET /api/distributors answers data[] or the page throws', async () => {
    const list = createdId(await server().post('/api/blacklists', { name: unique('route bl'), description: '', list_type: '1', limit_user_type: '0' }));
    const route = await createRoute(server());
    assert.equal((await server().put(`/api/routes/${route.id}`, { blacklist: String(list), route_type: '4', auto_record: '0' })).status, 200);
    const shown = (await server().get(`/api/routes/${route.id}?with_params=true`)).body;
    const options = (await server().get('/api/blacklists')).body.data;
    const chosen = options.find((item: { id: unknown }) => item.id === shown.blacklist);
    assert.ok(chosen, `no blacklists[].id === ${JSON.stringify(shown.blacklist)}`);
    assert.strictEqual(chosen.list_type, '1');
    const distributors = await server().get('/api/distributors');
    assert.equal(distributors.status, 200);
    assert.deepEqual(distributors.body.data, []);
    assert.equal((await server().get('/api/distributors?page=1&perPage=10')).body.rowCount, 0);
  });

  test('blacklist list and detail pages: list_type "0"/"1" and limit_user_type "0"/"1"/"2" are strings the maps read; the form\'s "1"/"2" are stored', async () => {
    const id = createdId(await server().post('/api/blacklists', { name: unique('bl page'), description: 'd', list_type: '1', limit_user_type: '1' }));
    const row = (await server().get('/api/blacklists?page=1&perPage=1000')).body.data.find((item: { id: unknown }) => item.id === String(id));
    assert.deepEqual([row.list_type, row.limit_user_type], ['1', '1']);
    // The detail page's save: {name, list_type, limit_user_type, description} from its selects.
    assert.equal((await server().put(`/api/blacklists/${id}`, { name: row.name, list_type: '0', limit_user_type: '2', description: 'd' })).status, 200);
    const detail = (await server().get(`/api/blacklists/${id}`)).body;
    assert.deepEqual([detail.list_type, detail.limit_user_type], ['0', '2']);
  });

  test('blacklist detail page: add number needs code === 200 and data = the new id; the table deletes by item.id !== parseInt(rowId), so params[].id is a number; import (sent to /import/) answers data[] with ids', async () => {
    const id = createdId(await server().post('/api/blacklists', { name: unique('bl numbers'), list_type: '0', limit_user_type: '0' }));
    const added = (await server().post(`/api/blacklists/${id}/lists`, { k: 'boss', v: '1380013' })).body;
    assert.strictEqual(added.code, 200);
    assert.strictEqual(typeof added.data, 'number');
    const imported = await server().post(`/api/blacklists/${id}/import`, [{ k: 'imp1', v: '5550001' }, { k: 'imp2', v: '5550002' }]);
    assert.equal(imported.status, 200);
    assert.deepEqual(imported.body.data.map(({ k, v }: Record<string, string>) => [k, v]), [['imp1', '5550001'], ['imp2', '5550002']]);
    for (const number of imported.body.data) assert.strictEqual(typeof number.id, 'number');
    const { params } = (await server().get(`/api/blacklists/${id}`)).body;
    assert.deepEqual(params.map(({ k, v }: Record<string, string>) => [k, v]), [['boss', '1380013'], ['imp1', '5550001'], ['imp2', '5550002']]);
    const rowId = String(params[2].id);
    assert.ok(params.some((item: { id: unknown }) => item.id === parseInt(rowId)));
    assert.equal((await server().delete(`/api/blacklists/${id}/lists/${rowId}`)).status, 200);
    // The inline edit: PUT /lists/:nid {k, v}.
    assert.equal((await server().put(`/api/blacklists/${id}/lists/${params[1].id}`, { k: 'imp1', v: '5550009' })).status, 200);
    assert.deepEqual((await server().get(`/api/blacklists/${id}`)).body.params.map(({ v }: Record<string, string>) => v), ['1380013', '5550009']);
  });

  test('blacklist list page: the export is rows of cells whose XLSX, read with raw:false, imports back as {lists:[...]} with "0"/"2" strings', async () => {
    const name = unique('bl export');
    createdId(await server().post('/api/blacklists', { name, list_type: 0, limit_user_type: 2 }));
    const sheet = (await server().get('/api/blacklists/download?language=en')).body as unknown[][];
    const [header, ...rows] = sheet;
    const mine = rows.filter((row) => row[0] === name);
    assert.equal(mine.length, 1);
    // sheet_to_json(raw:false) formats every cell as text; empty cells are left out.
    const objects = mine.map((row) => Object.fromEntries(header!.map((column, at) => [column, String(row[at])]).filter(([, value]) => value !== '')));
    const copied = objects.map((row) => ({ ...row, 名称: `${name} copy` }));
    const imported = await server().post('/api/blacklists/import', { lists: copied });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const copy = (await server().get('/api/blacklists?page=1&perPage=1000')).body.data.find((item: { name: string }) => item.name === `${name} copy`);
    assert.deepEqual([copy.list_type, copy.limit_user_type], ['0', '2']);
  });

  test('number transform pages: the list shows type === "exact" else prefix; the detail reads number_translation_info[0] and nts_numbers.data; its save sends {name, type, description} back', async () => {
    const name = unique('nt page');
    const id = createdId(await server().post('/api/number_translation', { name, description: 'walker table', type: 'prefix' }));
    const row = (await server().get('/api/number_translation?page=1&page_size=10')).body.data.find((item: { id: unknown }) => String(item.id) === String(id));
    assert.strictEqual(row.type, 'prefix');
    const detail = (await server().get(`/api/number_translation/${id}/numbers`)).body;
    assert.deepEqual(detail.number_translation_info[0], { name, description: 'walker table', type: 'prefix' });
    assert.deepEqual(detail.nts_numbers.data, []);
    const saved = await server().put(`/api/number_translation/${id}`, { ...detail.number_translation_info[0], name: `${name} ed`, description: 'edited' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual((await server().get(`/api/number_translation/${id}/numbers`)).body.number_translation_info[0], { name: `${name} ed`, description: 'edited', type: 'prefix' });
  });
});

/** CherryPBX's EditableField switch in edit mode: on when field.value === "1" (its switchCheckedValue) or true. */
const switchOn = (value: unknown) => value === '1' || value === true;
/** The extension page's handleSave: a switch field is sent as value === "1" || value === true ? "1" : "0". */
const switchSent = (value: unknown) => (switchOn(value) ? '1' : '0');

describeOnEachDatabase('CherryPBX extension page: calling and called services settings', (server) => {
  test('extension detail page: 主叫业务 and 被叫业务 settings are shown back after a reload as saved (switches === "1" after toString, or raw for 被叫业务\'s eavesdrop; selects by toString; codec checkboxes by includes; ringback by JSON.parse), and resaving keeps them and the voicemail PIN', async () => {
    const extn = `71${++made}`;
    const id = createdId(await server().post('/api/extensions', { name: 'settings', extn, password: 'walk-pass-1', context: 'context-1' }));
    const reload = async () => (await server().get(`/api/extensions/${id}`)).body;
    const ringback = JSON.stringify({ media_id: 7, media_path: 'tone_stream://%(1000,4000,450)', media_type: 'RINGTONE', media_k: 'cn-ring' });
    const put = async (body: Record<string, unknown>) => {
      const reply = await server().put(`/api/extensions/${id}`, body);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    };
    // What the operator sets, as handleSave sends it (switches "0"/"1", selects toString(), codec split into an array, ringback JSON).
    await put({ mac_address: '00:1a:2b:3c:4d:5e' });
    await put({ call_limit: '0', force_insert: '1', eavesdrop: '1', call_authority: '2', intercept: '1', dtmf_type: '3', vm_password: '4321', boss_extn: '1', secretary_extn: 'admin' });
    await put({ voicemail: '0', codec: ['PCMA', 'OPUS'], enable_ringback: '1', ringback });

    const shown = await reload();
    // 基本信息: the MAC field shows extension.mac_address || "-".
    assert.equal(shown.mac_address || '-', '00:1a:2b:3c:4d:5e');
    // 主叫业务's defaultValues: switches and selects through ?.toString(), vm_password || "".
    const calling = {
      call_limit: shown.call_limit?.toString(), force_insert: shown.force_insert?.toString(), eavesdrop: shown.eavesdrop?.toString() || '',
      call_authority: shown.call_authority?.toString() || '4', intercept: shown.intercept?.toString() || '0', dtmf_type: shown.dtmf_type?.toString() || '0',
      vm_password: shown.vm_password || '',
    };
    assert.deepEqual([switchOn(calling.call_limit), switchOn(calling.force_insert), switchOn(calling.eavesdrop)], [false, true, true]);
    assert.deepEqual([calling.call_authority, calling.intercept, calling.dtmf_type], ['2', '1', '3']);
    assert.equal(calling.vm_password, '', 'the PIN is never shown');
    // 被叫业务's defaultValues spread the extension: eavesdrop is compared unconverted, so it must be "1", not 1.
    const called = { ...shown, voicemail: shown.voicemail?.toString(), enable_ringback: shown.enable_ringback?.toString(), boss_extn: shown.boss_extn?.toString() };
    assert.equal(switchOn(called.eavesdrop), true, `eavesdrop ${JSON.stringify(shown.eavesdrop)} shows off in 被叫业务`);
    assert.deepEqual([switchOn(called.voicemail), switchOn(called.enable_ringback), switchOn(called.boss_extn)], [false, true, true]);
    assert.equal(shown.secretary_extn || '', 'admin', 'the secretary select\'s value is a user login');
    const codec = typeof shown.codec === 'string' ? shown.codec : shown.codec || '';
    assert.deepEqual(['PCMA', 'PCMU', 'OPUS'].map((name) => (Array.isArray(codec) ? codec.includes(name) : (codec || '').includes(name))), [true, false, true]);
    assert.equal(JSON.parse(shown.ringback).media_path, 'tone_stream://%(1000,4000,450)', 'the ringback picker finds the tone by media_path');

    // Saving both sections again unchanged (as the page would after the reload) changes nothing, the PIN included.
    const pinHash = async () => /<param name="vm-a1-hash" value="([0-9a-f]{32})"\/>/.exec(String((await server().request('POST', '/freeswitch/xml',
      new URLSearchParams({ section: 'directory', tag_name: 'domain', key_name: 'name', key_value: '127.0.0.1', action: 'user_call', user: extn }).toString(),
      { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body))?.[1];
    const hash = await pinHash();
    assert.ok(hash, 'mod_voicemail gets the PIN\'s hash');
    await put({ ...Object.fromEntries(['call_limit', 'force_insert', 'eavesdrop'].map((key) => [key, switchSent(calling[key as keyof typeof calling])])), call_authority: calling.call_authority, intercept: calling.intercept, dtmf_type: calling.dtmf_type, vm_password: calling.vm_password });
    await put({ voicemail: switchSent(called.voicemail), eavesdrop: switchSent(called.eavesdrop), enable_ringback: switchSent(called.enable_ringback), codec: codec.split(','), ringback: called.ringback });
    const again = await reload();
    for (const key of ['call_limit', 'force_insert', 'eavesdrop', 'voicemail', 'enable_ringback', 'call_authority', 'intercept', 'dtmf_type', 'codec', 'ringback', 'mac_address', 'boss_extn', 'secretary_extn']) {
      assert.deepEqual(again[key], shown[key], key);
    }
    assert.equal(await pinHash(), hash, 'vm_password "" keeps the PIN');
  });
});
