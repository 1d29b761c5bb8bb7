import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { describeOnEachDatabase, Harness } from '../helpers/harness.js';
import { WIRE_TIME, addSegments, assertBadRequest, assertNotFound, createRoute, explain, freshContext } from '../helpers/routing.js';

const SEGMENT_KEYS = ['body', 'created_at', 'deleted_at', 'dest_type', 'dest_uuid', 'id', 'route_id', 'time_recurrence', 'updated_at'];

/** The recurrence strings the spec itself shows. */
const SPEC_EXAMPLES = [
  '20230305T170000|PT6H0.06S|daily||1|MO,TU,WE,TH,FR',
  '20220502T000000|PT59M59.696S|daily||1|MO',
  '20211231T000000|PT47H59M59S|yearly||1|',
  '20100101T010101|PT10H||daily',
  '20220502T000000|PT1H59M59S|daily||1|MO',
  '20220503T070000|PT59M59.464S|daily||1|SU',
  '20220511T000000|PT119H59M59S|yearly||1|',
];

/** Malformed strings, with the part of the string each gets wrong. */
const MALFORMED: [string, string][] = [
  ['dtstart', '2023-03-05T17:00|PT6H|daily||1|'],
  ['dtstart', '20231305T170000|PT6H|daily||1|'],
  ['dtstart', '|PT6H|daily||1|'],
  ['duration', '20230305T170000|6H|daily||1|'],
  ['duration', '20230305T170000|PT|daily||1|'],
  ['duration', '20230305T170000||daily||1|'],
  ['freq', '20230305T170000|PT6H|hourly||1|'],
  ['byday', '20230305T170000|PT6H|daily||1|MO,XX'],
  ['byday', '20230305T170000|PT6H|daily||1|MONDAY'],
  ['interval', '20230305T170000|PT6H|daily||every|MO'],
];

/** Strings that pass the syntax but never start or would take unbounded work, with the part each answer names. */
const UNBOUNDED: [string, string][] = [
  ['bymonthday', '20200101T000000|PT1H|daily||1||30|||2'], // 30 February
  ['bymonthday', '20200101T000000|PT1H|monthly||1||31|||4,6,9,11'],
  ['byweekno', '20230101T000000|PT1H|yearly||1||||1|6'], // ISO week 1 is never in June
  ['interval', '20210101T000000|PT1H|yearly||4|||366'], // 2021, 2025, ...: never a leap year
  ['interval', '20240102T000000|PT1H|daily||7|MO'], // every 7th day from a Tuesday
  ['until', '20240101T000000|PT1H|weekly|20240103|1|FR'],
  ['duration', '20200101T000000|P99999999W|daily||1'],
  ['duration', '20200101T000000|P99999999W'],
  ['duration', '20230101T000000|P367D|yearly'],
  ['interval', '20230101T000000|PT1H|daily||100000'],
  ['dtstart', '18000101T000000|PT1H|daily'],
  ['byday', '20230101T000000|PT1H|monthly||1|6MO'],
];

async function segmentsOf(server: Harness, routeId: number): Promise<Record<string, any>[]> {
  const reply = await server.get(`/api/time_recurrence/route/${routeId}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'data', 'message']);
  assert.equal(reply.body.code, 200);
  assert.equal(reply.body.message, 'ok');
  return reply.body.data;
}

async function storedSegmentCount(server: Harness): Promise<number> {
  return (await server.db.kysely.selectFrom('time_recurrences').select('id').execute()).length;
}

async function newRoute(server: Harness) {
  return createRoute(server, { context: await freshContext(server), prefix: '1' });
}

const segment = (routeId: number | string, timeRecurrence: string, extra: Record<string, unknown> = {}) =>
  ({ dest_type: 'FS_DEST_USER', dest_uuid: '', route_id: routeId, time_recurrence: timeRecurrence, ...extra });

describeOnEachDatabase('time recurrence (route time segments)', (server) => {
  test("POST with the spec's array body answers a bare array [{id}]; GET by route answers {data,message:'ok',code:200}", async () => {
    const route = await newRoute(server());
    const reply = await server().post('/api/time_recurrence', [segment(String(route.id), '20220502T000000|PT59M59.696S|daily||1|MO')]);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.ok(Array.isArray(reply.body));
    assert.equal(reply.body.length, 1);
    assert.deepEqual(Object.keys(reply.body[0]), ['id']);
    assert.equal(typeof reply.body[0].id, 'number');

    const rows = await segmentsOf(server(), route.id);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row).sort(), SEGMENT_KEYS);
    assert.match(row.created_at, WIRE_TIME);
    assert.match(row.updated_at, WIRE_TIME);
    const { created_at: _c, updated_at: _u, ...rest } = row;
    assert.deepEqual(rest, {
      id: reply.body[0].id, route_id: route.id, time_recurrence: '20220502T000000|PT59M59.696S|daily||1|MO',
      dest_type: 'FS_DEST_USER', dest_uuid: '', body: '', deleted_at: '',
    });
  });

  test('POST takes a single object too, as the curl example sends', async () => {
    const route = await newRoute(server());
    const reply = await server().post('/api/time_recurrence', segment(String(route.id), '20220502T000000|PT59M59.696S|daily||1|MO'));
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.ok(Array.isArray(reply.body));
    assert.deepEqual(reply.body.map((item: { id: number }) => typeof item.id), ['number']);
    assert.deepEqual((await segmentsOf(server(), route.id)).map((row) => row.id), [reply.body[0].id]);
  });

  test("the spec's example strings are all accepted and stored verbatim, listed in id order", async () => {
    const route = await newRoute(server());
    const ivr = String((await server().post('/api/ivrs', { name: 'IVR示例1' })).body.data);
    const ids = await addSegments(server(), SPEC_EXAMPLES.map((text) => segment(route.id, text, { dest_type: 'FS_DEST_IVR', dest_uuid: ivr, body: 'IVR示例1' })));
    assert.equal(ids.length, SPEC_EXAMPLES.length);
    assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids follow the order of the body');
    const rows = await segmentsOf(server(), route.id);
    assert.deepEqual(rows.map((row) => [row.id, row.time_recurrence, row.dest_type, row.dest_uuid, row.body]),
      ids.map((id, i) => [id, SPEC_EXAMPLES[i], 'FS_DEST_IVR', ivr, 'IVR示例1']));
  });

  test('a malformed recurrence answers 400 naming the item and the field', async () => {
    const route = await newRoute(server());
    for (const [part, text] of MALFORMED) {
      const reply = await server().post('/api/time_recurrence', [segment(route.id, text)]);
      assertBadRequest(reply, '0.time_recurrence', text);
      assert.match(reply.body.message, new RegExp(`\\b${part}\\b`), `${text}: ${reply.body.message}`);
    }
    assert.deepEqual(await segmentsOf(server(), route.id), []);
  });

  test('POST is all or nothing: one bad item of an array writes nothing', async () => {
    const route = await newRoute(server());
    const before = await storedSegmentCount(server());
    for (const [part, text] of MALFORMED) {
      const reply = await server().post('/api/time_recurrence', [segment(route.id, SPEC_EXAMPLES[0]!), segment(route.id, text), segment(route.id, SPEC_EXAMPLES[1]!)]);
      assertBadRequest(reply, '1.time_recurrence', text);
      assert.match(reply.body.message, new RegExp(`\\b${part}\\b`));
    }
    const unknownRoute = await server().post('/api/time_recurrence', [segment(route.id, SPEC_EXAMPLES[0]!), segment(99999999, SPEC_EXAMPLES[0]!)]);
    assertBadRequest(unknownRoute, '1.route_id');
    const badType = await server().post('/api/time_recurrence', [segment(route.id, SPEC_EXAMPLES[0]!), segment(route.id, SPEC_EXAMPLES[0]!, { dest_type: 'FS_DEST_NOPE' })]);
    assertBadRequest(badType, '1.dest_type');
    assert.deepEqual(await segmentsOf(server(), route.id), []);
    assert.equal(await storedSegmentCount(server()), before, 'not a single row was written');
  });

  test('unknown route_id, bad dest_type, missing dest_uuid, missing fields: 400 naming the field', async () => {
    const route = await newRoute(server());
    assertBadRequest(await server().post('/api/time_recurrence', [segment(99999999, SPEC_EXAMPLES[0]!)]), '0.route_id');
    assertBadRequest(await server().post('/api/time_recurrence', [segment(route.id, SPEC_EXAMPLES[0]!, { dest_type: 'FS_DEST_NOPE' })]), '0.dest_type');
    assertBadRequest(await server().post('/api/time_recurrence', [segment(route.id, SPEC_EXAMPLES[0]!, { dest_type: 'FS_DEST_IVR', dest_uuid: '' })]), '0.dest_uuid');
    assertBadRequest(await server().post('/api/time_recurrence', [segment('abc', SPEC_EXAMPLES[0]!)]), '0.route_id');
    for (const field of ['route_id', 'time_recurrence', 'dest_type'] as const) {
      const { [field]: _missing, ...item } = segment(route.id, SPEC_EXAMPLES[0]!);
      assertBadRequest(await server().post('/api/time_recurrence', [item]), `0.${field}`, `without ${field}`);
    }
    assertBadRequest(await server().post('/api/time_recurrence', [segment(route.id, '')]), '0.time_recurrence', 'empty string');
    assertBadRequest(await server().post('/api/time_recurrence', []), 'body', 'empty array');
    assert.deepEqual(await segmentsOf(server(), route.id), []);
  });

  test('a single object with a missing or invalid field names that field, not "body"', async () => {
    const route = await newRoute(server());
    const { route_id: _missing, ...withoutRoute } = segment(route.id, SPEC_EXAMPLES[0]!);
    assertBadRequest(await server().post('/api/time_recurrence', withoutRoute), 'route_id');
    assertBadRequest(await server().post('/api/time_recurrence', segment(route.id, '')), 'time_recurrence');
  });

  test('PUT with the spec body answers [{"id":"<id>"}] and changes only the fields sent', async () => {
    const route = await newRoute(server());
    const [first, second] = await addSegments(server(), [
      segment(route.id, '20220502T000000|PT59M59.696S|daily||1|MO'),
      segment(route.id, '20211231T000000|PT47H59M59S|yearly||1|', { dest_type: 'FS_DEST_CTI', dest_uuid: '4', body: 'cti' }),
    ]);
    const before = await segmentsOf(server(), route.id);
    const reply = await server().put('/api/time_recurrence', [
      { dest_type: 'FS_DEST_USER', dest_uuid: '', route_id: String(route.id), time_recurrence: '20220502T000000|PT1H59M59S|daily||1|MO', id: String(first) },
      { id: second, body: 'changed' },
    ]);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, [{ id: String(first) }, { id: String(second) }]);
    const after = await segmentsOf(server(), route.id);
    const strip = ({ updated_at: _u, ...rest }: Record<string, unknown>) => rest;
    assert.deepEqual(strip(after[0]!), { ...strip(before[0]!), time_recurrence: '20220502T000000|PT1H59M59S|daily||1|MO' });
    assert.deepEqual(strip(after[1]!), { ...strip(before[1]!), body: 'changed' });
  });

  test('PUT takes a single object as the curl example does, and can move a segment to another route', async () => {
    const [from, to] = [await newRoute(server()), await newRoute(server())];
    const [id] = await addSegments(server(), [segment(from.id, SPEC_EXAMPLES[1]!)]);
    const reply = await server().put('/api/time_recurrence', { route_id: String(to.id), id: String(id) });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, [{ id: String(id) }]);
    assert.deepEqual(await segmentsOf(server(), from.id), []);
    assert.deepEqual((await segmentsOf(server(), to.id)).map((row) => [row.id, row.route_id]), [[id, to.id]]);
  });

  test('PUT is all or nothing: a bad item answers 400 naming it, and no item changes', async () => {
    const route = await newRoute(server());
    const [first, second] = await addSegments(server(), [segment(route.id, SPEC_EXAMPLES[0]!), segment(route.id, SPEC_EXAMPLES[1]!)]);
    const before = await segmentsOf(server(), route.id);
    for (const [part, text] of MALFORMED) {
      const reply = await server().put('/api/time_recurrence', [{ id: first, time_recurrence: SPEC_EXAMPLES[2] }, { id: second, time_recurrence: text }]);
      assertBadRequest(reply, '1.time_recurrence', text);
      assert.match(reply.body.message, new RegExp(`\\b${part}\\b`));
    }
    assertBadRequest(await server().put('/api/time_recurrence', [{ id: first, time_recurrence: SPEC_EXAMPLES[2] }, { id: 99999999, body: 'x' }]), '1.id');
    assertBadRequest(await server().put('/api/time_recurrence', [{ id: first, time_recurrence: SPEC_EXAMPLES[2] }, { id: second, route_id: 99999999 }]), '1.route_id');
    assertBadRequest(await server().put('/api/time_recurrence', [{ id: first, time_recurrence: SPEC_EXAMPLES[2] }, { id: second, dest_type: 'FS_DEST_NOPE' }]), '1.dest_type');
    assertBadRequest(await server().put('/api/time_recurrence', [{ id: first, time_recurrence: SPEC_EXAMPLES[2] }, { id: second, dest_type: 'FS_DEST_GATEWAY' }]), '1.dest_uuid');
    assertBadRequest(await server().put('/api/time_recurrence', [{ time_recurrence: SPEC_EXAMPLES[2] }]), '0.id');
    assert.deepEqual(await segmentsOf(server(), route.id), before);
  });

  test('DELETE /api/time_recurrence/:id answers {"id":"<id>"}; 404 afterwards', async () => {
    const route = await newRoute(server());
    const [doomed, kept] = await addSegments(server(), [segment(route.id, SPEC_EXAMPLES[0]!), segment(route.id, SPEC_EXAMPLES[1]!)]);
    const reply = await server().delete(`/api/time_recurrence/${doomed}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { id: String(doomed) });
    assert.deepEqual((await segmentsOf(server(), route.id)).map((row) => row.id), [kept]);
    assertNotFound(await server().delete(`/api/time_recurrence/${doomed}`));
    assertBadRequest(await server().delete('/api/time_recurrence/abc'), 'id');
  });

  test("DELETE /api/time_recurrence/route/:id removes that route's segments only", async () => {
    const [route, other] = [await newRoute(server()), await newRoute(server())];
    await addSegments(server(), [segment(route.id, SPEC_EXAMPLES[0]!), segment(route.id, SPEC_EXAMPLES[1]!)]);
    const [kept] = await addSegments(server(), [segment(other.id, SPEC_EXAMPLES[2]!)]);
    const reply = await server().delete(`/api/time_recurrence/route/${route.id}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { id: String(route.id) });
    assert.deepEqual(await segmentsOf(server(), route.id), []);
    assert.deepEqual((await segmentsOf(server(), other.id)).map((row) => row.id), [kept]);
  });

  test('GET and DELETE by route answer 404 for a route that does not exist', async () => {
    const route = await newRoute(server());
    await server().delete(`/api/routes/${route.id}`);
    assertNotFound(await server().get(`/api/time_recurrence/route/${route.id}`));
    assertNotFound(await server().delete(`/api/time_recurrence/route/${route.id}`));
  });

  test('two PUTs changing different fields of one segment at once both take effect', async () => {
    const route = await newRoute(server());
    const [id] = await addSegments(server(), [segment(route.id, SPEC_EXAMPLES[0]!)]);
    const [first, second] = await Promise.all([
      server().put('/api/time_recurrence', [{ id, time_recurrence: SPEC_EXAMPLES[1]! }]),
      server().put('/api/time_recurrence', [{ id, body: 'note' }]),
    ]);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const [row] = await segmentsOf(server(), route.id);
    assert.ok(row);
    assert.equal(row.time_recurrence, SPEC_EXAMPLES[1]);
    assert.equal(row.body, 'note');
  });

  test('a recurrence that never starts, or would need unbounded work, answers 400 naming the part; POST and PUT write nothing', async () => {
    const route = await newRoute(server());
    const [kept] = await addSegments(server(), [segment(route.id, SPEC_EXAMPLES[0]!)]);
    const before = await segmentsOf(server(), route.id);
    for (const [part, text] of UNBOUNDED) {
      const created = await server().post('/api/time_recurrence', [segment(route.id, SPEC_EXAMPLES[1]!), segment(route.id, text)]);
      assertBadRequest(created, '1.time_recurrence', text);
      assert.match(created.body.message, new RegExp(`\\b${part}\\b`), `${text}: ${created.body.message}`);
      const changed = await server().put('/api/time_recurrence', { id: kept, time_recurrence: text });
      assertBadRequest(changed, '0.time_recurrence', text);
      assert.match(changed.body.message, new RegExp(`\\b${part}\\b`), `${text}: ${changed.body.message}`);
    }
    const february = await server().post('/api/time_recurrence', [segment(route.id, UNBOUNDED[0]![1])]);
    assert.match(february.body.message, /^0\.time_recurrence: .*never starts.*bymonthday "30".*bymonth "2"/);
    assert.deepEqual(await segmentsOf(server(), route.id), before);
  });

  test('recurrences already stored that never start or no longer parse: explain stays prompt, they never match, each unreadable one is logged once', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '6', max_length: 12 });
    const stored = ['20200101T000000|PT1H|daily||1||30|||2', '20200101T000000|P99999999W|daily||1', '20240102T000000|PT1H|daily||7|MO', 'not a recurrence'];
    const always = segment(route.id, '20200101T000000|PT24H|daily', { dest_type: 'FS_DEST_SYSTEM', body: 'always' });
    const ids = await addSegments(server(), [...stored.map(() => segment(route.id, '20200101T000000|PT1H|daily')), always]);
    // As rows written before these checks existed, or by hand.
    for (const [i, text] of stored.entries()) {
      await server().db.kysely.updateTable('time_recurrences').set({ time_recurrence: text }).where('id', '=', ids[i]!).execute();
    }
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    // A second server on the same database loads these rows as a restarted process would.
    const restarted = await Harness.attach(server().database.url, { logger });
    try {
      for (const time of ['2020-02-29 12:00:00', '2024-01-08 00:30:00', '2024-02-29 23:59:59', '2031-06-02 12:00:00']) {
        const data = await explain(restarted, { destNumber: '6001', context, time });
        assert.equal(data.destination.time_segment_id, ids[4], time);
        assert.deepEqual(data.segments.map((entry: { id: number; matched: boolean }) => [entry.id, entry.matched]),
          [[ids[0], false], [ids[2], false], [ids[4], true]], `${time}: the unreadable ones are left out`);
      }
      const leftOut = lines.map((line) => JSON.parse(line).msg as string).filter((message) => message.includes('left out of routing'));
      assert.deepEqual(leftOut.map((message) => Number(/time segment (\d+)/.exec(message)?.[1])), [ids[1], ids[3]]);
      assert.match(leftOut[0]!, /duration/);
    } finally {
      await restarted.close();
    }
  });

  test('time segment endpoints need a token', async () => {
    for (const [method, url] of [['GET', '/api/time_recurrence/route/1'], ['POST', '/api/time_recurrence'], ['PUT', '/api/time_recurrence'], ['DELETE', '/api/time_recurrence/1'], ['DELETE', '/api/time_recurrence/route/1']] as const) {
      const reply = await server().request(method, url, method === 'POST' || method === 'PUT' ? [] : undefined, { token: null });
      assert.equal(reply.status, 401, `${method} ${url}`);
    }
  });
});
