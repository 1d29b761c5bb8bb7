import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { assertBadRequest, assertConflict, createdId } from '../helpers/assertions.js';
import { temporaryMediaDir, uploadWav as uploadRow } from '../helpers/media.js';

const MEDIA_DIR = temporaryMediaDir();

interface File { id: number; name: string; abs_path: string; ext: string }

const uploadWav = async (server: Harness, name: string) => await uploadRow(server, name) as unknown as File;

const media = (file: { id: number | string }, media_path = '/sounds/picked.wav') => JSON.stringify({ media_id: file.id, media_path, media_type: 'UPLOAD' });

/** The delete is refused naming `referrer`, and the file is still listed and served. */
async function assertKept(server: Harness, file: File, referrer: string): Promise<void> {
  const reply = await server.delete(`/api/media_files/${file.id}`);
  assertConflict(reply, 'id');
  assert.equal(reply.body.message, `id: media file "${file.name}" (id ${file.id}) is played by ${referrer}`);
  assert.equal((await server.get(`/api/media_files/${file.id}`)).status, 200);
  assert.equal((await server.get(`/api/media_files/${file.id}.${file.ext}`)).status, 200);
  assert.ok(existsSync(file.abs_path));
}

async function assertDeleted(server: Harness, file: File): Promise<void> {
  const reply = await server.delete(`/api/media_files/${file.id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal((await server.get(`/api/media_files/${file.id}`)).status, 404);
  assert.ok(!existsSync(file.abs_path));
}

describeOnEachDatabase('media files still played are not deleted', (server) => {
  test('every IVR sound field naming a file by id (number or string) keeps it until the field changes', async () => {
    const file = await uploadWav(server(), 'greeting.wav');
    for (const [index, column] of ['greet_long', 'greet_short', 'invalid_sound', 'exit_sound', 'transfer_sound', 'pin_file', 'bad_pin_file'].entries()) {
      const id = createdId(await server().post('/api/ivrs', { name: `sounds ${column}`, [column]: media(index % 2 === 0 ? file : { id: String(file.id) }) }));
      await assertKept(server(), file, `IVR "sounds ${column}" (id ${id})`);
      assert.equal((await server().put(`/api/ivrs/${id}`, { [column]: '/sounds/other.wav' })).status, 200);
    }
    await assertDeleted(server(), file);
  });

  test('an IVR_PLAY entry naming the file by bare id (CherryPBX) or by JSON keeps it until the entry goes', async () => {
    const file = await uploadWav(server(), 'menu.wav');
    const ivr = createdId(await server().post('/api/ivrs', { name: 'player' }));
    const bare = createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '1', action: 'IVR_PLAY', args: String(file.id) }));
    await assertKept(server(), file, `action ${bare} of IVR "player" (id ${ivr})`);
    assert.equal((await server().delete(`/api/ivrs/${ivr}/actions/${bare}`)).status, 200);
    const json = createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '2', action: 'IVR_PLAY', args: media(file) }));
    await assertKept(server(), file, `action ${json} of IVR "player" (id ${ivr})`);
    assert.equal((await server().put(`/api/ivrs/${ivr}/actions/${json}`, { args: '/sounds/other.wav' })).status, 200);
    await assertDeleted(server(), file);
  });

  test('a bare id with leading zeros is stored as the id, so it is found; an id naming no file is a 400', async () => {
    const file = await uploadWav(server(), 'zeros.wav');
    const ivr = createdId(await server().post('/api/ivrs', { name: 'zeros' }));
    const action = createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '1', action: 'IVR_PLAY', args: `00${file.id}` }));
    assert.equal((await server().get(`/api/ivrs/${ivr}/actions/${action}`)).body[0].args, String(file.id));
    await assertKept(server(), file, `action ${action} of IVR "zeros" (id ${ivr})`);
    assertBadRequest(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '2', action: 'IVR_PLAY', args: String(file.id + 1000) }), 'args');
  });

  test('id 1 is not id 12 (the first id n is not n*10+2): only the exact id refers, and tones carrying an id never do', async () => {
    const one = await uploadWav(server(), 'one.wav');
    // Uploads until an id whose digits start with the first's (1 and 12, 7 and 72).
    const twelve = one.id * 10 + 2;
    const byId = new Map<number, File>();
    while (!byId.has(twelve)) {
      const file = await uploadWav(server(), `n${byId.size}.wav`);
      byId.set(file.id, file);
    }
    const ivr = createdId(await server().post('/api/ivrs', { name: 'near ids', greet_long: media({ id: twelve }), greet_short: media(one, 'tone_stream://%(200,0,800)') }));
    createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '1', action: 'IVR_PLAY', args: String(twelve) }));
    createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '2', action: 'IVR_PLAY', args: media({ id: `${twelve}` }) }));
    await assertDeleted(server(), one);
    await assertKept(server(), byId.get(twelve)!, `IVR "near ids" (id ${ivr})`);
  });

  test('the regular delete of old recordings keeps a recording an IVR plays', async () => {
    const played = await uploadWav(server(), 'played call.wav');
    const unused = await uploadWav(server(), 'unused call.wav');
    for (const file of [played, unused]) assert.equal((await server().put(`/api/media_files/${file.id}`, { type: 'RECORD' })).status, 200);
    // Setup only: no API makes a file four months old.
    const fourMonthsAgo = new Date(Date.now() - 120 * 24 * 3600 * 1000).toISOString();
    await server().app.db.kysely.updateTable('media_files').set({ created_at: fourMonthsAgo }).where('id', 'in', [played.id, unused.id]).execute();
    const ivr = createdId(await server().post('/api/ivrs', { name: 'plays a recording' }));
    createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '1', action: 'IVR_PLAY', args: String(played.id) }));

    const sweep = await server().delete('/api/media_files/regular/3Months/true');
    assert.equal(sweep.status, 200, JSON.stringify(sweep.body));
    assert.equal(sweep.body.deleted, 1);
    assert.equal((await server().get(`/api/media_files/${unused.id}`)).status, 404);
    assert.equal((await server().get(`/api/media_files/${played.id}`)).status, 200);
    assert.ok(existsSync(played.abs_path));
    await server().delete('/api/media_files/cancel/regular');
  });
}, { mediaDir: MEDIA_DIR });
