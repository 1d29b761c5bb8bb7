import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';
import { createRoute, freshContext, unique } from '../helpers/routing.js';

const TRUNK_KEYS = [
  'created_at', 'deleted_at', 'description', 'enabled', 'id', 'local_addr', 'media_codec', 'name', 'params', 'protocol',
  'register', 'remote_addr', 'source', 'type', 'updated_at',
];
const GROUP_KEYS = ['created_at', 'deleted_at', 'description', 'id', 'name', 'params', 'strategy', 'updated_at'];

const createTrunk = async (server: Harness, fields: Record<string, unknown> = {}): Promise<number> =>
  createdId(await server.post('/api/trunks', { name: unique('trunk'), remote_addr: '192.0.2.1', ...fields }));

const createGroup = async (server: Harness, fields: Record<string, unknown> = {}): Promise<number> =>
  createdId(await server.post('/api/trunk_groups', { name: unique('tg'), ...fields }));

async function detail(server: Harness, path: string) {
  const reply = await server.get(path);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

describeOnEachDatabase('trunks', (server) => {
  test('create, get with trunk_groups, list, update and delete in the spec\'s shapes and types', async () => {
    const name = unique('trunk');
    const id = await createTrunk(server(), {
      name, description: '123', remote_addr: '1.2.3.4', local_addr: '5.5.5.5', type: 'INOUT', protocol: 'UDP', source: 'context-2',
    });
    const trunk = await detail(server(), `/api/trunks/${id}`);
    assert.deepEqual(Object.keys(trunk).sort(), [...TRUNK_KEYS, 'trunk_groups'].sort());
    assert.match(trunk.created_at, WIRE_TIME);
    const { created_at: _c, updated_at: _u, ...rest } = trunk;
    assert.deepEqual(rest, {
      id, name, description: '123', remote_addr: '1.2.3.4', local_addr: '5.5.5.5', type: 'INOUT', protocol: 'UDP',
      source: 'context-2', register: false, enabled: true, params: '', media_codec: '', deleted_at: '', trunk_groups: [],
    });

    const list = await server().get(`/api/trunks?searchField=name&searchKey=${name}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.rowCount, 1);
    assert.deepEqual(Object.keys(list.body.data[0]).sort(), TRUNK_KEYS);
    assert.equal(list.body.data[0].enabled, true);

    const updated = await server().put(`/api/trunks/${id}`, { description: '12355', remote_addr: 'sip:192.168.1.100:8081', register: 't', enabled: false });
    assert.deepEqual(updated.body, { code: 200, message: 'success', data: String(id) });
    const after = await detail(server(), `/api/trunks/${id}`);
    assert.equal(after.description, '12355');
    assert.equal(after.remote_addr, 'sip:192.168.1.100:8081');
    assert.equal(after.register, true);
    assert.equal(after.enabled, false);

    assert.deepEqual((await server().delete(`/api/trunks/${id}`)).body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/trunks/${id}`));
    assertNotFound(await server().delete(`/api/trunks/${id}`));
  });

  test('lists page, sort and search', async () => {
    const stem = unique('sorted');
    for (const suffix of ['b', 'a', 'c']) await createTrunk(server(), { name: `${stem}-${suffix}` });
    const page = await server().get(`/api/trunks?searchField=name&searchKey=${stem}&sortField=name&sortOrder=desc&page=1&perPage=2`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.data.map((row: { name: string }) => row.name), [`${stem}-c`, `${stem}-b`]);
    assert.equal(page.body.rowCount, 3);
    assert.equal(page.body.pageCount, 2);
    assertBadRequest(await server().get('/api/trunks?sortField=nonsense'), 'sortField');
    assertBadRequest(await server().get('/api/trunks?searchField=nonsense&searchKey=x'), 'searchField');
  });

  test('addresses are host[:port] or a sip: URI of one', async () => {
    for (const good of ['1.2.3.4', '1.2.3.4:9999', 'sip:192.168.1.100:8081', 'sips:carrier.example.com', 'trunk-1.example.com:5080', '[2001:db8::1]:5060', 'sip:[::1]']) {
      await createTrunk(server(), { remote_addr: good, local_addr: good });
    }
    const bad = ['', 'sip:', '1.2.3.4:0', '1.2.3.4:70000', '999.1.1.1', '-bad.example.com', 'a b', 'sip:1000@1.2.3.4', '1.2.3.4;transport=tcp',
      '2001:db8::1', '[1.2.3.4]', 'host:port', 'x'.repeat(64) + '.com', 'example.com/path', '1.2.3.4:5060,5.6.7.8'];
    for (const address of bad) {
      assertBadRequest(await server().post('/api/trunks', { name: unique('bad'), remote_addr: address }), 'remote_addr', address);
    }
    assertBadRequest(await server().post('/api/trunks', { name: unique('bad'), remote_addr: '1.2.3.4', local_addr: 'not an address' }), 'local_addr');
    const id = await createTrunk(server());
    assertBadRequest(await server().put(`/api/trunks/${id}`, { remote_addr: '1.2.3.4|5.6.7.8' }), 'remote_addr');
    assertBadRequest(await server().post('/api/trunks', { name: unique('bad') }), 'remote_addr');
    assertBadRequest(await server().post('/api/trunks', { name: unique('bad'), remote_addr: '1.2.3.4', protocol: 'SCTP' }), 'protocol');
    assertBadRequest(await server().post('/api/trunks', { name: unique('bad'), remote_addr: '1.2.3.4', type: 'BOTH' }), 'type');
  });

  test('names are unique', async () => {
    const name = unique('dup');
    await createTrunk(server(), { name });
    assertConflict(await server().post('/api/trunks', { name, remote_addr: '1.2.3.4' }), 'name');
    const other = await createTrunk(server());
    assertConflict(await server().put(`/api/trunks/${other}`, { name }), 'name');
  });

  test('import reads the export\'s Chinese columns, "t"/"f" flags, and answers the spec\'s strings', async () => {
    const name = unique('imported');
    const reply = await server().post('/api/trunks/import', {
      trunks: [
        { 中继名称: name, 描述: 'import desc', 类型: 'INOUT', 本地地址: '', 远端地址: '1.2.3.4:9999', 协议: 'UDP', 是否注册: 'f', 呼叫源: 'code:from', 是否启用: 't', 参数: '{}' },
        { 中继名称: `${name}-2`, 远端地址: 'sip:5.6.7.8', 是否注册: 't', 是否启用: 'f' },
      ],
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.code, 200);
    assert.equal(reply.body.message, 'success');
    const [first, second] = reply.body.data;
    assert.deepEqual(Object.keys(first).sort(), TRUNK_KEYS);
    const { created_at: _c, updated_at: _u, id, ...rest } = first;
    assert.match(id, /^\d+$/);
    assert.deepEqual(rest, {
      name, description: 'import desc', type: 'INOUT', local_addr: '', remote_addr: '1.2.3.4:9999', protocol: 'UDP',
      register: 'f', source: 'code:from', enabled: 't', params: '{}', media_codec: '', deleted_at: '',
    });
    assert.equal(second.register, 't');
    assert.equal(second.enabled, 'f');
    const stored = await detail(server(), `/api/trunks/${second.id}`);
    assert.equal(stored.register, true);
    assert.equal(stored.enabled, false);
  });

  test('import is all or nothing, naming the row and the column', async () => {
    const name = unique('atomic');
    const count = async () => (await server().get(`/api/trunks?searchField=name&searchKey=${name}`)).body.rowCount;
    const rows = (third: Record<string, unknown>) => ({ trunks: [
      { 中继名称: `${name}-0`, 远端地址: '1.2.3.4' },
      { 中继名称: `${name}-1`, 远端地址: '1.2.3.5' },
      { 中继名称: `${name}-2`, 远端地址: '1.2.3.6', ...third },
    ] });
    assertBadRequest(await server().post('/api/trunks/import', rows({ 远端地址: 'no such:host' })), 'trunks.2.远端地址');
    assertBadRequest(await server().post('/api/trunks/import', rows({ 本地地址: '1.2.3.4:99999' })), 'trunks.2.本地地址');
    assertBadRequest(await server().post('/api/trunks/import', rows({ 是否启用: 'yes' })), 'trunks.2.是否启用');
    assertBadRequest(await server().post('/api/trunks/import', rows({ 协议: 'SCTP' })), 'trunks.2.协议');
    assertBadRequest(await server().post('/api/trunks/import', { trunks: [{ 远端地址: '1.2.3.4' }] }), 'trunks.0.中继名称');
    assertConflict(await server().post('/api/trunks/import', rows({ 中继名称: `${name}-0` })), 'trunks.2.中继名称');
    await createTrunk(server(), { name: `${name}-taken` });
    assertConflict(await server().post('/api/trunks/import', rows({ 中继名称: `${name}-taken` })), 'trunks.2.中继名称');
    assert.equal(await count(), 1);
    assertBadRequest(await server().post('/api/trunks/import', { trunks: [] }), 'trunks');
  });
});

describeOnEachDatabase('trunk groups and route codes', (server) => {
  test('a group with members and route codes, in the spec\'s shapes; the trunk lists its groups', async () => {
    const a = await createTrunk(server(), { remote_addr: '192.0.2.1:5060' });
    const b = await createTrunk(server(), { remote_addr: '192.0.2.2' });
    const name = unique('t_group');
    const id = await createGroup(server(), { name, description: 'desc', strategy: 'WEIGHT', members: [{ trunk_id: a, weight: 3 }, { trunk_id: String(b) }] });
    const code = createdId(await server().post('/api/route_codes', { code: 'code1', description: 'des1', tg_id: String(id) }));

    const group = await detail(server(), `/api/trunk_groups/${id}`);
    assert.deepEqual(Object.keys(group).sort(), [...GROUP_KEYS, 'members', 'route_codes'].sort());
    assert.equal(group.strategy, 'WEIGHT');
    assert.equal(group.deleted_at, '');
    assert.deepEqual(group.members.map(({ id: _m, ...member }: Record<string, unknown>) => member), [
      { trunk_id: a, name: (await detail(server(), `/api/trunks/${a}`)).name, remote_addr: '192.0.2.1:5060', enabled: true, weight: 3 },
      { trunk_id: b, name: (await detail(server(), `/api/trunks/${b}`)).name, remote_addr: '192.0.2.2', enabled: true, weight: 1 },
    ]);
    assert.deepEqual(group.route_codes, [{ id: code, code: 'code1', description: 'des1', tg_id: id }]);
    assert.deepEqual((await detail(server(), `/api/trunks/${a}`)).trunk_groups, [{ id, name, strategy: 'WEIGHT', weight: 3 }]);

    const list = await server().get(`/api/trunk_groups?searchField=name&searchKey=${name}`);
    assert.equal(list.body.rowCount, 1);
    assert.deepEqual(Object.keys(list.body.data[0]).sort(), GROUP_KEYS);
  });

  test('PUT answers {"id":"<id>"} and replaces members when given', async () => {
    const a = await createTrunk(server());
    const b = await createTrunk(server());
    const id = await createGroup(server(), { members: [{ trunk_id: a }] });
    const reply = await server().put(`/api/trunk_groups/${id}`, { name: unique('trunk goup2'), description: 'g', strategy: 'WEIGHT', id: String(id) });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { id: String(id) });
    assert.deepEqual((await detail(server(), `/api/trunk_groups/${id}`)).members.map((m: { trunk_id: number }) => m.trunk_id), [a]);
    await server().put(`/api/trunk_groups/${id}`, { members: [{ trunk_id: b, weight: 2 }, { trunk_id: a, weight: 0 }] });
    const after = await detail(server(), `/api/trunk_groups/${id}`);
    assert.equal(after.strategy, 'WEIGHT');
    assert.deepEqual(after.members.map((m: { trunk_id: number; weight: number }) => [m.trunk_id, m.weight]), [[b, 2], [a, 0]]);
    assertNotFound(await server().put('/api/trunk_groups/999999', { description: 'x' }));
  });

  test('bad groups: strategy, members naming no trunk or a trunk twice, duplicate names', async () => {
    const a = await createTrunk(server());
    assertBadRequest(await server().post('/api/trunk_groups', { name: unique('tg'), strategy: 'RANDOM' }), 'strategy');
    assertBadRequest(await server().post('/api/trunk_groups', { name: unique('tg'), members: [{ trunk_id: a }, { trunk_id: 999999 }] }), 'members.1.trunk_id');
    assertConflict(await server().post('/api/trunk_groups', { name: unique('tg'), members: [{ trunk_id: a }, { trunk_id: a }] }), 'members.1.trunk_id');
    assertBadRequest(await server().post('/api/trunk_groups', { name: unique('tg'), members: [{ trunk_id: a, weight: -1 }] }), 'members.0.weight');
    const name = unique('tg');
    await createGroup(server(), { name });
    assertConflict(await server().post('/api/trunk_groups', { name }), 'name');
  });

  test('deletes are refused while used: a trunk in a group, a group with route codes or routes', async () => {
    const trunk = await createTrunk(server());
    const group = await createGroup(server(), { members: [{ trunk_id: trunk }] });
    assertConflict(await server().delete(`/api/trunks/${trunk}`), 'id');
    const code = createdId(await server().post('/api/route_codes', { code: unique('c').slice(0, 8), tg_id: group }));
    const refused = await server().delete(`/api/trunk_groups/${group}`);
    assertConflict(refused, 'id');
    assert.match(refused.body.message, /route code/);
    await server().delete(`/api/route_codes/${code}`);

    const context = await freshContext(server());
    const groupName = (await detail(server(), `/api/trunk_groups/${group}`)).name;
    const route = await createRoute(server(), { context, prefix: '8', max_length: 20, dest_type: 'FS_DEST_CLUSTER_TRUNK_GROUP', dest_uuid: String(group) });
    assert.equal(route.body, groupName);
    const byRoute = await server().delete(`/api/trunk_groups/${group}`);
    assertConflict(byRoute, 'id');
    assert.match(byRoute.body.message, new RegExp(`route "${route.name}"`));
    assertBadRequest(await server().post('/api/routes', { name: unique('r'), context, prefix: '7', max_length: 20, dest_type: 'FS_DEST_CLUSTER_TRUNK_GROUP', dest_uuid: '999999' }), 'dest_uuid');

    const direct = await createTrunk(server());
    const toTrunk = await createRoute(server(), { context, prefix: '6', max_length: 20, dest_type: 'FS_DEST_CLUSTER_TRUNK', dest_uuid: String(direct) });
    assertConflict(await server().delete(`/api/trunks/${direct}`), 'id');
    await server().delete(`/api/routes/${toTrunk.id}`);
    assert.equal((await server().delete(`/api/trunks/${direct}`)).status, 200);

    await server().delete(`/api/routes/${route.id}`);
    assert.equal((await server().delete(`/api/trunk_groups/${group}`)).status, 200);
    assert.equal((await server().delete(`/api/trunks/${trunk}`)).status, 200, 'the group\'s delete took its members');
  });

  test('status lists every member in the spec\'s dispatcher shape', async () => {
    const on = await createTrunk(server(), { remote_addr: 'sip:10.11.120.168:5061', protocol: 'UDP', description: 'on' });
    const off = await createTrunk(server(), { remote_addr: '10.11.244.46', protocol: 'TCP', enabled: false });
    const name = unique('avaya');
    const group = await createGroup(server(), { name, members: [{ trunk_id: on, weight: 2 }, { trunk_id: off }] });
    const reply = await server().get('/api/trunk_groups/status');
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    const rows = reply.body.data.filter((row: { group_id: string }) => row.group_id === String(group));
    assert.deepEqual(rows, [
      { description: 'on', group_name: name, status: 'Active', group_id: String(group), priority: '0', remote_addr: 'sip:10.11.120.168:5061;transport=UDP', dflags: 'AX', ping: 'disabled', flags: '0', attrs: 'weight=2;' },
      { description: '', group_name: name, status: 'Disabled', group_id: String(group), priority: '0', remote_addr: 'sip:10.11.244.46;transport=TCP', dflags: 'DX', ping: 'disabled', flags: '0', attrs: 'weight=1;' },
    ]);
    const paged = await server().get('/api/trunk_groups/status?page=1&perPage=1');
    assert.equal(paged.body.data.length, 1);
    assert.equal(paged.body.rowCount, reply.body.rowCount);
  });

  test('route codes: every endpoint, at most 8 characters, tg_id naming a trunk group', async () => {
    const group = await createGroup(server());
    const id = createdId(await server().post('/api/route_codes', { code: 'code00', description: 'des00', tg_id: group }));
    assert.deepEqual(await detail(server(), `/api/route_codes/${id}`), { id, code: 'code00', description: 'des00', tg_id: group });
    const list = await server().get('/api/route_codes?perPage=10&page=1');
    assert.deepEqual(Object.keys(list.body).sort(), ['data', 'page', 'pageCount', 'rowCount']);
    assert.deepEqual(list.body.data.find((row: { id: number }) => row.id === id), { id, code: 'code00', description: 'des00', tg_id: group });

    assertBadRequest(await server().post('/api/route_codes', { code: '123456789', tg_id: group }), 'code');
    assertBadRequest(await server().post('/api/route_codes', { code: 'x', tg_id: 999999 }), 'tg_id');
    assertBadRequest(await server().post('/api/route_codes', { code: 'x' }), 'tg_id');
    assertConflict(await server().post('/api/route_codes', { code: 'code00', tg_id: group }), 'code');

    assert.deepEqual((await server().put(`/api/route_codes/${id}`, { code: 'testcode', description: 'test', tg_id: String(group) })).body,
      { code: 200, message: 'success', data: String(id) });
    assert.equal((await detail(server(), `/api/route_codes/${id}`)).code, 'testcode');
    assertBadRequest(await server().put(`/api/route_codes/${id}`, { tg_id: 999999 }), 'tg_id');
    assertNotFound(await server().put('/api/route_codes/999999', { code: 'x' }));

    createdId(await server().post('/api/route_codes', { code: 'other', tg_id: group }));
    assert.deepEqual((await server().delete(`/api/route_codes/${id}`)).body, { code: 200, message: 'success', data: String(id) });
    assertNotFound(await server().get(`/api/route_codes/${id}`));
    const all = await server().delete('/api/route_codes');
    assert.equal(all.status, 200);
    assert.equal(all.body.code, 200);
    assert.deepEqual((await server().get('/api/route_codes')).body.data, []);
    assert.equal((await server().delete(`/api/trunk_groups/${group}`)).status, 200);
  });
});
