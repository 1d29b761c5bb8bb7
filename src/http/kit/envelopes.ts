import type { FastifyReply } from 'fastify';
import { Type, type TSchema } from 'typebox';

export const CreatedEnvelope = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  data: Type.Integer({ description: 'id of the new row' }),
});
export const ChangedEnvelope = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  data: Type.String({ description: 'id of the changed row' }),
});

export const created = (id: number) => ({ code: 200, message: 'success', data: id });
export const changed = (id: number | string) => ({ code: 200, message: 'success', data: String(id) });

export function PageOf<T extends TSchema>(row: T) {
  return Type.Object({
    page: Type.Integer(),
    rowCount: Type.Integer(),
    pageCount: Type.Integer(),
    data: Type.Array(row),
  });
}

/** `{code, message, data}` around any payload, as the time-template endpoints answer. */
export function Enveloped<T extends TSchema>(data: T) {
  return Type.Object({ code: Type.Integer(), message: Type.String(), data });
}
export const ok = <T>(data: T) => ({ code: 200, message: 'ok', data });

/**
 * Sends `data` serialized with `schema` instead of the route's declared 200 schema, for the rare
 * endpoint whose answer types depend on the query (route verification answers strings).
 */
export function sendWithSchema(reply: FastifyReply, data: object, schema: TSchema): FastifyReply {
  const body = reply.serializeInput(data as Record<string, unknown>, schema as unknown as Record<string, unknown>);
  return reply.type('application/json; charset=utf-8').send(body as never);
}
