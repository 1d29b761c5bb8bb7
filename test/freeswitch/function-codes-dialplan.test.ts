/**
 * Function codes in the dialplan FreeSWITCH fetches: a dialled code runs in the extensions'
 * context only, before routes; changes and toggles reach the next fetch; do-not-disturb and
 * forwarding codes change the authenticated caller's extension, and calls to it honour them;
 * types the switch cannot carry yet are hung up saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute } from '../helpers/routing.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function dialplan(server: Harness, context: string, dialled: string, fields: Record<string, string> = {}): Promise<string> {
  const form = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': dialled, 'Caller-Caller-ID-Number': '1001', ...fields }).toString();
  const reply = await server.request('POST', '/freeswitch/xml', form, { token: null, headers: FORM });
  assert.equal(reply.status, 200);
  return String(reply.body);
}

const actions = (document: string) => [...document.matchAll(/<action application="([^"]*)"(?: data="([^"]*)")?\/>/g)].map(([, app, data]) => `${app} ${data ?? ''}`.trim());

describeOnEachDatabase('function codes in the dialplan', (server) => {
  test('*86 + a room joins the conference room; only in the extensions\' context; alone it is refused', async () => {
    const id = createdId(await server().post('/api/func_code', { func_code: '*86', func_type: 'FS_DEST_TIMELY_MEETING' }));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*861234')), ['answer', 'conference 1234-$${domain}@default']);
    assert.match(await dialplan(server(), 'context-1', '*861234'), /<extension name="function code \*86">/);
    // Trunks' calls (context-2) never reach function codes.
    assert.match(await dialplan(server(), 'context-2', '*861234'), /result status="not found"/);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*86')), [
      `log WARNING Switchboard function code *86 (FS_DEST_TIMELY_MEETING, id ${id}) needs a room number dialled after it`,
      'hangup INVALID_NUMBER_FORMAT',
    ]);
  });

  test('a code is matched before routes; edits, toggles and deletes reach the next fetch', async () => {
    await createRoute(server(), { context: 'context-1', prefix: '*70', max_length: 10, dest_type: 'FS_DEST_SYSTEM', body: 'hangup USER_BUSY' });
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*707000')), ['hangup USER_BUSY']);
    const id = createdId(await server().post('/api/func_code', { func_code: '*70', func_type: 'FS_DEST_FUNC_CALL_FIFO_BACK' }));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*707000')), ['answer', 'fifo 7000 out nowait']);
    await server().put(`/api/func_code/${id}`, { action: 'toggle' });
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*707000')), ['hangup USER_BUSY']);
    await server().put(`/api/func_code/${id}`, { action: 'toggle' });
    await server().put(`/api/func_code/${id}`, { func_code: '*71' });
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*717000')), ['answer', 'fifo 7000 out nowait']);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*707000')), ['hangup USER_BUSY']);
    await server().delete(`/api/func_code/${id}`);
    assert.match(await dialplan(server(), 'context-1', '*717000'), /result status="not found"/);
  });

  test('feature codes change the caller\'s extension; a call to it then forwards, refuses as busy, or forwards on failure', async () => {
    const extn = `31${String(Date.now()).slice(-4)}`;
    const id = createdId(await server().post('/api/extensions', { extn, password: 'secret-pass', context: 'context-1' }));
    const forward = createdId(await server().post('/api/func_code', { func_code: '*72', func_type: 'FS_DEST_FUNC_CALL_FORWARDING' }));
    for (const [code, type] of [['*73', 'FS_DEST_FUNC_CALL_FORWARDING_CANCEL'], ['*78', 'FS_DEST_FUNC_CALL_DND'], ['*79', 'FS_DEST_FUNC_CALL_DND_CANCEL'],
      ['*76', 'FS_DEST_FUNC_CALL_FORWARD_BUSY'], ['*74', 'FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE']]) {
      createdId(await server().post('/api/func_code', { func_code: code, func_type: type }));
    }
    await createRoute(server(), { context: 'context-2', prefix: extn, max_length: extn.length, dest_type: 'FS_DEST_USER' });
    const byOwner = { variable_user_name: extn, variable_domain_name: '127.0.0.1' };
    const callTo = async () => actions(await dialplan(server(), 'context-2', extn)).filter((line) => !line.startsWith('hash '));
    const features = async () => {
      const { dnd, forward_always, forward_busy, forward_noanswer } = (await server().get(`/api/extensions/${id}`)).body;
      return { dnd, forward_always, forward_busy, forward_noanswer };
    };
    const confirmation = ['answer', 'playback tone_stream://%(200,100,880);loops=3', 'hangup NORMAL_CLEARING'];

    assert.deepEqual(actions(await dialplan(server(), 'context-2', extn)), [
      `hash insert/switchboard_ringing/${extn}@127.0.0.1/\${uuid}`,
      'hash insert/switchboard_ringing/last@127.0.0.1/${uuid}',
      `bridge user/${extn}`,
    ], 'the call leaves its uuid for pickup and listening in');
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*722000', byOwner)), confirmation);
    assert.deepEqual(await features(), { dnd: 0, forward_always: '2000', forward_busy: '', forward_noanswer: '' });
    assert.deepEqual(await callTo(), ['transfer 2000 XML context-1']);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*73', byOwner)), confirmation);

    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*78', byOwner)), confirmation);
    assert.equal((await features()).dnd, 1);
    assert.deepEqual(await callTo(), ['hangup USER_BUSY']);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*762001', byOwner)), confirmation);
    assert.deepEqual(await callTo(), ['transfer 2001 XML context-1'], 'busy by do-not-disturb: the busy forward takes it');
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*79', byOwner)), confirmation);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*742002', byOwner)), confirmation);
    assert.deepEqual(await features(), { dnd: 0, forward_always: '', forward_busy: '2001', forward_noanswer: '2002' });
    assert.deepEqual(await callTo(), [
      'set continue_on_fail=USER_BUSY,NO_ANSWER,NO_USER_RESPONSE,USER_NOT_REGISTERED',
      'set hangup_after_bridge=true',
      'set switchboard_forward_USER_BUSY=2001',
      'set switchboard_forward_NO_ANSWER=2002',
      'set switchboard_forward_NO_USER_RESPONSE=2002',
      'set switchboard_forward_USER_NOT_REGISTERED=2002',
      `bridge user/${extn}`,
      'transfer ${switchboard_forward_${originate_disposition}} XML context-1',
    ]);

    const refusal = (reason: string, cause: string) => [`log WARNING Switchboard function code *72 (FS_DEST_FUNC_CALL_FORWARDING, id ${forward}) ${reason}`, `hangup ${cause}`];
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*72', byOwner)), refusal('needs the number to forward to dialled after it', 'INVALID_NUMBER_FORMAT'));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', `*72${extn}`, byOwner)), refusal(`would forward extension ${extn} to itself`, 'INVALID_NUMBER_FORMAT'));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*722000')),
      refusal('was not dialled by an authenticated extension (user none@none)', 'CALL_REJECTED'));
    assert.equal((await features()).forward_always, '', 'a refused code changes nothing');
    // The features go with the extension.
    assert.equal((await server().delete(`/api/extensions/${id}`)).status, 200);
    createdId(await server().post('/api/extensions', { extn, password: 'secret-pass', context: 'context-1' }));
    assert.deepEqual(await callTo(), [`bridge user/${extn}`]);
  });

  test('the recording code turns recording every call of the caller\'s extension on, then off', async () => {
    const extn = `32${String(Date.now()).slice(-4)}`;
    const id = createdId(await server().post('/api/extensions', { extn, password: 'secret-pass', context: 'context-1' }));
    createdId(await server().post('/api/func_code', { func_code: '*97', func_type: 'FS_DEST_FUNC_CALL_RECORD' }));
    const byOwner = { variable_user_name: extn, variable_domain_name: '127.0.0.1' };
    const autoRecord = async () => (await server().get(`/api/extensions/${id}`)).body.auto_record;
    const directory = async () => {
      const form = new URLSearchParams({ section: 'directory', tag_name: 'domain', key_name: 'name', key_value: '127.0.0.1', action: 'user_call', user: extn }).toString();
      return String((await server().request('POST', '/freeswitch/xml', form, { token: null, headers: FORM })).body);
    };
    const confirmation = ['answer', 'playback tone_stream://%(200,100,880);loops=3', 'hangup NORMAL_CLEARING'];

    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*97', byOwner)), confirmation);
    assert.equal(await autoRecord(), 1);
    assert.match(await directory(), /<variable name="auto_record" value="true"\/>/, 'its calls are recorded');
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*97', byOwner)), confirmation);
    assert.equal(await autoRecord(), 0);
    assert.doesNotMatch(await directory(), /auto_record/);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*97')).at(-1), 'hangup CALL_REJECTED');
    assert.equal(await autoRecord(), 0, 'a call that did not authenticate changes nothing');
  });

  test('the voicemail code opens the mailbox of the authenticated caller only', async () => {
    const extn = `33${String(Date.now()).slice(-4)}`;
    createdId(await server().post('/api/extensions', { extn, password: 'secret-pass', context: 'context-1' }));
    const id = createdId(await server().post('/api/func_code', { func_code: '*98', func_type: 'FS_DEST_FUNC_CALL_VOICEMAIL' }));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*98', { variable_user_name: extn, variable_domain_name: '127.0.0.1' })), [
      'answer', 'voicemail check auth default ${domain_name} ${user_name}',
    ]);
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*98')), [
      `log WARNING Switchboard function code *98 (FS_DEST_FUNC_CALL_VOICEMAIL, id ${id}) was not dialled by an authenticated extension (user none@none)`,
      'hangup CALL_REJECTED',
    ]);
  });

  test('a type the switch cannot carry yet is hung up with SERVICE_NOT_IMPLEMENTED, naming the code', async () => {
    const id = createdId(await server().post('/api/func_code', { func_code: '*77', func_type: 'FS_DEST_MCASTS' }));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*77')), [
      `log WARNING Switchboard function code *77 (FS_DEST_MCASTS, id ${id}) is not implemented`,
      'hangup SERVICE_NOT_IMPLEMENTED',
    ]);
  });
});
