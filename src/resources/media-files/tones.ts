import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { badRequest } from '../../http/errors.js';
import { Message } from '../../http/kit/types.js';

const SAMPLE_RATE = 8000;
const MAX_SEGMENTS = 16;
const MAX_SEGMENT_MS = 10_000;
const MAX_TOTAL_MS = 20_000;
const MAX_FREQUENCIES = 8;
/** `%(on,off,f1[,f2…])`: `on` ms of the frequencies summed, then `off` ms of silence. */
const SEGMENT = /^%\((\d+),(\d+)((?:,\d+(?:\.\d+)?)+)\)$/;

interface Segment {
  onMs: number;
  offMs: number;
  frequencies: number[];
}

/**
 * The `%(on,off,freq…)` segments of a tone_stream body, `;`-separated, as FreeSWITCH's teletone
 * reads them (the other teletone directives, volume and loops, are refused: no seeded tone has
 * them). A bad tone is a 400 naming `tone`.
 */
export function parseTone(tone: string): Segment[] {
  const parts = tone.split(';').filter((part) => part !== '');
  if (parts.length === 0 || parts.length > MAX_SEGMENTS) throw badRequest('tone', `must have 1 to ${MAX_SEGMENTS} segments %(on,off,freq…) separated by ;`);
  const segments = parts.map((part) => {
    const match = SEGMENT.exec(part);
    if (!match) throw badRequest('tone', `"${part}" is not a segment %(on_ms,off_ms,freq[,freq…])`);
    const frequencies = match[3]!.slice(1).split(',').map(Number);
    const [onMs, offMs] = [Number(match[1]), Number(match[2])];
    if (onMs > MAX_SEGMENT_MS || offMs > MAX_SEGMENT_MS) throw badRequest('tone', `durations are at most ${MAX_SEGMENT_MS} ms`);
    if (frequencies.length > MAX_FREQUENCIES || frequencies.some((hz) => hz >= SAMPLE_RATE / 2)) {
      throw badRequest('tone', `at most ${MAX_FREQUENCIES} frequencies, each below ${SAMPLE_RATE / 2} Hz`);
    }
    return { onMs, offMs, frequencies };
  });
  if (segments.reduce((sum, segment) => sum + segment.onMs + segment.offMs, 0) > MAX_TOTAL_MS) throw badRequest('tone', `lasts more than ${MAX_TOTAL_MS} ms`);
  return segments;
}

/** One pass of the tone as 8 kHz 16-bit mono PCM in a WAV file. */
export function renderTone(segments: readonly Segment[]): Buffer {
  const samples: number[] = [];
  for (const { onMs, offMs, frequencies } of segments) {
    const on = Math.round((onMs * SAMPLE_RATE) / 1000);
    const amplitude = frequencies.length > 0 ? 12_000 / frequencies.length : 0;
    for (let i = 0; i < on; i++) {
      samples.push(Math.round(frequencies.reduce((sum, hz) => sum + amplitude * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE), 0)));
    }
    for (let i = Math.round((offMs * SAMPLE_RATE) / 1000); i > 0; i--) samples.push(0);
  }
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, index) => data.writeInt16LE(sample, index * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * CherryPBX's players put a tone's body in the path as it is (`/api/tones/%(1000,4000,450)`): a
 * `%` that starts no percent-escape is taken literally there instead of refusing the URL.
 */
export function tonePathRewrite(url: string): string {
  return url.startsWith('/api/tones/') ? url.replace(/%(?![0-9A-Fa-f]{2})/g, '%25') : url;
}

export async function toneRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/tones/:tone', {
    schema: {
      tags: ['media_files'],
      summary: 'A tone_stream body (e.g. %(1000,4000,450)) rendered once as a WAV file, to listen to',
      params: Type.Object({ tone: Type.String({ maxLength: 1024 }) }),
      response: { 400: Message },
    },
  }, async (request, reply) => {
    const wav = renderTone(parseTone(request.params.tone));
    return reply.type('audio/wav').send(wav as never);
  });
}
