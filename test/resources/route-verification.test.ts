import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { describeOnEachDatabase } from '../helpers/harness.js';
import {
  addSegments, assertBadRequest, assertNotFound, candidateIds, createRoute, destinationId, explain, freshContext, query, unique,
} from '../helpers/routing.js';

/** The keys of a row in the spec's route-verification example. */
const VERIFIED_KEYS = [
  'auto_record', 'bill_rate', 'blacklist', 'body', 'cid_number', 'context', 'created_at', 'deleted_at', 'description',
  'dest_type', 'dest_uuid', 'disabled', 'dnc', 'id', 'max_length', 'media_codec', 'name', 'outbody', 'outdest_type',
  'outdest_uuid', 'prefix', 'proxy_media', 'route_type', 'sdnc', 'updated_at', 'work_time',
];

// Wall-clock times without an offset are read in the server's zone, like the recurrences, so these
// hold in any zone: 2024-03-04 is a Monday, 2024-03-09 a Saturday (no DST change in between in
// the zones that have one in March: they change on the 10th at the earliest).
const MONDAY = '2024-03-04';
const SATURDAY = '2024-03-09';
const WEEKDAY_EVENINGS = '20230305T170000|PT6H|daily||1|MO,TU,WE,TH,FR';
const ALWAYS = '20230101T000000|PT24H|daily||1|';

describeOnEachDatabase('route verification', (server) => {
  test('candidates come in decision order: max_length ascending, then longer prefix, then id', async () => {
    const context = await freshContext(server());
    const prefix1Max12 = await createRoute(server(), { context, prefix: '1', max_length: 12 });
    const prefix10Max12 = await createRoute(server(), { context, prefix: '10', max_length: 12 });
    const anyMax12 = await createRoute(server(), { context, prefix: '', max_length: 12 });
    const prefix1Max4 = await createRoute(server(), { context, prefix: '1', max_length: 4 });
    const prefix100Max20 = await createRoute(server(), { context, prefix: '100', max_length: 20 });
    await createRoute(server(), { context, prefix: '1001', max_length: 4, disabled: 1 });
    await createRoute(server(), { context, prefix: '1', max_length: 3 });
    await createRoute(server(), { context, prefix: '2', max_length: 12 });
    await createRoute(server(), { context, prefix: '10010', max_length: 12 });

    const expected = [prefix1Max4, prefix10Max12, prefix1Max12, anyMax12, prefix100Max20].map((route) => route.id);
    assert.deepEqual(await candidateIds(server(), '1001', context), expected);

    // The first candidate is the route the call takes.
    const explained = await explain(server(), { destNumber: '1001', context });
    assert.equal(explained.route.id, prefix1Max4.id);
  });

  test("every value of a candidate is a string, as in the spec's example", async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '1', max_length: 12, description: '本地分机' });
    const reply = await server().get(`/api/routes?${query({ destNumber: '1001', context })}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(Object.keys(reply.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.deepEqual([reply.body.page, reply.body.rowCount, reply.body.pageCount], [1, 1, 1]);
    const [row] = reply.body.data;
    for (const key of VERIFIED_KEYS) assert.ok(key in row, `missing ${key}`);
    for (const [key, value] of Object.entries(row)) assert.equal(typeof value, 'string', `${key} is ${JSON.stringify(value)}`);
    assert.equal(row.id, String(route.id));
    assert.equal(row.disabled, '0');
    assert.equal(row.max_length, '12');
    assert.equal(row.proxy_media, '1');
    assert.equal(row.route_type, '4');
    assert.equal(row.auto_record, '0');
    assert.equal(row.bill_rate, '0.00');
    assert.equal(row.deleted_at, '');
    assert.equal(row.work_time, '');
    assert.equal(row.prefix, '1');
    assert.equal(row.context, context);
    assert.equal(row.description, '本地分机');
    assert.equal(row.dest_type, 'FS_DEST_USER');
  });

  test('disabled routes and routes whose max_length is below the length of the number are excluded', async () => {
    const context = await freshContext(server());
    const exact = await createRoute(server(), { context, prefix: '5', max_length: 4 });
    const off = await createRoute(server(), { context, prefix: '50', max_length: 4, disabled: 1 });
    assert.deepEqual(await candidateIds(server(), '5001', context), [exact.id], 'max_length is inclusive');
    assert.deepEqual(await candidateIds(server(), '50012', context), [], 'one digit too many');
    assert.deepEqual(await candidateIds(server(), '500', context), [exact.id], 'shorter numbers fit');
    assert.ok(!(await candidateIds(server(), '5001', context)).includes(off.id));
  });

  test('the empty prefix matches every number', async () => {
    const context = await freshContext(server());
    const catchAll = await createRoute(server(), { context, prefix: '', max_length: 12 });
    for (const number of ['1', '999', '*66', '+8613800138000'.slice(0, 12)]) {
      assert.deepEqual(await candidateIds(server(), number, context), [catchAll.id], number);
    }
  });

  test('the prefix is plain text: no wildcards, no regular expressions', async () => {
    const context = await freshContext(server());
    const star = await createRoute(server(), { context, prefix: '1*', max_length: 12 });
    const dot = await createRoute(server(), { context, prefix: '9.', max_length: 12 });
    const feature = await createRoute(server(), { context, prefix: '*66', max_length: 12 });
    assert.deepEqual(await candidateIds(server(), '1*23', context), [star.id]);
    assert.deepEqual(await candidateIds(server(), '123', context), []);
    assert.deepEqual(await candidateIds(server(), '1', context), []);
    assert.deepEqual(await candidateIds(server(), '9.5', context), [dot.id]);
    assert.deepEqual(await candidateIds(server(), '95', context), []);
    assert.deepEqual(await candidateIds(server(), '*66', context), [feature.id]);
    assert.deepEqual(await candidateIds(server(), '066', context), []);
  });

  test('routes of other contexts are excluded; no candidate answers 404', async () => {
    const [mine, theirs] = [await freshContext(server()), await freshContext(server())];
    const own = await createRoute(server(), { context: mine, prefix: '3', max_length: 12 });
    const foreign = await createRoute(server(), { context: theirs, prefix: '3', max_length: 12 });
    assert.deepEqual(await candidateIds(server(), '3000', mine), [own.id]);
    assert.deepEqual(await candidateIds(server(), '3000', theirs), [foreign.id]);
    assertNotFound(await server().get(`/api/routes?${query({ destNumber: '4000', context: mine })}`));
    assertNotFound(await server().get(`/api/routes?${query({ destNumber: '3000', context: 'no-such-context' })}`));
  });

  test('destType (or dest_type) and dest narrow the candidates', async () => {
    const context = await freshContext(server());
    const user = await createRoute(server(), { context, prefix: '1', max_length: 12 });
    const gatewayName = unique('gw');
    const gatewayId = String((await server().post('/api/gateways', { name: gatewayName, realm: '192.0.2.10' })).body.data);
    const gateway = await createRoute(server(), { context, prefix: '10', max_length: 12, dest_type: 'FS_DEST_GATEWAY', dest_uuid: gatewayId });
    const ip = await createRoute(server(), { context, prefix: '', max_length: 12, dest_type: 'FS_DEST_IP', body: '192.0.2.7' });
    assert.deepEqual(await candidateIds(server(), '1001', context), [gateway.id, user.id, ip.id]);
    assert.deepEqual(await candidateIds(server(), '1001', context, { destType: 'FS_DEST_GATEWAY' }), [gateway.id]);
    assert.deepEqual(await candidateIds(server(), '1001', context, { dest_type: 'FS_DEST_USER' }), [user.id]);
    assert.deepEqual(await candidateIds(server(), '1001', context, { dest: gatewayId }), [gateway.id], 'dest matches dest_uuid');
    assert.deepEqual(await candidateIds(server(), '1001', context, { dest: gatewayName }), [gateway.id], 'dest matches body');
    assert.deepEqual(await candidateIds(server(), '1001', context, { dest: '192.0.2.7' }), [ip.id]);
    assert.deepEqual(await candidateIds(server(), '1001', context, { destType: 'FS_DEST_USER', dest: gatewayId }), []);
    assert.deepEqual(await candidateIds(server(), '1001', context, { destType: 'FS_DEST_CTI' }), []);
  });

  test('candidates can be paged like a list', async () => {
    const context = await freshContext(server());
    const ids = [];
    for (const prefix of ['1234', '123', '12', '1', '']) ids.push((await createRoute(server(), { context, prefix, max_length: 12 })).id);
    const reply = await server().get(`/api/routes?${query({ destNumber: '12345', context, perPage: 2, page: 2 })}`);
    assert.equal(reply.status, 200);
    assert.deepEqual([reply.body.page, reply.body.rowCount, reply.body.pageCount], [2, 5, 3]);
    assert.deepEqual(reply.body.data.map((row: { id: string }) => Number(row.id)), ids.slice(2, 4));
  });

  test('routing follows create, update, toggle, batch update and delete immediately', async () => {
    const context = await freshContext(server());
    const other = await freshContext(server());
    assert.deepEqual(await candidateIds(server(), '6001', context), []);
    const route = await createRoute(server(), { context, prefix: '60', max_length: 12 });
    assert.deepEqual(await candidateIds(server(), '6001', context), [route.id], 'after create');

    const put = (body: Record<string, unknown>) => server().put(`/api/routes/${route.id}`, body).then((reply) => assert.equal(reply.status, 200, JSON.stringify(reply.body)));
    await put({ prefix: '61' });
    assert.deepEqual(await candidateIds(server(), '6001', context), [], 'old prefix gone');
    assert.deepEqual(await candidateIds(server(), '6101', context), [route.id], 'new prefix');
    await put({ max_length: 3 });
    assert.deepEqual(await candidateIds(server(), '6101', context), [], 'max_length lowered');
    await put({ max_length: 12 });
    await put({ action: 'toggle' });
    assert.deepEqual(await candidateIds(server(), '6101', context), [], 'disabled');
    await put({ action: 'toggle' });
    assert.deepEqual(await candidateIds(server(), '6101', context), [route.id], 'enabled again');
    await put({ disabled: '1' });
    assert.deepEqual(await candidateIds(server(), '6101', context), [], 'disabled by field');
    await put({ disabled: 0, context: other });
    assert.deepEqual(await candidateIds(server(), '6101', context), [], 'moved out of the context');
    assert.deepEqual(await candidateIds(server(), '6101', other), [route.id], 'moved into the other context');

    const batch = await server().put('/api/routes', { auto_record: '1', route: [String(route.id)] });
    assert.equal(batch.status, 200);
    const verified = await server().get(`/api/routes?${query({ destNumber: '6101', context: other })}`);
    assert.equal(verified.body.data[0].auto_record, '1', 'batch update is visible');

    assert.equal((await server().delete(`/api/routes/${route.id}`)).status, 200);
    assert.deepEqual(await candidateIds(server(), '6101', other), [], 'after delete');
  });

  // ---------------------------------------------------------------------------------- explain

  test('explain names the chosen route and why every other prefix match lost', async () => {
    const context = await freshContext(server());
    const tooShort = await createRoute(server(), { context, prefix: '1', max_length: 3 });
    const off = await createRoute(server(), { context, prefix: '10', max_length: 4, disabled: 1 });
    const gateway = await destinationId(server(), 'FS_DEST_GATEWAY');
    const chosen = await createRoute(server(), { context, prefix: '1', max_length: 4, dest_type: 'FS_DEST_GATEWAY', dest_uuid: gateway });
    const wider = await createRoute(server(), { context, prefix: '1', max_length: 12 });
    const longerPrefix = await createRoute(server(), { context, prefix: '100', max_length: 12 });
    const catchAll = await createRoute(server(), { context, prefix: '', max_length: 12 });
    const unrelated = await createRoute(server(), { context, prefix: '2', max_length: 12 });

    const data = await explain(server(), { destNumber: '1001', context, callerNumber: '2000', time: `${MONDAY}T10:00:00` });
    assert.equal(data.context, context);
    assert.equal(data.destNumber, '1001');
    assert.equal(data.callerNumber, '2000');
    assert.equal(data.time, `${MONDAY} 10:00:00`);
    assert.deepEqual(data.route, {
      id: chosen.id, name: chosen.name, prefix: '1', max_length: 4, dest_type: 'FS_DEST_GATEWAY', dest_uuid: gateway, body: chosen.body, dnc: '', sdnc: '',
    });
    assert.deepEqual(data.destination, { dest_type: 'FS_DEST_GATEWAY', dest_uuid: gateway, body: chosen.body, time_segment_id: null });
    assert.equal(data.dnc_number, '1001');
    assert.equal(data.sdnc_number, '2000');
    const outcomes = Object.fromEntries(data.considered.map((entry: { route_id: number; outcome: string }) => [entry.route_id, entry.outcome]));
    assert.deepEqual(outcomes, {
      [tooShort.id]: 'too_long',
      [off.id]: 'disabled',
      [chosen.id]: 'chosen',
      [wider.id]: 'outranked',
      [longerPrefix.id]: 'outranked',
      [catchAll.id]: 'outranked',
    });
    assert.ok(!(unrelated.id in outcomes));
    for (const entry of data.considered) {
      assert.equal(typeof entry.detail, 'string');
      assert.ok(entry.detail.length > 0);
    }
    assert.deepEqual(data.segments, []);
  });

  test('explain with no usable route answers route and destination null, with the reasons', async () => {
    const context = await freshContext(server());
    const off = await createRoute(server(), { context, prefix: '4', max_length: 12, disabled: 1 });
    const data = await explain(server(), { destNumber: '4001', context });
    assert.equal(data.route, null);
    assert.equal(data.destination, null);
    assert.equal(data.dnc_number, '4001');
    assert.deepEqual(data.considered.map((entry: { route_id: number; outcome: string }) => [entry.route_id, entry.outcome]), [[off.id, 'disabled']]);
  });

  test('a time segment whose recurrence contains the time overrides the destination; the first in id order wins', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '7', max_length: 12, dest_type: 'FS_DEST_USER' });
    const ivrName = unique('evening menu');
    const ivr = String((await server().post('/api/ivrs', { name: ivrName })).body.data);
    const [weekday, always] = await addSegments(server(), [
      { route_id: route.id, dest_type: 'FS_DEST_IVR', dest_uuid: ivr, time_recurrence: WEEKDAY_EVENINGS },
      { route_id: route.id, dest_type: 'FS_DEST_SYSTEM', body: 'answer', time_recurrence: ALWAYS },
    ]);
    const at = (time: string) => explain(server(), { destNumber: '7001', context, time });
    const viaWeekday = { dest_type: 'FS_DEST_IVR', dest_uuid: ivr, body: ivrName, time_segment_id: weekday };
    const viaAlways = { dest_type: 'FS_DEST_SYSTEM', dest_uuid: '', body: 'answer', time_segment_id: always };
    const ownDestination = { dest_type: 'FS_DEST_USER', dest_uuid: '', body: '', time_segment_id: null };

    const monday = await at(`${MONDAY}T17:30:00`);
    assert.equal(monday.route.id, route.id);
    assert.equal(monday.route.dest_type, 'FS_DEST_USER', 'the route itself is unchanged');
    assert.deepEqual(monday.destination, viaWeekday, 'both match: the lower id wins');
    assert.deepEqual(monday.segments.map((segment: Record<string, unknown>) => [segment.id, segment.matched, segment.chosen]), [[weekday, true, true], [always, true, false]]);
    assert.deepEqual((await at(`${MONDAY}T22:59:59`)).destination, viaWeekday, 'last second of the window');
    assert.deepEqual((await at(`${MONDAY}T23:00:00`)).destination, viaAlways, 'the end is excluded');
    assert.deepEqual((await at(`${MONDAY}T16:59:59`)).destination, viaAlways, 'before the window');
    assert.deepEqual((await at(`${MONDAY} 17:00:00`)).destination, viaWeekday, 'the start is included (SQL-style time)');
    assert.deepEqual((await at(`${SATURDAY}T17:30:00`)).destination, viaAlways, 'not on Saturdays');

    // Segment changes are visible at once.
    assert.equal((await server().delete(`/api/time_recurrence/${always}`)).status, 200);
    assert.deepEqual((await at(`${SATURDAY}T17:30:00`)).destination, ownDestination, "no segment matches: the route's own destination");
    const moved = await server().put('/api/time_recurrence', [{ id: weekday, time_recurrence: '20230305T170000|PT6H|daily||1|SA' }]);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual((await at(`${SATURDAY}T17:30:00`)).destination, viaWeekday);
    assert.deepEqual((await at(`${MONDAY}T17:30:00`)).destination, ownDestination);
    assert.equal((await server().delete(`/api/time_recurrence/route/${route.id}`)).status, 200);
    assert.deepEqual((await at(`${SATURDAY}T17:30:00`)).destination, ownDestination);
  });

  test('explain reads a time with an explicit offset as that instant and answers it in the server zone', async () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const instant = DateTime.fromISO('2024-06-12T09:30:00+08:00');
    const local = instant.setZone(zone);
    // A one-hour window around the instant, written in the server's wall-clock time.
    const start = local.minus({ minutes: 30 }).toFormat("yyyyLLdd'T'HHmmss");
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '8', max_length: 12 });
    const [segment] = await addSegments(server(), [{ route_id: route.id, dest_type: 'FS_DEST_CTI', dest_uuid: '3', time_recurrence: `${start}|PT1H` }]);

    const inside = await explain(server(), { destNumber: '8001', context, time: '2024-06-12T09:30:00+08:00' });
    assert.equal(inside.time, local.toFormat('yyyy-LL-dd HH:mm:ss'));
    assert.equal(inside.destination.time_segment_id, segment);
    const sameInstantInUtc = await explain(server(), { destNumber: '8001', context, time: instant.toUTC().toISO()! });
    assert.equal(sameInstantInUtc.destination.time_segment_id, segment);
    const later = await explain(server(), { destNumber: '8001', context, time: '2024-06-12T11:00:00+08:00' });
    assert.equal(later.destination.time_segment_id, null);
    assert.equal(later.destination.dest_type, 'FS_DEST_USER');
  });

  test('explain applies dnc to the called and sdnc to the caller number', async () => {
    const context = await freshContext(server());
    await createRoute(server(), { context, prefix: '0', max_length: 12, dnc: '-0+9', sdnc: 'r3999' });
    await createRoute(server(), { context, prefix: '5', max_length: 12, dnc: '/^(.*)[0-9][0-9]$/$1/', sdnc: 'R3999' });
    await createRoute(server(), { context, prefix: '6', max_length: 12 });
    const first = await explain(server(), { destNumber: '01234', context, callerNumber: '01234' });
    assert.equal(first.dnc_number, '91234');
    assert.equal(first.sdnc_number, '99934');
    const second = await explain(server(), { destNumber: '51234', context, callerNumber: '01234' });
    assert.equal(second.dnc_number, '512');
    assert.equal(second.sdnc_number, '01999');
    const plain = await explain(server(), { destNumber: '61234', context, callerNumber: '01234' });
    assert.equal(plain.dnc_number, '61234');
    assert.equal(plain.sdnc_number, '01234');
    const noCaller = await explain(server(), { destNumber: '01234', context });
    assert.equal(noCaller.sdnc_number, '');
  });

  test('explain refuses a bad time (400 naming time) and needs destNumber and context', async () => {
    const context = await freshContext(server());
    for (const time of ['yesterday', '2024-13-45T00:00:00', '2024-03-04 25:00:00', '1712345678']) {
      assertBadRequest(await server().get(`/api/routes/explain?${query({ destNumber: '1001', context, time })}`), 'time', time);
    }
    assertBadRequest(await server().get(`/api/routes/explain?${query({ context })}`), 'destNumber');
    assertBadRequest(await server().get(`/api/routes/explain?${query({ destNumber: '', context })}`), 'destNumber');
    assertBadRequest(await server().get(`/api/routes/explain?${query({ destNumber: '1001' })}`), 'context');
    assert.equal((await server().request('GET', `/api/routes/explain?${query({ destNumber: '1', context })}`, undefined, { token: null })).status, 401);
  });
});
