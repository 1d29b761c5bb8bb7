/**
 * A real FreeSWITCH runs function codes created over the REST API: calls placed in the extensions'
 * context (loopback channels originated over the Event Socket, as an extension's call would be
 * routed) join the conference room dialled after the instant meeting code, and take back a call
 * parked in a queue by a FS_DEST_NUM_QUEUE route.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { describeWithFreeSwitch, type FreeSwitch } from '../helpers/freeswitch.js';
import { createRoute, eventually } from '../helpers/routing.js';

const EXTENSIONS_CONTEXT = 'context-1';

/** Places a call to `number` routed in the extensions' context; the calling side parks. */
const dial = (freeswitch: FreeSwitch, number: string) => freeswitch.api('originate', `loopback/${number}/${EXTENSIONS_CONTEXT}`, '&park');

describeWithFreeSwitch('FreeSWITCH runs function codes from Switchboard', (both) => {
  test('the instant meeting code followed by a room number joins that conference room', async () => {
    const { server, freeswitch } = both();
    createdId(await server.post('/api/func_code', { func_code: '*86', func_type: 'FS_DEST_TIMELY_MEETING' }));
    assert.match(await dial(freeswitch, '*864321'), /^\+OK /);
    assert.ok(await eventually(async () => /Conference 4321-127\.0\.0\.1 \(1 member/.test(await freeswitch.api('conference', 'list')), 5_000), await freeswitch.api('conference', 'list'));
    await freeswitch.api('hupall');
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('the queue take-back code followed by a queue number takes the call parked there', async () => {
    const { server, freeswitch } = both();
    await createRoute(server, { context: EXTENSIONS_CONTEXT, prefix: '7000', max_length: 4, dest_type: 'FS_DEST_NUM_QUEUE' });
    createdId(await server.post('/api/func_code', { func_code: '*70', func_type: 'FS_DEST_FUNC_CALL_FIFO_BACK' }));
    const waiting = async () => (await freeswitch.api('fifo', 'count', '7000')).trim();
    assert.match(await dial(freeswitch, '7000'), /^\+OK /);
    assert.ok(await eventually(async () => /^7000:\d+:1\b/.test(await waiting()), 5_000), await waiting());
    assert.match(await dial(freeswitch, '*707000'), /^\+OK /);
    assert.ok(await eventually(async () => /^7000:\d+:0\b/.test(await waiting()), 5_000), await waiting());
    // The parked caller's leg is now bridged to the leg that dialled the code.
    const bridged = () => freeswitch.api('show', 'bridged_calls');
    assert.ok(await eventually(async () => /loopback\/7000-b,[\s\S]*loopback\/\*707000-b|loopback\/\*707000-b,[\s\S]*loopback\/7000-b/.test(await bridged()), 5_000), await bridged());
    await freeswitch.api('hupall');
    assert.deepEqual(freeswitch.errorLines(), []);
  });
}, { control: true });
