/**
 * DIDs and DODs as the routing engine applies them, seen where operators and FreeSWITCH see them:
 * route verification (`/api/routes/explain`) and the dialplan FreeSWITCH fetches.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, twoServersOnPostgres, type Harness, type Reply } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { createRoute, eventually, explain, unique } from '../helpers/routing.js';

let nextNumber = 80_000;
const fresh = () => String(++nextNumber);
const DOMAIN = 'pbx.example.com';

async function extension(server: Harness, context = 'context-1'): Promise<string> {
  const extn = fresh();
  createdId(await server.post('/api/extensions', { extn, password: 'secret-1', context, domain: DOMAIN }));
  return extn;
}

async function hotlineContext(server: Harness, enabled: boolean): Promise<{ id: number; key: string }> {
  const key = unique('did-ctx');
  const id = createdId(await server.post('/api/contexts', { name: key, key, hotline_enabled: enabled ? 1 : 0 }));
  return { id, key };
}

/** A dialplan fetch as mod_xml_curl posts it (the fields Switchboard reads), answered with the document. */
async function dialplan(server: Harness, context: string, destNumber: string, variables: Record<string, string> = {}): Promise<string> {
  const form = new URLSearchParams({
    section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': destNumber, 'Caller-Caller-ID-Number': variables.caller ?? '13900000000',
    ...Object.fromEntries(Object.entries(variables).filter(([name]) => name !== 'caller').map(([name, value]) => [`variable_${name}`, value])),
  });
  const reply: Reply = await server.request('POST', '/freeswitch/xml', form.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(reply.status, 200);
  return String(reply.body);
}

describeOnEachDatabase('DIDs and DODs in routing', (server) => {
  test('a DID in a hotline-enabled context rings its extensions at once, before the routes; explain says so', async () => {
    const context = await hotlineContext(server(), true);
    const [first, second] = [await extension(server()), await extension(server())];
    const line = fresh();
    const hotline = createdId(await server().post('/api/hotlines', { line_number: line, numbers: `${first},${second}` }));
    await createRoute(server(), { context: context.key, prefix: line.slice(0, 2), dest_type: 'FS_DEST_SYSTEM', body: 'hangup' });

    const explained = await explain(server(), { context: context.key, destNumber: line });
    assert.equal(explained.route, null);
    assert.deepEqual(explained.did, {
      id: hotline, line_number: line, numbers: [first, second], applied: true, detail: `DID ${line} rings ${first}, ${second} at once; routes are not consulted`,
    });
    const document = await dialplan(server(), context.key, line);
    assert.match(document, new RegExp(`<extension name="DID ${line}">`));
    assert.match(document, new RegExp(`<action application="set" data="did_number=${line}"/>`));
    assert.match(document, new RegExp(`<action application="bridge" data="user/${first}@${DOMAIN},user/${second}@${DOMAIN}"/>`));

    // hotline_enabled off (through the API, as CherryPBX toggles it): the route decides again.
    assert.equal((await server().put(`/api/contexts/${context.id}`, { action: 'toggle' })).status, 200);
    const routed = await explain(server(), { context: context.key, destNumber: line });
    assert.equal(routed.did.applied, false);
    assert.notEqual(routed.route, null);
    assert.match(await dialplan(server(), context.key, line), /<action application="hangup"\/>/);
  });

  test('a DID changed or deleted through the API changes the next decision', async () => {
    const context = await hotlineContext(server(), true);
    const [first, second] = [await extension(server()), await extension(server())];
    const line = fresh();
    const hotline = createdId(await server().post('/api/hotlines', { line_number: line, numbers: first }));
    await server().put(`/api/hotlines/${hotline}`, { numbers: second });
    assert.deepEqual((await explain(server(), { context: context.key, destNumber: line })).did.numbers, [second]);
    await server().delete(`/api/hotlines/${hotline}`);
    assert.equal((await explain(server(), { context: context.key, destNumber: line })).did, null);
    const imported = await server().post('/api/hotlines/import', { dids: [{ 线路号码: line, 分机: first }] });
    assert.equal(imported.status, 200);
    assert.deepEqual((await explain(server(), { context: context.key, destNumber: line })).did.numbers, [first]);
  });

  test('a DOD sets the caller number of its extension\'s calls through its gateway (before sdnc); explain shows it', async () => {
    const caller = await extension(server());
    const gateway = unique('gw');
    const gatewayId = createdId(await server().post('/api/gateways', { name: gateway, realm: '192.0.2.10', register: 'no' }));
    const line = fresh();
    const dod = createdId(await server().post('/api/dods', { extn: caller, line_number: line, type: 'GATEWAY', name: gateway }));
    const context = await hotlineContext(server(), false);
    await createRoute(server(), { context: context.key, prefix: '0', dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gatewayId) });
    const plain = await createRoute(server(), { context: context.key, prefix: '8', dest_type: 'FS_DEST_IP', body: '192.0.2.30' });

    const explained = await explain(server(), { context: context.key, destNumber: '013800000000', callerNumber: caller, callerExtension: caller, callerDomain: DOMAIN });
    assert.deepEqual(explained.dod, { id: dod, line_number: line, extn: caller, type: 'GATEWAY', ref_id: gatewayId });
    assert.equal(explained.sdnc_number, line);
    assert.equal((await explain(server(), { context: context.key, destNumber: '013800000000', callerNumber: caller })).dod, null, 'no authenticated extension');

    const document = await dialplan(server(), context.key, '013800000000', { caller, user_name: caller, domain_name: DOMAIN });
    assert.match(document, new RegExp(`<action application="set" data="dod_number=${line}"/>\\s*<action application="set" data="effective_caller_id_number=${line}"/>`));
    assert.match(document, new RegExp(`<action application="bridge" data="sofia/gateway/${gateway}/013800000000"/>`));
    assert.doesNotMatch(await dialplan(server(), context.key, '013800000000', { caller }), /effective_caller_id_number/, 'unauthenticated: no DOD');
    assert.doesNotMatch(await dialplan(server(), context.key, '8100', { caller, user_name: caller, domain_name: DOMAIN }), /dod_number/, 'not through the gateway');

    await server().put(`/api/routes/${plain.id}`, { dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gatewayId), sdnc: '+0' });
    const transformed = await explain(server(), { context: context.key, destNumber: '8100', callerNumber: caller, callerExtension: caller, callerDomain: DOMAIN });
    assert.equal(transformed.sdnc_number, `0${line}`);

    await server().delete(`/api/dods/${dod}`);
    assert.equal((await explain(server(), { context: context.key, destNumber: '8100', callerExtension: caller, callerDomain: DOMAIN })).dod, null);
  });
});

describe('DIDs and DODs across processes sharing PostgreSQL', () => {
  const { a, b } = twoServersOnPostgres();

  test('a DID, a DOD and a context\'s hotline_enabled written on one server route the next call on the other', async () => {
    const context = await hotlineContext(a(), false);
    const caller = await extension(a());
    const line = fresh();
    createdId(await a().post('/api/hotlines', { line_number: line, numbers: caller }));
    assert.ok(await eventually(async () => (await explain(b(), { context: context.key, destNumber: line })).did?.applied === false), 'the DID reached b');
    await a().put(`/api/contexts/${context.id}`, { hotline_enabled: 1 });
    assert.ok(await eventually(async () => (await explain(b(), { context: context.key, destNumber: line })).did?.applied === true), 'hotline_enabled reached b');

    const gateway = unique('gw');
    const gatewayId = createdId(await a().post('/api/gateways', { name: gateway, realm: '192.0.2.10', register: 'no' }));
    await createRoute(a(), { context: context.key, prefix: '0', dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gatewayId) });
    const dodLine = fresh();
    createdId(await a().post('/api/dods', { extn: caller, line_number: dodLine, type: 'GATEWAY', name: gateway }));
    const asked = { context: context.key, destNumber: '0138', callerNumber: caller, callerExtension: caller, callerDomain: DOMAIN };
    assert.ok(await eventually(async () => (await explain(b(), asked)).sdnc_number === dodLine), 'the DOD reached b');
  });
});
