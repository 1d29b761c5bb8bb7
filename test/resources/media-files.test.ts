import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { assertBadRequest, assertFieldError, assertNotFound } from '../helpers/assertions.js';

const MEDIA_DIR = mkdtempSync(join(tmpdir(), 'switchboard-media-'));
const MAX_FILE_BYTES = 64 * 1024;
after(() => rmSync(MEDIA_DIR, { recursive: true, force: true }));

/** A real PCM WAV file: RIFF header, fmt chunk (8 kHz mono 16-bit), then `samples` of a square wave. */
function wav(samples = 800): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(i % 20 < 10 ? 8000 : -8000, i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** MPEG-1 layer III frames (128 kbit/s, 44.1 kHz) of silence, as an MP3 file starts. */
function mp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([frame, frame, frame]);
}

async function multipart(files: { name: string; content: Buffer; field?: string }[]): Promise<{ payload: Buffer; type: string }> {
  const form = new FormData();
  for (const file of files) form.append(file.field ?? 'file', new Blob([file.content]), file.name);
  const response = new Response(form);
  return { payload: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type')! };
}

async function upload(server: Harness, files: { name: string; content: Buffer; field?: string }[]) {
  const { payload, type } = await multipart(files);
  return server.request('POST', '/api/upload', payload as unknown as string, { headers: { 'content-type': type } });
}

const storedFiles = () => readdirSync(MEDIA_DIR).sort();

describeOnEachDatabase('media files', (server) => {
  test('an uploaded WAV is stored under MEDIA_DIR with a name the server chose, its display name sanitised', async () => {
    const content = wav();
    const reply = await upload(server(), [{ name: '../../etc/evil\u0007 name.wav', content }]);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const [row] = reply.body.data;
    assert.equal(row.name, 'evil name.wav');
    assert.equal(row.type, 'UPLOAD');
    assert.equal(row.ext, 'wav');
    assert.equal(row.mime, 'audio/wav');
    assert.equal(row.file_size, content.length);
    assert.match(row.file_name, /^[0-9a-f-]{36}\.wav$/);
    assert.equal(row.abs_path, join(MEDIA_DIR, row.file_name));
    assert.deepEqual(readFileSync(row.abs_path), content);
    assert.ok(!existsSync(join(MEDIA_DIR, '..', '..', 'etc', 'evil name.wav')));
    assert.deepEqual((await server().get(`/api/media_files/${row.id}`)).body, row);
  });

  test('several files in one upload, WAV and MP3 recognised by content whatever their names say', async () => {
    const reply = await upload(server(), [{ name: 'a.mp3', content: wav() }, { name: 'b.bin', content: mp3() }]);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body.data.map((row: { ext: string; mime: string }) => [row.ext, row.mime]), [['wav', 'audio/wav'], ['mp3', 'audio/mpeg']]);
  });

  test('uploads are atomic: one file that is not audio refuses all, naming it, and leaves no row and no file', async () => {
    const before = storedFiles();
    const count = (await server().get('/api/media_files?perPage=1')).body.rowCount;
    const notAudio = await upload(server(), [{ name: 'fine.wav', content: wav() }, { name: 'fake.wav', content: Buffer.from('#!/bin/sh\necho not audio\n') }]);
    assertBadRequest(notAudio, 'file.1');
    assert.match(notAudio.body.message, /fake\.wav/);
    const png = await upload(server(), [{ name: 'picture.wav', content: Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a30000000049454e44ae426082', 'hex') }]);
    assertBadRequest(png, 'file.0');
    assertBadRequest(await upload(server(), []), 'file');
    assertBadRequest(await upload(server(), [{ name: 'x.wav', content: wav(), field: 'other' }]), 'other');
    assertFieldError(await upload(server(), [{ name: 'big.wav', content: wav(MAX_FILE_BYTES) }]), 413, 'file');
    assertFieldError(await upload(server(), [{ name: 'ok.wav', content: wav() }, { name: 'big.wav', content: wav(MAX_FILE_BYTES) }]), 413, 'file');
    assertBadRequest(await server().request('POST', '/api/upload', '{"file":"x"}', { headers: { 'content-type': 'application/json' } }), 'content-type');
    assert.deepEqual(storedFiles(), before);
    assert.equal((await server().get('/api/media_files?perPage=1')).body.rowCount, count);
  });

  test('the file streams at /api/media_files/:id.:ext with its content type, and Range requests answer 206', async () => {
    const content = wav(2000);
    const [row] = (await upload(server(), [{ name: 'stream.wav', content }])).body.data;
    const whole = await server().app.inject({ method: 'GET', url: `/api/media_files/${row.id}.wav`, headers: { 'x-xtra-auth-id': server().token } });
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['content-type'], 'audio/wav');
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.deepEqual(whole.rawPayload, content);
    const part = await server().app.inject({ method: 'GET', url: `/api/media_files/${row.id}.wav`, headers: { 'x-xtra-auth-id': server().token, range: 'bytes=4-11' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 4-11/${content.length}`);
    assert.deepEqual(part.rawPayload, content.subarray(4, 12));
    const beyond = await server().app.inject({ method: 'GET', url: `/api/media_files/${row.id}.wav`, headers: { 'x-xtra-auth-id': server().token, range: `bytes=${content.length + 10}-` } });
    assert.equal(beyond.statusCode, 416);
    assertNotFound(await server().get(`/api/media_files/${row.id}.mp3`));
    assertNotFound(await server().get('/api/media_files/99999999.wav'));
    assert.equal((await server().get(`/api/media_files/${row.id}.wav`, { token: null })).status, 401);
  });

  test('the list pages and filters by type, types, q (name) and uuid; client=IVR lists playable files', async () => {
    const [row] = (await upload(server(), [{ name: 'filter-me.wav', content: wav() }])).body.data;
    const page = (await server().get('/api/media_files?page=1&perPage=2')).body;
    assert.equal(page.data.length, 2);
    assert.ok(page.rowCount >= 5 && page.pageCount === Math.ceil(page.rowCount / 2));
    assert.deepEqual((await server().get('/api/media_files?q=filter-me')).body.data.map((file: { id: number }) => file.id), [row.id]);
    assert.equal((await server().get('/api/media_files?type=RECORD')).body.rowCount, 0);
    assert.ok((await server().get('/api/media_files?types=SYSTEM,UPLOAD,TTS&hpack=false')).body.data.some((file: { id: number }) => file.id === row.id));
    assert.equal((await server().get('/api/media_files?uuid=no-such-call')).body.rowCount, 0);
    assert.ok((await server().get('/api/media_files?client=IVR&perPage=1000')).body.data.some((file: { id: number }) => file.id === row.id));
  });

  test('PUT changes name, description and type; DELETE removes the row and the file', async () => {
    const [row] = (await upload(server(), [{ name: 'edit.wav', content: wav() }])).body.data;
    const put = await server().put(`/api/media_files/${row.id}`, { name: 'Welcome', description: 'greeting', type: 'SYSTEM' });
    assert.deepEqual(put.body, { code: 200, message: 'success', data: String(row.id) });
    const edited = (await server().get(`/api/media_files/${row.id}`)).body;
    assert.deepEqual([edited.name, edited.description, edited.type, edited.file_name], ['Welcome', 'greeting', 'SYSTEM', row.file_name]);
    assertBadRequest(await server().put(`/api/media_files/${row.id}`, { name: '' }), 'name');
    assert.equal((await server().delete(`/api/media_files/${row.id}`)).status, 200);
    assertNotFound(await server().get(`/api/media_files/${row.id}`));
    assert.ok(!existsSync(row.abs_path));
    assertNotFound(await server().delete(`/api/media_files/${row.id}`));
  });

  test('scripts_list answers a bare array (no scripts: uploads are audio); multipart bodies are refused elsewhere', async () => {
    assert.deepEqual((await server().get('/api/media_files/scripts_list')).body, []);
    const { payload, type } = await multipart([{ name: 'x.wav', content: wav() }]);
    const elsewhere = await server().request('POST', '/api/contexts', payload as unknown as string, { headers: { 'content-type': type } });
    assert.equal(elsewhere.status, 415);
  });

  test('GET /api/tones/<tone> renders the tone once as a WAV, the body in the path as CherryPBX writes it (a bare %)', async () => {
    const inject = (url: string) => server().app.inject({ method: 'GET', url, headers: { 'x-xtra-auth-id': server().token } });
    const ring = await inject('/api/tones/%(1000,4000,450)');
    assert.equal(ring.statusCode, 200, ring.body);
    assert.equal(ring.headers['content-type'], 'audio/wav');
    const audio = ring.rawPayload;
    assert.equal(audio.toString('latin1', 0, 4), 'RIFF');
    assert.equal(audio.readUInt32LE(24), 8000);
    assert.equal(audio.length, 44 + 5 * 8000 * 2);
    const sample = (index: number) => audio.readInt16LE(44 + index * 2);
    let crossings = 0;
    for (let i = 1; i < 8000; i++) if ((sample(i - 1) < 0) !== (sample(i) < 0)) crossings++;
    assert.ok(Math.abs(crossings - 900) <= 4, `${crossings} sign changes in the first second of a 450 Hz tone`);
    for (let i = 8000; i < 5 * 8000; i += 97) assert.equal(sample(i), 0, `silence at sample ${i}`);
    const encoded = await inject(`/api/tones/${encodeURIComponent('%(400,200,383,417);%(400,2000,383,417)')}`);
    assert.equal(encoded.rawPayload.length, 44 + 3 * 8000 * 2);
    for (const tone of (await server().get('/api/dicts?realm=TONE')).body as { k: string; v: string }[]) {
      assert.equal((await inject(`/api/tones/${tone.v}`)).statusCode, 200, tone.k);
    }
    for (const bad of ['abc', '%(1000,4000)', '%(1,1,5000)', '%(99999,0,440)', 'v=-7;%(100,0,941)']) {
      assertBadRequest(await server().get(`/api/tones/${encodeURIComponent(bad)}`), 'tone', bad);
    }
    assert.equal((await server().get('/api/contexts/%zz')).status, 400);
  });

  test('regular delete (the media page): recordings older than the threshold go, with their files, at once when "true" and every hour after; prompts never; cancel stops it', async () => {
    const reply = await upload(server(), [{ name: 'old call.wav', content: wav() }, { name: 'old prompt.wav', content: wav() }, { name: 'new call.wav', content: wav() }]);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const [oldRecording, oldPrompt, newRecording] = reply.body.data as { id: number; abs_path: string }[];
    for (const row of [oldRecording!, newRecording!]) assert.equal((await server().put(`/api/media_files/${row.id}`, { type: 'RECORD' })).status, 200);
    // Setup only: no API makes a file four months old.
    const fourMonthsAgo = new Date(Date.now() - 120 * 24 * 3600 * 1000).toISOString();
    await server().app.db.kysely.updateTable('media_files').set({ created_at: fourMonthsAgo }).where('id', 'in', [oldRecording!.id, oldPrompt!.id]).execute();

    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Not Running' });
    const set = await server().delete('/api/media_files/regular/3Months/true');
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.deleted, 1);
    assertNotFound(await server().get(`/api/media_files/${oldRecording!.id}`));
    assert.ok(!existsSync(oldRecording!.abs_path));
    for (const kept of [oldPrompt!, newRecording!]) {
      assert.equal((await server().get(`/api/media_files/${kept.id}`)).status, 200);
      assert.ok(existsSync(kept.abs_path));
    }
    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Already Running' });
    assert.equal((await server().delete('/api/media_files/regular/1Year/false')).body.deleted, 0);

    assertFieldError(await server().delete('/api/media_files/regular/soon/true'), 400, 'threshold');
    assertFieldError(await server().delete('/api/media_files/regular/3Months/maybe'), 400, 'regular');
    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Already Running' });
    assert.equal((await server().delete('/api/media_files/cancel/regular')).status, 200);
    assert.deepEqual((await server().get('/api/check/clean-file')).body, { msg: 'Not Running' });
  });

  test('regular delete works through a backlog larger than one statement may bind (SQLite: 32,766 variables): 33,000 old recordings all go, and the answer counts them', async () => {
    // Setup only: no API makes tens of thousands of months-old recordings (a call centre's auto-recordings).
    const old = new Date(Date.now() - 400 * 24 * 3600 * 1000).toISOString();
    const db = server().app.db.kysely;
    const before = (await server().delete('/api/media_files/regular/1Year/false')).status;
    assert.equal(before, 200);
    for (let first = 0; first < 33_000; first += 500) {
      await db.insertInto('media_files').values(Array.from({ length: 500 }, (_, i) => ({
        type: 'AUTORECORD', name: `backlog ${first + i}`, description: '', file_name: `backlog-${first + i}.wav`, original_file_name: `backlog-${first + i}.wav`,
        ext: 'wav', mime: 'audio/wav', file_size: 44, channel_uuid: '', created_at: old, updated_at: old,
      }))).execute();
    }
    const sweep = await server().delete('/api/media_files/regular/1Year/true');
    assert.equal(sweep.status, 200, JSON.stringify(sweep.body));
    assert.ok(sweep.body.deleted >= 33_000, `deleted ${sweep.body.deleted}`);
    const left = await db.selectFrom('media_files').select((eb) => eb.fn.countAll<number>().as('count')).where('name', 'like', 'backlog %').executeTakeFirstOrThrow();
    assert.equal(Number(left.count), 0);
    assert.equal((await server().delete('/api/media_files/cancel/regular')).status, 200);
  });
}, { mediaDir: MEDIA_DIR, mediaMaxFileBytes: MAX_FILE_BYTES });
