import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';

const ROW_KEYS = ['created_at', 'deleted_at', 'description', 'id', 'line_number', 'numbers', 'ref_id', 'type', 'updated_at'];

let nextNumber = 60_000;
/** A number (extension or line) no other test of this process uses. */
const fresh = () => String(++nextNumber);

async function extension(server: Harness, extn = fresh()): Promise<{ id: number; extn: string }> {
  const id = createdId(await server.post('/api/extensions', { extn, password: 'secret-1', context: 'context-1' }));
  return { id, extn };
}

const createHotline = async (server: Harness, fields: Record<string, unknown>) => createdId(await server.post('/api/hotlines', fields));

describeOnEachDatabase('DIDs (/api/hotlines)', (server) => {
  test('create, get, list, update and delete in the spec\'s shapes: every value a string', async () => {
    const a = await extension(server());
    const b = await extension(server());
    const line = fresh();
    const id = await createHotline(server(), { line_number: line, numbers: ` ${a.extn} , ${b.extn},${a.extn}`, description: 'front desk' });
    const got = await server().get(`/api/hotlines/${id}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.deepEqual(Object.keys(got.body).sort(), ROW_KEYS);
    assert.match(got.body.created_at, WIRE_TIME);
    const { created_at: _c, updated_at: _u, ...rest } = got.body;
    assert.deepEqual(rest, { id: String(id), line_number: line, numbers: `${a.extn},${b.extn}`, description: 'front desk', type: '', ref_id: '', deleted_at: '' });

    const list = await server().get(`/api/hotlines?page=1&perPage=10&line_number=${line}`);
    assert.equal(list.status, 200);
    assert.deepEqual({ ...list.body, data: list.body.data.map((row: { id: string }) => row.id) }, { page: 1, rowCount: 1, pageCount: 1, data: [String(id)] });

    assert.deepEqual((await server().put(`/api/hotlines/${id}`, { numbers: b.extn })).body, { code: 200, message: 'success', data: String(id) });
    assert.equal((await server().get(`/api/hotlines/${id}`)).body.numbers, b.extn);
    assert.deepEqual((await server().delete(`/api/hotlines/${id}`)).body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/hotlines/${id}`));
  });

  test('numbers= finds the DIDs ringing that extension, not one whose number merely contains it', async () => {
    const short = await extension(server(), fresh());
    const longer = await extension(server(), `${short.extn}9`);
    const ringsShort = await createHotline(server(), { line_number: fresh(), numbers: `${longer.extn},${short.extn}` });
    await createHotline(server(), { line_number: fresh(), numbers: longer.extn });
    const found = await server().get(`/api/hotlines?numbers=${short.extn}`);
    assert.deepEqual(found.body.data.map((row: { id: string }) => row.id), [String(ringsShort)]);
  });

  test('numbers must be existing extensions; line_number is unique and a number', async () => {
    const known = await extension(server());
    const reply = await server().post('/api/hotlines', { line_number: fresh(), numbers: `${known.extn},99999999` });
    assertBadRequest(reply, 'numbers');
    assert.match(reply.body.message, /no extension "99999999"/);
    assertBadRequest(await server().post('/api/hotlines', { line_number: fresh(), numbers: ' , ' }), 'numbers');
    assertBadRequest(await server().post('/api/hotlines', { numbers: known.extn }), 'line_number');
    assertBadRequest(await server().post('/api/hotlines', { line_number: '12a', numbers: known.extn }), 'line_number');
    const line = fresh();
    const id = await createHotline(server(), { line_number: line, numbers: known.extn });
    assertConflict(await server().post('/api/hotlines', { line_number: line, numbers: known.extn }), 'line_number');
    const other = await createHotline(server(), { line_number: fresh(), numbers: known.extn });
    assertConflict(await server().put(`/api/hotlines/${other}`, { line_number: line }), 'line_number');
    assertBadRequest(await server().put(`/api/hotlines/${id}`, { numbers: '99999998' }), 'numbers');
  });

  test('an extension a DID rings cannot be deleted nor renumbered (409 naming the DID); its detail lists the DID', async () => {
    const rung = await extension(server());
    const line = fresh();
    const id = await createHotline(server(), { line_number: line, numbers: rung.extn });
    const detail = await server().get(`/api/extensions/${rung.id}`);
    assert.deepEqual(detail.body.dids.map((row: { id: string }) => row.id), [String(id)]);
    const refused = await server().delete(`/api/extensions/${rung.id}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, new RegExp(`DID ${line}`));
    // Nor renumbered: the DID names it by its number.
    const renumbered = await server().put(`/api/extensions/${rung.id}`, { extn: fresh(), password: 'secret-2' });
    assertConflict(renumbered, 'extn');
    assert.match(renumbered.body.message, new RegExp(`DID ${line}`));
    await server().delete(`/api/hotlines/${id}`);
    assert.equal((await server().delete(`/api/extensions/${rung.id}`)).status, 200);
  });

  test('import is all or nothing, names the row and column, and reads what download writes', async () => {
    const a = await extension(server());
    const [first, second] = [fresh(), fresh()];
    const bad = await server().post('/api/hotlines/import', { dids: [{ 线路号码: first, 分机: a.extn }, { 线路号码: second, 分机: '99999997' }] });
    assertBadRequest(bad, 'dids.1.分机');
    const duplicate = await server().post('/api/hotlines/import', { dids: [{ line_number: first, numbers: a.extn }, { line_number: first, numbers: a.extn }] });
    assertConflict(duplicate, 'dids.1.line_number');
    assertBadRequest(await server().post('/api/hotlines/import', { dids: [{ 分机: a.extn }] }), 'dids.0.线路号码');
    assert.equal((await server().get(`/api/hotlines?line_number=${first}`)).body.rowCount, 0, 'nothing was imported');

    const imported = await server().post('/api/hotlines/import', { dids: [{ 线路号码: first, 分机: a.extn, 描述: 'imported' }, { line_number: second, numbers: a.extn }] });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.deepEqual(imported.body.data.map((row: { line_number: string }) => row.line_number), [first, second]);
    assertConflict(await server().post('/api/hotlines/import', { dids: [{ 线路号码: first, 分机: a.extn }] }), 'dids.0.线路号码');

    const sheet = await server().get('/api/hotlines/download?language=zh');
    assert.equal(sheet.status, 200);
    assert.deepEqual(sheet.body[0], ['线路号码', '分机', '描述']);
    assert.deepEqual(sheet.body.find((row: string[]) => row[0] === first), [first, a.extn, 'imported']);
    // What the export wrote imports back (once its DIDs are gone).
    const rows = sheet.body.slice(1).filter((row: string[]) => row[0] === first || row[0] === second);
    for (const row of (await server().get(`/api/hotlines?numbers=${a.extn}`)).body.data) await server().delete(`/api/hotlines/${row.id}`);
    const again = await server().post('/api/hotlines/import', { dids: rows.map((row: string[]) => Object.fromEntries(sheet.body[0].map((key: string, i: number) => [key, row[i]]))) });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.data.length, 2);
  });
});
