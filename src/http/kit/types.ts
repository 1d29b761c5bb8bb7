import { sql } from 'kysely';
import { Type, type TSchema } from 'typebox';

// Input and output building blocks. Inputs rely on Fastify's Ajv coercion (`coerceTypes`), so an
// integer field takes `11` and `"11"` alike, and a flag takes 0/1/"0"/"1"/true/false.

/** Ids are PostgreSQL `serial` (int4): a larger one is bad input, not a database error. */
export const INT32_MAX = 2_147_483_647;
export const Id = Type.Integer({ minimum: 1, maximum: INT32_MAX, description: 'row id' });
/** Any other integer stored in an `integer` column. */
export const Int32 = (description?: string) =>
  Type.Integer({ minimum: -INT32_MAX - 1, maximum: INT32_MAX, ...(description ? { description } : {}) });
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

/** Errors and plain acknowledgements; a 404 also carries `"data":"{}"` (CONTRACT), kept by `data`. */
export const Message = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.String()) });

/** Array bodies (the spec's batch endpoints) that also take one bare object, as its curl examples send. */
export const OneOrMany = <T extends TSchema>(item: T, maxItems = 10_000) =>
  Type.Union([Type.Array(item, { minItems: 1, maxItems }), item]);

export const asArray = <T>(body: T | T[]): T[] => (Array.isArray(body) ? body : [body]);

/** Ids in a JSON array body, e.g. `[1, 2, 3]` for the bulk deletes. */
export const IdList = Type.Array(Id, { minItems: 1, maxItems: 10_000 });

/** Flips a 0/1 column in the database itself, so two toggles at once flip it twice, not once. */
export const flipped = (column: string) => sql<number>`1 - ${sql.ref(column)}`;
