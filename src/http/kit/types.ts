import { Type, type TSchema } from 'typebox';

/**
 * Input and output building blocks. Inputs rely on Fastify's Ajv coercion (`coerceTypes`), so an
 * integer field takes `11` and `"11"` alike, and a flag takes 0/1/"0"/"1"/true/false.
 */
export const Id = Type.Integer({ minimum: 1, description: 'row id' });
export const IdParams = Type.Object({ id: Id });
export const Flag = Type.Integer({ minimum: 0, maximum: 1, description: '0 or 1' });
export const Text = (maxLength = 1024, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });
export const Name = (description = 'name') => Type.String({ minLength: 1, maxLength: 128, description });

/** Output: integers that the spec shows as strings for this endpoint. */
export const IntAsString = Type.String();

/** Every stored row carries these on the wire; `deleted_at` is always "" (deletes are real). */
export const TimestampFields = {
  created_at: Type.String(),
  updated_at: Type.String(),
  deleted_at: Type.String(),
};

export const Message = Type.Object({ code: Type.Integer(), message: Type.String() });

export function optionalAll<T extends Record<string, TSchema>>(properties: T) {
  return Type.Partial(Type.Object(properties));
}
