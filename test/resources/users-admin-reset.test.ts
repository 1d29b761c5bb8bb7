import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, describeOnEachDatabase } from '../helpers/harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The command as `npm run admin:reset-password` runs it, minus the build step. */
function resetAdminPassword(databaseUrl: string, password: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/reset-admin-password.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, ADMIN_PASSWORD: password },
    encoding: 'utf8',
  });
}

describeOnEachDatabase('admin:reset-password is the way back in', (server) => {
  test('an admin another administrator demoted and disabled is an enabled administrator again', async () => {
    const created = await server().post('/api/users', { login: 'second-admin', password: 'second admin password', is_super: 1 });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const second = await server().request('POST', '/api/sessions', { login: 'second-admin', password: 'second admin password' }, { token: null });
    const demoted = await server().request('PUT', '/api/users/1', { is_super: 0, disabled: 1 }, { token: second.body.token });
    assert.equal(demoted.status, 200, JSON.stringify(demoted.body));
    assert.equal((await server().request('POST', '/api/sessions', { login: 'admin', password: ADMIN_PASSWORD }, { token: null })).status, 403);

    const reset = resetAdminPassword(server().database.url, 'back-in-password');
    assert.equal(reset.status, 0, reset.stderr);
    const login = await server().request('POST', '/api/sessions', { login: 'admin', password: 'back-in-password' }, { token: null });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.super_admin, 1);
  });
});
