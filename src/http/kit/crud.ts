import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject } from 'typebox';
import type { Database, NewRow, Row, RowPatch, TableName } from '../../db/schema.js';
import { findRow, firstMissing, storedNow } from '../../db/queries.js';
import type { Effect, WriteScope } from '../../db/write-path.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { ChangedEnvelope, CreatedEnvelope, PageOf, changed, created } from './envelopes.js';
import { listQueryWithFilters, listPage, type Column, type ListQuery, type ListRules } from './listing.js';
import { wireTime } from './time.js';
import { IdParams, Message, flipped } from './types.js';

type WireRow = Record<string, unknown>;
export type CrudOperation = 'list' | 'get' | 'create' | 'update' | 'delete';
const ALL_OPERATIONS: readonly CrudOperation[] = ['list', 'get', 'create', 'update', 'delete'];

/** One committed change of a row: `before` is absent on create, `after` on delete. */
export interface RowChange<T extends TableName> {
  before?: Row<T>;
  after?: Row<T>;
}

/**
 * The declaration of a resource: its table, schemas, listing rules, and hooks for what is
 * special. Every write runs on the write path (src/db/write-path.ts) in one transaction: hooks get
 * its scope, the changed ids are published on `topic`, and `effects` tell the switches what to do
 * after commit. Deletes are refused while another resource refers to the row (src/db/references.ts).
 */
export interface CrudResource<T extends TableName, C extends TObject, U extends TObject> {
  table: T;
  path: string;
  tag: string;
  listRow: TObject;
  detailRow: TObject;
  createBody: C;
  updateBody: U;
  listing: ListRules<T>;
  /** Operations to serve; all by default. A resource with its own list shape leaves out `list`. */
  operations?: readonly CrudOperation[];
  /** A 0/1 column that `{"action":"toggle"}` flips. */
  toggle?: Column<T>;
  toWire?: (row: Row<T>) => WireRow;
  /** How a row is named in messages, e.g. `context context-1`; `<tag> <id>` by default. */
  describe?: (row: Row<T>) => string;
  /** Change-feed topic on which other processes hear of changed ids. */
  topic?: string;
  /** What the switches must learn of a committed change. */
  effects?: (change: RowChange<T>) => Effect[];
  /** Validates the input and returns the columns to insert (timestamps are added). */
  beforeCreate?: (input: Static<C>, scope: WriteScope) => Promise<Omit<NewRow<T>, 'created_at' | 'updated_at'>>;
  /** Validates the input against the stored row (locked until commit) and returns the columns to change. */
  beforeUpdate?: (input: Static<U>, existing: Row<T>, scope: WriteScope) => Promise<Omit<RowPatch<T>, 'updated_at'>>;
  /** Refuses a delete (throw) or removes what depends on the row. */
  beforeDelete?: (existing: Row<T>, scope: WriteScope) => Promise<void>;
}

export function defaultWire<R extends { created_at: string; updated_at: string }>(row: R): R & { deleted_at: string } {
  return { ...row, created_at: wireTime(row.created_at), updated_at: wireTime(row.updated_at), deleted_at: '' };
}

export async function findById<T extends TableName>(db: Kysely<Database>, table: T, id: number): Promise<Row<T>> {
  const row = await findRow(db, table, id);
  if (!row) throw notFound();
  return row;
}

/**
 * Every given id names a row of `table`, or a 400 names the first that does not as `field(i)`,
 * `i` being its index in `ids` (undefined entries, fields a client left out, are skipped).
 */
export async function assertAllExist(
  db: Kysely<Database>,
  table: TableName,
  ids: readonly (number | undefined)[],
  field: (index: number) => string,
  noun: string,
): Promise<void> {
  const missing = await firstMissing(db, table, ids);
  if (missing >= 0) throw badRequest(field(missing), `no ${noun} with id ${ids[missing]}`);
}

/**
 * `assertAllExist` inside a write: the rows are also held until commit, so that none is deleted
 * under the children being added to it.
 */
export async function assertAllHeld(
  scope: WriteScope,
  table: TableName,
  ids: readonly (number | undefined)[],
  field: (index: number) => string,
  noun: string,
): Promise<void> {
  const held = await scope.lockIds(table, ids.filter((id): id is number => id !== undefined), 'share');
  const missing = ids.findIndex((id) => id !== undefined && !held.has(id));
  if (missing >= 0) throw badRequest(field(missing), `no ${noun} with id ${ids[missing]}`);
}

/**
 * No other row of `table` holds `value` in `column` (a unique name), or a 409 names `field`:
 * `<noun> "<value>" already exists`. `except` is the row being updated.
 */
export async function assertValueFree(
  db: Kysely<Database>,
  table: TableName,
  column: string,
  value: string,
  described: { noun: string; field?: string; except?: number },
): Promise<void> {
  const taken: { id: number } | undefined = await (db as Kysely<any>).selectFrom(table).select('id').where(column, '=', value).executeTakeFirst();
  if (taken && taken.id !== described.except) throw conflict(described.field ?? column, `${described.noun} "${value}" already exists`);
}

/** The row `id` of `table`, locked until the write commits; 404 when there is none. */
export async function lockedById<T extends TableName>(scope: WriteScope, table: T, id: number): Promise<Row<T>> {
  const row = await scope.lock(table, 'id' as keyof Row<T> & string, id, 'update');
  if (!row) throw notFound();
  return row;
}

export function crudRoutes<T extends TableName, C extends TObject, U extends TObject>(resource: CrudResource<T, C, U>) {
  const toWire = resource.toWire ?? ((row: Row<T>) => defaultWire(row as Row<T> & { created_at: string; updated_at: string }));
  const describe = resource.describe ?? ((row: Row<T>) => `${resource.tag} ${(row as { id: number }).id}`);
  // One object, not a union: Ajv's removeAdditional would strip keys while trying union branches.
  const updateBody = resource.toggle
    ? Type.Object({ ...resource.updateBody.properties, action: Type.Optional(Type.Literal('toggle')) })
    : resource.updateBody;
  const tags = [resource.tag];
  const serves = new Set(resource.operations ?? ALL_OPERATIONS);

  function announce(scope: WriteScope, id: number, change: RowChange<T>): void {
    if (resource.topic) scope.changed(resource.topic, [id]);
    for (const effect of resource.effects?.(change) ?? []) scope.effect(effect);
  }

  return async function plugin(parent: FastifyInstance): Promise<void> {
    const app = parent.withTypeProvider<TypeBoxTypeProvider>();
    const { db, writes, references } = app;
    // Generic over the table, so the typed builder cannot help here; each resource's hooks are typed.
    const table = resource.table as string;

    if (serves.has('list')) app.get(resource.path, {
      schema: {
        tags,
        summary: `List ${resource.tag}`,
        querystring: listQueryWithFilters(resource.listing),
        response: { 200: PageOf(resource.listRow) },
      },
    }, async (request) => {
      const page = await listPage(db.kysely, db.dialect, resource.table, request.query as ListQuery & Record<string, unknown>, resource.listing);
      return { ...page, data: page.data.map(toWire) };
    });

    if (serves.has('get')) app.get(`${resource.path}/:id`, {
      schema: { tags, summary: `Get one of ${resource.tag}`, params: IdParams, response: { 200: resource.detailRow, 404: Message } },
    }, async (request) => toWire(await findById(db.kysely, resource.table, request.params.id)));

    if (serves.has('create')) app.post(resource.path, {
      schema: { tags, summary: `Create one of ${resource.tag}`, body: resource.createBody, response: { 200: CreatedEnvelope } },
    }, async (request) => {
      const input = request.body as Static<C>;
      const id = await writes.run(async (scope) => {
        const values = resource.beforeCreate ? await resource.beforeCreate(input, scope) : input;
        const now = storedNow();
        const row = await (scope.trx as Kysely<any>)
          .insertInto(table)
          .values({ ...values, created_at: now, updated_at: now })
          .returningAll()
          .executeTakeFirstOrThrow() as Row<T> & { id: number };
        announce(scope, row.id, { after: row });
        return row.id;
      });
      return created(id);
    });

    if (serves.has('update')) app.put(`${resource.path}/:id`, {
      schema: { tags, summary: `Update one of ${resource.tag}`, params: IdParams, body: updateBody, response: { 200: ChangedEnvelope } },
    }, async (request) => {
      const { id } = request.params;
      const body = request.body as Record<string, unknown>;
      await writes.run(async (scope) => {
        const existing = await lockedById(scope, resource.table, id);
        const patch = resource.toggle && body.action === 'toggle'
          ? { [resource.toggle]: flipped(resource.toggle) }
          : resource.beforeUpdate ? await resource.beforeUpdate(body as Static<U>, existing, scope) : body;
        const after = await (scope.trx as Kysely<any>)
          .updateTable(table)
          .set({ ...patch, updated_at: storedNow() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow() as Row<T>;
        announce(scope, id, { before: existing, after });
      });
      return changed(id);
    });

    if (serves.has('delete')) app.delete(`${resource.path}/:id`, {
      schema: { tags, summary: `Delete one of ${resource.tag}`, params: IdParams, response: { 200: ChangedEnvelope, 404: Message } },
    }, async (request) => {
      const { id } = request.params;
      await writes.run(async (scope) => {
        const existing = await lockedById(scope, resource.table, id);
        const referrer = await references.referrerOf(scope, resource.table, existing);
        if (referrer) throw conflict('id', `${describe(existing)} is used by ${referrer}`);
        await resource.beforeDelete?.(existing, scope);
        await (scope.trx as Kysely<any>).deleteFrom(table).where('id', '=', id).execute();
        announce(scope, id, { before: existing });
      });
      return changed(id);
    });
  };
}
