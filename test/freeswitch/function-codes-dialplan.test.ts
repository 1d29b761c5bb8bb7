/**
 * Function codes in the dialplan FreeSWITCH fetches: a dialled code runs in the extensions'
 * context only, before routes; changes and toggles reach the next fetch; types the switch cannot
 * carry yet are hung up saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute } from '../helpers/routing.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function dialplan(server: Harness, context: string, dialled: string): Promise<string> {
  const form = new URLSearchParams({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': dialled, 'Caller-Caller-ID-Number': '1001' }).toString();
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

  test('a type the switch cannot carry yet is hung up with SERVICE_NOT_IMPLEMENTED, naming the code', async () => {
    const id = createdId(await server().post('/api/func_code', { func_code: '*72', func_type: 'FS_DEST_FUNC_CALL_FORWARDING' }));
    assert.deepEqual(actions(await dialplan(server(), 'context-1', '*721002')), [
      `log WARNING Switchboard function code *72 (FS_DEST_FUNC_CALL_FORWARDING, id ${id}) is not implemented`,
      'hangup SERVICE_NOT_IMPLEMENTED',
    ]);
  });
});
