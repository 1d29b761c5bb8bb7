import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness, type Reply } from '../helpers/harness.js';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

interface RouteEntry {
  method: Method;
  /** The route as registered, e.g. `/api/contexts/:id`. */
  pattern: string;
  /** A concrete URL that the route serves. */
  url: string;
}

const SAMPLE_PARAMS: Record<string, string> = { realm: 'DEST' };

/**
 * Every registered route, read from `printRoutes({ commonPrefix: false })`: one node a line,
 * indented by four columns a level, `segment (METHODS)`.
 */
function registeredRoutes(server: Harness): RouteEntry[] {
  const tree = server.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = [...match[1]!].length / 4;
    const segment = match[2]!;
    stack.length = depth;
    const parent = stack[depth - 1] ?? '';
    const pattern = parent + (segment.startsWith('/') || parent === '' ? segment : `/${segment}`);
    stack[depth] = pattern;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) {
      const url = pattern
        .replace(/:(\w+)/g, (_, name: string) => SAMPLE_PARAMS[name] ?? '1')
        .replace(/\*/g, 'anything');
      routes.push({ method: method as Method, pattern, url });
    }
  }
  return routes;
}

/** CONTRACT: mod_xml_curl posts here, behind its own HTTP basic auth, outside /api. */
const FREESWITCH_PATHS = ['/freeswitch/xml'];

const isPublic = (method: string, pattern: string) =>
  (method === 'POST' && pattern === '/api/sessions') || ((method === 'GET' || method === 'HEAD') && pattern === '/api/ping');

async function send(server: Harness, method: Method, url: string, headers: Record<string, string>, payload?: string) {
  const response = await server.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  let body: any = response.body;
  try {
    body = JSON.parse(response.body);
  } catch {
    // not JSON
  }
  return { status: response.statusCode, body, raw: response.body, headers: response.headers };
}

const STACK_FRAME = /\bat\s+\S.*[(:]\d+|\bat <anonymous>|at (async )?\w+ \(/;
const FILE_PATH = /\/work\/|node_modules|\/src\/|\/test\/|\w\.(ts|mjs|cjs|js):\d+|file:\/\//;

/** An error reply: JSON `{code, message[, data]}`, code equal to the status, nothing internal in it. */
function assertCleanError(reply: { status: number; body: any; raw?: string; headers: Record<string, unknown> }, status: number, what: string) {
  const raw = reply.raw ?? JSON.stringify(reply.body);
  assert.equal(reply.status, status, `${what}: ${raw.slice(0, 300)}`);
  assert.match(String(reply.headers['content-type']), /^application\/json/, what);
  assert.equal(typeof reply.body, 'object', `${what}: JSON body`);
  assert.equal(reply.body.code, status, what);
  assert.equal(typeof reply.body.message, 'string', what);
  assert.ok(reply.body.message.length > 0, what);
  assert.ok(Object.keys(reply.body).every((key) => ['code', 'message', 'data'].includes(key)), `${what}: ${raw}`);
  assert.doesNotMatch(raw, STACK_FRAME, `${what}: stack frame in ${raw.slice(0, 300)}`);
  assert.doesNotMatch(raw, FILE_PATH, `${what}: file path in ${raw.slice(0, 300)}`);
  assert.doesNotMatch(raw, /"stack"/, what);
}

function assertBadRequest(reply: Reply, field: string, what: string) {
  assertCleanError(reply, 400, what);
  assert.match(reply.body.message, new RegExp(`^${field}: \\S`), `${what}: ${reply.body.message}`);
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** Paths under /api that no route serves, plus ways of spelling a real one. */
const EXTRA_PATHS = [
  '/api', '/api/', '/api/nonexistent', '/api/nonexistent/deeper', '/api/openapi.json', '/api/docs', '/api/docs/',
  '/api/docs/json', '/api/docs/yaml', '/api/docs/static/index.html', '/api/contexts/1/extra', '/api/contexts?page=1',
  '/api/ping/extra', '/%61pi/contexts', '/%61pi/nonexistent', '/api/%63ontexts', '/api/contexts%2F1',
];

describeOnEachDatabase('HTTP conventions', (server) => {
  test('the route table is read completely', () => {
    const routes = registeredRoutes(server());
    const has = (method: string, pattern: string) => routes.some((r) => r.method === method && r.pattern === pattern);
    for (const [method, pattern] of [
      ['GET', '/api/contexts'], ['POST', '/api/contexts'], ['GET', '/api/contexts/:id'], ['PUT', '/api/contexts/:id'],
      ['DELETE', '/api/contexts/:id'], ['GET', '/api/dicts'], ['GET', '/api/dicts/realm/:realm'], ['DELETE', '/api/dicts/:id'],
      ['POST', '/api/sessions'], ['DELETE', '/api/sessions'], ['GET', '/api/ping'], ['GET', '/api/openapi.json'], ['GET', '/api/docs'],
    ]) {
      assert.ok(has(method!, pattern!), `${method} ${pattern} in ${JSON.stringify(routes.map((r) => `${r.method} ${r.pattern}`))}`);
    }
    const outside = routes.filter((route) => !route.pattern.startsWith('/api') && !FREESWITCH_PATHS.includes(route.pattern));
    assert.deepEqual(outside, [], 'every route lives under /api, but what FreeSWITCH calls');
  });

  test('every /api route but login and ping answers 401 without a token or with a wrong one', async () => {
    const routes = registeredRoutes(server()).filter((route) => route.pattern.startsWith('/api') && !isPublic(route.method, route.pattern));
    assert.ok(routes.length >= 15, `only ${routes.length} routes found`);
    const credentials: [string, Record<string, string>][] = [
      ['no token', {}],
      ['wrong X-XTRA-AUTH-ID', { 'x-xtra-auth-id': 'not-a-token' }],
      ['wrong Bearer', { authorization: 'Bearer 00000000-0000-4000-8000-000000000000' }],
      ['wrong cookie', { cookie: 'freeswitch_xtra_session_id=nope' }],
    ];
    for (const route of routes) {
      for (const [label, headers] of credentials) {
        const withBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'DELETE';
        const reply = await send(server(), route.method, route.url, withBody ? { ...headers, ...JSON_TYPE } : headers, withBody ? '{}' : undefined);
        const what = `${route.method} ${route.url} (${route.pattern}), ${label}`;
        if (route.method === 'HEAD') {
          assert.equal(reply.status, 401, what);
          continue;
        }
        assertCleanError(reply, 401, what);
        assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'message'], what);
      }
    }
  });

  test('unknown and oddly spelled /api paths answer 401 without a token too', async () => {
    for (const url of EXTRA_PATHS) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const) {
        const attempts: Record<string, string>[] = [
          {}, { 'x-xtra-auth-id': 'wrong' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }, { 'x-xtra-auth-id': '' },
        ];
        for (const headers of attempts) {
          const reply = await send(server(), method, url, headers);
          assertCleanError(reply, 401, `${method} ${url} ${JSON.stringify(headers)}`);
        }
      }
    }
  });

  test('login and ping need no token', async () => {
    const ping = await send(server(), 'GET', '/api/ping', {});
    assert.equal(ping.status, 200);
    assert.equal(ping.body.code, 200);
    const pingSlash = await send(server(), 'GET', '/api/ping/', {});
    assert.equal(pingSlash.status, 200);
    // Load balancers' health checks often ask with HEAD.
    const head = await send(server(), 'HEAD', '/api/ping', {});
    assert.equal(head.status, 200);
    assert.equal(head.raw, '');
    const login = await send(server(), 'POST', '/api/sessions', JSON_TYPE, '{}');
    assert.notEqual(login.status, 401);
    assertBadRequest(login as Reply, 'password', 'login without fields');
  });

  test('with a valid token, an unknown route answers 404 JSON', async () => {
    for (const [method, url] of [
      ['GET', '/api/nonexistent'], ['POST', '/api/nonexistent'], ['GET', '/api'], ['PATCH', '/api/contexts/1'],
      ['GET', '/api/contexts/1/extra'], ['DELETE', '/api/contexts'],
    ] as const) {
      const reply = await send(server(), method, url, { 'x-xtra-auth-id': server().token });
      assertCleanError(reply, 404, `${method} ${url}`);
      assert.deepEqual(reply.body, { code: 404, message: 'not found', data: '{}' }, `${method} ${url}`);
    }
    // A percent-encoded path is served like the plain one once authenticated.
    const encoded = await send(server(), 'GET', '/%61pi/contexts', { 'x-xtra-auth-id': server().token });
    assert.equal(encoded.status, 200);
  });

  test('malformed JSON answers 400 naming body, without internals', async () => {
    const bodies = ['{bad', '{"name":', '[1,', 'nul', '{"name":"x"}}', "{'name':'x'}", '{"name":"p","__proto__":{"polluted":1}}', ''];
    for (const payload of bodies) {
      for (const [method, url] of [['POST', '/api/contexts'], ['PUT', '/api/contexts/1'], ['POST', '/api/dicts']] as const) {
        const reply = await server().request(method, url, payload, { headers: JSON_TYPE });
        assertBadRequest(reply, 'body', `${method} ${url} ${JSON.stringify(payload)}`);
      }
    }
    const login = await server().request('POST', '/api/sessions', '{"login":"admin",', { token: null, headers: JSON_TYPE });
    assertBadRequest(login, 'body', 'malformed login');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const arrayBody = await server().request('POST', '/api/contexts', '[{"name":"x"}]', { headers: JSON_TYPE });
    assertBadRequest(arrayBody, 'body', 'array body');
  });

  test('a body over 10 MiB answers 413; one just under is accepted by the parser', async () => {
    const huge = JSON.stringify({ name: 'big', description: 'x'.repeat(10 * 1024 * 1024) });
    assertCleanError(await server().request('POST', '/api/contexts', huge, { headers: JSON_TYPE }), 413, 'JSON over 10 MiB');
    const form = `name=big&description=${'x'.repeat(10 * 1024 * 1024)}`;
    assertCleanError(
      await server().request('POST', '/api/contexts', form, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      413,
      'form over 10 MiB',
    );
    // 9 MiB passes the parser and fails validation (description is at most 1024 characters), not 413.
    const large = JSON.stringify({ name: 'big', description: 'x'.repeat(9 * 1024 * 1024) });
    assertBadRequest(await server().request('POST', '/api/contexts', large, { headers: JSON_TYPE }), 'description', '9 MiB body');
  });

  test('an unsupported content type is a client error, not a 5xx', async () => {
    const reply = await send(server(), 'POST', '/api/contexts', { 'x-xtra-auth-id': server().token, 'content-type': 'application/xml' }, '<name>x</name>');
    assert.ok(reply.status >= 400 && reply.status < 500, `status ${reply.status}`);
    assertCleanError(reply, reply.status, 'xml body');
  });

  test('NUL characters are refused with 400 naming the field, in both databases alike', async () => {
    assertBadRequest(await server().post('/api/contexts', { name: 'a\u0000b' }), 'name', 'NUL in name');
    assertBadRequest(await server().post('/api/dicts', { realm: 'TEST', k: 'K', v: 'nul\u0000' }), 'v', 'NUL in v');
    assertBadRequest(await server().get('/api/contexts?searchField=name&searchKey=%00'), 'searchKey', 'NUL in searchKey');
    assertBadRequest(await server().get('/api/dicts?realm=%00'), 'realm', 'NUL in realm query');
    assertBadRequest(await server().get('/api/dicts/realm/DE%00ST'), 'realm', 'NUL in realm path');
    const login = await server().request('POST', '/api/sessions', { login: 'adm\u0000in', password: 'x' }, { token: null });
    assertBadRequest(login, 'login', 'NUL in login');
    const listed = await server().get('/api/contexts?searchField=name&searchKey=a');
    assert.ok(!listed.body.data.some((row: { name: string }) => row.name.includes('\u0000')));
  });

  test('error replies never carry stack traces or file paths', async () => {
    const token = { 'x-xtra-auth-id': server().token };
    const cases: [Method, string, Record<string, string>, string | undefined, number][] = [
      ['GET', '/api/contexts/abc', token, undefined, 400],
      ['GET', '/api/contexts/99999', token, undefined, 404],
      ['GET', '/api/contexts?sortField=nope', token, undefined, 400],
      ['GET', '/api/contexts?perPage=-5', token, undefined, 400],
      ['POST', '/api/contexts', { ...token, ...JSON_TYPE }, '{"name":"x","key":"context-1"}', 409],
      ['POST', '/api/contexts', { ...token, ...JSON_TYPE }, '{"description":"no name"}', 400],
      ['POST', '/api/contexts', { ...token, ...JSON_TYPE }, '{"name":', 400],
      ['PUT', '/api/contexts/1', { ...token, ...JSON_TYPE }, '{"hotline_enabled":"maybe"}', 400],
      ['DELETE', '/api/dicts/99999', token, undefined, 404],
      ['GET', '/api/nonexistent', token, undefined, 404],
      ['GET', '/api/contexts', {}, undefined, 401],
      ['POST', '/api/sessions', JSON_TYPE, '{"login":"admin","password":"wrong"}', 403],
    ];
    for (const [method, url, headers, payload, status] of cases) {
      assertCleanError(await send(server(), method, url, headers, payload), status, `${method} ${url} ${payload ?? ''}`);
    }
  });

  test('GET /api/openapi.json is an OpenAPI 3 document listing the resources', async () => {
    const reply = await server().get('/api/openapi.json');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    assert.match(reply.body.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof reply.body.info?.title, 'string');
    const paths = Object.keys(reply.body.paths);
    for (const path of ['/api/contexts', '/api/contexts/{id}', '/api/dicts', '/api/dicts/{id}', '/api/dicts/realm/{realm}', '/api/sessions']) {
      assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
    }
    const contexts = reply.body.paths['/api/contexts'];
    assert.ok(contexts.get && contexts.post, 'list and create documented');
    const item = reply.body.paths['/api/contexts/{id}'];
    assert.ok(item.get && item.put && item.delete, 'get, update and delete documented');
    assert.ok(reply.body.components?.securitySchemes, 'security schemes documented');
    assert.ok(paths.every((path) => path.startsWith('/api/')));
  });

  test('GET /api/docs serves the HTML reference, with the token or the session cookie', async () => {
    const reply = await server().get('/api/docs');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/html/);
    assert.equal(typeof reply.body, 'string');
    assert.match(reply.body, /<html/i);
    assert.match(reply.body, /swagger/i);

    // A browser sends only the cookie, for the page and for what the page loads.
    const cookie = { cookie: `freeswitch_xtra_session_id=${server().token}` };
    const page = await send(server(), 'GET', '/api/docs', cookie);
    assert.equal(page.status, 200);
    const spec = await send(server(), 'GET', '/api/docs/json', cookie);
    assert.equal(spec.status, 200);
    assert.match(spec.body.openapi, /^3\./);
  });

  test('a DELETE that says content-type: application/json but has no body still deletes', async () => {
    const id = (await server().post('/api/contexts', { name: 'delete-with-content-type' })).body.data as number;
    const reply = await server().request('DELETE', `/api/contexts/${id}`, undefined, { headers: JSON_TYPE });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { code: 200, message: 'success', data: String(id) });
  });
});
