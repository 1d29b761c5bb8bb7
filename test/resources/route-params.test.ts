import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { WIRE_TIME, assertBadRequest, assertNotFound, createRoute, freshContext } from '../helpers/routing.js';

const PARAM_KEYS = ['created_at', 'deleted_at', 'disabled', 'id', 'k', 'o', 'realm', 'ref_id', 'updated_at', 'v'];

const addParam = async (server: Harness, routeId: number, body: Record<string, unknown>): Promise<number> =>
  createdId(await server.post(`/api/routes/${routeId}/params`, body));

async function paramsOf(server: Harness, routeId: number): Promise<Record<string, any>[]> {
  const reply = await server.get(`/api/routes/${routeId}/params`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(Array.isArray(reply.body));
  return reply.body;
}

async function newRoute(server: Harness) {
  return createRoute(server, { context: await freshContext(server), prefix: '1' });
}

describeOnEachDatabase('route params', (server) => {
  test('POST {k,v} answers {data:<id>,code:200,message:"success"}; GET lists rows in the spec shape, in order', async () => {
    const route = await newRoute(server());
    assert.deepEqual(await paramsOf(server(), route.id), []);
    const first = await addParam(server(), route.id, { k: 'set', v: 'a=2222' });
    const second = await addParam(server(), route.id, { k: 'export', v: 'b=1' });
    const list = await paramsOf(server(), route.id);
    assert.equal(list.length, 2);
    for (const row of list) {
      assert.deepEqual(Object.keys(row).sort(), PARAM_KEYS);
      assert.match(row.created_at, WIRE_TIME);
      assert.match(row.updated_at, WIRE_TIME);
    }
    const [a, b] = list.map(({ created_at: _c, updated_at: _u, ...rest }) => rest);
    assert.deepEqual(a, { id: first, realm: 'ROUTE', ref_id: route.id, k: 'set', v: 'a=2222', o: 1, disabled: 0, deleted_at: '' });
    assert.deepEqual(b, { id: second, realm: 'ROUTE', ref_id: route.id, k: 'export', v: 'b=1', o: 2, disabled: 0, deleted_at: '' });
  });

  test('POST takes v optional, o and disabled as numbers or numeric strings; unknown keys are ignored', async () => {
    const route = await newRoute(server());
    const bare = await addParam(server(), route.id, { k: 'answer' });
    const placed = await addParam(server(), route.id, { k: 'sleep', v: '1000', o: '0', disabled: '1', realm: 'OTHER', ref_id: 999, foo: 1 });
    const list = await paramsOf(server(), route.id);
    assert.deepEqual(list.map((row) => [row.id, row.k, row.v, row.o, row.disabled, row.realm, row.ref_id]), [
      [placed, 'sleep', '1000', 0, 1, 'ROUTE', route.id],
      [bare, 'answer', '', 1, 0, 'ROUTE', route.id],
    ]);
    assert.ok(list.every((row) => !('foo' in row)));
  });

  test('POST without k (or with an empty k) answers 400 naming k; an unknown route 404; a bad id 400', async () => {
    const route = await newRoute(server());
    assertBadRequest(await server().post(`/api/routes/${route.id}/params`, { v: 'a=1' }), 'k');
    assertBadRequest(await server().post(`/api/routes/${route.id}/params`, { k: '', v: 'a=1' }), 'k');
    assertBadRequest(await server().post(`/api/routes/${route.id}/params`, { k: 'set', disabled: 'sometimes' }), 'disabled');
    assert.deepEqual(await paramsOf(server(), route.id), [], 'nothing was written');
    assertNotFound(await server().post('/api/routes/99999999/params', { k: 'set', v: 'a=1' }));
    assertNotFound(await server().get('/api/routes/99999999/params'));
    assertBadRequest(await server().post('/api/routes/abc/params', { k: 'set' }), 'id');
  });

  test('PUT edits a param and answers {code,message,data:<the updated row>}', async () => {
    const route = await newRoute(server());
    const id = await addParam(server(), route.id, { k: 'set', v: 'a=2222' });
    const reply = await server().put(`/api/routes/${route.id}/params/${id}`, { k: 'set', v: 'a=3333' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'data', 'message']);
    assert.equal(reply.body.code, 200);
    assert.equal(reply.body.message, 'success');
    const { created_at: _c, updated_at: updated, ...rest } = reply.body.data;
    assert.deepEqual(rest, { id, realm: 'ROUTE', ref_id: route.id, k: 'set', v: 'a=3333', o: 1, disabled: 0, deleted_at: '' });
    assert.match(updated, WIRE_TIME);
    // Only what was sent changes.
    const onlyK = await server().put(`/api/routes/${route.id}/params/${id}`, { k: 'export' });
    assert.equal(onlyK.body.data.k, 'export');
    assert.equal(onlyK.body.data.v, 'a=3333');
    const [stored] = await paramsOf(server(), route.id);
    assert.deepEqual(stored, onlyK.body.data);
  });

  test('PUT {"action":"toggle"} flips disabled both ways', async () => {
    const route = await newRoute(server());
    const id = await addParam(server(), route.id, { k: 'set', v: 'a=1' });
    const off = await server().put(`/api/routes/${route.id}/params/${id}`, { action: 'toggle' });
    assert.equal(off.status, 200);
    assert.equal(off.body.data.disabled, 1);
    assert.equal(off.body.data.v, 'a=1');
    assert.equal((await paramsOf(server(), route.id))[0]!.disabled, 1);
    const on = await server().put(`/api/routes/${route.id}/params/${id}`, { action: 'toggle' });
    assert.equal(on.body.data.disabled, 0);
    assertBadRequest(await server().put(`/api/routes/${route.id}/params/${id}`, { action: 'flip' }), 'action');
  });

  test("PUT of another route's param, an unknown param or an unknown route answers 404 and changes nothing", async () => {
    const [mine, theirs] = [await newRoute(server()), await newRoute(server())];
    const id = await addParam(server(), theirs.id, { k: 'set', v: 'theirs=1' });
    assertNotFound(await server().put(`/api/routes/${mine.id}/params/${id}`, { v: 'stolen=1' }));
    assertNotFound(await server().put(`/api/routes/${mine.id}/params/${id}`, { action: 'toggle' }));
    assertNotFound(await server().put(`/api/routes/${mine.id}/params/99999999`, { v: 'x' }));
    assertNotFound(await server().put(`/api/routes/99999999/params/${id}`, { v: 'x' }));
    const [stored] = await paramsOf(server(), theirs.id);
    assert.equal(stored!.v, 'theirs=1');
    assert.equal(stored!.disabled, 0);
    assertBadRequest(await server().put(`/api/routes/${theirs.id}/params/${id}`, { k: '' }), 'k');
    assertBadRequest(await server().put(`/api/routes/${theirs.id}/params/abc`, { v: 'x' }), 'pid');
  });

  test('DELETE /api/routes/:id/param/:pid (singular) answers {message:"success",data:1,code:200}; 404 afterwards', async () => {
    const route = await newRoute(server());
    const doomed = await addParam(server(), route.id, { k: 'set', v: 'a=1' });
    const kept = await addParam(server(), route.id, { k: 'set', v: 'b=1' });
    const reply = await server().delete(`/api/routes/${route.id}/param/${doomed}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { message: 'success', data: 1, code: 200 });
    assert.deepEqual((await paramsOf(server(), route.id)).map((row) => row.id), [kept]);
    assertNotFound(await server().delete(`/api/routes/${route.id}/param/${doomed}`));
    assertNotFound(await server().put(`/api/routes/${route.id}/params/${doomed}`, { v: 'x' }));
  });

  test("DELETE of another route's param or under an unknown route answers 404 and deletes nothing", async () => {
    const [mine, theirs] = [await newRoute(server()), await newRoute(server())];
    const id = await addParam(server(), theirs.id, { k: 'set', v: 'a=1' });
    assertNotFound(await server().delete(`/api/routes/${mine.id}/param/${id}`));
    assertNotFound(await server().delete(`/api/routes/99999999/param/${id}`));
    assert.deepEqual((await paramsOf(server(), theirs.id)).map((row) => row.id), [id]);
  });

  test('param endpoints need a token', async () => {
    for (const [method, url] of [['GET', '/api/routes/1/params'], ['POST', '/api/routes/1/params'], ['PUT', '/api/routes/1/params/1'], ['DELETE', '/api/routes/1/param/1']] as const) {
      const reply = await server().request(method, url, method === 'POST' || method === 'PUT' ? { k: 'set' } : undefined, { token: null });
      assert.equal(reply.status, 401, `${method} ${url}`);
    }
  });
});
