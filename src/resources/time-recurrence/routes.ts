import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Row } from '../../db/schema.js';
import { badRequest } from '../../http/errors.js';
import { assertAllHeld, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { Enveloped, ok } from '../../http/kit/envelopes.js';
import { storedNow } from '../../db/queries.js';
import { Id, IdParams, Message, OneOrMany, Text, TimestampFields, asArray } from '../../http/kit/types.js';
import type { Destination } from '../routes/destinations.js';
import { ROUTES_TOPIC } from '../routes/store.js';
import { checkRecurrence } from './recurrence-field.js';

const TimeSegmentRow = Type.Object({
  id: Type.Integer(),
  route_id: Type.Integer(),
  time_recurrence: Type.String(),
  dest_type: Type.String(),
  dest_uuid: Type.String(),
  body: Type.String(),
  ...TimestampFields,
});

const Recurrence = Type.String({ minLength: 1, maxLength: 255, description: 'DTSTART|DURATION|FREQ|UNTIL|INTERVAL|BYDAY' });

const SegmentCreate = Type.Object({
  route_id: Id,
  time_recurrence: Recurrence,
  dest_type: Type.String({ minLength: 1, maxLength: 64 }),
  dest_uuid: Type.Optional(Text(1024)),
  body: Type.Optional(Text(65536)),
});

const SegmentUpdate = Type.Object({
  id: Id,
  route_id: Type.Optional(Id),
  time_recurrence: Type.Optional(Recurrence),
  dest_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  dest_uuid: Type.Optional(Text(1024)),
  body: Type.Optional(Text(65536)),
});

type SegmentColumns = Omit<Row<'time_recurrences'>, 'id' | 'created_at' | 'updated_at'>;

/** A route's time segments: while a segment's recurrence holds, calls go to its destination. */
export async function timeSegmentRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db, writes, destinations } = app;
  const tags = ['time segments'];

  app.get('/api/time_recurrence/route/:id', {
    schema: { tags, summary: "List a route's time segments", params: IdParams, response: { 200: Enveloped(Type.Array(TimeSegmentRow)), 404: Message } },
  }, async (request) => {
    await findById(db.kysely, 'routes', request.params.id);
    const rows = await db.kysely.selectFrom('time_recurrences').selectAll().where('route_id', '=', request.params.id).orderBy('id').execute();
    return ok(rows.map(defaultWire));
  });

  app.post('/api/time_recurrence', {
    schema: {
      tags,
      summary: 'Add time segments to routes (all or nothing)',
      body: OneOrMany(SegmentCreate),
      response: { 200: Type.Array(Type.Object({ id: Type.Integer() })) },
    },
  }, async (request) => {
    const items = asArray(request.body);
    return writes.run(async (scope) => {
      await assertAllHeld(scope, 'routes', items.map((item) => item.route_id), (i) => `${i}.route_id`, 'route');
      const known = await destinations.knownTypes(scope.trx);
      const rows: ({ route_id: number; time_recurrence: string } & Destination)[] = [];
      for (const [i, item] of items.entries()) {
        await checkRecurrence(item.time_recurrence, `${i}.time_recurrence`);
        const destination = await destinations.resolve(
          scope, { dest_type: item.dest_type, dest_uuid: item.dest_uuid ?? '', body: item.body ?? '' }, `${i}.`, known,
        );
        rows.push({ route_id: item.route_id, time_recurrence: item.time_recurrence, ...destination });
      }
      const ids: { id: number }[] = [];
      const now = storedNow();
      for (const row of rows) {
        ids.push(await scope.trx.insertInto('time_recurrences').values({ ...row, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow());
      }
      scope.changed(ROUTES_TOPIC, rows.map((row) => row.route_id));
      return ids;
    });
  });

  app.put('/api/time_recurrence', {
    schema: {
      tags,
      summary: 'Change time segments (all or nothing)',
      body: OneOrMany(SegmentUpdate),
      response: { 200: Type.Array(Type.Object({ id: Type.String() })) },
    },
  }, async (request) => {
    const items = asArray(request.body);
    return writes.run(async (scope) => {
      const ids = items.map((item) => item.id);
      await scope.lockIds('time_recurrences', ids, 'update');
      const existing = new Map(
        (await scope.trx.selectFrom('time_recurrences').selectAll().where('id', 'in', ids).execute()).map((row) => [row.id, row]),
      );
      const known = await destinations.knownTypes(scope.trx);
      const changes: { id: number; previousRoute: number; route_id: number; patch: Partial<SegmentColumns> }[] = [];
      for (const [i, item] of items.entries()) {
        const current = existing.get(item.id);
        if (!current) throw badRequest(`${i}.id`, `no time segment with id ${item.id}`);
        const { id, ...sent } = item;
        const merged = { ...current, ...sent };
        await checkRecurrence(merged.time_recurrence, `${i}.time_recurrence`);
        const destination = await destinations.resolve(scope, merged, `${i}.`, known);
        // Only what was sent is written (and the body its destination implies): concurrent edits of
        // other fields of the same segment are not undone.
        const patch: Partial<SegmentColumns> = { ...sent };
        if (sent.dest_type !== undefined || sent.dest_uuid !== undefined) patch.body = destination.body;
        changes.push({ id, previousRoute: current.route_id, route_id: merged.route_id, patch });
      }
      await assertAllHeld(scope, 'routes', changes.map((change) => change.route_id), (i) => `${i}.route_id`, 'route');
      for (const { id, patch } of changes) {
        await scope.trx.updateTable('time_recurrences').set({ ...patch, updated_at: storedNow() }).where('id', '=', id).execute();
      }
      scope.changed(ROUTES_TOPIC, changes.flatMap((change) => [change.previousRoute, change.route_id]));
      return changes.map((change) => ({ id: String(change.id) }));
    });
  });

  app.delete('/api/time_recurrence/route/:id', {
    schema: { tags, summary: "Delete all of a route's time segments", params: IdParams, response: { 200: Type.Object({ id: Type.String() }), 404: Message } },
  }, async (request) => {
    const routeId = request.params.id;
    await writes.run(async (scope) => {
      await lockedById(scope, 'routes', routeId);
      await scope.trx.deleteFrom('time_recurrences').where('route_id', '=', routeId).execute();
      scope.changed(ROUTES_TOPIC, [routeId]);
    });
    return { id: String(routeId) };
  });

  app.delete('/api/time_recurrence/:id', {
    schema: { tags, summary: 'Delete one time segment', params: IdParams, response: { 200: Type.Object({ id: Type.String() }), 404: Message } },
  }, async (request) => {
    const id = await writes.run(async (scope) => {
      const segment = await lockedById(scope, 'time_recurrences', request.params.id);
      await scope.trx.deleteFrom('time_recurrences').where('id', '=', segment.id).execute();
      scope.changed(ROUTES_TOPIC, [segment.route_id]);
      return segment.id;
    });
    return { id: String(id) };
  });
}
