import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { postgres } from '../helpers/databases.js';
import { twoServersOnPostgres, type Harness } from '../helpers/harness.js';
import { addSegments, candidateIds, createRoute, eventually, explain, freshContext } from '../helpers/routing.js';

/**
 * Two servers on one PostgreSQL database, as two processes behind a load balancer: each keeps its
 * own in-memory route index, so a write through one must reach the other's routing decisions.
 */
const WAIT_MS = 3000;
const MONDAY_EVENING = '2024-03-04T17:30:00';

if (postgres.unavailable) console.log(`# skipped: ${postgres.unavailable}`);

describe('routes across processes [postgres]', { skip: postgres.unavailable ?? false }, () => {
  const { a, b } = twoServersOnPostgres();

  /** Waits until `server` verifies `destNumber` in `context` to exactly `expected`. */
  async function seenBy(server: Harness, destNumber: string, context: string, expected: number[], what: string): Promise<void> {
    let last: number[] = [];
    const reached = await eventually(async () => {
      last = await candidateIds(server, destNumber, context);
      return JSON.stringify(last) === JSON.stringify(expected);
    }, WAIT_MS);
    assert.ok(reached, `${what}: within ${WAIT_MS} ms the other server verified [${last.join(', ')}], not [${expected.join(', ')}]`);
  }

  test('the two servers are independent processes sharing one database', async () => {
    assert.notEqual(a().app, b().app);
    assert.notEqual(a().db, b().db);
    assert.notEqual(a().app.routeTable, b().app.routeTable);
    assert.equal(a().database.url, b().database.url);
  });

  test('a route created through A is verified by B', async () => {
    const context = await freshContext(a());
    assert.deepEqual(await candidateIds(b(), '1001', context), []);
    const route = await createRoute(a(), { context, prefix: '10', max_length: 12 });
    await seenBy(b(), '1001', context, [route.id], 'after create');
    const decided = await explain(b(), { destNumber: '1001', context });
    assert.equal(decided.route.id, route.id);
  });

  test('a gateway\'s dnc set, changed and cleared through A applies to B\'s decisions', async () => {
    const context = await freshContext(a());
    const created = await a().post('/api/gateways', { name: `mpgw${Date.now()}`, realm: '192.0.2.10', dnc: '+9' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const gateway = created.body.data;
    await createRoute(a(), { context, prefix: '0', max_length: 12, dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gateway) });
    const dialledOnB = async (expected: string, what: string) => {
      let last = '';
      const reached = await eventually(async () => {
        last = (await explain(b(), { destNumber: '0755', context })).gateway?.dest_number ?? '(no gateway step)';
        return last === expected;
      }, WAIT_MS);
      assert.ok(reached, `${what}: within ${WAIT_MS} ms B dialled ${last}, not ${expected}`);
    };
    await dialledOnB('90755', 'after create');
    assert.equal((await a().put(`/api/gateways/${gateway}`, { dnc: '-0+86' })).status, 200);
    await dialledOnB('86755', 'after update');
    assert.equal((await a().put(`/api/gateways/${gateway}`, { dnc: '' })).status, 200);
    await dialledOnB('0755', 'after clearing');
  });

  test('updates through A (prefix, max_length, toggle, context) reach B', async () => {
    const context = await freshContext(a());
    const other = await freshContext(a());
    const route = await createRoute(a(), { context, prefix: '20', max_length: 12 });
    await seenBy(b(), '2001', context, [route.id], 'after create');
    const put = async (body: Record<string, unknown>) => assert.equal((await a().put(`/api/routes/${route.id}`, body)).status, 200);

    await put({ prefix: '21' });
    await seenBy(b(), '2001', context, [], 'old prefix');
    await seenBy(b(), '2101', context, [route.id], 'new prefix');
    await put({ max_length: 3 });
    await seenBy(b(), '2101', context, [], 'max_length lowered');
    await put({ max_length: 4 });
    await seenBy(b(), '2101', context, [route.id], 'max_length raised');
    await put({ action: 'toggle' });
    await seenBy(b(), '2101', context, [], 'disabled');
    await put({ action: 'toggle' });
    await seenBy(b(), '2101', context, [route.id], 'enabled');
    await put({ context: other });
    await seenBy(b(), '2101', context, [], 'moved away');
    await seenBy(b(), '2101', other, [route.id], 'moved here');
  });

  test('the decision order on B follows routes added through A', async () => {
    const context = await freshContext(a());
    const wide = await createRoute(a(), { context, prefix: '3', max_length: 12 });
    await seenBy(b(), '3001', context, [wide.id], 'one route');
    const narrow = await createRoute(a(), { context, prefix: '30', max_length: 12 });
    await seenBy(b(), '3001', context, [narrow.id, wide.id], 'the longer prefix first');
    const short = await createRoute(a(), { context, prefix: '3', max_length: 4 });
    await seenBy(b(), '3001', context, [short.id, narrow.id, wide.id], 'the smaller max_length first');
  });

  test('a route deleted through A disappears from B', async () => {
    const context = await freshContext(a());
    const route = await createRoute(a(), { context, prefix: '40', max_length: 12 });
    await seenBy(b(), '4001', context, [route.id], 'after create');
    assert.equal((await a().delete(`/api/routes/${route.id}`)).status, 200);
    await seenBy(b(), '4001', context, [], 'after delete');
  });

  test('after its change-feed connection is cut, B reconnects and catches up with what it missed', async () => {
    const context = await freshContext(a());
    const terminated = await sql<{ pid: number }>`
      select pg_terminate_backend(pid) as pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query like 'LISTEN%'`.execute(a().db.kysely);
    assert.ok(terminated.rows.length >= 2, 'both servers had a listening connection');
    // Written while B is (most likely) still reconnecting: only the resync can bring it.
    const route = await createRoute(a(), { context, prefix: '45', max_length: 12 });
    await seenBy(b(), '4501', context, [route.id], 'written during the outage');
    const later = await createRoute(a(), { context, prefix: '450', max_length: 12 });
    await seenBy(b(), '4501', context, [later.id, route.id], 'written after the reconnect');
  });

  test('writes through B reach A as well', async () => {
    const context = await freshContext(b());
    const route = await createRoute(b(), { context, prefix: '50', max_length: 12 });
    await seenBy(a(), '5001', context, [route.id], 'created through B');
    assert.equal((await b().put(`/api/routes/${route.id}`, { action: 'toggle' })).status, 200);
    await seenBy(a(), '5001', context, [], 'disabled through B');
  });

  test("time segments added, changed and deleted through A change B's explain", async () => {
    const context = await freshContext(a());
    const route = await createRoute(a(), { context, prefix: '6', max_length: 12, dest_type: 'FS_DEST_USER' });
    await seenBy(b(), '6001', context, [route.id], 'route');
    const destinationOnB = async () => (await explain(b(), { destNumber: '6001', context, time: MONDAY_EVENING })).destination;
    assert.equal((await destinationOnB()).dest_type, 'FS_DEST_USER');

    const ivr = String((await a().post('/api/ivrs', { name: `evening ${route.id}` })).body.data);
    const [segment] = await addSegments(a(), [
      { route_id: route.id, dest_type: 'FS_DEST_IVR', dest_uuid: ivr, time_recurrence: '20230305T170000|PT6H|daily||1|MO,TU,WE,TH,FR' },
    ]);
    let last: unknown;
    const overridden = await eventually(async () => {
      last = await destinationOnB();
      return (last as { time_segment_id: number | null }).time_segment_id === segment;
    }, WAIT_MS);
    assert.ok(overridden, `B still answers ${JSON.stringify(last)}`);
    assert.deepEqual(await destinationOnB(), { dest_type: 'FS_DEST_IVR', dest_uuid: ivr, body: `evening ${route.id}`, time_segment_id: segment });

    // Moved to Saturdays: Monday evening is the route's own destination again.
    assert.equal((await a().put('/api/time_recurrence', [{ id: segment, time_recurrence: '20230305T170000|PT6H|daily||1|SA' }])).status, 200);
    assert.ok(await eventually(async () => (await destinationOnB()).time_segment_id === null, WAIT_MS), 'change of the recurrence');
    assert.equal((await a().put('/api/time_recurrence', [{ id: segment, time_recurrence: '20230305T170000|PT6H|daily||1|MO' }])).status, 200);
    assert.ok(await eventually(async () => (await destinationOnB()).time_segment_id === segment, WAIT_MS), 'changed back');

    assert.equal((await a().delete(`/api/time_recurrence/${segment}`)).status, 200);
    assert.ok(await eventually(async () => (await destinationOnB()).time_segment_id === null, WAIT_MS), 'after delete');
    assert.equal((await destinationOnB()).dest_type, 'FS_DEST_USER');
  });
});
