import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';

let made = 0;
const unique = (what: string) => `${what}-${++made}`;

async function createRoute(server: Harness, fields: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const reply = await server.post('/api/routes', {
    name: unique('io'), max_length: 12, context: 'context-1', dest_type: 'FS_DEST_USER', prefix: `9${++made}`, body: '1000', ...fields,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.data;
}

const routeCount = async (server: Harness) => (await server.get('/api/routes?perPage=1')).body.rowCount as number;

/** A row as CherryPBX's import sends it: the spreadsheet's cells keyed by the header row, all text. */
function asSpreadsheetRow(header: string[], cells: unknown[]): Record<string, string> {
  return Object.fromEntries(header.map((key, index) => [key, String(cells[index])]).filter(([, value]) => value !== ''));
}

describeOnEachDatabase('route export and import', (server) => {
  test('GET /api/routes/download is the export, not route "download": a header row of field names, then the routes by id', async () => {
    const first = await createRoute(server(), { description: 'exported', auto_record: 1 });
    const second = await createRoute(server());
    const reply = await server().get('/api/routes/download?language=zh&type=All%20Route');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const [header, ...rows] = reply.body as unknown[][];
    assert.equal(header![0], 'id');
    assert.ok(header!.includes('name') && header!.includes('dest_type') && header!.includes('max_length'));
    assert.equal(rows.length, await routeCount(server()));
    const ids = rows.map((row) => row[0] as number);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const mine = rows.find((row) => row[0] === first.id)!;
    const cell = (name: string) => mine[header!.indexOf(name)];
    assert.equal(cell('name'), first.name);
    assert.equal(cell('description'), 'exported');
    assert.equal(cell('auto_record'), 1);
    assert.equal(cell('max_length'), 12);
    assert.ok(rows.some((row) => row[0] === second.id));
  });

  test('the export takes the list filters (CherryPBX sends its name and destType filters along)', async () => {
    const route = await createRoute(server(), { name: unique('filtered-export') });
    const reply = await server().get(`/api/routes/download?name=${encodeURIComponent(route.name)}&destType=FS_DEST_USER`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 2);
    assert.equal(reply.body[1][0], route.id);
    assert.equal((await server().get('/api/routes/download?destType=FS_DEST_NONE')).body.length, 1);
  });

  test('an exported route imports back as a new route, its cells as text; the routing index knows it at once', async () => {
    const original = await createRoute(server(), { prefix: '5551', max_length: 8, dnc: '-555', media_codec: 'PCMU,PCMA' });
    const [header, ...rows] = (await server().get(`/api/routes/download?name=${encodeURIComponent(original.name)}`)).body;
    assert.equal(rows.length, 1);
    assert.equal((await server().delete(`/api/routes/${original.id}`)).status, 200);
    const before = await routeCount(server());

    const imported = await server().post('/api/routes/upload', { routes: [asSpreadsheetRow(header, rows[0])] });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.code, 200);
    assert.equal(imported.body.data.length, 1);
    const route = imported.body.data[0];
    assert.notEqual(route.id, original.id);
    for (const field of ['name', 'prefix', 'max_length', 'context', 'dest_type', 'body', 'dnc', 'media_codec', 'disabled']) {
      assert.deepEqual(route[field], original[field], field);
    }
    assert.equal(await routeCount(server()), before + 1);
    const verified = await server().get('/api/routes?destNumber=5551234&context=context-1');
    assert.equal(verified.status, 200);
    assert.equal(verified.body.data[0].id, String(route.id));
  });

  test('an import is all or nothing: a refused row answers 400 naming routes.<index>.<field>, and no route is created', async () => {
    const before = await routeCount(server());
    const good = { name: unique('good'), max_length: '10', context: 'context-1', dest_type: 'FS_DEST_USER', prefix: '71', body: '1000' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, name: unique('bad context'), prefix: '72', context: 'no-such-context' }, 'routes.1.context'],
      [{ ...good, name: undefined, prefix: '73' }, 'routes.1.name'],
      [{ ...good, name: unique('bad length'), prefix: '74', max_length: '99' }, 'routes.1.max_length'],
      [{ ...good, name: unique('bad dnc'), prefix: '75', dnc: '/unclosed' }, 'routes.1.dnc'],
    ];
    for (const [bad, field] of cases) {
      assertBadRequest(await server().post('/api/routes/upload', { routes: [{ ...good, name: unique('first') }, bad] }), field);
      assert.equal(await routeCount(server()), before, `nothing imported after ${field}`);
    }
    assertConflict(await server().post('/api/routes/upload', { routes: [good, { ...good, prefix: '76' }] }), 'routes.1.name');
    assertConflict(await server().post('/api/routes/upload', { routes: [good, { ...good, name: unique('same match') }] }), 'routes.1.prefix');
    assert.equal(await routeCount(server()), before);
    assertBadRequest(await server().post('/api/routes/upload', { routes: [] }), 'routes');
    assertBadRequest(await server().post('/api/routes/upload', {}), 'routes');
    assertBadRequest(await server().post('/api/routes/upload', { routes: ['x'] }), 'routes.0');
    assert.equal(await routeCount(server()), before);
  });
});

describeOnEachDatabase('dragging a route param onto another', (server) => {
  async function routeWithParams(count: number): Promise<{ routeId: number; params: number[] }> {
    const route = await createRoute(server());
    const params: number[] = [];
    for (let i = 0; i < count; i++) params.push(createdId(await server().post(`/api/routes/${route.id}/params`, { k: 'set', v: `step=${i}` })));
    return { routeId: route.id, params };
  }
  const order = async (routeId: number) => ((await server().get(`/api/routes/${routeId}?with_params=true`)).body.params as { id: number }[]).map((param) => param.id);

  test('PUT /api/routes/drag/:start_id/:end_id moves the dragged param to the other one\'s place, the rest shifting, as the page shows it', async () => {
    const { routeId, params: [a, b, c, d] } = await routeWithParams(4);
    const down = await server().put(`/api/routes/drag/${a}/${c}`);
    assert.equal(down.status, 200, JSON.stringify(down.body));
    assert.deepEqual(down.body.data.map((param: { id: number }) => param.id), [b, c, a, d]);
    assert.deepEqual(await order(routeId), [b, c, a, d]);
    assert.equal((await server().put(`/api/routes/drag/${d}/${b}`)).status, 200);
    assert.deepEqual(await order(routeId), [d, b, c, a]);
    assert.equal((await server().put(`/api/routes/drag/${c}/${c}`)).status, 200);
    assert.deepEqual(await order(routeId), [d, b, c, a]);
  });

  test('both params must exist and belong to one route', async () => {
    const first = await routeWithParams(1);
    const second = await routeWithParams(1);
    assertBadRequest(await server().put(`/api/routes/drag/${first.params[0]}/${second.params[0]}`), 'end_id');
    assertNotFound(await server().put(`/api/routes/drag/${first.params[0]}/99999999`));
    assertBadRequest(await server().put(`/api/routes/drag/x/${first.params[0]}`), 'start_id');
    assert.deepEqual(await order(first.routeId), first.params);
  });
});
