import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HttpError, badRequest } from '../../http/errors.js';
import { assertSelfOrAdmin } from '../../http/auth.js';
import { defaultWire, findById } from '../../http/kit/crud.js';
import { ChangedEnvelope, CreatedEnvelope, PageOf, changed, created } from '../../http/kit/envelopes.js';
import { ListQuery, SheetReply, asSheet, exportDescription, exportPage, listPage, listQueryWithFilters, pageOfRows, type ListRules } from '../../http/kit/listing.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { hashPassword, verifyPassword } from '../sessions/passwords.js';
import type { LoginThrottle } from '../sessions/throttle.js';
import {
  ChangePassword, ExtensionLeave, UserCreate, UserExtensionRow, UserListQuery, UserRow, UserUpdate, UsersBatchUpdate, UsersImport,
} from './schema.js';
import { UserStore, wireRows, type Actor } from './store.js';

const listing: ListRules<'users'> = {
  sortable: ['id', 'login', 'name', 'type', 'domain', 'super_admin', 'disabled', 'last_login_at', 'created_at', 'updated_at'],
  searchable: ['login', 'name', 'domain', 'tel'],
  defaultSort: 'id',
  filters: {
    login: { column: 'login', match: 'contains' },
    name: { column: 'name', match: 'contains' },
    type: { column: 'type', match: 'exact' },
  },
};

/**
 * The columns of an export, in order: the header row CherryPBX turns into a spreadsheet, and the
 * keys its import sends back. `id` leads (CherryPBX sorts on the first column) and is ignored on
 * import; no password is exported, so an imported row must bring one.
 */
const EXPORT_COLUMNS = ['id', 'login', 'name', 'type', 'domain', 'tel', 'extn', 'is_super', 'disabled', 'last_login_at'] as const;

const ListUsersQuery = Type.Object({ ...listQueryWithFilters(listing).properties, ...UserListQuery });
const ExportQuery = Type.Object({
  ...ListUsersQuery.properties,
  language: Type.Optional(Type.String({ description: 'accepted for CherryPBX; the header row is the field names in every language, so that an export imports back' })),
  fileType: Type.Optional(Type.String({ description: 'accepted for CherryPBX, which builds the file itself' })),
});

const actorOf = (request: FastifyRequest): Actor => ({ id: request.user!.id, token: request.token! });

/** What every logged-in user may call; everything else here is for administrators (auth.ts). */
const anyUser = { access: 'user' } as const;

export async function userRoutes(parent: FastifyInstance, options: { throttle: LoginThrottle; defaultDomain: string }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['users'];
  const db = app.db.kysely;
  const store = new UserStore(app.writes, options.defaultDomain);
  const wireUser = async (id: number) => (await wireRows(db, [await findById(db, 'users', id)]))[0]!;

  // CherryPBX's extension page shows the owner by login in a required field of the section that
  // edits the extension's name, password and context: without it that section never saves.
  app.extensionDetails.contributeFields(async (trx, extension) => {
    const owner = extension.user_id === null ? undefined : await trx.selectFrom('users').select('login').where('id', '=', extension.user_id).executeTakeFirst();
    return { login: owner?.login ?? '' };
  });

  app.get('/api/users', {
    schema: { tags, summary: 'List users (never a password)', querystring: ListUsersQuery, response: { 200: PageOf(UserRow) } },
  }, async (request) => {
    const page = await listPage(db, app.db.dialect, 'users', request.query as ListQuery & Record<string, unknown>, listing);
    return { ...page, data: await wireRows(db, page.data) };
  });

  app.get('/api/users/me', {
    config: anyUser,
    schema: { tags, summary: 'The user of this session', response: { 200: UserRow } },
  }, async (request) => wireUser(request.user!.id));

  app.get('/api/users/download', {
    schema: {
      tags,
      summary: 'Export users as rows of cells (a header row of field names, then one row per user by id); no secrets',
      description: exportDescription('users'),
      querystring: ExportQuery,
      response: { 200: SheetReply },
    },
  }, async (request) => {
    const page = await exportPage(db, app.db.dialect, 'users', request.query, listing);
    return asSheet(EXPORT_COLUMNS, await wireRows(db, page.data));
  });

  app.post('/api/users/import', {
    schema: {
      tags,
      summary: 'Import users (all or nothing): {"users":[rows as exported, each with a password]}',
      description: 'Every row creates a user with the checks of a single create; a refused row answers 4xx naming it, `users.<index>.<field>: <problem>`, and nothing is imported. The answer lists the created users.',
      body: UsersImport,
      response: { 200: Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(UserRow) }) },
    },
  }, async (request) => {
    const rows = await store.create(request.body.users, true);
    return { code: 200, message: 'success', data: await wireRows(db, rows) };
  });

  app.put('/api/users/change_password', {
    config: anyUser,
    schema: {
      tags,
      summary: 'Change the password of this session\'s user',
      description: 'A wrong `old_password` is a 400 naming it, and counts as a failed login of this user (too many: 429). The user\'s other sessions end; this one stays.',
      body: ChangePassword,
      response: { 200: ChangedEnvelope, 400: Message, 429: Message },
    },
  }, async (request, reply) => {
    const { login, id } = request.user!;
    const wait = await options.throttle.retryAfter(login, request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new HttpError(429, `too many wrong passwords; try again in ${wait} s`);
    }
    const { password_hash: stored } = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow();
    if (!(await verifyPassword(request.body.old_password, stored))) {
      await options.throttle.failed(login, request.ip);
      throw badRequest('old_password', 'is not the current password');
    }
    await options.throttle.succeeded(login, request.ip);
    await store.setOwnPassword(actorOf(request), await hashPassword(request.body.password));
    return changed(id);
  });

  app.put('/api/users', {
    schema: { tags, summary: 'Set the type of many users: {"type","username":[ids]}', body: UsersBatchUpdate, response: { 200: Message } },
  }, async (request) => {
    await store.setType(request.body.username, request.body.type);
    return { code: 200, message: 'success' };
  });

  app.post('/api/users', {
    schema: { tags, summary: 'Create a user', body: UserCreate, response: { 200: CreatedEnvelope } },
  }, async (request) => {
    const [row] = await store.create([request.body], false);
    return created(row!.id);
  });

  app.get('/api/users/:id', {
    config: anyUser,
    schema: { tags, summary: 'One user (an ordinary user: only their own)', params: IdParams, response: { 200: UserRow, 404: Message } },
  }, async (request) => {
    assertSelfOrAdmin(request, request.params.id);
    return wireUser(request.params.id);
  });

  app.put('/api/users/:id', {
    schema: {
      tags,
      summary: 'Update a user; {"action":"toggle","extn_id":N} makes N the default extension',
      description: 'Disabling a user, or giving them a new password, ends their sessions in every process at once. Nobody can disable themselves or take away their own administrator role, and the last enabled administrator stays one (409).',
      params: IdParams,
      body: UserUpdate,
      response: { 200: ChangedEnvelope, 404: Message },
    },
  }, async (request) => {
    await store.update(request.params.id, request.body, actorOf(request));
    return changed(request.params.id);
  });

  app.delete('/api/users/:id', {
    schema: {
      tags,
      summary: 'Delete a user: their sessions end everywhere, their extensions become nobody\'s',
      description: 'Nobody can delete themselves, nor the last enabled administrator (409).',
      params: IdParams,
      response: { 200: ChangedEnvelope, 404: Message },
    },
  }, async (request) => {
    await store.delete(request.params.id, actorOf(request));
    return changed(request.params.id);
  });

  app.get('/api/users/:id/extensions', {
    config: anyUser,
    schema: {
      tags,
      summary: 'The extensions the user owns (an ordinary user: only their own)',
      params: IdParams,
      querystring: Type.Object({ page: ListQuery.properties.page, perPage: ListQuery.properties.perPage }),
      response: { 200: PageOf(UserExtensionRow), 404: Message },
    },
  }, async (request) => {
    assertSelfOrAdmin(request, request.params.id);
    const user = await findById(db, 'users', request.params.id);
    const extensions = await db.selectFrom('extensions')
      .select(['id', 'extn', 'domain', 'name', 'context', 'cid_name', 'cid_number', 'type', 'disabled', 'user_id', 'created_at', 'updated_at'])
      .where('user_id', '=', user.id)
      .orderBy('id')
      .execute();
    const rows = extensions.map((row) => ({ ...defaultWire(row), user_id: user.id }));
    return pageOfRows(rows, request.query);
  });

  app.post('/api/users/:id/extns/leave', {
    schema: {
      tags,
      summary: 'The user gives up one of their extensions: {"extn_id"}',
      params: IdParams,
      body: ExtensionLeave,
      response: { 200: ChangedEnvelope, 404: Message },
    },
  }, async (request) => {
    await store.releaseExtension(request.params.id, request.body.extn_id);
    return changed(request.body.extn_id);
  });
}
