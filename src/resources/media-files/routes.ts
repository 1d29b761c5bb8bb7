import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import send from '@fastify/send';
import { fileTypeFromFile } from 'file-type';
import { Type } from 'typebox';
import type { Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import { HttpError, badRequest, conflict, notFound } from '../../http/errors.js';
import { defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { ChangedEnvelope, PageOf, changed } from '../../http/kit/envelopes.js';
import { ListQuery, containsText, listPage, type ListRules } from '../../http/kit/listing.js';
import { Id, IdParams, Message, Text } from '../../http/kit/types.js';
import { mediaCleanupRoutes } from './cleanup.js';
import { toneRoutes } from './tones.js';

export interface MediaOptions {
  /** MEDIA_DIR: every media file lives directly in it, under a name the server chose. */
  mediaDir: string;
  /** Largest file an upload may carry, in bytes. */
  maxFileBytes: number;
}

/** The audio a switch plays, recognised by content; the extension and content type are ours, never the client's. */
const AUDIO: Readonly<Record<string, { ext: string; mime: string }>> = {
  wav: { ext: 'wav', mime: 'audio/wav' },
  mp3: { ext: 'mp3', mime: 'audio/mpeg' },
};
const MAX_FILES_PER_UPLOAD = 20;
/** A stored file's name: server-chosen, so no path a client sends can reach the disk. */
const STORED_NAME = /^[0-9a-f-]{36}\.(wav|mp3)$/;

const MediaRow = Type.Object({
  id: Type.Integer(),
  type: Type.String({ description: 'one of dicts MFILE_TYPE' }),
  name: Type.String(),
  description: Type.String(),
  file_name: Type.String(),
  original_file_name: Type.String(),
  ext: Type.String(),
  mime: Type.String(),
  file_size: Type.Integer({ description: 'bytes' }),
  abs_path: Type.String({ description: 'the path a switch plays' }),
  rel_path: Type.String({ description: 'the path under MEDIA_DIR' }),
  channel_uuid: Type.String({ description: 'the call a recording is of, or ""' }),
  created_at: Type.String(),
  updated_at: Type.String(),
  deleted_at: Type.String(),
});

const MediaListQuery = Type.Object({
  ...ListQuery.properties,
  type: Type.Optional(Type.String({ description: 'only this type' })),
  types: Type.Optional(Type.String({ description: 'only these types, comma-separated' })),
  q: Type.Optional(Type.String({ description: 'substring of the name' })),
  uuid: Type.Optional(Type.String({ description: 'recordings of this call (channel uuid)' })),
  client: Type.Optional(Type.String({ description: 'accepted for CherryPBX (IVR): every media file here is playable audio' })),
  hpack: Type.Optional(Type.String({ description: 'accepted for CherryPBX' })),
});

const MediaUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  description: Type.Optional(Text()),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

const listing: ListRules<'media_files'> = {
  sortable: ['id', 'name', 'type', 'file_size', 'created_at'],
  searchable: ['name', 'description', 'original_file_name'],
  defaultSort: 'id',
  defaultOrder: 'desc',
  filters: { type: { column: 'type', match: 'exact' }, uuid: { column: 'channel_uuid', match: 'exact' } },
};

/** A file in a client's words, as a refused delete names it. */
export const describeMedia = (row: Pick<Row<'media_files'>, 'id' | 'name'>) => `media file "${row.name}" (id ${row.id})`;

/** A row on the wire, with the path a switch plays it from. */
const wire = (mediaDir: string, row: Row<'media_files'>) => ({ ...defaultWire(row), abs_path: join(mediaDir, row.file_name), rel_path: row.file_name });

/** A client's file name as a display name: its last path part, printable, at most 255 characters. */
function displayName(fileName: string): string {
  const last = basename(fileName.replaceAll('\\', '/'));
  // eslint-disable-next-line no-control-regex
  const printable = last.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return Array.from(printable).slice(0, 255).join('') || 'upload';
}

export async function mediaFileRoutes(parent: FastifyInstance, options: MediaOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { mediaDir } = options;
  const tags = ['media_files'];
  const pathOf = (row: Pick<Row<'media_files'>, 'file_name'>) => join(mediaDir, row.file_name);
  const toWire = (row: Row<'media_files'>) => wire(mediaDir, row);

  app.get('/api/media_files', {
    schema: { tags, summary: 'List media files', querystring: MediaListQuery, response: { 200: PageOf(MediaRow) } },
  }, async (request) => {
    const { types, q } = request.query;
    const wanted = types?.split(',').map((type) => type.trim()).filter(Boolean) ?? [];
    const page = await listPage(app.db.kysely, app.db.dialect, 'media_files', request.query, listing, (qb) => {
      let narrowed = wanted.length > 0 ? qb.where('type', 'in', wanted) : qb;
      if (q) narrowed = narrowed.where(containsText(app.db.dialect, 'name', q));
      return narrowed;
    });
    return { ...page, data: page.data.map(toWire) };
  });

  // Scripts are not media Switchboard accepts (uploads are audio): the route param picker gets none.
  app.get('/api/media_files/scripts_list', {
    schema: { tags, summary: 'Uploaded scripts (none: uploads are audio only)', response: { 200: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), abs_path: Type.String() })) } },
  }, async () => []);

  app.get('/api/media_files/:id', {
    schema: { tags, summary: 'Get a media file', params: IdParams, response: { 200: MediaRow, 404: Message } },
  }, async (request) => toWire(await findById(app.db.kysely, 'media_files', request.params.id)));

  app.get('/api/media_files/:id.:ext', {
    schema: {
      tags,
      summary: 'The file itself, with its content type; Range requests are answered 206',
      params: Type.Object({ id: Id, ext: Type.String({ maxLength: 8 }) }),
    },
  }, async (request, reply) => {
    const row = await findById(app.db.kysely, 'media_files', request.params.id);
    if (row.ext !== request.params.ext || !STORED_NAME.test(row.file_name)) throw notFound();
    const sent = await send(request.raw, row.file_name, { root: mediaDir, acceptRanges: true, contentType: false, dotfiles: 'deny', index: false });
    if (sent.type === 'error') throw sent.statusCode === 404 ? notFound() : new HttpError(sent.statusCode, `range: ${sent.metadata.error.message}`);
    reply.status(sent.statusCode).headers(sent.headers).header('content-type', row.mime);
    return reply.send(sent.stream);
  });

  app.put('/api/media_files/:id', {
    schema: { tags, summary: "Change a media file's name, description or type", params: IdParams, body: MediaUpdate, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    await app.writes.run(async (scope) => {
      await lockedById(scope, 'media_files', request.params.id);
      await scope.trx.updateTable('media_files').set({ ...request.body, updated_at: storedNow() }).where('id', '=', request.params.id).execute();
    });
    return changed(request.params.id);
  });

  app.delete('/api/media_files/:id', {
    schema: { tags, summary: 'Delete a media file and its file', params: IdParams, response: { 200: ChangedEnvelope, 404: Message, 409: Message } },
  }, async (request) => {
    const row = await app.writes.run(async (scope) => {
      // Locked for update: a write adding a reference holds the file for share, so it either
      // committed before (and is found here) or waits and then finds no file (400).
      const existing = await lockedById(scope, 'media_files', request.params.id);
      const referrer = await app.references.referrerOf(scope, 'media_files', existing);
      if (referrer) throw conflict('id', `${describeMedia(existing)} is played by ${referrer}`);
      await scope.trx.deleteFrom('media_files').where('id', '=', existing.id).execute();
      return existing;
    });
    // After commit: a rolled-back delete keeps its file. A file that will not go is only logged.
    await rm(pathOf(row), { force: true }).catch((error: unknown) => request.log.error(`media file ${row.file_name} not removed: ${(error as Error).message}`));
    return changed(row.id);
  });

  await app.register(uploadRoute, options);
  await app.register(toneRoutes);
  await app.register(mediaCleanupRoutes, { mediaDir });
}

interface Received {
  incoming: string;
  original: string;
  size: number;
}

/** Writes every file part to its own new file under `dir`; removes them all if any fails or is too large. */
async function receiveFiles(request: FastifyRequest, dir: string, maxFileBytes: number): Promise<Received[]> {
  const received: Received[] = [];
  try {
    for await (const part of request.files({ limits: { fileSize: maxFileBytes, files: MAX_FILES_PER_UPLOAD } })) {
      if (part.fieldname !== 'file') throw badRequest(part.fieldname, 'unexpected file field; send the files as "file"');
      const incoming = join(dir, `.incoming-${randomUUID()}`);
      received.push({ incoming, original: part.filename, size: 0 });
      await pipeline(part.file, createWriteStream(incoming, { flags: 'wx' }));
      if (part.file.truncated) throw new HttpError(413, `file: larger than ${maxFileBytes} bytes`);
      received[received.length - 1]!.size = part.file.bytesRead;
    }
  } catch (error) {
    await Promise.all(received.map((file) => rm(file.incoming, { force: true })));
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, `file: larger than ${maxFileBytes} bytes`);
    if (code === 'FST_FILES_LIMIT') throw badRequest('file', `at most ${MAX_FILES_PER_UPLOAD} files per upload`);
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw badRequest('content-type', 'send multipart/form-data');
    if (error instanceof HttpError) throw error;
    throw badRequest('body', `not a readable multipart upload (${(error as Error).message})`);
  }
  return received;
}

/** `POST /api/upload`, with the multipart parser of its own: no other route takes multipart bodies. */
async function uploadRoute(parent: FastifyInstance, options: MediaOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(multipart);
  const { mediaDir, maxFileBytes } = options;

  app.post('/api/upload', {
    schema: {
      tags: ['media_files'],
      summary: 'Upload audio files (multipart, field "file", repeatable): all are stored or none',
      description: `WAV or MP3, recognised by content; at most ${MAX_FILES_PER_UPLOAD} files of ${maxFileBytes} bytes each. Stored under MEDIA_DIR with names the server chooses.`,
      consumes: ['multipart/form-data'],
      response: { 200: Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(MediaRow) }) },
    },
  }, async (request) => {
    await mkdir(mediaDir, { recursive: true });
    const received = await receiveFiles(request, mediaDir, maxFileBytes);
    const placed: string[] = [];
    try {
      if (received.length === 0) throw badRequest('file', 'no file in the upload');
      const files: (Received & { ext: string; mime: string; fileName: string })[] = [];
      for (const [index, file] of received.entries()) {
        const detected = await fileTypeFromFile(file.incoming);
        const audio = detected ? AUDIO[detected.ext] : undefined;
        if (!audio) throw badRequest(`file.${index}`, `"${displayName(file.original)}" is not WAV or MP3 audio${detected ? ` (it is ${detected.mime})` : ''}`);
        files.push({ ...file, ...audio, fileName: `${randomUUID()}.${audio.ext}` });
      }
      const rows = await app.writes.run(async (scope) => {
        const now = storedNow();
        const inserted = [];
        for (const file of files) {
          inserted.push(await scope.trx.insertInto('media_files').values({
            type: 'UPLOAD', name: displayName(file.original), description: '', file_name: file.fileName,
            original_file_name: displayName(file.original), ext: file.ext, mime: file.mime, file_size: file.size,
            channel_uuid: '', created_at: now, updated_at: now,
          }).returningAll().executeTakeFirstOrThrow());
        }
        // Moved into place inside the transaction: a failed move rolls the rows back.
        for (const file of files) {
          await rename(file.incoming, join(mediaDir, file.fileName));
          placed.push(join(mediaDir, file.fileName));
        }
        return inserted;
      });
      return { code: 200, message: 'success', data: rows.map((row) => wire(mediaDir, row)) };
    } catch (error) {
      // Nothing of a refused or failed upload stays: neither its rows (rolled back) nor its files.
      await Promise.all([...received.map((file) => file.incoming), ...placed].map((path) => rm(path, { force: true })));
      throw error;
    }
  });
}
