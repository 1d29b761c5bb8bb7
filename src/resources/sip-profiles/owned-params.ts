/**
 * Settings kept as rows of the shared params table under an owner (realm + ref_id): a SIP
 * profile's `<settings>`, a gateway's `<param>`s. The same four endpoints serve both, with the
 * spec's shapes: add answers the new id, edit (or `{"action":"toggle"}`) the whole row, delete
 * (singular `param`) the count.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest, notFound } from '../../http/errors.js';
import { defaultWire, lockedById } from '../../http/kit/crud.js';
import { CreatedEnvelope, created } from '../../http/kit/envelopes.js';
import { Flag, Id, Message, TimestampFields, flipped } from '../../http/kit/types.js';
import { XML_UNREPRESENTABLE } from '../../routing/dialplan-values.js';

export const OwnedParamRow = Type.Object({
  id: Type.Integer(),
  realm: Type.String(),
  ref_id: Type.Integer(),
  k: Type.String(),
  v: Type.String(),
  disabled: Type.Integer(),
  ...TimestampFields,
});

/** Sofia's parameter names: `sip-port`, `908-retry-seconds`, `ext-rtp-ip`. */
export const SETTING_NAME = '^[A-Za-z0-9][A-Za-z0-9_.:-]*$';
const SettingName = Type.String({ pattern: SETTING_NAME, minLength: 1, maxLength: 128, description: 'parameter name' });
const SettingValue = Type.String({ maxLength: 1024, description: 'parameter value' });

export const ParamCreate = Type.Object({ k: SettingName, v: Type.Optional(SettingValue), disabled: Type.Optional(Flag) });
export const ParamUpdate = Type.Object({
  k: Type.Optional(SettingName),
  v: Type.Optional(SettingValue),
  disabled: Type.Optional(Flag),
  action: Type.Optional(Type.Literal('toggle')),
});
const ParamChanged = Type.Object({ code: Type.Integer(), message: Type.String(), data: OwnedParamRow });
export const ParamDeleted = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Integer({ description: 'rows deleted' }) });

/** A value FreeSWITCH reads from one XML attribute on one line: refused at write time otherwise. */
export function assertSettingValue(value: string | undefined, field: string): void {
  if (value === undefined) return;
  if (/[\r\n]/.test(value)) throw badRequest(field, 'must be a single line');
  if (XML_UNREPRESENTABLE.test(value)) throw badRequest(field, 'must not contain control characters');
}

/** The owner's settings, enabled or not, in the order they render. */
export async function ownedParams(db: Kysely<Database>, realm: string, refId: number): Promise<Row<'params'>[]> {
  return db.selectFrom('params').selectAll().where('realm', '=', realm).where('ref_id', '=', refId).orderBy('o').orderBy('id').execute();
}

/** Copies the settings of (realm, fromRef) onto toRef, inside the caller's write. */
export async function copyParams(scope: WriteScope, realm: string, fromRef: number, toRef: number): Promise<void> {
  const template = await ownedParams(scope.trx, realm, fromRef);
  if (template.length === 0) return;
  const now = storedNow();
  await scope.trx.insertInto('params')
    .values(template.map(({ k, v, o, disabled }) => ({ realm, ref_id: toRef, k, v, o, disabled, created_at: now, updated_at: now })))
    .execute();
}

export interface ParamChange {
  before?: Row<'params'>;
  after?: Row<'params'>;
}

export interface OwnedParamsOptions<T extends 'sip_profiles' | 'gateways'> {
  table: T;
  realm: string;
  /** e.g. `/api/gateways`: params live under `<base>/:id/params`. */
  base: string;
  /** Where the owner's params are listed (the spec puts the gateways' at `/api/gateways/params/:id`). */
  listPath: string;
  tag: string;
  /** Queues what the switches must learn when a setting of `owner` changed. */
  afterChange(scope: WriteScope, owner: Row<T>, change: ParamChange): Promise<void>;
}

const OwnerParams = Type.Object({ id: Id });
const OwnerParamParams = Type.Object({ id: Id, pid: Id });

async function paramOf(db: Kysely<Database>, realm: string, refId: number, paramId: number): Promise<Row<'params'>> {
  const row = await db.selectFrom('params').selectAll()
    .where('realm', '=', realm).where('ref_id', '=', refId).where('id', '=', paramId).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

async function nextOrder(db: Kysely<Database>, realm: string, refId: number): Promise<number> {
  const row = await db.selectFrom('params').select((eb) => eb.fn.max('o').as('last'))
    .where('realm', '=', realm).where('ref_id', '=', refId).executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

/** Adds a setting at the end of its owner's, inside the caller's write. */
export async function insertParam(scope: WriteScope, realm: string, refId: number, body: Static<typeof ParamCreate>): Promise<Row<'params'>> {
  const { k, v = '', disabled = 0 } = body;
  assertSettingValue(v, 'v');
  const now = storedNow();
  return scope.trx.insertInto('params')
    .values({ realm, ref_id: refId, k, v, o: await nextOrder(scope.trx, realm, refId), disabled, created_at: now, updated_at: now })
    .returningAll().executeTakeFirstOrThrow();
}

/** Edits `before` with the body's fields, or flips it on `{"action":"toggle"}`, inside the caller's write. */
export async function updateParam(scope: WriteScope, before: Row<'params'>, body: Static<typeof ParamUpdate>): Promise<Required<ParamChange>> {
  const { action, ...fields } = body;
  assertSettingValue(fields.v, 'v');
  const patch = action === 'toggle' ? { disabled: flipped('disabled') } : fields;
  const after = await scope.trx.updateTable('params').set({ ...patch, updated_at: storedNow() })
    .where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
  return { before, after };
}

export function ownedParamRoutes<T extends 'sip_profiles' | 'gateways'>(options: OwnedParamsOptions<T>) {
  const { table, realm, base, tag } = options;
  const tags = [tag];
  return async function plugin(parent: FastifyInstance): Promise<void> {
    const app = parent.withTypeProvider<TypeBoxTypeProvider>();

    app.get(options.listPath, {
      schema: { tags, summary: `List the parameters of one of ${tag}`, params: OwnerParams, response: { 200: Type.Array(OwnedParamRow), 404: Message } },
    }, async (request) => {
      const owner = await app.db.kysely.selectFrom(table as 'gateways').select('id').where('id', '=', request.params.id).executeTakeFirst();
      if (!owner) throw notFound();
      return (await ownedParams(app.db.kysely, realm, request.params.id)).map(defaultWire);
    });

    app.post(`${base}/:id/params`, {
      schema: { tags, summary: `Add a parameter to one of ${tag}`, params: OwnerParams, body: ParamCreate, response: { 200: CreatedEnvelope, 404: Message } },
    }, async (request) => {
      const id = await app.writes.run(async (scope) => {
        const owner = await lockedById(scope, table, request.params.id);
        const row = await insertParam(scope, realm, request.params.id, request.body);
        await options.afterChange(scope, owner, { after: row });
        return row.id;
      });
      return created(id);
    });

    app.put(`${base}/:id/params/:pid`, {
      schema: {
        tags, summary: `Edit a parameter of one of ${tag}, or toggle it with {"action":"toggle"}`,
        params: OwnerParamParams, body: ParamUpdate, response: { 200: ParamChanged, 404: Message },
      },
    }, async (request) => {
      const { id: refId, pid } = request.params;
      const after = await app.writes.run(async (scope) => {
        const owner = await lockedById(scope, table, refId);
        const change = await updateParam(scope, await paramOf(scope.trx, realm, refId, pid), request.body);
        await options.afterChange(scope, owner, change);
        return change.after;
      });
      return { code: 200, message: 'success', data: defaultWire(after) };
    });

    app.delete(`${base}/:id/param/:pid`, {
      schema: { tags, summary: `Delete a parameter of one of ${tag} (singular \`param\`, as the spec)`, params: OwnerParamParams, response: { 200: ParamDeleted, 404: Message } },
    }, async (request) => {
      const { id: refId, pid } = request.params;
      await app.writes.run(async (scope) => {
        const owner = await lockedById(scope, table, refId);
        const before = await paramOf(scope.trx, realm, refId, pid);
        await scope.trx.deleteFrom('params').where('id', '=', pid).execute();
        await options.afterChange(scope, owner, { before });
      });
      return { code: 200, message: 'success', data: 1 };
    });
  };
}

/** Removes every setting of an owner being deleted, inside its write. */
export async function deleteOwnedParams(scope: WriteScope, realm: string, refId: number): Promise<void> {
  await scope.trx.deleteFrom('params').where('realm', '=', realm).where('ref_id', '=', refId).execute();
}
