import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describeOnEachDatabase, ADMIN_PASSWORD, type Harness, type Reply } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { addSegments, createRoute, freshContext, unique } from '../helpers/routing.js';

const ROW_KEYS = [
  'auto_record', 'cid_name', 'cid_number', 'context', 'created_at', 'deleted_at', 'disabled', 'domain', 'extn', 'id', 'name',
  'type', 'updated_at', 'user_id',
].sort();

/** The extension page's settings a new extension answers (switches "0"/"1", selects numbers). */
const SETTING_DEFAULTS = {
  call_limit: '1', force_insert: '0', eavesdrop: '0', voicemail: '1', enable_ringback: '0', boss_extn: '0',
  force_breakdown: '0', enable_srtp: '0', called_limit: '1', caller_display: '1', enable_t38: '0', forced_breakdown: '0', forced_insert: '0',
  call_authority: 4, intercept: 0, intercepted: 0, dtmf_type: 0, codec: '', ringback: '', mac_address: '', secretary_extn: '', vm_pin_set: 0,
};
const SETTING_KEYS = Object.keys(SETTING_DEFAULTS);

let nextExtn = 7000;
/** An extension number no other test of this process uses. */
const freshExtn = () => String(++nextExtn);

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

async function createExtension(server: Harness, fields: Record<string, unknown> = {}): Promise<number> {
  return createdId(await server.post('/api/extensions', { extn: freshExtn(), password: 'secret-1', context: 'context-1', ...fields }));
}

async function detail(server: Harness, id: number) {
  const reply = await server.get(`/api/extensions/${id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

/** Whatever an answer holds, it never carries the secret nor its hash. */
function assertNoSecret(reply: Reply, ...secrets: string[]): void {
  const text = JSON.stringify(reply.body);
  for (const secret of secrets) assert.ok(!text.includes(secret), `the answer carries ${secret}: ${text}`);
  assert.ok(!/a1_hash|password/.test(text), text);
}

/** The a1-hash FreeSWITCH gets for `extn@domain`, from the directory it fetches. */
async function directoryHash(server: Harness, extn: string, domain: string): Promise<string | undefined> {
  const form = new URLSearchParams({ section: 'directory', tag_name: 'domain', key_name: 'name', key_value: domain, action: 'sip_auth', user: extn });
  const reply = await server.request('POST', '/freeswitch/xml', form.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return /<param name="a1-hash" value="([0-9a-f]{32})"\/>/.exec(String(reply.body))?.[1];
}

/** The params and variables of `extn@domain` in the directory FreeSWITCH fetches. */
async function directoryUser(server: Harness, extn: string, domain: string) {
  const form = new URLSearchParams({ section: 'directory', tag_name: 'domain', key_name: 'name', key_value: domain, action: 'user_call', user: extn });
  const reply = await server.request('POST', '/freeswitch/xml', form.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const text = String(reply.body);
  const pairs = (tag: string) => Object.fromEntries([...text.matchAll(new RegExp(`<${tag} name="([^"]*)" value="([^"]*)"/>`, 'g'))].map(([, name, value]) => [name, value]));
  return { params: pairs('param') as Record<string, string>, variables: pairs('variable') as Record<string, string> };
}

async function adminUserId(server: Harness): Promise<number> {
  const login = await server.request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null });
  return login.body.user_id;
}

describeOnEachDatabase('extensions', (server) => {
  test('create, get with its DIDs and DODs, list, update and delete; never a password or its hash', async () => {
    const extn = freshExtn();
    const userId = await adminUserId(server());
    const id = await createExtension(server(), {
      extn, password: 'pa55-word', name: 'Front desk', context: 'context-1', user_id: userId, cid_name: 'Reception', cid_number: '8000',
      type: 'SIP', auto_record: 1,
    });
    const one = await server().get(`/api/extensions/${id}`);
    assertNoSecret(one, 'pa55-word', md5(`${extn}:127.0.0.1:pa55-word`));
    assert.deepEqual(Object.keys(one.body).sort(), [...ROW_KEYS, ...SETTING_KEYS, 'dnd', 'forward_always', 'forward_busy', 'forward_noanswer', 'call_transfer_type', 'connect_phone', 'timeout', 'login', 'dids', 'dods'].sort());
    assert.match(one.body.created_at, WIRE_TIME);
    const { created_at: _c, updated_at: _u, ...rest } = one.body;
    assert.deepEqual(rest, {
      id, extn, domain: '127.0.0.1', name: 'Front desk', context: 'context-1', user_id: userId, cid_name: 'Reception', cid_number: '8000',
      type: 'SIP', auto_record: 1, disabled: 0, deleted_at: '', dnd: 0, forward_always: '', forward_busy: '', forward_noanswer: '', dids: [], dods: [],
      call_transfer_type: '0', connect_phone: '', timeout: '', login: 'admin', ...SETTING_DEFAULTS,
    });

    const list = await server().get(`/api/extensions?page=1&page_size=10&extn=${extn}`);
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.equal(list.body.rowCount, 1);
    assert.equal(list.body.pageCount, 1);
    assert.deepEqual(Object.keys(list.body.data[0]).sort(), ROW_KEYS);
    assertNoSecret(list, 'pa55-word');

    const updated = await server().put(`/api/extensions/${id}`, { name: 'Lobby', cid_name: 'PASS', user_id: null });
    assert.deepEqual(updated.body, { code: 200, message: 'success', data: String(id) });
    const after = await detail(server(), id);
    assert.equal(after.name, 'Lobby');
    assert.equal(after.cid_name, 'PASS');
    assert.equal(after.user_id, null);
    assert.equal(await directoryHash(server(), extn, '127.0.0.1'), md5(`${extn}:127.0.0.1:pa55-word`), 'the password is kept when not sent');

    // CherryPBX's list table reads `success` or message "success".
    assert.deepEqual((await server().delete(`/api/extensions/${id}`)).body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/extensions/${id}`));
    assertNotFound(await server().delete(`/api/extensions/${id}`));
  });

  test('CherryPBX\'s extension page settings are stored and read back as the page sends and compares them', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn });
    const ringback = JSON.stringify({ media_id: 3, media_path: 'tone_stream://%(1000,4000,450)', media_type: 'RINGTONE', media_k: 'cn-ring' });
    // The three sections of the page, each sending its rendered fields as handleSave turns them.
    for (const section of [
      { name: 'Desk', context: 'context-1', cid_name: '', cid_number: '', type: 'SIP', mac_address: '00:1A:2b:3C:4d:5E', password: '' },
      {
        call_limit: '0', force_insert: '1', force_breakdown: '1', eavesdrop: '1', call_authority: '2', intercept: '1',
        dtmf_type: '3', enable_srtp: '1', vm_password: '4321', boss_extn: '1', secretary_extn: 'admin',
      },
      {
        called_limit: '0', auto_record: '0', caller_display: '0', voicemail: '0', eavesdrop: '1', enable_t38: '1', call_transfer_type: '0',
        connect_phone: '', timeout: '', codec: ['PCMA', 'OPUS'], enable_ringback: '1', ringback, intercepted: '2',
        forced_breakdown: '1', forced_insert: '1',
      },
    ]) {
      const reply = await server().put(`/api/extensions/${id}`, section);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
    const read = await server().get(`/api/extensions/${id}`);
    const pinHash = md5(`${extn}:127.0.0.1:4321`);
    assertNoSecret(read, '4321', pinHash);
    const body = read.body;
    assert.deepEqual(Object.fromEntries(SETTING_KEYS.map((key) => [key, body[key]])), {
      call_limit: '0', force_insert: '1', eavesdrop: '1', voicemail: '0', enable_ringback: '1', boss_extn: '1',
      force_breakdown: '1', enable_srtp: '1', called_limit: '0', caller_display: '0', enable_t38: '1', forced_breakdown: '1', forced_insert: '1',
      call_authority: 2, intercept: 1, intercepted: 2, dtmf_type: 3, codec: 'PCMA,OPUS', ringback, mac_address: '00:1A:2b:3C:4d:5E', secretary_extn: 'admin', vm_pin_set: 1,
    });
    // The page's comparisons: a switch is on when its value === "1" (被叫业务 compares eavesdrop unconverted),
    // a select shows value.toString(), the ringback is JSON.parse'd, the codec string is split on commas.
    assert.equal(body.eavesdrop === '1', true);
    assert.equal(body.dtmf_type.toString(), '3');
    assert.equal(JSON.parse(body.ringback).media_path, 'tone_stream://%(1000,4000,450)');

    const directory = await directoryUser(server(), extn, '127.0.0.1');
    assert.equal(directory.params['vm-a1-hash'], pinHash, 'mod_voicemail checks the PIN against its hash');
    assert.equal(directory.params['vm-password'], undefined, 'the PIN itself is nowhere');
    assert.equal(directory.params['vm-enabled'], 'false');
    assert.equal(directory.variables.absolute_codec_string, 'PCMA,OPUS');
    assert.equal(directory.variables.dtmf_type, 'rfc2833');

    // Neither the PIN nor its hash in the list or the download.
    assertNoSecret(await server().get(`/api/extensions?extn=${extn}`), '4321', pinHash);
    const download = await server().get(`/api/extensions/download?extn=${extn}`);
    assert.equal(download.status, 200);
    assertNoSecret(download, '4321', pinHash);

    // A later save of the section sends vm_password "" (the page never has the PIN): it is kept.
    assert.equal((await server().put(`/api/extensions/${id}`, { vm_password: '', codec: 'PCMU, G722' })).status, 200);
    assert.equal((await directoryUser(server(), extn, '127.0.0.1')).params['vm-a1-hash'], pinHash);
    assert.equal((await detail(server(), id)).codec, 'PCMU,G722');
    // null clears it; [] clears the codecs; ringback null clears it.
    assert.equal((await server().put(`/api/extensions/${id}`, { vm_password: null, codec: [], ringback: null, voicemail: '1' })).status, 200);
    const cleared = await directoryUser(server(), extn, '127.0.0.1');
    assert.equal(cleared.params['vm-a1-hash'], undefined);
    assert.equal(cleared.params['vm-enabled'], undefined);
    assert.equal(cleared.variables.absolute_codec_string, undefined);
    const after = await detail(server(), id);
    assert.deepEqual([after.vm_pin_set, after.codec, after.ringback, after.voicemail], [0, '', '', '1']);
  });

  test('the extension page settings refuse bad values with a 400 naming the field, and change nothing', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn });
    const before = await detail(server(), id);
    const bad: [string, unknown][] = [
      ['call_limit', '2'], ['force_insert', 'yes'], ['eavesdrop', -1], ['voicemail', 7], ['enable_ringback', '2'], ['boss_extn', '3'],
      ['call_authority', '5'], ['intercept', '3'], ['intercepted', '3'], ['enable_t38', '2'], ['forced_insert', 'on'], ['dtmf_type', '4'], ['dtmf_type', 'rfc2833'],
      ['codec', ['PC MA']], ['codec', 'PCMA,${x}'], ['codec.0', [{}]],
      ['ringback', 'cn-ring'], ['ringback', JSON.stringify({ media_path: 'http://example.com/x.wav' })],
      ['mac_address', 'zz:zz:zz:zz:zz:zz'], ['mac_address', '00:1A:2B'], ['secretary_extn', unique('nobody')],
      ['vm_password', '12'], ['vm_password', 'abcd'], ['vm_password', '1'.repeat(17)],
    ];
    for (const [field, value] of bad) {
      const name = field.replace(/\.\d+$/, '');
      assertBadRequest(await server().put(`/api/extensions/${id}`, { name: 'changed', [name]: value }), field, `${field}=${JSON.stringify(value)}`);
    }
    const { updated_at: _u, ...unchanged } = await detail(server(), id);
    const { updated_at: _b, ...original } = before;
    assert.deepEqual(unchanged, original);
  });

  test('a secretary named by login follows the user: renamed with their login, cleared when they are deleted', async () => {
    const login = unique('secretary').replace(/-/g, '');
    const user = createdId(await server().post('/api/users', { login, password: 'secretary-pass-1', name: 'Secretary' }));
    const id = await createExtension(server(), { name: 'boss' });
    assert.equal((await server().put(`/api/extensions/${id}`, { boss_extn: '1', secretary_extn: login })).status, 200);
    const renamed = `${login}x`;
    assert.equal((await server().put(`/api/users/${user}`, { login: renamed })).status, 200);
    assert.equal((await server().get(`/api/extensions/${id}`)).body.secretary_extn, renamed);
    assert.equal((await server().delete(`/api/users/${user}`)).status, 200);
    assert.equal((await server().get(`/api/extensions/${id}`)).body.secretary_extn, '', 'a deleted user is nobody\'s secretary');
    assertBadRequest(await server().put(`/api/extensions/${id}`, { secretary_extn: renamed }), 'secretary_extn');
  });

  test('a voicemail PIN, bound to the number like the password, is needed again when the number moves', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn });
    assert.equal((await server().put(`/api/extensions/${id}`, { vm_password: '2468' })).status, 200);
    const moved = freshExtn();
    assertBadRequest(await server().put(`/api/extensions/${id}`, { extn: moved, password: 'new-one' }), 'vm_password');
    assert.equal((await server().put(`/api/extensions/${id}`, { extn: moved, password: 'new-one', vm_password: '1357' })).status, 200);
    assert.equal((await directoryUser(server(), moved, '127.0.0.1')).params['vm-a1-hash'], md5(`${moved}:127.0.0.1:1357`));
    const again = freshExtn();
    assert.equal((await server().put(`/api/extensions/${id}`, { extn: again, password: 'new-one', vm_password: null })).status, 200, 'or it is cleared');
  });

  test('only the a1-hash of extn:domain:password is kept, and a new password replaces it', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn, password: 'first' });
    assert.equal(await directoryHash(server(), extn, '127.0.0.1'), md5(`${extn}:127.0.0.1:first`));
    assert.equal((await server().put(`/api/extensions/${id}`, { password: 'second' })).status, 200);
    assert.equal(await directoryHash(server(), extn, '127.0.0.1'), md5(`${extn}:127.0.0.1:second`));
    assert.equal((await server().put(`/api/extensions/${id}`, { password: '' })).status, 200, '"" keeps the password');
    assert.equal(await directoryHash(server(), extn, '127.0.0.1'), md5(`${extn}:127.0.0.1:second`));
  });

  test('a new extn or domain needs the password, since the hash binds both', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn, password: 'old' });
    const moved = freshExtn();
    assertBadRequest(await server().put(`/api/extensions/${id}`, { extn: moved }), 'password');
    assertBadRequest(await server().put(`/api/extensions/${id}`, { domain: 'pbx.example.com', password: '' }), 'password');
    assert.equal((await detail(server(), id)).extn, extn, 'nothing changed');
    assert.equal((await server().put(`/api/extensions/${id}`, { extn: moved, domain: 'pbx.example.com', password: 'new' })).status, 200);
    assert.equal(await directoryHash(server(), moved, 'pbx.example.com'), md5(`${moved}:pbx.example.com:new`));
    assert.equal(await directoryHash(server(), extn, '127.0.0.1'), undefined, 'the old number is gone from the directory');
  });

  test('the domain: as given, else the context\'s, else SIP_DOMAIN (127.0.0.1 by default)', async () => {
    const context = unique('ctx');
    assert.equal((await server().post('/api/contexts', { name: context, key: context, domain: 'office.example.com' })).status, 200);
    const fromContext = await createExtension(server(), { context });
    assert.equal((await detail(server(), fromContext)).domain, 'office.example.com');
    const given = await createExtension(server(), { context, domain: 'other.example.com' });
    assert.equal((await detail(server(), given)).domain, 'other.example.com');
    const byDefault = await createExtension(server(), { context: await freshContext(server()) });
    assert.equal((await detail(server(), byDefault)).domain, '127.0.0.1');
  });

  test('extn is digits, unique per domain; context, user_id and type must name what exists', async () => {
    const extn = freshExtn();
    await createExtension(server(), { extn });
    assertConflict(await server().post('/api/extensions', { extn, password: 'x', context: 'context-1' }), 'extn');
    await createExtension(server(), { extn, domain: 'elsewhere.example.com' });
    for (const bad of ['', '10a1', '+100', '1'.repeat(33), '1 2']) {
      assertBadRequest(await server().post('/api/extensions', { extn: bad, password: 'x', context: 'context-1' }), 'extn', bad);
    }
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), context: 'context-1' }), 'password');
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), password: 'x' }), 'context');
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), password: 'x', context: 'no-such-context' }), 'context');
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), password: 'x', context: 'context-1', user_id: 99999 }), 'user_id');
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), password: 'x', context: 'context-1', type: 'FAX' }), 'type');
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), password: 'x', context: 'context-1', cid_number: '1,user/2' }), 'cid_number');
    assertBadRequest(await server().post('/api/extensions', { extn: freshExtn(), password: 'x', context: 'context-1', domain: 'a b' }), 'domain');
    const id = await createExtension(server());
    assertBadRequest(await server().put(`/api/extensions/${id}`, { context: 'no-such-context' }), 'context');
    assertConflict(await server().put(`/api/extensions/${id}`, { extn, password: 'x' }), 'extn');
  });

  test('a context used by an extension cannot be deleted', async () => {
    const context = await freshContext(server());
    const contextId = (await server().get(`/api/contexts?key=${context}`)).body.data[0].id;
    const id = await createExtension(server(), { context });
    assertConflict(await server().delete(`/api/contexts/${contextId}`), 'id');
    assert.equal((await server().delete(`/api/extensions/${id}`)).status, 200);
    assert.equal((await server().delete(`/api/contexts/${contextId}`)).status, 200);
  });

  test('an extension a RING/SEQ_EXTNS route or time segment rings cannot be deleted, nor change number', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn });
    const other = await createExtension(server(), { extn: `${extn}9` });
    const route = await createRoute(server(), {
      context: 'context-1', prefix: unique('9').replace(/\D/g, ''), dest_type: 'FS_DEST_RING_EXTNS', dest_uuid: JSON.stringify([{ extn: `${extn}|127.0.0.1` }]),
    });
    assertConflict(await server().delete(`/api/extensions/${id}`), 'id');
    assertConflict(await server().put(`/api/extensions/${id}`, { extn: freshExtn(), password: 'x' }), 'extn');
    assert.equal((await server().put(`/api/extensions/${id}`, { name: 'still rung', password: 'y' })).status, 200, 'other fields change');
    assert.equal((await server().delete(`/api/extensions/${other}`)).status, 200, 'a number it merely contains is not named');

    const sameNumberElsewhere = await createExtension(server(), { extn, domain: 'elsewhere.example.com' });
    assert.equal((await server().delete(`/api/extensions/${sameNumberElsewhere}`)).status, 200, 'the route names the domain 127.0.0.1');

    assert.equal((await server().put(`/api/routes/${route.id}`, { dest_type: 'FS_DEST_SEQ_EXTNS', dest_uuid: JSON.stringify([{ extn: '1' }]) })).status, 200);
    await addSegments(server(), [{ route_id: route.id, dest_type: 'FS_DEST_SEQ_EXTNS', dest_uuid: JSON.stringify([{ extn }]), time_recurrence: '20240101T000000|PT1H|daily' }]);
    assertConflict(await server().delete(`/api/extensions/${id}`), 'id');
  });

  test('the list: every paging name, all rows with none, filters extn, name and status (enabled/disabled)', async () => {
    const stem = unique('team').replace(/\W/g, '');
    const ids = [];
    for (const disabled of [0, 1, 0]) ids.push(await createExtension(server(), { name: `${stem} member`, disabled }));
    for (const size of ['page_size', 'pageSize', 'perPage']) {
      const page = await server().get(`/api/extensions?name=${stem}&page=2&${size}=2`);
      assert.equal(page.status, 200, size);
      assert.deepEqual(page.body.data.map((row: { id: number }) => row.id), [ids[2]], size);
      assert.equal(page.body.rowCount, 3, size);
      assert.equal(page.body.pageCount, 2, size);
    }
    assert.equal((await server().get(`/api/extensions?name=${stem}`)).body.data.length, 3, 'no paging parameter: every row');
    const ids_ = async (query: string) => (await server().get(`/api/extensions?name=${stem}&${query}`)).body.data.map((row: { id: number }) => row.id);
    assert.deepEqual(await ids_('status=enabled'), [ids[0], ids[2]]);
    assert.deepEqual(await ids_('status=0'), [ids[0], ids[2]]);
    assert.deepEqual(await ids_('status=disabled'), [ids[1]]);
    assert.deepEqual(await ids_('status='), ids);
    assert.deepEqual(await ids_('status=all'), ids);
    // online and offline are CherryPBX's words for registered and unregistered (extensions-registrations.test.ts).
    assertBadRequest(await server().get('/api/extensions?status=away'), 'status');
    const extn = (await detail(server(), ids[1]!)).extn;
    assert.deepEqual((await server().get(`/api/extensions?extn=${extn}`)).body.data.map((row: { id: number }) => row.id), [ids[1]]);
  });

  test('toggle flips disabled; a disabled extension is out of the directory', async () => {
    const extn = freshExtn();
    const id = await createExtension(server(), { extn });
    assert.equal((await server().put(`/api/extensions/${id}`, { action: 'toggle' })).status, 200);
    assert.equal((await detail(server(), id)).disabled, 1);
    assert.equal(await directoryHash(server(), extn, '127.0.0.1'), undefined);
    assert.equal((await server().put(`/api/extensions/${id}`, { action: 'toggle' })).status, 200);
    assert.ok(await directoryHash(server(), extn, '127.0.0.1'));
  });

  test('upload creates every row or none, naming the row and field refused; download never carries a secret', async () => {
    const [a, b] = [freshExtn(), freshExtn()];
    const nameB = unique('uploaded-b');
    const rows = [
      { extn: a, password: 'pw-a', context: 'context-1', name: 'A' },
      { extn: b, password: 'pw-b', context: 'context-1', name: nameB },
    ];
    assertBadRequest(await server().post('/api/extensions/upload', { extensions: [rows[0], { ...rows[1], context: 'nowhere' }] }), 'extensions.1.context');
    assertBadRequest(await server().post('/api/extensions/upload', { extensions: [rows[0], { ...rows[1], extn: 'x' }] }), 'extensions.1.extn');
    assertConflict(await server().post('/api/extensions/upload', { extensions: [rows[0], { ...rows[1], extn: a }] }), 'extensions.1.extn');
    assert.equal((await server().get(`/api/extensions?extn=${a}`)).body.rowCount, 0, 'nothing was created');

    const uploaded = await server().post('/api/extensions/upload', { extensions: rows });
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.data.length, 2);
    assert.deepEqual(uploaded.body.data.map((row: { extn: string }) => row.extn), [a, b]);
    assertNoSecret(uploaded, 'pw-a', 'pw-b');
    assert.equal(await directoryHash(server(), b, '127.0.0.1'), md5(`${b}:127.0.0.1:pw-b`));

    assert.equal((await server().get(`/api/extensions/download?name=${nameB}&status=disabled`)).body.length, 1, 'the list\'s filters apply: only the header');
    const download = await server().get(`/api/extensions/download?name=${nameB}`);
    assert.equal(download.status, 200);
    assertNoSecret(download, 'pw-b', md5(`${b}:127.0.0.1:pw-b`));
    const [header, ...cells] = download.body as unknown[][];
    assert.deepEqual(header, ['id', 'extn', 'domain', 'name', 'context', 'cid_name', 'cid_number', 'type', 'auto_record', 'disabled', 'user_id']);
    assert.deepEqual(cells.map((cell) => cell.slice(1)), [[b, '127.0.0.1', nameB, 'context-1', '', '', 'SIP', 0, 0, null]]);
  });

  test('the pickers: ?page=1&pageSize=500 and ?page_size=5000 read extn, domain, name; /gateway the enabled ones', async () => {
    const id = await createExtension(server(), { name: 'picker' });
    const disabled = await createExtension(server(), { disabled: 1 });
    for (const query of ['page=1&pageSize=500', 'page_size=5000']) {
      const reply = await server().get(`/api/extensions?${query}`);
      assert.equal(reply.status, 200);
      assert.ok(reply.body.data.some((row: { id: number; extn: string; domain: string; name: string }) => row.id === id && row.domain === '127.0.0.1' && row.name === 'picker'));
    }
    const gateways = await server().get('/api/extensions/gateway');
    assert.equal(gateways.status, 200);
    const listed = gateways.body.data.map((row: { id: number }) => row.id);
    assert.ok(listed.includes(id) && !listed.includes(disabled));
    assert.deepEqual(Object.keys(gateways.body.data[0]).sort(), ['domain', 'extn', 'id']);
  });

  // The DID and DOD resources contribute their rows (test/resources/hotlines.test.ts, dods.test.ts).
  test('the detail carries the extension\'s DIDs and DODs, [] when it has none', async () => {
    const extension = await detail(server(), await createExtension(server()));
    assert.deepEqual(extension.dids, []);
    assert.deepEqual(extension.dods, []);
  });
});
