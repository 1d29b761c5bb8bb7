import { sql } from 'kysely';
import { Type, type TSchema } from 'typebox';

// Input and output building blocks. Inputs rely on Fastify's Ajv coercion (`coerceTypes`), so an
// integer field takes `11` and `"11"` alike, and a flag takes 0/1/"0"/"1"/true/false.

/** What an `integer` column holds in both databases (PostgreSQL int4, `serial` ids). */
export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

interface Bounds {
  minimum?: number;
  maximum?: number;
  description?: string;
}

/**
 * The way to declare an integer input: always bounded to what an `integer` column holds, so a
 * larger number is bad input, not a database error or a silently widened value. (The generated
 * input test refuses any integer input without finite bounds.)
 */
export const Int = ({ minimum = INT32_MIN, maximum = INT32_MAX, description }: Bounds = {}) =>
  Type.Integer({
    minimum: Math.max(minimum, INT32_MIN),
    maximum: Math.min(maximum, INT32_MAX),
    ...(description ? { description } : {}),
  });

/** A decimal input (a rate, an amount): its bounds are the resource's to choose, and required. */
export const Decimal = ({ minimum, maximum, description }: Required<Pick<Bounds, 'minimum' | 'maximum'>> & Bounds) =>
  Type.Number({ minimum, maximum, ...(description ? { description } : {}) });

export const Id = Int({ minimum: 1, description: 'row id' });
export const IdParams = Type.Object({ id: Id });
export const Flag = Int({ minimum: 0, maximum: 1, description: '0 or 1' });
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
