import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase } from '../helpers/harness.js';
import {
  DEST_TYPES_NEEDING_UUID, SPEC_ROUTE_KEYS, WIRE_TIME, addSegments, assertBadRequest, assertConflict, assertNotFound,
  createRoute, destinationId, freshContext, getRoute, unique, type RouteRow,
} from '../helpers/routing.js';

/** A row without the fields any write changes, for "nothing else changed" comparisons. */
function stable(row: RouteRow): Record<string, unknown> {
  const { updated_at: _updated, ...rest } = row;
  return rest;
}

function assertRouteTypes(row: RouteRow, what: string): void {
  for (const key of SPEC_ROUTE_KEYS) assert.ok(key in row, `${what}: missing ${key}`);
  for (const key of ['id', 'max_length', 'disabled', 'auto_record', 'proxy_media', 'route_type']) {
    assert.equal(typeof row[key], 'number', `${what}: ${key} is ${JSON.stringify(row[key])}`);
  }
  for (const key of SPEC_ROUTE_KEYS.filter((name) => !['id', 'max_length', 'disabled', 'auto_record', 'proxy_media', 'route_type'].includes(name))) {
    assert.equal(typeof row[key], 'string', `${what}: ${key} is ${JSON.stringify(row[key])}`);
  }
  assert.match(row.bill_rate, /^\d+\.\d{2}$/, what);
  assert.equal(row.deleted_at, '', what);
  assert.match(row.created_at, WIRE_TIME, what);
  assert.match(row.updated_at, WIRE_TIME, what);
}

describeOnEachDatabase('routes', (server) => {
  // ---------------------------------------------------------------------------------- create

  test("create answers {code,message,data:<whole row>} with the spec's types (the spec's IVR example)", async () => {
    const ivr = String((await server().post('/api/ivrs', { name: 'IVR示例1' })).body.data);
    const reply = await server().post('/api/routes', {
      context: 'context-1',
      dest_type: 'FS_DEST_IVR',
      max_length: '11',
      name: 'IVR test',
      prefix: '1',
      dest_uuid: ivr,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'data', 'message']);
    assert.equal(reply.body.code, 200);
    assert.equal(reply.body.message, 'success');
    const row = reply.body.data;
    assertRouteTypes(row, 'created row');
    assert.ok(Number.isInteger(row.id) && row.id > 0);
    const { id: _id, created_at: _c, updated_at: _u, ...rest } = row;
    for (const [key, value] of Object.entries({
      name: 'IVR test', context: 'context-1', dest_type: 'FS_DEST_IVR', dest_uuid: ivr, body: 'IVR示例1', prefix: '1', max_length: 11,
      disabled: 0, auto_record: 0, proxy_media: 1, route_type: 4, bill_rate: '0.00', deleted_at: '', description: '',
      dnc: '', sdnc: '', media_codec: '', blacklist: '', cid_number: '', outdest_type: '',
    })) {
      assert.deepEqual(rest[key], value, key);
    }
    // The row answered is the row stored.
    assert.deepEqual(await getRoute(server(), row.id), row);
  });

  test('numbers and numeric strings (and booleans for flags) are accepted alike', async () => {
    const context = await freshContext(server());
    const strings = await createRoute(server(), {
      context, prefix: '1', max_length: '11', auto_record: '1', proxy_media: '0', route_type: '2', disabled: '1',
      bill_rate: '0.5', media_codec: ['PCMU', 'PCMA'],
    });
    assertRouteTypes(strings, 'strings');
    assert.equal(strings.max_length, 11);
    assert.equal(strings.auto_record, 1);
    assert.equal(strings.proxy_media, 0);
    assert.equal(strings.route_type, 2);
    assert.equal(strings.disabled, 1);
    assert.equal(strings.bill_rate, '0.50');
    assert.equal(strings.media_codec, 'PCMU,PCMA');

    const numbers = await createRoute(server(), {
      context, prefix: '2', max_length: 11, auto_record: true, proxy_media: false, route_type: 0, disabled: 0,
      bill_rate: 1, media_codec: 'G722',
    });
    assertRouteTypes(numbers, 'numbers');
    assert.equal(numbers.max_length, 11);
    assert.equal(numbers.auto_record, 1);
    assert.equal(numbers.proxy_media, 0);
    assert.equal(numbers.route_type, 0);
    assert.equal(numbers.disabled, 0);
    assert.equal(numbers.bill_rate, '1.00');
    assert.equal(numbers.media_codec, 'G722');
  });

  test('defaults: prefix "", enabled, not recording, proxy_media 1, route_type 4, bill_rate "0.00"', async () => {
    const context = await freshContext(server());
    const row = await createRoute(server(), { context });
    assert.equal(row.prefix, '');
    assert.equal(row.disabled, 0);
    assert.equal(row.auto_record, 0);
    assert.equal(row.proxy_media, 1);
    assert.equal(row.route_type, 4);
    assert.equal(row.bill_rate, '0.00');
    assert.equal(row.dest_uuid, '');
  });

  test('each required field (name, max_length, context, dest_type) missing answers 400 naming it', async () => {
    const context = await freshContext(server());
    const full = { name: unique('required'), max_length: 12, context, dest_type: 'FS_DEST_USER', prefix: '5' };
    for (const field of ['name', 'max_length', 'context', 'dest_type'] as const) {
      const { [field]: _missing, ...body } = full;
      assertBadRequest(await server().post('/api/routes', body), field, `without ${field}`);
    }
    assertBadRequest(await server().post('/api/routes', { ...full, name: undefined, max_length: undefined }), 'name', 'without name and max_length');
    const listed = await server().get(`/api/routes?context=${context}`);
    assert.equal(listed.body.rowCount, 0, 'nothing was created');
  });

  test('invalid values answer 400 naming the field', async () => {
    const context = await freshContext(server());
    const base = { max_length: 12, context, dest_type: 'FS_DEST_USER', prefix: '6' };
    // The field as named in the message: an array item is named down to its index.
    const cases: [string, unknown, string?][] = [
      ['max_length', 'abc'], ['max_length', 0], ['max_length', -3], ['max_length', 1.5],
      ['name', ''], ['context', ''], ['dest_type', ''],
      ['route_type', 5], ['route_type', 'x'], ['auto_record', 2], ['disabled', 'maybe'], ['proxy_media', 7],
      ['bill_rate', 'cheap'], ['bill_rate', -1], ['media_codec', ['PCMU', 'bad codec'], 'media_codec.1'],
    ];
    for (const [field, value, named = field] of cases) {
      const reply = await server().post('/api/routes', { ...base, name: unique('invalid'), [field]: value });
      assertBadRequest(reply, named, `${field}=${JSON.stringify(value)}`);
    }
    assert.equal((await server().get(`/api/routes?context=${context}`)).body.rowCount, 0, 'nothing was created');
    assertBadRequest(await server().request('POST', '/api/routes', '{"name":', { headers: { 'content-type': 'application/json' } }), 'body');
  });

  test('dest_type must be a key of dicts realm DEST', async () => {
    const context = await freshContext(server());
    for (const destType of ['FS_DEST_NOPE', 'IVR_EXTENSION', 'fs_dest_user', 'IVRBLOCK']) {
      const reply = await server().post('/api/routes', { name: unique('dt'), max_length: 12, context, dest_type: destType, dest_uuid: '1' });
      assertBadRequest(reply, 'dest_type', destType);
    }
    // The dictionary is the list: a DEST entry added at runtime is accepted.
    const custom = unique('FS_DEST_CUSTOM');
    const added = await server().post('/api/dicts', { realm: 'DEST', k: custom, v: 'CUSTOM' });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const row = await createRoute(server(), { context, dest_type: custom });
    assert.equal(row.dest_type, custom);
  });

  test('dest_uuid names the object for the destination types the spec lists; left out, it is still to be chosen (CherryPBX creates routes so)', async () => {
    const context = await freshContext(server());
    for (const [i, destType] of DEST_TYPES_NEEDING_UUID.entries()) {
      const body = { name: unique('uuid'), max_length: 12, context, dest_type: destType, prefix: `7${i}` };
      const waiting = await createRoute(server(), body);
      assert.deepEqual([waiting.dest_uuid, waiting.body], ['', ''], `${destType} without dest_uuid`);
      await server().delete(`/api/routes/${waiting.id}`);
      const uuid = await destinationId(server(), destType);
      const row = await createRoute(server(), { ...body, dest_uuid: uuid });
      assert.equal(row.dest_uuid, uuid, destType);
      assert.equal(row.dest_type, destType);
    }
    for (const [i, destType] of ['FS_DEST_USER', 'FS_DEST_SYSTEM', 'FS_DEST_CONFERENCE'].entries()) {
      const row = await createRoute(server(), { context, dest_type: destType, prefix: `8${i}` });
      assert.equal(row.dest_uuid, '', destType);
    }
  });

  test('an unknown context key answers 400 naming context', async () => {
    const reply = await server().post('/api/routes', { name: unique('ctx'), max_length: 12, context: 'no-such-context', dest_type: 'FS_DEST_USER' });
    assertBadRequest(reply, 'context');
    const listed = await server().get('/api/routes?context=no-such-context');
    assert.equal(listed.body.rowCount, 0);
  });

  test('a duplicate name answers 409 naming name, in any context', async () => {
    const [first, second] = [await freshContext(server()), await freshContext(server())];
    const name = unique('dup');
    await createRoute(server(), { name, context: first, prefix: '1' });
    assertConflict(await server().post('/api/routes', { name, max_length: 12, context: first, dest_type: 'FS_DEST_USER', prefix: '2' }), 'name');
    assertConflict(await server().post('/api/routes', { name, max_length: 5, context: second, dest_type: 'FS_DEST_USER', prefix: '3' }), 'name');
    assert.equal((await server().get(`/api/routes?name=${name}`)).body.rowCount, 1);
  });

  test('the same context+prefix+max_length answers 409 naming prefix; any other combination is fine', async () => {
    const [first, second] = [await freshContext(server()), await freshContext(server())];
    await createRoute(server(), { context: first, prefix: '8', max_length: 10 });
    const clash = await server().post('/api/routes', { name: unique('clash'), context: first, prefix: '8', max_length: '10', dest_type: 'FS_DEST_GATEWAY', dest_uuid: await destinationId(server(), 'FS_DEST_GATEWAY') });
    assertConflict(clash, 'prefix');
    await createRoute(server(), { context: second, prefix: '8', max_length: 10 });
    await createRoute(server(), { context: first, prefix: '8', max_length: 11 });
    await createRoute(server(), { context: first, prefix: '88', max_length: 10 });
    // The empty prefix is a prefix like any other.
    await createRoute(server(), { context: first, prefix: '', max_length: 10 });
    assertConflict(await server().post('/api/routes', { name: unique('clash'), context: first, max_length: 10, dest_type: 'FS_DEST_USER' }), 'prefix', 'empty prefix twice');
    assert.equal((await server().get(`/api/routes?context=${first}`)).body.rowCount, 4);
  });

  test('concurrent creates with one name: one succeeds, the others answer 409 naming name (never 500)', async () => {
    const context = await freshContext(server());
    const name = unique('race');
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => server().post('/api/routes', { name, max_length: 12, context, dest_type: 'FS_DEST_USER', prefix: `${i}` })),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409], JSON.stringify(replies.map((reply) => reply.body)));
    for (const reply of replies.filter((one) => one.status === 409)) assertConflict(reply, 'name');
    assert.equal((await server().get(`/api/routes?context=${context}`)).body.rowCount, 1);
  });

  test('concurrent creates with one context+prefix+max_length: one succeeds, the others answer 409 naming prefix', async () => {
    const context = await freshContext(server());
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => server().post('/api/routes', { name: unique('race'), max_length: 12, context, dest_type: 'FS_DEST_USER', prefix: '55' })),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409], JSON.stringify(replies.map((reply) => reply.body)));
    for (const reply of replies.filter((one) => one.status === 409)) assertConflict(reply, 'prefix');
    assert.equal((await server().get(`/api/routes?context=${context}`)).body.rowCount, 1);
  });

  test('concurrent updates onto one name or one prefix: one succeeds, the other answers 409 (never 500)', async () => {
    const context = await freshContext(server());
    const [a, b] = [await createRoute(server(), { context, prefix: '71' }), await createRoute(server(), { context, prefix: '72' })];
    const name = unique('renamed');
    const renames = await Promise.all([a, b].map((route) => server().put(`/api/routes/${route.id}`, { name })));
    assert.deepEqual(renames.map((reply) => reply.status).sort(), [200, 409], JSON.stringify(renames.map((reply) => reply.body)));
    assertConflict(renames.find((reply) => reply.status === 409)!, 'name');
    const moves = await Promise.all([a, b].map((route) => server().put(`/api/routes/${route.id}`, { prefix: '73' })));
    assert.deepEqual(moves.map((reply) => reply.status).sort(), [200, 409], JSON.stringify(moves.map((reply) => reply.body)));
    assertConflict(moves.find((reply) => reply.status === 409)!, 'prefix');
    const rows = (await server().get(`/api/routes?context=${context}`)).body.data;
    assert.equal(rows.filter((row: RouteRow) => row.name === name).length, 1);
    assert.equal(rows.filter((row: RouteRow) => row.prefix === '73').length, 1);
  });

  test('invalid dnc/sdnc rules answer 400 naming the field; valid ones are stored as given', async () => {
    const context = await freshContext(server());
    for (const field of ['dnc', 'sdnc']) {
      for (const rule of ['/([0-9]/x/', '/^1/', 'abc', 'r', 'R', '0']) {
        const reply = await server().post('/api/routes', { name: unique('dnc'), max_length: 12, context, dest_type: 'FS_DEST_USER', [field]: rule });
        assertBadRequest(reply, field, `${field}=${rule}`);
      }
    }
    assert.equal((await server().get(`/api/routes?context=${context}`)).body.rowCount, 0);
    for (const [i, rule] of ['-0+9', '+86', 'r3999', 'R3999', '/^(.*)[0-9][0-9]$/$1/'].entries()) {
      const row = await createRoute(server(), { context, prefix: `${i}`, dnc: rule, sdnc: rule });
      assert.equal(row.dnc, rule);
      assert.equal(row.sdnc, rule);
    }
  });

  test('unknown keys are ignored and never written', async () => {
    const context = await freshContext(server());
    const row = await createRoute(server(), {
      context, prefix: '4', foo: 'bar', id: 987654, created_at: '1999-01-01 00:00:00', deleted_at: 'yesterday', params: [{ k: 'set', v: 'x=1' }],
    });
    assert.notEqual(row.id, 987654);
    assert.ok(!('foo' in row));
    assert.ok(!row.created_at.startsWith('1999'));
    assert.equal(row.deleted_at, '');
    const stored = await getRoute(server(), row.id);
    assert.ok(!('foo' in stored));
    const params = await server().get(`/api/routes/${row.id}/params`);
    assert.deepEqual(params.body, []);
    assertNotFound(await server().get('/api/routes/987654'));
  });

  // ---------------------------------------------------------------------------------- get

  test('get: the row with numbers; unknown id 404 with the contract shape; a non-numeric id 400 naming id', async () => {
    const context = await freshContext(server());
    const created = await createRoute(server(), { context, prefix: '3' });
    const row = await getRoute(server(), created.id);
    assertRouteTypes(row, 'get');
    assert.deepEqual(row, created);
    assert.ok(!('params' in row), 'params only with with_params=true');
    assertNotFound(await server().get('/api/routes/99999999'));
    assertBadRequest(await server().get('/api/routes/abc'), 'id');
    const slash = await server().get(`/api/routes/${created.id}/`);
    assert.deepEqual(slash.body, row, 'trailing slash');
  });

  test('get ?with_params=true adds the params, in order; false or absent leaves them out', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context });
    const empty = await server().get(`/api/routes/${route.id}?with_params=true`);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body.params, []);
    for (const v of ['a=1', 'b=2']) {
      assert.equal((await server().post(`/api/routes/${route.id}/params`, { k: 'set', v })).status, 200);
    }
    const full = await server().get(`/api/routes/${route.id}?with_params=true`);
    const { params, ...rest } = full.body;
    assert.deepEqual(rest, await getRoute(server(), route.id));
    assert.deepEqual(params.map((param: { k: string; v: string }) => [param.k, param.v]), [['set', 'a=1'], ['set', 'b=2']]);
    assert.ok(params.every((param: Record<string, unknown>) => param.realm === 'ROUTE' && param.ref_id === route.id));
    assert.ok(!('params' in (await server().get(`/api/routes/${route.id}?with_params=false`)).body));
  });

  // ---------------------------------------------------------------------------------- list

  test('list answers {page,rowCount,pageCount,data} with numbers, and every row when not paged', async () => {
    const context = await freshContext(server());
    const created = [await createRoute(server(), { context, prefix: '1' }), await createRoute(server(), { context, prefix: '2' })];
    const reply = await server().get(`/api/routes?context=${context}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.deepEqual([reply.body.page, reply.body.rowCount, reply.body.pageCount], [1, 2, 1]);
    reply.body.data.forEach((row: RouteRow) => assertRouteTypes(row, 'list row'));
    assert.deepEqual(reply.body.data, created);

    const all = await server().get('/api/routes');
    assert.equal(all.status, 200);
    assert.equal(all.body.data.length, all.body.rowCount);
    assert.ok(all.body.rowCount >= 2);
    assert.equal((await server().get('/api/routes/')).body.rowCount, all.body.rowCount, 'trailing slash');
  });

  test('list filters: context, destType and dest_type, dest (dest_uuid or body), name (substring), disabled', async () => {
    const [context, other] = [await freshContext(server()), await freshContext(server())];
    const stem = unique('Filter');
    // The gateway's name becomes the routes' body, which `dest` matches as it matches dest_uuid.
    const gatewayId = String((await server().post('/api/gateways', { name: `${stem}-gw-id`, realm: '192.0.2.10' })).body.data);
    const user = await createRoute(server(), { context, prefix: '1', name: `${stem}-user` });
    const gateway = await createRoute(server(), { context, prefix: '2', name: `${stem}-gw`, dest_type: 'FS_DEST_GATEWAY', dest_uuid: gatewayId });
    const ip = await createRoute(server(), { context, prefix: '3', name: `${stem}-ip`, dest_type: 'FS_DEST_IP', body: `${stem}.example.net` });
    const off = await createRoute(server(), { context, prefix: '4', name: `${stem}-off`, disabled: 1 });
    const elsewhere = await createRoute(server(), { context: other, prefix: '1', name: `${stem}-elsewhere`, dest_type: 'FS_DEST_GATEWAY', dest_uuid: gatewayId });

    const ids = async (params: string) => {
      const reply = await server().get(`/api/routes?${params}`);
      assert.equal(reply.status, 200, `${params}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.rowCount, reply.body.data.length, params);
      return reply.body.data.map((row: RouteRow) => row.id);
    };
    assert.deepEqual(await ids(`context=${context}`), [user.id, gateway.id, ip.id, off.id]);
    assert.deepEqual(await ids(`context=${other}`), [elsewhere.id]);
    assert.deepEqual(await ids(`context=${context}&destType=FS_DEST_GATEWAY`), [gateway.id]);
    assert.deepEqual(await ids(`context=${context}&dest_type=FS_DEST_IP`), [ip.id]);
    assert.deepEqual(await ids(`dest=${stem}-gw-id`), [gateway.id, elsewhere.id]);
    assert.deepEqual(await ids(`context=${context}&dest=${stem}.example.net`), [ip.id]);
    assert.deepEqual(await ids(`dest=${stem}-nothing`), []);
    assert.deepEqual(await ids(`name=${stem}-g`), [gateway.id]);
    assert.deepEqual(await ids(`name=${stem}`), [user.id, gateway.id, ip.id, off.id, elsewhere.id]);
    assert.deepEqual(await ids(`context=${context}&disabled=1`), [off.id]);
    assert.deepEqual(await ids(`context=${context}&disabled=0`), [user.id, gateway.id, ip.id]);
    assert.deepEqual(await ids(`context=${context}&destType=FS_DEST_GATEWAY&dest=${stem}.example.net`), []);
  });

  test('list paging: page with perPage, page_size or pageSize', async () => {
    const context = await freshContext(server());
    const rows: RouteRow[] = [];
    for (let i = 1; i <= 5; i++) rows.push(await createRoute(server(), { context, prefix: `${i}` }));
    const page = async (params: string) => {
      const reply = await server().get(`/api/routes?context=${context}&${params}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return { page: reply.body.page, rowCount: reply.body.rowCount, pageCount: reply.body.pageCount, ids: reply.body.data.map((row: RouteRow) => row.id) };
    };
    assert.deepEqual(await page('perPage=2&page=2'), { page: 2, rowCount: 5, pageCount: 3, ids: [rows[2]!.id, rows[3]!.id] });
    assert.deepEqual(await page('page_size=2&page=3'), { page: 3, rowCount: 5, pageCount: 3, ids: [rows[4]!.id] });
    assert.deepEqual(await page('pageSize=4'), { page: 1, rowCount: 5, pageCount: 2, ids: rows.slice(0, 4).map((row) => row.id) });
    assert.deepEqual(await page('perPage=2&page=9'), { page: 9, rowCount: 5, pageCount: 3, ids: [] });
    assertBadRequest(await server().get('/api/routes?page=0'), 'page');
    assertBadRequest(await server().get('/api/routes?perPage=abc'), 'perPage');
  });

  test('list sorting: sortField over a whitelist, sortOrder asc|desc', async () => {
    const context = await freshContext(server());
    const a = await createRoute(server(), { context, prefix: '2', max_length: 7 });
    const b = await createRoute(server(), { context, prefix: '3', max_length: 20 });
    const c = await createRoute(server(), { context, prefix: '1', max_length: 9 });
    const ids = async (params: string) => (await server().get(`/api/routes?context=${context}&${params}`)).body.data.map((row: RouteRow) => row.id);
    assert.deepEqual(await ids('sortField=max_length&sortOrder=desc'), [b.id, c.id, a.id]);
    assert.deepEqual(await ids('sortField=max_length&sortOrder=asc'), [a.id, c.id, b.id]);
    assert.deepEqual(await ids('sortField=prefix'), [c.id, a.id, b.id]);
    assert.deepEqual(await ids('sortField=id&sortOrder=desc'), [c.id, b.id, a.id]);
    assertBadRequest(await server().get('/api/routes?sortField=dnc'), 'sortField');
    assertBadRequest(await server().get(`/api/routes?sortField=${encodeURIComponent('name; drop table routes')}`), 'sortField');
    assertBadRequest(await server().get('/api/routes?sortField=name&sortOrder=sideways'), 'sortOrder');
  });

  // ---------------------------------------------------------------------------------- update

  test('update answers the id as a string and changes only what was sent', async () => {
    const context = await freshContext(server());
    const before = await createRoute(server(), { context, prefix: '21', description: 'old', dnc: '-0' });
    const reply = await server().put(`/api/routes/${before.id}`, { description: 'new', max_length: '10' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(before.id) });
    const after = await getRoute(server(), before.id);
    assert.deepEqual(stable(after), { ...stable(before), description: 'new', max_length: 10 });
    assert.match(after.updated_at, WIRE_TIME);
  });

  test("update accepts the spec's example body, with numeric strings", async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '22' });
    const name = unique('test');
    const gateway = await destinationId(server(), 'FS_DEST_GATEWAY');
    const reply = await server().put(`/api/routes/${route.id}`, {
      auto_record: '1', context, description: '1', dest_type: 'FS_DEST_GATEWAY', dest_uuid: gateway, max_length: 12, name, prefix: '78900', route_type: '4',
    });
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(route.id) });
    const after = await getRoute(server(), route.id);
    assert.deepEqual(
      [after.auto_record, after.description, after.dest_type, after.dest_uuid, after.max_length, after.name, after.prefix, after.route_type],
      [1, '1', 'FS_DEST_GATEWAY', gateway, 12, name, '78900', 4],
    );
  });

  test('a partial update is validated against the merged row; a refused update changes nothing', async () => {
    const context = await freshContext(server());
    const a = await createRoute(server(), { context, prefix: '31', max_length: 10 });
    const b = await createRoute(server(), { context, prefix: '32', max_length: 10 });
    const path = `/api/routes/${b.id}`;

    assertConflict(await server().put(path, { prefix: '31' }), 'prefix', 'prefix onto an existing context+prefix+max_length');
    assert.equal((await server().put(path, { prefix: '31', max_length: 11 })).status, 200, 'another max_length is fine');
    const good = await getRoute(server(), b.id);
    assertConflict(await server().put(path, { max_length: 10 }), 'prefix', 'max_length onto an existing context+prefix+max_length');
    assertConflict(await server().put(path, { name: a.name }), 'name');
    assertBadRequest(await server().put(path, { dest_type: 'FS_DEST_GATEWAY', dest_uuid: '999999' }), 'dest_uuid', 'no such gateway');
    assertBadRequest(await server().put(path, { dest_type: 'FS_DEST_NOPE' }), 'dest_type');
    assertBadRequest(await server().put(path, { context: 'no-such-context' }), 'context');
    assertBadRequest(await server().put(path, { dnc: 'abc' }), 'dnc');
    assertBadRequest(await server().put(path, { sdnc: '/(/x/' }), 'sdnc');
    assertBadRequest(await server().put(path, { max_length: 'x' }), 'max_length');
    assertBadRequest(await server().put(path, { name: '' }), 'name');
    assertBadRequest(await server().put(path, { action: 'explode' }), 'action');
    assert.deepEqual(await getRoute(server(), b.id), good, 'nothing changed');

    // Its own name, prefix and max_length are no conflict with itself.
    const same = await server().put(path, { name: good.name, prefix: good.prefix, max_length: good.max_length, description: 'kept' });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    // Moving to another context re-checks uniqueness there.
    const other = await freshContext(server());
    await createRoute(server(), { context: other, prefix: '31', max_length: 11 });
    assertConflict(await server().put(path, { context: other }), 'prefix', 'move onto a taken combination');
    assert.equal((await server().put(path, { context: other, max_length: 12 })).status, 200);
    assert.equal((await getRoute(server(), b.id)).context, other);
  });

  test('concurrent partial updates of different fields of one route all take effect (no lost update)', async () => {
    const context = await freshContext(server());
    for (let i = 0; i < 5; i++) {
      const route = await createRoute(server(), { context, prefix: `8${i}` });
      const replies = await Promise.all([
        server().put(`/api/routes/${route.id}`, { description: 'described' }),
        server().put(`/api/routes/${route.id}`, { dnc: '-0' }),
        server().put(`/api/routes/${route.id}`, { auto_record: 1 }),
      ]);
      assert.deepEqual(replies.map((reply) => reply.status), [200, 200, 200]);
      const after = await getRoute(server(), route.id);
      assert.deepEqual([after.description, after.dnc, after.auto_record], ['described', '-0', 1], `route ${route.id}`);
    }
  });

  test('{"action":"toggle"} flips disabled both ways and changes nothing else', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '41' });
    const on = await server().put(`/api/routes/${route.id}`, { action: 'toggle' });
    assert.deepEqual(on.body, { code: 200, message: 'success', data: String(route.id) });
    const disabled = await getRoute(server(), route.id);
    assert.deepEqual(stable(disabled), { ...stable(route), disabled: 1 });
    await server().put(`/api/routes/${route.id}`, { action: 'toggle' });
    assert.deepEqual(stable(await getRoute(server(), route.id)), stable(route));
  });

  test('two toggles at once flip disabled twice, and the routing index agrees with the row', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '42' });
    const replies = await Promise.all([1, 2].map(() => server().put(`/api/routes/${route.id}`, { action: 'toggle' })));
    assert.deepEqual(replies.map((reply) => reply.status), [200, 200]);
    assert.equal((await getRoute(server(), route.id)).disabled, 0);
    const verified = await server().get(`/api/routes?destNumber=421&context=${context}`);
    assert.equal(verified.status, 200, 'the enabled route is a candidate again');
  });

  test('update of an unknown id answers 404; a non-numeric id 400', async () => {
    assertNotFound(await server().put('/api/routes/99999999', { description: 'x' }));
    assertNotFound(await server().put('/api/routes/99999999', { action: 'toggle' }));
    assertBadRequest(await server().put('/api/routes/abc', { description: 'x' }), 'id');
  });

  test('update ignores unknown keys', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '42' });
    const reply = await server().put(`/api/routes/${route.id}`, { foo: 'bar', id: 99999, created_at: '1999-01-01 00:00:00' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const after = await getRoute(server(), route.id);
    assert.deepEqual(stable(after), stable(route));
    assertNotFound(await server().get('/api/routes/99999'));
  });

  // ---------------------------------------------------------------------------------- delete

  test('delete answers the id as a string; the route is gone afterwards', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '51' });
    const reply = await server().delete(`/api/routes/${route.id}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(route.id) });
    assertNotFound(await server().get(`/api/routes/${route.id}`));
    assertNotFound(await server().delete(`/api/routes/${route.id}`));
    assertNotFound(await server().put(`/api/routes/${route.id}`, { description: 'x' }));
    assertBadRequest(await server().delete('/api/routes/abc'), 'id');
    // Name and prefix are free again.
    await createRoute(server(), { context, prefix: '51', name: route.name });
  });

  test("delete removes the route's params and time segments, and only those", async () => {
    const context = await freshContext(server());
    const doomed = await createRoute(server(), { context, prefix: '52' });
    const kept = await createRoute(server(), { context, prefix: '53' });
    for (const route of [doomed, kept]) {
      for (const v of ['a=1', 'b=2']) assert.equal((await server().post(`/api/routes/${route.id}/params`, { k: 'set', v })).status, 200);
      await addSegments(server(), [
        { route_id: route.id, dest_type: 'FS_DEST_USER', time_recurrence: '20230305T170000|PT6H|daily||1|MO' },
        { route_id: route.id, dest_type: 'FS_DEST_USER', time_recurrence: '20230305T010000|PT1H|daily||1|' },
      ]);
    }
    assert.equal((await server().delete(`/api/routes/${doomed.id}`)).status, 200);

    assertNotFound(await server().get(`/api/time_recurrence/route/${doomed.id}`));
    assertNotFound(await server().get(`/api/routes/${doomed.id}/params`));
    const { kysely } = server().db;
    assert.equal((await kysely.selectFrom('params').select('id').where('ref_id', '=', doomed.id).execute()).length, 0, 'no orphaned params');
    assert.equal((await kysely.selectFrom('time_recurrences').select('id').where('route_id', '=', doomed.id).execute()).length, 0, 'no orphaned segments');

    assert.equal((await server().get(`/api/routes/${kept.id}/params`)).body.length, 2);
    assert.equal((await server().get(`/api/time_recurrence/route/${kept.id}`)).body.data.length, 2);
  });

  test('a context used by a route cannot be deleted (409) until the route is gone', async () => {
    const key = await freshContext(server());
    const contexts = await server().get(`/api/contexts?key=${key}`);
    const contextId = contexts.body.data[0].id;
    const route = await createRoute(server(), { context: key });
    assertConflict(await server().delete(`/api/contexts/${contextId}`), 'id');
    assert.equal((await getRoute(server(), route.id)).context, key);
    assert.equal((await server().delete(`/api/routes/${route.id}`)).status, 200);
    assert.equal((await server().delete(`/api/contexts/${contextId}`)).status, 200);
  });

  // ---------------------------------------------------------------------------------- batch update

  test("batch update with the spec's body answers {data:[],code:200,message:'update rows 2'} and changes only the listed fields", async () => {
    const context = await freshContext(server());
    const [one, two, untouched] = [
      await createRoute(server(), { context, prefix: '61' }),
      await createRoute(server(), { context, prefix: '62', auto_record: 0 }),
      await createRoute(server(), { context, prefix: '63' }),
    ];
    const reply = await server().put('/api/routes', { auto_record: '1', media_codec: ['PCMU', 'PCMA'], route: [String(one!.id), String(two!.id)] });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { data: [], code: 200, message: 'update rows 2' });
    for (const before of [one!, two!]) {
      const after = await getRoute(server(), before.id);
      assert.deepEqual(stable(after), { ...stable(before), auto_record: 1, media_codec: 'PCMU,PCMA' });
    }
    assert.deepEqual(await getRoute(server(), untouched!.id), untouched);
  });

  test('batch update sets every field the spec lists', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '64' });
    const listed = await server().post('/api/blacklists', { name: unique('batch-list'), list_type: 0, limit_user_type: 0 });
    const blacklist = String(listed.body.data);
    const reply = await server().put('/api/routes', {
      route: [route.id], route_type: '2', proxy_media: '0', bill_rate: '0.3', blacklist, did_enabled: '1', media_codec: 'G722, OPUS', auto_record: 1,
    });
    assert.deepEqual(reply.body, { data: [], code: 200, message: 'update rows 1' });
    const after = await getRoute(server(), route.id);
    assert.deepEqual(stable(after), {
      ...stable(route), route_type: 2, proxy_media: 0, bill_rate: '0.30', blacklist, did_enabled: 1, media_codec: 'G722,OPUS', auto_record: 1,
    });
  });

  test('batch update with an unknown id answers 400 naming route and changes nothing (all or nothing)', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '65' });
    const reply = await server().put('/api/routes', { auto_record: '1', media_codec: ['PCMU'], route: [String(route.id), '99999999'] });
    assertBadRequest(reply, 'route');
    assert.deepEqual(await getRoute(server(), route.id), route);
  });

  test('batch update ignores fields outside the spec list (name, prefix, context, …)', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '66', description: 'before' });
    const reply = await server().put('/api/routes', {
      name: 'hijacked', prefix: '9', context: 'context-2', description: 'after', disabled: 1, dnc: '-0', auto_record: '1', route: [route.id],
    });
    assert.deepEqual(reply.body, { data: [], code: 200, message: 'update rows 1' });
    assert.deepEqual(stable(await getRoute(server(), route.id)), { ...stable(route), auto_record: 1 });
  });

  test('batch update: a missing or empty route list, bad ids or bad values answer 400 naming the field; nothing changes', async () => {
    const context = await freshContext(server());
    const route = await createRoute(server(), { context, prefix: '67' });
    assertBadRequest(await server().put('/api/routes', { auto_record: '1' }), 'route', 'no route');
    assertBadRequest(await server().put('/api/routes', { auto_record: '1', route: [] }), 'route', 'empty route');
    assertBadRequest(await server().put('/api/routes', { auto_record: '1', route: ['x'] }), 'route.0', 'non-numeric id');
    assertBadRequest(await server().put('/api/routes', { route_type: 9, route: [route.id] }), 'route_type');
    assertBadRequest(await server().put('/api/routes', { auto_record: 3, route: [route.id] }), 'auto_record');
    assertBadRequest(await server().put('/api/routes', { bill_rate: 'lots', route: [route.id] }), 'bill_rate');
    assert.deepEqual(await getRoute(server(), route.id), route);
  });

  // ---------------------------------------------------------------------------------- auth

  test('every routes endpoint needs a token', async () => {
    for (const [method, url] of [['GET', '/api/routes'], ['GET', '/api/routes/1'], ['POST', '/api/routes'], ['PUT', '/api/routes'], ['PUT', '/api/routes/1'], ['DELETE', '/api/routes/1']] as const) {
      const reply = await server().request(method, url, method === 'GET' || method === 'DELETE' ? undefined : {}, { token: null });
      assert.equal(reply.status, 401, `${method} ${url}`);
      assert.equal(reply.body.code, 401);
    }
  });
});
