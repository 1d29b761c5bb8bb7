import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The command as `npm run admin:reset-password` runs it, minus the build step. */
function resetPassword(env: Record<string, string>) {
  const base = { ...process.env };
  delete base.ADMIN_PASSWORD;
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/reset-admin-password.ts'], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' });
}

test('admin:reset-password sets a new admin password while the server runs, and ends the old sessions', async () => {
  const databaseUrl = join(dir, 'db.sqlite');
  const server = await start({ DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'First-Password-1' });
  let oldToken = '';
  try {
    oldToken = await server.tokenFor('First-Password-1');
    const generated = resetPassword({ DATABASE_URL: databaseUrl });
    assert.equal(generated.status, 0, generated.stderr);
    const password = /the password of admin is now (\S+) \(shown once\)/.exec(generated.stdout)?.[1];
    assert.ok(password, generated.stdout);
    assert.equal((await server.login('First-Password-1')).status, 403, 'the old password no longer works');
    assert.ok(await server.tokenFor(password), 'the printed one does');

    const chosen = resetPassword({ DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'Chosen-Password-2' });
    assert.equal(chosen.status, 0, chosen.stderr);
    assert.doesNotMatch(chosen.stdout, /Chosen-Password-2/, 'a chosen password is never printed');
    assert.ok(await server.tokenFor('Chosen-Password-2'));
  } finally {
    await server.stop();
  }
  // A running server may trust a token it validated for up to 30 s (SQLite has no change feed to
  // tell it sooner); the session itself is gone, as a restarted server shows.
  const again = await start({ DATABASE_URL: databaseUrl });
  try {
    const stale = await fetch(again.url('/api/contexts'), { headers: { 'x-xtra-auth-id': oldToken } });
    assert.equal(stale.status, 401);
  } finally {
    await again.stop();
  }
});

test('admin:reset-password on an unusable database says so in one line and exits 1', () => {
  const result = resetPassword({ DATABASE_URL: dir });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^cannot reset the admin password: .+\n$/);
});
