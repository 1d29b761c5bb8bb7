import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgres } from '../helpers/databases.js';
import { twoServersOnPostgres, type Harness } from '../helpers/harness.js';
import { eventually } from '../helpers/routing.js';

/** Two servers on one PostgreSQL database: what an administrator does to a user through A holds on B at once. */
if (postgres.unavailable) console.log(`# skipped: ${postgres.unavailable}`);

const PASSWORD = 'multiprocess password';

describe('users across processes [postgres]', { skip: postgres.unavailable ?? false }, () => {
  const { a, b } = twoServersOnPostgres();

  /** A user created through A, logged in through A, whose token B has already validated and cached. */
  async function userSeenByB(login: string, fields: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
    const created = await a().post('/api/users', { login, password: PASSWORD, ...fields });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const session = await a().request('POST', '/api/sessions', { login, password: PASSWORD }, { token: null });
    const { token } = session.body;
    assert.equal((await b().get('/api/users/me', { token })).status, 200);
    return { id: created.body.data, token };
  }

  const refusedOnB = (url: string, token: string, status: number) =>
    eventually(async () => (await b().get(url, { token })).status === status, 3000);

  async function assertEndsOnB(change: (server: Harness, id: number) => Promise<{ status: number }>, login: string): Promise<void> {
    const { id, token } = await userSeenByB(login);
    assert.equal((await change(a(), id)).status, 200);
    assert.ok(await refusedOnB('/api/users/me', token, 401), `B still accepted the token of ${login} 3 s later`);
  }

  test('disabling a user through A ends their session on B', () =>
    assertEndsOnB((server, id) => server.put(`/api/users/${id}`, { disabled: true }), 'disabled-on-a'));

  test('deleting a user through A ends their session on B', () =>
    assertEndsOnB((server, id) => server.delete(`/api/users/${id}`), 'deleted-on-a'));

  test('a new password set through A ends the user\'s session on B', () =>
    assertEndsOnB((server, id) => server.put(`/api/users/${id}`, { password: 'another password' }), 'reset-on-a'));

  test('an administrator demoted through A loses the role on B at once', async () => {
    const { id, token } = await userSeenByB('demoted-on-a', { is_super: 1 });
    assert.equal((await b().get('/api/contexts', { token })).status, 200);
    assert.equal((await a().put(`/api/users/${id}`, { is_super: 0 })).status, 200);
    assert.ok(await refusedOnB('/api/contexts', token, 403), 'B still served the demoted user 3 s later');
    assert.equal((await b().get('/api/users/me', { token })).status, 200);
  });
});
