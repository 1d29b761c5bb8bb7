import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { assertBadRequest } from '../helpers/assertions.js';
import { createRoute, getRoute } from '../helpers/routing.js';
import { rawRequest } from '../helpers/raw-http.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

/** The body endpoints of the OpenAPI document, as `[method, url]` with `:id`-like segments set to 1. */
function bodyEndpoints(server: Harness): [string, string][] {
  const document = server.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation.requestBody)
      .map(([method, _operation]): [string, string] => [method.toUpperCase(), path.replace(/\{\w+\}/g, '1')]));
}

async function rawInject(server: Harness, method: string, url: string, payload: string | Buffer, headers: Record<string, string>) {
  const response = await server.app.inject({ method: method as 'POST', url, payload, headers: { 'x-xtra-auth-id': server.token, ...headers } });
  return { status: response.statusCode, body: JSON.parse(response.body), headers: response.headers };
}

describeOnEachDatabase('malformed input', (server) => {
  let routes = 0;
  /** A route of its own: each has its own prefix, so they never clash. */
  const newRoute = (fields: Record<string, unknown> = {}) =>
    createRoute(server(), { context: 'context-1', prefix: `7${++routes}`, ...fields });

  test('JSON nested thousands of levels deep answers 400 naming body on every body endpoint, login without a token', async () => {
    const endpoints = bodyEndpoints(server());
    assert.ok(endpoints.some(([method, url]) => method === 'POST' && url === '/api/sessions'), 'login is among them');
    for (const depth of [65, 4_000, 100_000]) {
      for (const nested of ['['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)]) {
        for (const [method, url] of endpoints) {
          const reply = await server().request(method as 'POST', url, `{"name":${nested}}`, { headers: JSON_TYPE, token: url === '/api/sessions' ? null : undefined });
          assertBadRequest(reply, 'body', `${method} ${url} nested ${depth}`);
        }
      }
    }
    // 64 levels is within bounds: the schema, not the parser, refuses it.
    const allowed = '['.repeat(63) + ']'.repeat(63);
    assertBadRequest(await server().request('POST', '/api/contexts', `{"name":${allowed}}`, { headers: JSON_TYPE }), 'name');
  });

  test('brackets inside JSON strings do not count as nesting', async () => {
    const reply = await server().post('/api/contexts', { name: 'brackets', description: '[{'.repeat(400) + '\\"[' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  });

  test('non-finite and out-of-range numbers answer 400 naming the field, in the path, the query and the body', async () => {
    for (const id of ['Infinity', '-Infinity', 'NaN', '1e400', '2147483648', '1e20', '0x10', '%20']) {
      assertBadRequest(await server().get(`/api/contexts/${id}`), 'id', `context ${id}`);
    }
    for (const page of ['Infinity', 'NaN', '1e400', '-Infinity', '2147483648']) {
      for (const name of ['page', 'perPage', 'page_size', 'pageSize']) {
        assertBadRequest(await server().get(`/api/contexts?${name}=${page}`), name, `${name}=${page}`);
      }
    }
    for (const body of ['{"route":1e308,"auto_record":1}', '{"route":[1e400],"auto_record":1}', '{"route":["Infinity"],"auto_record":1}']) {
      const reply = await server().request('PUT', '/api/routes', body, { headers: JSON_TYPE });
      assertBadRequest(reply, 'route.0', body);
    }
  });

  test('a route param order beyond int32 is refused and the stored order stays as it was', async () => {
    const route = await newRoute();
    const created = await server().post(`/api/routes/${route.id}/params`, { k: 'answer', o: 5 });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const pid = created.body.data as number;
    for (const o of [1e20, -1e300, '1e20', 2_147_483_648, 'Infinity']) {
      assertBadRequest(await server().put(`/api/routes/${route.id}/params/${pid}`, { o }), 'o', `update o ${o}`);
      assertBadRequest(await server().post(`/api/routes/${route.id}/params`, { k: 'answer', o }), 'o', `create o ${o}`);
    }
    const params = (await server().get(`/api/routes/${route.id}/params`)).body as { id: number; o: number }[];
    assert.deepEqual(params.map(({ id, o }) => ({ id, o })), [{ id: pid, o: 5 }]);
    const extreme = await server().put(`/api/routes/${route.id}/params/${pid}`, { o: -2_147_483_648 });
    assert.equal(extreme.status, 200, JSON.stringify(extreme.body));
    assert.equal(extreme.body.data.o, -2_147_483_648);
  });

  test('a whitespace string is not a number: flags and integers answer 400 naming the field', async () => {
    const route = await newRoute();
    for (const blank of [' ', '\t', '  ', '\n']) {
      assertBadRequest(await server().post('/api/contexts', { name: 'blank flag', hotline_enabled: blank }), 'hotline_enabled', JSON.stringify(blank));
      assertBadRequest(await server().put(`/api/routes/${route.id}`, { max_length: blank }), 'max_length', JSON.stringify(blank));
      assertBadRequest(await server().put(`/api/routes/${route.id}`, { disabled: blank }), 'disabled', JSON.stringify(blank));
      assertBadRequest(await server().get(`/api/contexts?page=${encodeURIComponent(blank)}`), 'page', JSON.stringify(blank));
      assertBadRequest(await server().put('/api/routes', { route: [route.id], auto_record: blank }), 'auto_record', JSON.stringify(blank));
    }
    const form = await server().request('POST', '/api/contexts', 'name=blank&hotline_enabled=+', { headers: FORM_TYPE });
    assertBadRequest(form, 'hotline_enabled', 'form flag "+" (a space)');
    assert.deepEqual(await getRoute(server(), route.id), route);
  });

  test('batch edits take at most 10,000 routes: more answer 400 naming route, also beyond both databases’ variable limits', async () => {
    for (const count of [10_001, 33_000, 70_000]) {
      const reply = await server().put('/api/routes', { route: Array.from({ length: count }, (_, i) => i + 1), auto_record: 1 });
      assertBadRequest(reply, 'route', `${count} ids`);
    }
    const route = await newRoute();
    const ids = [route.id, ...Array.from({ length: 9_999 }, (_, i) => 1_000_000 + i)];
    const unknown = await server().put('/api/routes', { route: ids, auto_record: 1 });
    assertBadRequest(unknown, 'route', '10,000 ids, most unknown');
    assert.match(unknown.body.message, /no route with id 1000000/);
    const repeated = await server().put('/api/routes', { route: Array.from({ length: 10_000 }, () => route.id), auto_record: 1 });
    assert.equal(repeated.status, 200, JSON.stringify(repeated.body));
    assert.equal((await getRoute(server(), route.id)).auto_record, 1);
  });

  test('media_codec of nested arrays or non-strings answers 400 naming it, in single and batch edits', async () => {
    const route = await newRoute({ media_codec: 'PCMU' });
    for (const mediaCodec of [[[1]], [['PCMU', 'PCMA']], [[['x']]], [{}], [null, 'PCMU'], { PCMU: 1 }]) {
      for (const [what, reply] of [
        [`batch ${JSON.stringify(mediaCodec)}`, await server().put('/api/routes', { route: [route.id], media_codec: mediaCodec })],
        [`update ${JSON.stringify(mediaCodec)}`, await server().put(`/api/routes/${route.id}`, { media_codec: mediaCodec })],
      ] as const) {
        assert.equal(reply.status, 400, `${what}: ${JSON.stringify(reply.body)}`);
        assert.match(reply.body.message, /^media_codec(\.\d+)?: \S/, what);
      }
    }
    assert.equal((await getRoute(server(), route.id)).media_codec, 'PCMU');
  });

  test('invalid UTF-8 in a JSON or form body answers 400 "body: is not valid UTF-8" and stores nothing', async () => {
    const before = (await server().get('/api/contexts')).body.rowCount as number;
    const invalid = [Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xe4, 0xb8]), Buffer.from([0xed, 0xa0, 0x80])];
    for (const bytes of invalid) {
      const json = Buffer.concat([Buffer.from('{"name":"bad'), bytes, Buffer.from('"}')]);
      const form = Buffer.concat([Buffer.from('name=bad'), bytes]);
      for (const [payload, headers] of [[json, JSON_TYPE], [form, FORM_TYPE]] as const) {
        const reply = await rawInject(server(), 'POST', '/api/contexts', payload, headers);
        assert.equal(reply.status, 400, JSON.stringify(reply.body));
        assert.deepEqual(reply.body, { code: 400, message: 'body: is not valid UTF-8' });
      }
    }
    const login = await server().app.inject({ method: 'POST', url: '/api/sessions', headers: JSON_TYPE, payload: Buffer.from([0x7b, 0xff, 0x7d]) });
    assert.deepEqual(JSON.parse(login.body), { code: 400, message: 'body: is not valid UTF-8' });
    assert.equal((await server().get('/api/contexts')).body.rowCount, before);
    // Valid multi-byte text and percent-escaped UTF-8 in forms are stored as sent.
    const form = await server().request('POST', '/api/contexts', 'name=%E4%B8%AD%E6%96%87+form&description=100%', { headers: FORM_TYPE });
    assert.equal(form.status, 200, JSON.stringify(form.body));
    const stored = (await server().get(`/api/contexts/${form.body.data}`)).body;
    assert.equal(stored.name, '中文 form');
    assert.equal(stored.description, '100%');
  });

  test('a lone surrogate (a JSON \\ud800 escape, which UTF-8 cannot encode) answers 400 naming the field', async () => {
    for (const text of ['\\ud800', 'a\\udfffb', '\\udc00\\ud800']) {
      const reply = await server().request('POST', '/api/contexts', `{"name":"ok","description":"${text}"}`, { headers: JSON_TYPE });
      assertBadRequest(reply, 'description', text);
    }
    const paired = await server().request('POST', '/api/contexts', '{"name":"emoji \\ud83d\\ude00"}', { headers: JSON_TYPE });
    assert.equal(paired.status, 200, JSON.stringify(paired.body));
    assert.equal((await server().get(`/api/contexts/${paired.body.data}`)).body.name, 'emoji 😀');
  });

  test('a body in any other content type answers 415 naming content-type', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
      const reply = await rawInject(server(), 'POST', '/api/contexts', '{"name":"typed"}', { 'content-type': type });
      assert.equal(reply.status, 415, type);
      assert.equal(reply.body.code, 415);
      assert.match(reply.body.message, /^content-type: /);
    }
  });

  test('errors the router and Node raise before any route runs have the contract shape too, over a real socket', async () => {
    const app = server().app;
    if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const get = (target: string, extraHeaders = '') =>
      rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extraHeaders}\r\n`);
    const cases: [string, Promise<Awaited<ReturnType<typeof get>>>, number, string][] = [
      ['100 KB query string', get(`/api/contexts?searchKey=${'x'.repeat(100_000)}`), 431, 'headers'],
      ['100 KB header', get('/api/ping', `X-Padding: ${'x'.repeat(100_000)}\r\n`), 431, 'headers'],
      ['a path segment of 1,000 characters', get(`/api/dicts/realm/${'R'.repeat(1_000)}`), 414, 'url'],
      ['a bad percent-escape', get('/api/contexts/%FF'), 400, 'url'],
      ['a bad percent-escape without a token', get('/api/ping/%E0%A4%A'), 400, 'url'],
      ['a malformed request line', rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n'), 400, 'request'],
      ['a header without a colon', get('/api/ping', 'broken header line\r\n'), 400, 'request'],
    ];
    for (const [what, pending, status, field] of cases) {
      const reply = await pending;
      assert.equal(reply.status, status, `${what}: ${reply.body.slice(0, 200)}`);
      assert.match(reply.headers['content-type'] ?? '', /^application\/json/, what);
      const body = JSON.parse(reply.body);
      assert.deepEqual(Object.keys(body).sort(), ['code', 'message'], what);
      assert.equal(body.code, status, what);
      assert.match(body.message, new RegExp(`^${field}: \\S`), what);
    }
  });
});
