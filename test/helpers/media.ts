import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Harness } from './harness.js';

/** A PCM WAV file of two silent samples (8 kHz mono, 16-bit). */
export const SILENT_WAV = Buffer.from([
  '52494646', '28000000', '57415645', // RIFF, 40 bytes follow, WAVE
  '666d7420', '10000000', '0100', '0100', '401f0000', '803e0000', '0200', '1000', // fmt: PCM, mono, 8000 Hz, 16000 B/s, 2 B/frame, 16 bits
  '64617461', '04000000', '00000000', // data: 4 bytes of silence
].join(''), 'hex');

/** A MEDIA_DIR of the test file's own, removed when its tests end. */
export function temporaryMediaDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-media-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Uploads SILENT_WAV as `name` through POST /api/upload; answers the media file row. */
export async function uploadWav(server: Harness, name = 'welcome.wav'): Promise<{ id: number; file_name: string }> {
  const form = new FormData();
  form.append('file', new Blob([SILENT_WAV]), name);
  const response = new Response(form);
  const reply = await server.request('POST', '/api/upload', Buffer.from(await response.arrayBuffer()) as unknown as string, {
    headers: { 'content-type': response.headers.get('content-type')! },
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.data[0];
}
