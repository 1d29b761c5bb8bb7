import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/connect.js';
import { badRequest, conflict, uniqueViolation } from '../../http/errors.js';
import { assertAllHeld, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { Enveloped, PageOf, ok } from '../../http/kit/envelopes.js';
import { ListQuery, listPage, type ListRules } from '../../http/kit/listing.js';
import { storedNow } from '../../db/queries.js';
import { Id, IdList, IdParams, Message, OneOrMany, Text, TimestampFields, asArray } from '../../http/kit/types.js';
import { checkRecurrence } from '../time-recurrence/recurrence-field.js';

const TemplateRow = Type.Object({ id: Type.Integer(), name: Type.String(), description: Type.String(), ...TimestampFields });
const TemplateDetail = Type.Object({
  ...TemplateRow.properties,
  time_recurrences: Type.Array(Type.Object({ id: Type.Integer(), time_recurrence: Type.String() })),
});
const TemplateName = Type.String({ minLength: 1, maxLength: 128 });
const TemplateCreate = Type.Object({ name: TemplateName, description: Type.Optional(Text()) });
const TemplateChange = Type.Object({ name: Type.Optional(TemplateName), description: Type.Optional(Text()) });
const TemplateUpdate = Type.Object({ id: Id, ...TemplateChange.properties });
const Recurrence = Type.String({ minLength: 1, maxLength: 255, description: 'DTSTART|DURATION|FREQ|UNTIL|INTERVAL|BYDAY' });
const ItemCreate = Type.Object({ template_id: Id, time_recurrence: Recurrence });
const ItemUpdate = Type.Object({ id: Id, template_id: Type.Optional(Id), time_recurrence: Recurrence });
const IdOnly = Type.Object({ id: Type.Integer() });
const IdText = Type.Object({ id: Type.String() });

const listing: ListRules<'time_templates'> = {
  sortable: ['id', 'name', 'created_at'],
  searchable: ['name', 'description'],
  defaultSort: 'id',
  filters: { name: { column: 'name', match: 'contains' } },
};

/** `field(i)` names the i-th entry of `names` as the client wrote it (e.g. `1.name`). */
async function assertNamesFree(
  db: Db,
  names: { name: string; id?: number }[],
  field: (index: number) => string = (i) => `${i}.name`,
): Promise<void> {
  const seen = new Set<string>();
  for (const [i, { name }] of names.entries()) {
    if (seen.has(name)) throw conflict(field(i), `"${name}" appears twice`);
    seen.add(name);
  }
  if (names.length === 0) return;
  const taken = await db.kysely.selectFrom('time_templates').select(['id', 'name']).where('name', 'in', [...seen]).execute();
  for (const [i, { name, id }] of names.entries()) {
    const owner = taken.find((row) => row.name === name);
    if (owner && owner.id !== id) throw conflict(field(i), `template "${name}" already exists (id ${owner.id})`);
  }
}

/**
 * A racing request took a name between our check and our write, and the unique index refused it:
 * re-checking names the entry as a 409, never a 500.
 */
async function asNameConflict(
  db: Db,
  error: unknown,
  names: { name: string; id?: number }[],
  field?: (index: number) => string,
): Promise<never> {
  if (!uniqueViolation(error)) throw error;
  await assertNamesFree(db, names, field);
  throw conflict('name', 'already exists');
}

/**
 * A bulk delete's body as sent, before Ajv reads it: Ajv's `coerceTypes: 'array'` would take `"1"`
 * or `1` for `[1]` and `[[1]]` or `[true]` for `[1]`, and a delete must not guess which rows were
 * meant. Ids as text (`["1"]`) stay accepted, as everywhere else.
 */
async function idArrayAsSent(request: FastifyRequest): Promise<void> {
  const { body } = request;
  if (!Array.isArray(body)) throw badRequest('body', 'must be a JSON array of ids, such as [1, 2]');
  const notAnId = body.findIndex((item) => typeof item !== 'number' && typeof item !== 'string');
  if (notAnId >= 0) {
    const item: unknown = body[notAnId];
    const kind = item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item === 'object' ? 'an object' : `a ${typeof item}`;
    throw badRequest('body', `must be a JSON array of ids, such as [1, 2]; item ${notAnId} is ${kind}`);
  }
}

/** Time templates (时间管理): named sets of recurrence strings, such as working hours and holidays. */
export async function timeTemplateRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db, writes } = app;
  const tags = ['time templates'];
  const base = '/api/time_recurrence/templates';

  app.get(base, {
    schema: {
      tags,
      summary: 'List time templates',
      querystring: Type.Object({ ...ListQuery.properties, name: Type.Optional(Type.String()), status: Type.Optional(Type.String()) }),
      response: { 200: Enveloped(PageOf(TemplateRow)) },
    },
  }, async (request) => {
    const page = await listPage(db.kysely, db.dialect, 'time_templates', request.query, listing);
    return ok({ ...page, data: page.data.map(defaultWire) });
  });

  app.get(`${base}/:id`, {
    schema: { tags, summary: 'Get a time template with its recurrences', params: IdParams, response: { 200: Enveloped(TemplateDetail), 404: Message } },
  }, async (request) => {
    const template = await findById(db.kysely, 'time_templates', request.params.id);
    const items = await db.kysely
      .selectFrom('template_recurrences')
      .select(['id', 'time_recurrence'])
      .where('template_id', '=', template.id)
      .orderBy('id')
      .execute();
    return ok({ ...defaultWire(template), time_recurrences: items });
  });

  app.post(base, {
    schema: { tags, summary: 'Create time templates (all or nothing)', body: OneOrMany(TemplateCreate), response: { 200: Enveloped(Type.Array(TemplateRow)) } },
  }, async (request) => {
    const items = asArray(request.body);
    await assertNamesFree(db, items);
    const now = storedNow();
    const rows = await writes.run(async ({ trx }) => {
      const inserted = [];
      for (const item of items) {
        inserted.push(await trx.insertInto('time_templates')
          .values({ name: item.name, description: item.description ?? '', created_at: now, updated_at: now })
          .returningAll()
          .executeTakeFirstOrThrow());
      }
      return inserted;
    }).catch((error: unknown) => asNameConflict(db, error, items));
    return ok(rows.map(defaultWire));
  });

  /** `prefix(i)` starts the field names of the i-th item: `1.` in an array body, nothing for one object. */
  async function updateTemplates(
    items: { id: number; name?: string; description?: string }[],
    prefix: (index: number) => string = (i) => `${i}.`,
  ): Promise<void> {
    const renamed = items.flatMap((item, i) => (item.name === undefined ? [] : [{ name: item.name, id: item.id, at: i }]));
    const field = (i: number) => `${prefix(renamed[i]!.at)}name`;
    await assertNamesFree(db, renamed, field);
    await writes.run(async (scope) => {
      await assertAllHeld(scope, 'time_templates', items.map((item) => item.id), (i) => `${prefix(i)}id`, 'time template');
      for (const { id, ...fields } of items) {
        await scope.trx.updateTable('time_templates').set({ ...fields, updated_at: storedNow() }).where('id', '=', id).execute();
      }
    }).catch((error: unknown) => asNameConflict(db, error, renamed, field));
  }

  app.put(base, {
    schema: { tags, summary: 'Update time templates (all or nothing)', body: OneOrMany(TemplateUpdate), response: { 200: Enveloped(Type.Array(IdOnly)) } },
  }, async (request) => {
    const items = asArray(request.body);
    await updateTemplates(items);
    return ok(items.map(({ id }) => ({ id })));
  });

  app.put(`${base}/:id`, {
    schema: { tags, summary: 'Update one time template', params: IdParams, body: TemplateChange, response: { 200: Enveloped(IdOnly), 404: Message } },
  }, async (request) => {
    await findById(db.kysely, 'time_templates', request.params.id);
    await updateTemplates([{ ...request.body, id: request.params.id }], () => '');
    return ok({ id: request.params.id });
  });

  app.delete(base, {
    preValidation: idArrayAsSent,
    schema: { tags, summary: 'Delete time templates by id (body: an id array)', body: IdList, response: { 200: Enveloped(Type.Array(IdOnly)) } },
  }, async (request) => {
    const ids = request.body;
    await writes.run(async (scope) => {
      const held = await scope.lockIds('time_templates', ids, 'update');
      const missing = ids.findIndex((id) => !held.has(id));
      if (missing >= 0) throw badRequest(String(missing), `no time template with id ${ids[missing]}`);
      await scope.trx.deleteFrom('template_recurrences').where('template_id', 'in', ids).execute();
      await scope.trx.deleteFrom('time_templates').where('id', 'in', ids).execute();
    });
    return ok(ids.map((id) => ({ id })));
  });

  const TemplateItems = Type.Object({
    id: Type.Integer({ description: 'template id' }),
    time_recurrences: Type.Array(Type.Object({ id: Type.String(), time_recurrence: Type.String() })),
  });

  app.post(`${base}/time_recurrences`, {
    schema: { tags, summary: 'Add recurrences to templates (all or nothing)', body: OneOrMany(ItemCreate), response: { 200: Enveloped(Type.Array(TemplateItems)) } },
  }, async (request) => {
    const items = asArray(request.body);
    for (const [i, item] of items.entries()) await checkRecurrence(item.time_recurrence, `${i}.time_recurrence`);
    const now = storedNow();
    const byTemplate = new Map<number, { id: string; time_recurrence: string }[]>();
    await writes.run(async (scope) => {
      await assertAllHeld(scope, 'time_templates', items.map((item) => item.template_id), (i) => `${i}.template_id`, 'time template');
      for (const item of items) {
        const row = await scope.trx.insertInto('template_recurrences')
          .values({ template_id: item.template_id, time_recurrence: item.time_recurrence, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        const list = byTemplate.get(item.template_id) ?? [];
        list.push({ id: String(row.id), time_recurrence: item.time_recurrence });
        byTemplate.set(item.template_id, list);
      }
    });
    return ok([...byTemplate].map(([id, timeRecurrences]) => ({ id, time_recurrences: timeRecurrences })));
  });

  app.put(`${base}/time_recurrences`, {
    schema: { tags, summary: 'Change template recurrences (all or nothing)', body: OneOrMany(ItemUpdate), response: { 200: Enveloped(Type.Array(IdOnly)) } },
  }, async (request) => {
    const items = asArray(request.body);
    for (const [i, item] of items.entries()) await checkRecurrence(item.time_recurrence, `${i}.time_recurrence`);
    await writes.run(async (scope) => {
      await assertAllHeld(scope, 'template_recurrences', items.map((item) => item.id), (i) => `${i}.id`, 'template recurrence');
      await assertAllHeld(scope, 'time_templates', items.map((item) => item.template_id), (i) => `${i}.template_id`, 'time template');
      for (const { id, ...fields } of items) {
        await scope.trx.updateTable('template_recurrences').set({ ...fields, updated_at: storedNow() }).where('id', '=', id).execute();
      }
    });
    return ok(items.map(({ id }) => ({ id })));
  });

  app.delete(`${base}/time_recurrences`, {
    preValidation: idArrayAsSent,
    schema: { tags, summary: 'Delete template recurrences by id (body: an id array)', body: IdList, response: { 200: Enveloped(Type.Array(IdOnly)) } },
  }, async (request) => {
    const ids = request.body;
    await writes.run(async (scope) => {
      await assertAllHeld(scope, 'template_recurrences', ids, String, 'template recurrence');
      await scope.trx.deleteFrom('template_recurrences').where('id', 'in', ids).execute();
    });
    return ok(ids.map((id) => ({ id })));
  });

  app.delete(`${base}/time_recurrences/:id`, {
    schema: { tags, summary: 'Delete one template recurrence', params: IdParams, response: { 200: Enveloped(IdText), 404: Message } },
  }, async (request) => {
    await writes.run(async (scope) => {
      await lockedById(scope, 'template_recurrences', request.params.id);
      await scope.trx.deleteFrom('template_recurrences').where('id', '=', request.params.id).execute();
    });
    return ok({ id: String(request.params.id) });
  });
}
