import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgres } from '../helpers/databases.js';
import { ADMIN_PASSWORD, twoServersOnPostgres } from '../helpers/harness.js';
import { eventually } from '../helpers/routing.js';

/** Two servers on one PostgreSQL database: a session is one session, whichever process answers. */
if (postgres.unavailable) console.log(`# skipped: ${postgres.unavailable}`);

describe('sessions across processes [postgres]', { skip: postgres.unavailable ?? false }, () => {
  const { a, b } = twoServersOnPostgres();

  test('a token from A works on B, and a logout through A ends it on B too', async () => {
    const login = await a().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null });
    const { token } = login.body;
    // B validates (and caches) the token before the logout.
    assert.equal((await b().get('/api/contexts', { token })).status, 200);
    assert.equal((await a().request('DELETE', '/api/sessions', undefined, { token })).status, 200);
    const refused = await eventually(async () => (await b().get('/api/contexts', { token })).status === 401, 3000);
    assert.ok(refused, 'B still accepted the token 3 s after the logout through A');
  });
});
