import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgres } from '../helpers/databases.js';
import { ADMIN_PASSWORD, Harness } from '../helpers/harness.js';
import { eventually } from '../helpers/routing.js';

/** Two servers on one PostgreSQL database: a session is one session, whichever process answers. */
if (postgres.unavailable) console.log(`# skipped: ${postgres.unavailable}`);

describe('sessions across processes [postgres]', { skip: postgres.unavailable ?? false }, () => {
  let first: Harness | undefined;
  let second: Harness | undefined;

  before(async () => {
    first = await Harness.start(postgres);
    second = await Harness.attach(first.database.url);
  });
  after(async () => {
    await second?.close();
    await first?.close();
  });

  test('a token from A works on B, and a logout through A ends it on B too', async () => {
    const login = await first!.request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null });
    const { token } = login.body;
    // B validates (and caches) the token before the logout.
    assert.equal((await second!.get('/api/contexts', { token })).status, 200);
    assert.equal((await first!.request('DELETE', '/api/sessions', undefined, { token })).status, 200);
    const refused = await eventually(async () => (await second!.get('/api/contexts', { token })).status === 401, 3000);
    assert.ok(refused, 'B still accepted the token 3 s after the logout through A');
  });
});
