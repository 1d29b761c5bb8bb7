import type { Kysely } from 'kysely';
import type { Static } from 'typebox';
import type { Database, NewRow, Row, RowPatch } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WritePath, WriteScope } from '../../db/write-path.js';
import { HttpError, badRequest, conflict } from '../../http/errors.js';
import { assertAllHeld, assertValueFree, lockedById } from '../../http/kit/crud.js';
import { wireTime } from '../../http/kit/time.js';
import { createExtension } from '../extensions/routes.js';
import { hashPassword } from '../sessions/passwords.js';
import { SESSION_TOPIC, endSessions } from '../sessions/store.js';
import { defaultExtensions, type DefaultExtension } from './default-extension.js';
import type { UserCreate, UserUpdate } from './schema.js';

export type NewUserInput = Static<typeof UserCreate>;
export type UserPatchInput = Static<typeof UserUpdate>;

/** Who is asking: the session's user and token (their own session survives their password change). */
export interface Actor {
  id: number;
  token: string;
}

function toWire(row: Row<'users'>, extension: DefaultExtension | undefined) {
  return {
    id: row.id,
    login: row.login,
    name: row.name,
    type: row.type,
    domain: row.domain,
    tel: row.tel,
    is_super: String(row.super_admin),
    disabled: row.disabled,
    extn: extension?.extn ?? '',
    extn_id: extension?.id ?? null,
    last_login_at: wireTime(row.last_login_at),
    created_at: wireTime(row.created_at),
    updated_at: wireTime(row.updated_at),
    deleted_at: '',
  };
}

export async function wireRows(db: Kysely<Database>, rows: readonly Row<'users'>[]) {
  const defaults = await defaultExtensions(db, rows);
  return rows.map((row) => toWire(row, defaults.get(row.id)));
}

/** Extensions name their boss's secretary by login (CherryPBX's extension page): it follows the user. */
async function renameSecretary(scope: WriteScope, login: string, renamed: string): Promise<void> {
  await scope.trx.updateTable('extensions').set({ secretary_extn: renamed, updated_at: storedNow() }).where('secretary_extn', '=', login).execute();
}

const describeUser = (user: Pick<Row<'users'>, 'id' | 'login'>) => `user "${user.login}" (id ${user.id})`;

/** Names a refusal inside one row of an import: `users.<index>.<field>: <problem>`. */
function inRow<T>(index: number | undefined, work: () => Promise<T>): Promise<T> {
  if (index === undefined) return work();
  return work().catch((error: unknown) => {
    throw error instanceof HttpError ? new HttpError(error.statusCode, `users.${index}.${error.message}`, error.data) : error;
  });
}

/**
 * The extension numbered `extn`, held until commit, which must be nobody's or already `userId`'s.
 * Numbers are unique per domain only: a number used in several domains is refused as ambiguous.
 */
async function claimableExtension(scope: WriteScope, extn: string, userId?: number): Promise<number | null> {
  const matches = await scope.trx.selectFrom('extensions').select('id').where('extn', '=', extn).limit(2).execute();
  if (matches.length === 0) return null;
  if (matches.length > 1) throw badRequest('extn', `"${extn}" is an extension in several domains; give the user one by its extn_id`);
  const extension = (await scope.lock('extensions', 'id', matches[0]!.id, 'update'))!;
  await assertNotOthers(scope, extension, 'extn', userId);
  return extension.id;
}

async function assertNotOthers(scope: WriteScope, extension: Row<'extensions'>, field: string, userId?: number): Promise<void> {
  if (extension.user_id === null || extension.user_id === userId) return;
  const owner = await scope.trx.selectFrom('users').select(['id', 'login']).where('id', '=', extension.user_id).executeTakeFirstOrThrow();
  throw conflict(field, `extension ${extension.extn} belongs to ${describeUser(owner)}`);
}

/** The extension `extensionId`, held until commit, which must be the user's own. */
async function ownExtension(scope: WriteScope, userId: number, extensionId: number): Promise<Row<'extensions'>> {
  const extension = await scope.lock('extensions', 'id', extensionId, 'update');
  if (!extension) throw badRequest('extn_id', `no extension with id ${extensionId}`);
  if (extension.user_id !== userId) throw badRequest('extn_id', `extension ${extension.extn} is not this user's`);
  return extension;
}

/**
 * At least one enabled administrator must remain, or nobody could manage users again; checked
 * after the change, inside its transaction, so two administrators demoting each other at once
 * cannot both succeed (user writes that could remove one run one at a time, `serialize`).
 */
async function assertAdministratorRemains(scope: WriteScope, field: string, user: Row<'users'>): Promise<void> {
  const { count } = await scope.trx.selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('super_admin', '=', 1)
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  if (Number(count) === 0) throw conflict(field, `${describeUser(user)} is the last enabled administrator`);
}

const ADMINISTRATORS = 'users: administrators';

const isEnabledAdministrator = (user: Pick<Row<'users'>, 'super_admin' | 'disabled'>) => user.super_admin === 1 && user.disabled === 0;

/**
 * Users through the write path: a change of what sessions know of a user (role, login, name,
 * default extension, disabled, password) publishes the user's id on `SESSION_TOPIC`, so that
 * every process drops what it cached of the user's sessions at once.
 */
/** The context of extensions created with their user: the one Switchboard seeds for extensions. */
const USERS_CONTEXT = 'context-1';
const EXTENSION_NUMBER = /^[0-9]{1,32}$/;

export class UserStore {
  constructor(private readonly writes: WritePath, private readonly defaultDomain: string) {}

  /**
   * Creates the users, all or none; `rowIndexes` names refusals by row (an import). Passwords are
   * hashed before the transaction, which would otherwise hold the database ~100 ms per user.
   */
  async create(inputs: readonly NewUserInput[], rowIndexes: boolean): Promise<Row<'users'>[]> {
    const indexOf = (index: number) => (rowIndexes ? index : undefined);
    const seen = new Map<string, number>();
    inputs.forEach(({ login }, index) => {
      const earlier = seen.get(login);
      if (earlier !== undefined) throw conflict(`users.${index}.login`, `login "${login}" is also row ${earlier}`);
      seen.set(login, index);
    });
    const hashes = await Promise.all(inputs.map((input) => hashPassword(input.password)));
    return this.writes.run(async (scope) => {
      const rows: Row<'users'>[] = [];
      for (const [index, input] of inputs.entries()) {
        rows.push(await inRow(indexOf(index), () => this.insert(scope, input, hashes[index]!)));
      }
      return rows;
    });
  }

  private async insert(scope: WriteScope, input: NewUserInput, passwordHash: string): Promise<Row<'users'>> {
    await assertValueFree(scope.trx, 'users', 'login', input.login, { noun: 'login' });
    const existingExtension = input.extn ? await claimableExtension(scope, input.extn) : null;
    if (input.extn && existingExtension === null && !input.extn_password) {
      throw badRequest('extn', `no extension "${input.extn}": send extn_password (and context) to create it, or create it with POST /api/extensions`);
    }
    const now = storedNow();
    const values: NewRow<'users'> = {
      login: input.login,
      name: input.name ?? '',
      type: input.type ?? 'NORMAL',
      domain: input.domain ?? '',
      tel: input.tel ?? '',
      super_admin: input.is_super ?? 0,
      disabled: input.disabled ?? 0,
      password_hash: passwordHash,
      extn_id: existingExtension,
      created_at: now,
      updated_at: now,
    };
    const row = await scope.trx.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
    if (existingExtension !== null) {
      await scope.trx.updateTable('extensions').set({ user_id: row.id, updated_at: now }).where('id', '=', existingExtension).execute();
      return row;
    }
    if (!input.extn) return row;
    if (!EXTENSION_NUMBER.test(input.extn)) throw badRequest('extn', 'must be digits only (1 to 32)');
    const created = await createExtension(scope, {
      extn: input.extn, password: input.extn_password!, context: input.context || USERS_CONTEXT, name: input.name ?? '', user_id: row.id,
    }, this.defaultDomain).catch((error: unknown) => {
      // The extension's own fields are the user's extn_password and context here.
      if (error instanceof HttpError && error.message.startsWith('password:')) throw new HttpError(error.statusCode, `extn_${error.message}`, error.data);
      throw error;
    });
    return scope.trx.updateTable('users').set({ extn_id: created.id }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, input: UserPatchInput, actor: Actor): Promise<void> {
    if (input.action === 'toggle' && (input.extn_id === undefined || input.extn_id === null)) {
      throw badRequest('extn_id', 'is required with action "toggle" (the extension to make the default)');
    }
    const passwordHash = input.password === undefined || input.action === 'toggle' ? undefined : await hashPassword(input.password);
    await this.writes.run(async (scope) => {
      await scope.serialize(ADMINISTRATORS);
      const existing = await lockedById(scope, 'users', id);
      const patch = input.action === 'toggle'
        ? { extn_id: (await ownExtension(scope, id, input.extn_id!)).id }
        : await this.patchOf(scope, existing, input, passwordHash);
      if (id === actor.id && patch.disabled === 1) throw conflict('disabled', 'you cannot disable your own user');
      if (id === actor.id && patch.super_admin === 0 && existing.super_admin === 1) {
        throw conflict('is_super', 'you cannot take away your own administrator role');
      }
      const after = await scope.trx.updateTable('users').set({ ...patch, updated_at: storedNow() }).where('id', '=', id)
        .returningAll().executeTakeFirstOrThrow();
      if (after.login !== existing.login) await renameSecretary(scope, existing.login, after.login);
      if (isEnabledAdministrator(existing) && !isEnabledAdministrator(after)) {
        await assertAdministratorRemains(scope, after.disabled === 1 ? 'disabled' : 'is_super', existing);
      }
      if (after.disabled === 1 && existing.disabled === 0) await endSessions(scope.trx, id);
      else if (passwordHash !== undefined) await endSessions(scope.trx, id, id === actor.id ? actor.token : undefined);
      scope.changed(SESSION_TOPIC, [id]);
    });
  }

  private async patchOf(scope: WriteScope, existing: Row<'users'>, input: UserPatchInput, passwordHash: string | undefined) {
    const patch: RowPatch<'users'> = {};
    if (input.login !== undefined && input.login !== existing.login) {
      await assertValueFree(scope.trx, 'users', 'login', input.login, { noun: 'login', except: existing.id });
      patch.login = input.login;
    }
    for (const column of ['name', 'type', 'domain', 'tel', 'disabled'] as const) {
      if (input[column] !== undefined) Object.assign(patch, { [column]: input[column] });
    }
    if (input.is_super !== undefined) patch.super_admin = input.is_super;
    if (input.extn_id === null) patch.extn_id = null;
    else if (input.extn_id !== undefined) patch.extn_id = (await ownExtension(scope, existing.id, input.extn_id)).id;
    if (passwordHash !== undefined) patch.password_hash = passwordHash;
    return patch;
  }

  async delete(id: number, actor: Actor): Promise<void> {
    await this.writes.run(async (scope) => {
      await scope.serialize(ADMINISTRATORS);
      const existing = await lockedById(scope, 'users', id);
      if (id === actor.id) throw conflict('id', 'you cannot delete your own user');
      // Its sessions go with it (foreign key), its extensions become nobody's, and nobody's secretary it is.
      await scope.trx.deleteFrom('users').where('id', '=', id).execute();
      await renameSecretary(scope, existing.login, '');
      if (isEnabledAdministrator(existing)) await assertAdministratorRemains(scope, 'id', existing);
      scope.changed(SESSION_TOPIC, [id]);
    });
  }

  /** The user's own extension `extensionId` becomes nobody's (and no longer the default). */
  async releaseExtension(id: number, extensionId: number): Promise<void> {
    await this.writes.run(async (scope) => {
      await lockedById(scope, 'users', id);
      await ownExtension(scope, id, extensionId);
      const now = storedNow();
      await scope.trx.updateTable('extensions').set({ user_id: null, updated_at: now }).where('id', '=', extensionId).execute();
      await scope.trx.updateTable('users').set({ extn_id: null, updated_at: now }).where('id', '=', id).where('extn_id', '=', extensionId).execute();
      scope.changed(SESSION_TOPIC, [id]);
    });
  }

  /** Sets the kind of many users at once (CherryPBX's batch settings). */
  async setType(ids: readonly number[], type: string): Promise<void> {
    await this.writes.run(async (scope) => {
      await assertAllHeld(scope, 'users', ids, (index) => `username.${index}`, 'user');
      await scope.trx.updateTable('users').set({ type, updated_at: storedNow() }).where('id', 'in', ids).execute();
    });
  }

  /** The session user's own new password; their other sessions end, the one asking stays. */
  async setOwnPassword(actor: Actor, passwordHash: string): Promise<void> {
    await this.writes.run(async (scope) => {
      await scope.trx.updateTable('users').set({ password_hash: passwordHash, updated_at: storedNow() }).where('id', '=', actor.id).execute();
      await endSessions(scope.trx, actor.id, actor.token);
      scope.changed(SESSION_TOPIC, [actor.id]);
    });
  }
}
