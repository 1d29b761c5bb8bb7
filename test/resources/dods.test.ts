import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { unique } from '../helpers/routing.js';

const ROW_KEYS = ['created_at', 'deleted_at', 'extn', 'extn_id', 'id', 'line_number', 'name', 'ref_id', 'type', 'updated_at'];

let nextNumber = 70_000;
const fresh = () => String(++nextNumber);

async function extension(server: Harness): Promise<{ id: number; extn: string }> {
  const extn = fresh();
  return { id: createdId(await server.post('/api/extensions', { extn, password: 'secret-1', context: 'context-1' })), extn };
}

async function gateway(server: Harness): Promise<{ id: number; name: string }> {
  const name = unique('gw');
  return { id: createdId(await server.post('/api/gateways', { name, realm: '192.0.2.10:5060', register: 'no' })), name };
}

async function trunk(server: Harness): Promise<{ id: number; name: string }> {
  const name = unique('trunk');
  return { id: createdId(await server.post('/api/trunks', { name, remote_addr: '192.0.2.20' })), name };
}

describeOnEachDatabase('DODs (/api/dods)', (server) => {
  test('create by extn and gateway name; rows carry both ids and names as the spec shows', async () => {
    const ext = await extension(server());
    const gw = await gateway(server());
    const line = fresh();
    const id = createdId(await server().post('/api/dods', { line_number: line, extn: ext.extn, type: 'GATEWAY', name: gw.name }));
    const got = await server().get(`/api/dods/${id}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.deepEqual(Object.keys(got.body).sort(), ROW_KEYS);
    assert.match(got.body.updated_at, WIRE_TIME);
    const { created_at: _c, updated_at: _u, ...rest } = got.body;
    assert.deepEqual(rest, {
      id: String(id), extn_id: String(ext.id), extn: ext.extn, line_number: line, type: 'GATEWAY', ref_id: String(gw.id), name: gw.name, deleted_at: '',
    });

    const list = await server().get(`/api/dods?page=1&page_size=10&extn=${ext.extn}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.hpack, false);
    assert.equal(list.body.rowCount, 1);
    assert.deepEqual(list.body.data[0], got.body);
    assert.equal((await server().get(`/api/dods?line_number=${line}`)).body.rowCount, 1);
    assert.equal((await server().get(`/api/dods?extn=${ext.extn}9`)).body.rowCount, 0);

    const detail = await server().get(`/api/extensions/${ext.id}`);
    assert.deepEqual(detail.body.dods, [got.body]);
  });

  test('update moves a DOD to another gateway by name, or to a trunk (TRUNKS)', async () => {
    const ext = await extension(server());
    const [first, second] = [await gateway(server()), await gateway(server())];
    const id = createdId(await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'GATEWAY', name: first.name }));
    assert.deepEqual((await server().put(`/api/dods/${id}`, { name: second.name })).body, { code: 200, message: 'success', data: String(id) });
    let got = (await server().get(`/api/dods/${id}`)).body;
    assert.deepEqual([got.ref_id, got.name], [String(second.id), second.name]);

    const carrier = await trunk(server());
    assertBadRequest(await server().put(`/api/dods/${id}`, { type: 'TRUNKS' }), 'name');
    assert.equal((await server().put(`/api/dods/${id}`, { type: 'TRUNKS', name: carrier.name })).status, 200);
    got = (await server().get(`/api/dods/${id}`)).body;
    assert.deepEqual([got.type, got.ref_id, got.name], ['TRUNKS', String(carrier.id), carrier.name]);
    assert.equal((await server().put(`/api/dods/${id}`, { type: 'GATEWAY', ref_id: String(first.id) })).status, 200, 'ref_id names it when name is absent');
    assert.equal((await server().get(`/api/dods/${id}`)).body.name, first.name);
  });

  test('unknown extension, gateway or type: 400 naming it; one DOD per extension and way out (409 "duplicate key")', async () => {
    const ext = await extension(server());
    const gw = await gateway(server());
    const unknownExtn = await server().post('/api/dods', { line_number: fresh(), extn: '99999996', type: 'GATEWAY', name: gw.name });
    assertBadRequest(unknownExtn, 'extn');
    assert.match(unknownExtn.body.message, /no extension "99999996"/);
    const unknownGateway = await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'GATEWAY', name: 'no-such-gw' });
    assertBadRequest(unknownGateway, 'name');
    assert.match(unknownGateway.body.message, /no gateway "no-such-gw"/);
    const distributor = await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'DISTRIBUTORS', name: 'd1' });
    assertBadRequest(distributor, 'type');
    assert.match(distributor.body.message, /no distributors/);
    assertBadRequest(await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'PHONE', name: gw.name }), 'type');
    assertBadRequest(await server().post('/api/dods', { line_number: 'x1', extn: ext.extn, type: 'GATEWAY', name: gw.name }), 'line_number');
    assertBadRequest(await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'GATEWAY' }), 'name');

    createdId(await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'GATEWAY', name: gw.name }));
    const duplicate = await server().post('/api/dods', { line_number: fresh(), extn: ext.extn, type: 'GATEWAY', name: gw.name });
    assertConflict(duplicate, 'extn');
    assert.match(duplicate.body.message, /duplicate key/);
    assertNotFound(await server().get('/api/dods/999999'));
  });

  test('the extension, gateway or trunk a DOD names cannot be deleted (409 naming the DOD)', async () => {
    const ext = await extension(server());
    const gw = await gateway(server());
    const carrier = await trunk(server());
    const line = fresh();
    const onGateway = createdId(await server().post('/api/dods', { line_number: line, extn: ext.extn, type: 'GATEWAY', name: gw.name }));
    const onTrunk = createdId(await server().post('/api/dods', { line_number: line, extn: ext.extn, type: 'TRUNKS', name: carrier.name }));
    for (const path of [`/api/extensions/${ext.id}`, `/api/gateways/${gw.id}`, `/api/trunks/${carrier.id}`]) {
      const refused = await server().delete(path);
      assertConflict(refused, 'id', path);
      assert.match(refused.body.message, new RegExp(`DOD ${line}`), path);
    }
    await server().delete(`/api/dods/${onGateway}`);
    await server().delete(`/api/dods/${onTrunk}`);
    for (const path of [`/api/gateways/${gw.id}`, `/api/trunks/${carrier.id}`, `/api/extensions/${ext.id}`]) {
      assert.equal((await server().delete(path)).status, 200, path);
    }
  });

  test('import reads the spec\'s Chinese columns, all or nothing, and answers ids as numbers; download writes the same columns', async () => {
    const [a, b] = [await extension(server()), await extension(server())];
    const gw = await gateway(server());
    const [first, second] = [fresh(), fresh()];
    const refused = await server().post('/api/dods/import', { dods: [
      { 分机: a.extn, 线路号码: first, 资源类型: 'GATEWAY', 资源名: gw.name },
      { 分机: b.extn, 线路号码: second, 资源类型: 'GATEWAY', 资源名: 'missing-gw' },
    ] });
    assertBadRequest(refused, 'dods.1.资源名');
    assertBadRequest(await server().post('/api/dods/import', { dods: [{ 分机: '99999995', 线路号码: first, 资源类型: 'GATEWAY', 资源名: gw.name }] }), 'dods.0.分机');
    assertBadRequest(await server().post('/api/dods/import', { dods: [{ 分机: a.extn, 资源类型: 'GATEWAY', 资源名: gw.name }] }), 'dods.0.线路号码');
    assertConflict(await server().post('/api/dods/import', { dods: [
      { 分机: a.extn, 线路号码: first, 资源类型: 'GATEWAY', 资源名: gw.name },
      { 分机: a.extn, 线路号码: second, 资源类型: 'GATEWAY', 资源名: gw.name },
    ] }), 'dods.1.分机');
    assert.equal((await server().get(`/api/dods?line_number=${first}`)).body.rowCount, 0, 'nothing was imported');

    const imported = await server().post('/api/dods/import', { dods: [
      { 分机: a.extn, 线路号码: first, 资源类型: 'GATEWAY', 资源名: gw.name },
      { extn: b.extn, line_number: second, type: 'GATEWAY', name: gw.name },
    ] });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.message, 'success');
    const [row] = imported.body.data;
    assert.deepEqual(Object.keys(row).sort(), ROW_KEYS);
    assert.deepEqual([row.extn, row.extn_id, row.line_number, row.type, row.ref_id, row.name], [a.extn, a.id, first, 'GATEWAY', gw.id, gw.name]);
    assert.equal(typeof row.id, 'number');

    const sheet = await server().get('/api/dods/download?language=en-US');
    assert.equal(sheet.status, 200);
    assert.deepEqual(sheet.body[0], ['分机', '线路号码', '资源类型', '资源名']);
    assert.deepEqual(sheet.body.find((cells: string[]) => cells[1] === second), [b.extn, second, 'GATEWAY', gw.name]);
  });
});
