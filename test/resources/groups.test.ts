import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { assertBadRequest, assertConflict, assertNotFound, createdId } from '../helpers/assertions.js';

let made = 0;
const unique = (what: string) => `${what}${++made}${Date.now() % 100_000}`;

async function createUser(server: Harness): Promise<number> {
  return createdId(await server.post('/api/users', { login: unique('member'), name: 'Member', password: 'walk-pass-1', type: 'NORMAL' }));
}

describeOnEachDatabase('groups of users', (server) => {
  test('create, list, detail, rename and delete a group; names are unique', async () => {
    const name = unique('sales');
    const id = createdId(await server().post('/api/groups', { name, description: 'the sales floor', domain: 'example.com' }));
    const detail = (await server().get(`/api/groups/${id}`)).body;
    assert.deepEqual([detail.id, detail.name, detail.description, detail.domain], [id, name, 'the sales floor', 'example.com']);
    assert.ok((await server().get('/api/groups')).body.data.some((row: { id: string }) => row.id === String(id)));
    assertConflict(await server().post('/api/groups', { name }), 'name');
    assertBadRequest(await server().post('/api/groups', { name: '' }), 'name');
    assert.equal((await server().put(`/api/groups/${id}`, { name: `${name}x` })).status, 200);
    assert.equal((await server().get(`/api/groups/${id}`)).body.name, `${name}x`);
    assert.equal((await server().delete(`/api/groups/${id}`)).status, 200);
    assertNotFound(await server().get(`/api/groups/${id}`));
  });

  test('members: a user joins groups once, lists them as theirs, leaves one; a deleted user or group takes its memberships along', async () => {
    const user = await createUser(server());
    const other = await createUser(server());
    const first = createdId(await server().post('/api/groups', { name: unique('first') }));
    const second = createdId(await server().post('/api/groups', { name: unique('second') }));
    assert.deepEqual((await server().get(`/api/user_groups/${user}`)).body, []);
    for (const group of [first, second]) createdId(await server().post(`/api/groups/${group}/members`, { user_id: user }));
    createdId(await server().post(`/api/groups/${first}/members`, { user_id: other }));
    assertConflict(await server().post(`/api/groups/${first}/members`, { user_id: user }), 'user_id');
    assertBadRequest(await server().post(`/api/groups/${first}/members`, { user_id: 999_999 }), 'user_id');
    assertNotFound(await server().post('/api/groups/999999/members', { user_id: user }));
    const mine = (await server().get(`/api/user_groups/${user}`)).body as { id: number }[];
    assert.deepEqual(mine.map((group) => group.id), [first, second]);
    const members = (await server().get(`/api/groups/${first}/members`)).body as { user_id: number }[];
    assert.deepEqual(members.map((member) => member.user_id), [user, other]);

    assert.equal((await server().delete(`/api/groups/members/${first}/${user}`)).status, 200);
    assert.deepEqual(((await server().get(`/api/user_groups/${user}`)).body as { id: number }[]).map((group) => group.id), [second]);
    assertNotFound(await server().delete(`/api/groups/members/${first}/${user}`));

    assert.equal((await server().delete(`/api/groups/${second}`)).status, 200);
    assert.deepEqual((await server().get(`/api/user_groups/${user}`)).body, []);
    assert.equal((await server().delete(`/api/users/${other}`)).status, 200);
    assert.deepEqual((await server().get(`/api/groups/${first}/members`)).body, []);
    assertNotFound(await server().get(`/api/user_groups/${other}`));
  });
});
