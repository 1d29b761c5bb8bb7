import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject } from 'typebox';
import type { Db } from '../../db/connect.js';
import type { Database, NewRow, Row, RowPatch, TableName } from '../../db/schema.js';
import { badRequest, notFound, uniqueViolation } from '../errors.js';
import { ChangedEnvelope, CreatedEnvelope, PageOf, changed, created } from './envelopes.js';
import { listQueryWithFilters, listPage, type Column, type ListQuery, type ListRules } from './listing.js';
import { storedNow, wireTime } from './time.js';
import { IdParams, Message, flipped } from './types.js';

type WireRow = Record<string, unknown>;
export type CrudOperation = 'list' | 'get' | 'create' | 'update' | 'delete';
const ALL_OPERATIONS: readonly CrudOperation[] = ['list', 'get', 'create', 'update', 'delete'];

/**
 * Declarations of a plain CRUD resource: list, get one, create, update (with optional
 * `{"action":"toggle"}`) and delete, with CONTRACT's envelopes. Hooks hold what is special.
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
  /** Validates the input and returns the columns to insert (timestamps are added). */
  beforeCreate?: (input: Static<C>, db: Db) => Promise<Omit<NewRow<T>, 'created_at' | 'updated_at'>>;
  /** Validates the input against the stored row and returns the columns to change. */
  beforeUpdate?: (input: Static<U>, existing: Row<T>, db: Db) => Promise<Omit<RowPatch<T>, 'updated_at'>>;
  /** Refuses a delete (throw) or removes what depends on the row. */
  beforeDelete?: (existing: Row<T>, db: Db) => Promise<void>;
}

export function defaultWire<R extends { created_at: string; updated_at: string }>(row: R): R & { deleted_at: string } {
  return { ...row, created_at: wireTime(row.created_at), updated_at: wireTime(row.updated_at), deleted_at: '' };
}

export async function findById<T extends TableName>(db: Db, table: T, id: number): Promise<Row<T>> {
  const row = await (db.kysely as Kysely<any>)
    .selectFrom(table as string)
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row as Row<T>;
}

/**
 * Every given id names a row of `table`, or a 400 names the first that does not as `field(i)`,
 * `i` being its index in `ids` (undefined entries, fields a client left out, are skipped).
 */
export async function assertAllExist(
  kysely: Kysely<Database>,
  table: TableName,
  ids: readonly (number | undefined)[],
  field: (index: number) => string,
  noun: string,
): Promise<void> {
  const asked = [...new Set(ids.filter((id): id is number => id !== undefined))];
  if (asked.length === 0) return;
  const rows: { id: number }[] = await (kysely as Kysely<any>).selectFrom(table).select('id').where('id', 'in', asked).execute();
  const found = new Set(rows.map((row) => row.id));
  const missing = ids.findIndex((id) => id !== undefined && !found.has(id));
  if (missing >= 0) throw badRequest(field(missing), `no ${noun} with id ${ids[missing]}`);
}

/** Attempts at a create whose checked values (e.g. a generated key) were taken by a racing request. */
const CREATE_ATTEMPTS = 10;

export function crudRoutes<T extends TableName, C extends TObject, U extends TObject>(resource: CrudResource<T, C, U>) {
  const toWire = resource.toWire ?? ((row: Row<T>) => defaultWire(row as Row<T> & { created_at: string; updated_at: string }));
  // One object, not a union: Ajv's removeAdditional would strip keys while trying union branches.
  const updateBody = resource.toggle
    ? Type.Object({ ...resource.updateBody.properties, action: Type.Optional(Type.Literal('toggle')) })
    : resource.updateBody;
  const tags = [resource.tag];
  const serves = new Set(resource.operations ?? ALL_OPERATIONS);

  return async function plugin(parent: FastifyInstance): Promise<void> {
    const app = parent.withTypeProvider<TypeBoxTypeProvider>();
    const db = app.db;
    // Generic over the table, so the typed builder cannot help here; each resource's hooks are typed.
    const kysely = db.kysely as Kysely<any>;
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
    }, async (request) => toWire(await findById(db, resource.table, request.params.id)));

    if (serves.has('create')) app.post(resource.path, {
      schema: { tags, summary: `Create one of ${resource.tag}`, body: resource.createBody, response: { 200: CreatedEnvelope } },
    }, async (request) => {
      const input = request.body as Static<C>;
      for (let attempt = 1; ; attempt++) {
        // beforeCreate runs again after a lost race: it then reports the conflict or picks anew.
        const values = resource.beforeCreate ? await resource.beforeCreate(input, db) : input;
        const now = storedNow();
        try {
          const inserted = await kysely
            .insertInto(table)
            .values({ ...values, created_at: now, updated_at: now })
            .returning('id')
            .executeTakeFirstOrThrow();
          return created(inserted.id);
        } catch (error) {
          if (attempt >= CREATE_ATTEMPTS || !resource.beforeCreate || !uniqueViolation(error)) throw error;
        }
      }
    });

    if (serves.has('update')) app.put(`${resource.path}/:id`, {
      schema: { tags, summary: `Update one of ${resource.tag}`, params: IdParams, body: updateBody, response: { 200: ChangedEnvelope } },
    }, async (request) => {
      const { id } = request.params;
      const existing = await findById(db, resource.table, id);
      const body = request.body as Record<string, unknown>;
      let patch: Record<string, unknown>;
      if (resource.toggle && body.action === 'toggle') {
        patch = { [resource.toggle]: flipped(resource.toggle) };
      } else {
        patch = resource.beforeUpdate
          ? await resource.beforeUpdate(body as Static<U>, existing, db)
          : body;
      }
      await kysely.updateTable(table).set({ ...patch, updated_at: storedNow() }).where('id', '=', id).execute();
      return changed(id);
    });

    if (serves.has('delete')) app.delete(`${resource.path}/:id`, {
      schema: { tags, summary: `Delete one of ${resource.tag}`, params: IdParams, response: { 200: ChangedEnvelope, 404: Message } },
    }, async (request) => {
      const { id } = request.params;
      const existing = await findById(db, resource.table, id);
      await resource.beforeDelete?.(existing, db);
      await kysely.deleteFrom(table).where('id', '=', id).execute();
      return changed(id);
    });
  };
}
