import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describeOnEachDatabase, ADMIN_PASSWORD, type Harness } from '../helpers/harness.js';
import {
  encodeComponent, encodePathValue, encodeQuery, fillPath, operationsOf, type Method, type Operation,
} from '../helpers/openapi-operations.js';
import { anyValue, invalidValue, numbersIn, validValue, type JsonSchema } from '../helpers/schema-arbitraries.js';

// Every operation of the server's own OpenAPI document, with no list to keep: a resource added
// later is covered as soon as it is documented. Each one gets, with no token, a wrong token and a
// good one, a fixed corpus of hostile input and inputs generated from its schemas, and must answer
// below 500, in CONTRACT's error shape, without internals, in time, and write nothing when it
// refuses. FC_SEED and FC_RUNS replay or widen the generated part.

const SEED = Number(process.env.FC_SEED ?? 6_2026);
const RUNS = Number(process.env.FC_RUNS ?? 12);
/** A hang, not a slow machine: every request here is small or refused early. */
const DEADLINE_MS = 15_000;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** CONTRACT's requests answered without a token. */
const isOpen = (method: string, path: string) =>
  (method === 'POST' && path === '/api/sessions') || ((method === 'GET' || method === 'HEAD') && path === '/api/ping');
/** The login_failures table records refused logins: a refusal writing there is its purpose. */
const RECORDS_REFUSALS = new Set(['login_failures']);

/** CONTRACT: "A switch that is not connected: 503 with a message that says so" (the tests run without one). */
const isSwitchUnavailable = (status: number, body: string) => status === 503 && /^\{"code":503,"message":"switch\b/.test(body);

const STACK_FRAME = /^\s{2,}at \S|\n\s+at \S+ \(|\(<anonymous>\)/m;
const INTERNAL_PATH = /\/work\/|node_modules|file:\/\/|\.(ts|js|mjs|cjs):\d+/;

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

interface Attempt {
  method: Method | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  /** The token sent: `undefined` for the test's own, null for none. */
  token?: string | null;
}

const describeAttempt = (attempt: Attempt) => {
  const payload = attempt.payload === undefined ? '' : ` ${attempt.headers?.['content-type'] ?? ''} ${String(attempt.payload).slice(0, 300)}`;
  return `${attempt.method} ${attempt.url.slice(0, 300)}${payload}`;
};

function withDeadline<T>(pending: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms (a hang?): ${what}`)), DEADLINE_MS);
  });
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}

/**
 * What a refused write must leave alone: the rows per table and, for an update or delete, what
 * the GET of the same path shows (the targeted row, or the list a batch edit changes). Read again
 * only after a write succeeded: nothing else changes the database in between.
 */
class StoredState {
  private tables: string[] | undefined;
  private counts: Record<string, number> | undefined;
  private readonly shown = new Map<string, string | null>();

  constructor(
    private readonly server: Harness,
    private readonly operations: Operation[],
  ) {}

  private async countRows(): Promise<Record<string, number>> {
    this.tables ??= (await this.server.db.kysely.introspection.getTables()).map((table) => table.name).filter((name) => !RECORDS_REFUSALS.has(name));
    const counts = await sql<{ name: string; rows: number | string }>`${sql.join(
      this.tables.map((name) => sql`select ${name} as name, count(*) as ${sql.ref('rows')} from ${sql.table(name)}`),
      sql` union all `,
    )}`.execute(this.server.db.kysely);
    return Object.fromEntries(counts.rows.map((row) => [row.name, Number(row.rows)]));
  }

  /** The GET of the path an update or delete targets, when the document has one. */
  private async show(method: string, path: string): Promise<string | null> {
    if (method === 'POST') return null;
    const readable = this.operations.some((operation) =>
      operation.method === 'GET' && new RegExp(`^${operation.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
    if (!readable) return null;
    return (await this.server.app.inject({ method: 'GET', url: path, headers: { 'x-xtra-auth-id': this.server.token } })).body;
  }

  /** The state a write is about to meet. */
  async before({ method, url }: Attempt): Promise<{ counts: Record<string, number>; shown: string | null }> {
    const path = url.split('?')[0]!;
    this.counts ??= await this.countRows();
    const key = `${method} ${path}`;
    if (!this.shown.has(key)) this.shown.set(key, await this.show(method, path));
    return { counts: this.counts, shown: this.shown.get(key)! };
  }

  async now({ method, url }: Attempt): Promise<{ counts: Record<string, number>; shown: string | null }> {
    return { counts: await this.countRows(), shown: await this.show(method, url.split('?')[0]!) };
  }

  written(): void {
    this.counts = undefined;
    this.shown.clear();
  }
}

/**
 * Sends one request and checks what every answer must be: below 500, in time, an error in
 * CONTRACT's shape without internals, and for a refused write, nothing written.
 */
async function exercise(server: Harness, state: StoredState, attempt: Attempt, token: string) {
  const what = describeAttempt(attempt);
  const writes = attempt.method !== 'GET' && attempt.method !== 'HEAD';
  const before = writes ? await state.before(attempt) : undefined;
  const sent = attempt.token === undefined ? token : attempt.token;
  const response = await withDeadline(server.app.inject({
    method: attempt.method,
    url: attempt.url,
    headers: { ...(sent ? { 'x-xtra-auth-id': sent } : {}), ...attempt.headers },
    ...(attempt.payload === undefined ? {} : { payload: attempt.payload }),
  }), what);
  const status = response.statusCode;
  // HEAD has no body to say why: the GET of the same request does.
  const explained = attempt.method === 'HEAD' && status === 503
    ? (await server.app.inject({ method: 'GET', url: attempt.url, headers: { 'x-xtra-auth-id': sent ?? '' } })).body
    : response.body;
  assert.ok(status < 500 || isSwitchUnavailable(status, explained), `${what} → ${status} ${response.body.slice(0, 300)}`);
  if (status >= 400 && attempt.method !== 'HEAD') {
    assert.match(String(response.headers['content-type']), /^application\/json/, `${what} → ${status}`);
    // Some endpoints add the spec's own fields (`reason`, `data`) next to CONTRACT's two.
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(body.code, status, `${what} → ${response.body}`);
    assert.equal(typeof body.message, 'string', `${what} → ${response.body}`);
    assert.ok((body.message as string).length > 0, `${what} → ${response.body}`);
    assert.doesNotMatch(response.body, STACK_FRAME, `${what}: stack frame in ${response.body.slice(0, 300)}`);
    assert.doesNotMatch(response.body, INTERNAL_PATH, `${what}: file path in ${response.body.slice(0, 300)}`);
  }
  if (before && status >= 400) {
    assert.deepEqual(await state.now(attempt), before, `${what} → ${status} ${response.body.slice(0, 200)} changed stored data`);
  } else if (before) {
    state.written();
  }
  return { status, body: response.body };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The object an object-or-array body takes (OneOrMany), for field-by-field corruption. */
function objectShape(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  if (schema.type === 'object') return schema;
  return schema.anyOf?.find((branch) => branch.type === 'object');
}

/** Values a field of any type may be given, by mistake or on purpose (the generated inputs add more). */
const ANY_FIELD_CORPUS: unknown[] = [null, [], {}, [[1]]];
/** For fields the schema says are numbers, the text and numbers that Ajv's coercion gets wrong or no column holds. */
const NUMBER_FIELD_CORPUS: unknown[] = ['', ' ', 'Infinity', '1e400', '0x10', 2_147_483_648, 1.5];
/** As raw JSON text, for what JSON.stringify cannot write: numbers JSON.parse makes infinite. */
const RAW_NUMBER_CORPUS = ['1e400', '-1E999'];
/** For every other field: text no database stores as sent, and text far over any length limit. */
const TEXT_FIELD_CORPUS: unknown[] = [' ', '\u0000', 'a\ud800', 'x'.repeat(70_000)];

const isNumberField = (schema: JsonSchema) => schema.type === 'integer' || schema.type === 'number';

/** Query and path values as they go on the wire (percent-encoded where meant): what no parameter may choke on. */
const URL_CORPUS = ['%00', '%FF', '%ED%A0%80', '%', 'x'.repeat(101)];
/** More for the parameters that are numbers. */
const NUMBER_URL_CORPUS = ['Infinity', 'NaN', '1e400', '%20', '', '-1', '2147483648', '1.5', '0x10', '%5B%5D'];
const urlCorpusFor = (schema: JsonSchema) => (isNumberField(schema) ? [...URL_CORPUS, ...NUMBER_URL_CORPUS] : URL_CORPUS);

/** Whole bodies, raw: nesting, numbers JSON.parse makes infinite, malformed text, wrong shapes. */
const BODY_CORPUS: { type: string; payload: string | Buffer }[] = [
  ...[65, 5_000].flatMap((depth) => [
    { type: JSON_TYPE, payload: '['.repeat(depth) + ']'.repeat(depth) },
    { type: JSON_TYPE, payload: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) },
  ]),
  ...['1e400', '{"a":1e400}', 'null', '1', '"1"', '" "', '[[1]]', '[]', '{}', '[null]', '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}', '{"a":', "{'a':1}", '\ufeff{}', '[' + '1,'.repeat(20_000) + '1]']
    .map((payload) => ({ type: JSON_TYPE, payload })),
  { type: JSON_TYPE, payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { type: `${JSON_TYPE}; charset=utf-16`, payload: Buffer.from('{"a":1}', 'utf16le') },
  { type: FORM_TYPE, payload: Buffer.from([0x61, 0x3d, 0xff]) },
  { type: FORM_TYPE, payload: 'a=%FF&b=%E0%A4%A&c=%00&d' },
  { type: FORM_TYPE, payload: 'a[b][c]=1&a[]=2&__proto__[x]=1' },
  { type: JSON_TYPE, payload: 'a=1' },
  ...['text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream', ','].map((type) => ({ type, payload: '{"a":1}' })),
];

interface Seeded {
  ids: number[];
  token: string;
}

/** Rows of every kind so that paths with ids also reach existing rows. */
async function seed(server: Harness): Promise<Seeded> {
  const ids = new Set<number>([1, 2]);
  const created = async (url: string, body: unknown, pick: (reply: any) => unknown) => {
    const reply = await server.post(url, body);
    assert.equal(reply.status, 200, `${url}: ${JSON.stringify(reply.body)}`);
    const id = Number(pick(reply.body));
    ids.add(id);
    return id;
  };
  await created('/api/contexts', { name: 'generated', key: 'generated' }, (body) => body.data);
  const route = await created('/api/routes', { name: 'generated', context: 'generated', max_length: 20, dest_type: 'FS_DEST_USER', prefix: '9' }, (body) => body.data.id);
  await created(`/api/routes/${route}/params`, { k: 'answer', v: '' }, (body) => body.data);
  await created('/api/time_recurrence', { route_id: route, time_recurrence: '20240101T090000|PT8H|daily||1|MO,TU', dest_type: 'FS_DEST_USER' }, (body) => body[0].id);
  const template = await created('/api/time_recurrence/templates', { name: 'generated' }, (body) => body.data[0].id);
  await created('/api/time_recurrence/templates/time_recurrences', { template_id: template, time_recurrence: '20240101T090000|PT8H|daily' }, (body) => body.data[0].time_recurrences[0].id);
  await created('/api/dicts', { realm: 'GENERATED', k: 'k', v: 'v' }, (body) => body.data);
  // Logging out through the generated requests must not end the test's own session.
  const login = await server.request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null });
  assert.equal(login.status, 200);
  return { ids: [...ids], token: login.body.token };
}

/** The session endpoints run with a spare session: a generated logout would end the test's own. */
const tokenFor = (server: Harness, seeded: Seeded, operation: Operation) =>
  operation.path === '/api/sessions' ? seeded.token : server.token;

/** An id most tables have (seed data or the seeded rows), and a realm that exists: paths that reach rows. */
const existingPathValue = (schema: JsonSchema) => (isNumberField(schema) ? '1' : 'DEST');

/** A request every schema of the operation accepts, or nearly: the base each corpus entry changes. */
function sampleRequest(operation: Operation) {
  const [sample] = fc.sample(fc.record({
    query: validValue(operation.query),
    body: operation.body ? validValue(operation.body) : fc.constant(undefined),
  }), { seed: SEED, numRuns: 1 });
  const path = Object.fromEntries(operation.pathParams.map((parameter) => [parameter.name, existingPathValue(parameter.schema)]));
  return { path, query: sample!.query as Record<string, unknown>, body: sample!.body };
}

function urlOf(operation: Operation, path: Record<string, string>, query: Record<string, unknown> | string) {
  const search = typeof query === 'string' ? query : encodeQuery(query);
  return fillPath(operation.path, path) + (search ? `?${search}` : '');
}

const jsonBody = (body: unknown) => (body === undefined ? {} : { headers: { 'content-type': JSON_TYPE }, payload: JSON.stringify(body) });

describeOnEachDatabase('generated inputs over every operation of the OpenAPI document', (server) => {
  let operations: Operation[] = [];
  let seeded: Seeded;
  let state: StoredState;

  before(async () => {
    seeded = await seed(server());
    // Deletes last, so that the other operations still find the seeded rows.
    operations = operationsOf(server().app.swagger()).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    state = new StoredState(server(), operations);
  });

  test('the document lists the resources', () => {
    assert.ok(operations.length >= 30, `only ${operations.length} operations`);
    for (const path of ['/api/sessions', '/api/contexts/{id}', '/api/dicts', '/api/routes', '/api/time_recurrence']) {
      assert.ok(operations.some((operation) => operation.path === path), path);
    }
  });

  test('every integer and number input is bounded, integers to int32 (declare them with the kit’s Int, Id, Flag or Decimal)', () => {
    for (const operation of operations) {
      const inputs: [string, JsonSchema | undefined][] = [
        ['path', { type: 'object', properties: Object.fromEntries(operation.pathParams.map((parameter) => [parameter.name, parameter.schema])) }],
        ['query', operation.query],
        ['body', operation.body],
      ];
      for (const [where, schema] of inputs) {
        for (const found of schema ? numbersIn(schema) : []) {
          const what = `${operation.method} ${operation.path} ${where} ${found.path || '(whole)'}: ${JSON.stringify(found.schema)}`;
          assert.ok(Number.isFinite(found.schema.minimum) && Number.isFinite(found.schema.maximum), `unbounded: ${what}`);
          if (found.schema.type === 'integer') {
            assert.ok(found.schema.minimum! >= INT32_MIN && found.schema.maximum! <= INT32_MAX, `beyond int32: ${what}`);
          }
        }
      }
    }
  });

  async function checkAuthentication(operation: Operation): Promise<void> {
    const wrong: [string, Record<string, string>][] = [
      ['no token', {}],
      ['a wrong X-XTRA-AUTH-ID', { 'x-xtra-auth-id': 'not-a-token' }],
      ['a wrong Bearer token', { authorization: 'Bearer 00000000-0000-4000-8000-000000000000' }],
      ['a wrong cookie', { cookie: 'freeswitch_xtra_session_id=nope' }],
      ['an empty X-XTRA-AUTH-ID', { 'x-xtra-auth-id': '' }],
    ];
    const sample = sampleRequest(operation);
    const url = urlOf(operation, sample.path, sample.query);
    const methods: (Method | 'HEAD')[] = operation.method === 'GET' ? ['GET', 'HEAD'] : [operation.method];
    for (const method of methods) {
      for (const [label, headers] of wrong) {
        const body = method === 'HEAD' ? {} : jsonBody(sample.body);
        const reply = await exercise(server(), state, { method, url, token: null, ...body, headers: { ...body.headers, ...headers } }, '');
        if (isOpen(method, operation.path)) assert.notEqual(reply.status, 401, `${method} ${url} with ${label}`);
        else assert.equal(reply.status, 401, `${method} ${url} with ${label}: ${reply.body}`);
      }
      // With the good token the same request is served or refused for its content, never for auth.
      const body = method === 'HEAD' ? {} : jsonBody(sample.body);
      const served = await exercise(server(), state, { method, url, ...body }, tokenFor(server(), seeded, operation));
      assert.notEqual(served.status, 401, `${method} ${url} with the good token: ${served.body}`);
    }
  }

  async function checkCorpus(operation: Operation): Promise<void> {
    const token = tokenFor(server(), seeded, operation);
    const run = (attempt: Attempt) => exercise(server(), state, attempt, token);
    const sample = sampleRequest(operation);
    const sampleBody = jsonBody(sample.body);

    for (const parameter of operation.pathParams) {
      for (const value of urlCorpusFor(parameter.schema)) {
        await run({ method: operation.method, url: urlOf(operation, { ...sample.path, [parameter.name]: value }, sample.query), ...sampleBody });
      }
    }
    for (const [name, schema] of Object.entries(operation.query.properties)) {
      for (const value of urlCorpusFor(schema)) {
        await run({ method: operation.method, url: urlOf(operation, sample.path, `${encodeComponent(name)}=${value}`), ...sampleBody });
      }
      await run({ method: operation.method, url: urlOf(operation, sample.path, `${name}=1&${name}=2&${name}[]=3`) });
    }
    await run({ method: operation.method, url: urlOf(operation, sample.path, `unknown=1&${'x'.repeat(8_000)}=y`) });
    if (operation.method === 'GET') return;

    const url = urlOf(operation, sample.path, sample.query);
    for (const { type, payload } of BODY_CORPUS) {
      await run({ method: operation.method, url, headers: { 'content-type': type }, payload });
    }
    await run({ method: operation.method, url, headers: { 'content-type': JSON_TYPE }, payload: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }) });
    await run({ method: operation.method, url, headers: { 'content-type': JSON_TYPE } });
    await run({ method: operation.method, url });

    const shape = objectShape(operation.body);
    if (!shape?.properties) return;
    const base = isPlainObject(sample.body) ? sample.body : fc.sample(validValue(shape), { seed: SEED, numRuns: 1 })[0] as Record<string, unknown>;
    const asArray = operation.body?.anyOf !== undefined;
    const send = (body: unknown) => run({ method: operation.method, url, headers: { 'content-type': JSON_TYPE }, payload: JSON.stringify(body) });
    for (const field of Object.keys(shape.properties)) {
      const schema = shape.properties[field]!;
      const corpus = isNumberField(schema) ? NUMBER_FIELD_CORPUS : TEXT_FIELD_CORPUS;
      for (const value of [...ANY_FIELD_CORPUS, ...corpus]) await send({ ...base, [field]: value });
      // The second item of an array body is named by its index.
      if (asArray) await send([base, { ...base, [field]: ' ' }]);
      for (const raw of isNumberField(schema) ? RAW_NUMBER_CORPUS : ['"\\ud800"']) {
        const payload = JSON.stringify({ ...base, [field]: '\u0001' }).replace('"\\u0001"', raw);
        await run({ method: operation.method, url, headers: { 'content-type': JSON_TYPE }, payload });
      }
      await run({ method: operation.method, url, headers: { 'content-type': FORM_TYPE }, payload: `${encodeQuery(base)}&${encodeComponent(field)}=%20` });
    }
    for (const required of shape.required ?? []) {
      const { [required]: _missing, ...rest } = base;
      await send(rest);
    }
    await send({ ...base, id: 999_999, created_at: 'yesterday', deleted_at: 'x', extra: { nested: [1] } });
    await send([base]);
    await send(Array.from({ length: 10_001 }, () => base));
  }

  async function checkGenerated(operation: Operation): Promise<void> {
    const token = tokenFor(server(), seeded, operation);
    const existing = fc.constantFrom(...seeded.ids.map(String));
    const pathValue = (schema: JsonSchema) => fc.oneof(
      { weight: 3, arbitrary: isNumberField(schema) ? existing : fc.constant(existingPathValue(schema)) },
      { weight: 2, arbitrary: validValue(schema).map(encodePathValue) },
      { weight: 1, arbitrary: invalidValue(schema).map(encodePathValue) },
    );
    const queryFields = Object.fromEntries(Object.entries(operation.query.properties).map(([name, schema]) => [name, anyValue(schema)]));
    const request = fc.record({
      path: fc.record(Object.fromEntries(operation.pathParams.map((parameter) => [parameter.name, pathValue(parameter.schema)]))),
      query: fc.record(queryFields, { requiredKeys: [] }),
      body: operation.body ? anyValue(operation.body) : fc.constant(undefined),
      encoding: fc.constantFrom('json', 'json', 'json', 'form', 'none'),
    });
    await fc.assert(fc.asyncProperty(request, async ({ path, query, body, encoding }) => {
      const url = urlOf(operation, path, query);
      const attempt: Attempt = { method: operation.method, url };
      if (operation.method !== 'GET' && encoding === 'json') {
        Object.assign(attempt, { headers: { 'content-type': JSON_TYPE }, payload: JSON.stringify(body) ?? '' });
      } else if (operation.method !== 'GET' && encoding === 'form' && isPlainObject(body)) {
        Object.assign(attempt, { headers: { 'content-type': FORM_TYPE }, payload: encodeQuery(body) });
      }
      await exercise(server(), state, attempt, token);
    }), { seed: SEED, numRuns: RUNS });
  }

  test('every operation: 401 without a good token, then a fixed corpus and generated inputs, never a 5xx, a hang, internals or a refused write that wrote', async (t) => {
    for (const operation of operations) {
      await t.test(`${operation.method} ${operation.path}`, async (t) => {
        await t.test('without a good token: 401 in the contract shape, but for login and ping', () => checkAuthentication(operation));
        await t.test('a fixed corpus in every path parameter, query parameter, body field and the whole body', () => checkCorpus(operation));
        await t.test(`inputs generated from its schemas (seed ${SEED}, ${RUNS} runs)`, () => checkGenerated(operation));
      });
    }
  });
});
