import fc from 'fast-check';

/** The JSON Schema subset TypeBox produces and @fastify/swagger documents. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
/** Generated collections stay small: bounds are probed with one oversized value instead. */
const SMALL = 4;

/** Values of the wrong JSON type for anything: what a confused or hostile client sends instead. */
const wrongTypes = fc.constantFrom<unknown>(
  null, true, false, 0, -1, 1.5, 1e308, '', ' ', 'x', 'Infinity', 'NaN', '1e400', [], [[1]], [1, 2], {}, { a: 1 }, '\u0000', '\ud800',
);

/** Text: mostly printable, sometimes any code unit at all (lone surrogates and NUL included). */
const anyText = (minLength: number, maxLength: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }) },
  );

/** Values that satisfy `schema`, in the forms clients send them (numbers also as numeric strings). */
export function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValue));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'integer': {
      const number = fc.integer({ min: Math.max(schema.minimum ?? INT32_MIN, INT32_MIN), max: Math.min(schema.maximum ?? INT32_MAX, INT32_MAX) });
      return fc.oneof(number, number.map(String));
    }
    case 'number': {
      const number = fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
      return fc.oneof(number, number.map(String));
    }
    case 'boolean':
      return fc.constantFrom<unknown>(true, false, 'true', 'false');
    case 'string': {
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.min(schema.maxLength ?? 64, 64);
      const text = schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : anyText(minLength, maxLength);
      return text.filter((value) => value.length >= minLength && value.length <= (schema.maxLength ?? Infinity));
    }
    case 'array':
      return fc.array(schema.items ? validValue(schema.items) : fc.anything(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? SMALL, SMALL)),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, validValue(property)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
    }
    default:
      return fc.jsonValue();
  }
}

/** Values that break `schema` in one way: a bound, the pattern, a required key, or the type. */
export function invalidValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(wrongTypes, ...schema.anyOf.map(invalidValue));
  if (schema.const !== undefined || schema.enum) return fc.oneof(wrongTypes, anyText(0, 16));
  const broken: fc.Arbitrary<unknown>[] = [wrongTypes];
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const edges: number[] = [INT32_MAX + 1, INT32_MIN - 1, 1e20, -1e300, 1e308];
      if (schema.minimum !== undefined) edges.push(schema.minimum - 1);
      if (schema.maximum !== undefined) edges.push(schema.maximum + 1);
      if (schema.type === 'integer') edges.push(((schema.minimum ?? 0) + 0.5));
      const numbers = fc.constantFrom(...edges);
      broken.push(numbers, numbers.map(String), fc.constantFrom(' 1', '1 ', '0x10', '1e', '--1', '+', '١'));
      break;
    }
    case 'string': {
      if (schema.maxLength !== undefined) broken.push(fc.constant('x'.repeat(schema.maxLength + 1)));
      if ((schema.minLength ?? 0) > 0) broken.push(fc.constant(''));
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern);
        const mismatches = [' ', '%', '_', 'a b', '0', '-', '.', ',', '中', 'x'].filter((text) => !pattern.test(text));
        if (mismatches.length > 0) broken.push(fc.constantFrom(...mismatches));
      }
      broken.push(fc.constantFrom('a\u0000b', 'a\ud800b', '\udfff'));
      break;
    }
    case 'array': {
      const items = schema.items ?? {};
      if (schema.maxItems !== undefined) {
        // One item repeated: sampling a rich item schema 10,001 times took minutes per operation.
        const [item] = fc.sample(validValue(items), { numRuns: 1, seed: 1 });
        broken.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, () => item)));
      }
      if ((schema.minItems ?? 0) > 0) broken.push(fc.constant([]));
      broken.push(fc.array(invalidValue(items), { minLength: 1, maxLength: SMALL }));
      break;
    }
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const valid = validValue(schema) as fc.Arbitrary<Record<string, unknown>>;
      for (const key of schema.required ?? []) {
        broken.push(valid.map(({ [key]: _left, ...rest }) => rest));
      }
      for (const [key, property] of properties) {
        broken.push(fc.tuple(valid, invalidValue(property)).map(([object, value]) => ({ ...object, [key]: value })));
      }
      broken.push(fc.array(valid, { minLength: 1, maxLength: 2 }));
      break;
    }
    default:
      break;
  }
  return fc.oneof(...broken);
}

/** Mostly valid values with a share of broken ones: valid input reaches deeper code. */
export const anyValue = (schema: JsonSchema) =>
  fc.oneof({ weight: 2, arbitrary: validValue(schema) }, { weight: 1, arbitrary: invalidValue(schema) });

/** The integers and numbers of a schema, with their paths: every one must be bounded. */
export function numbersIn(schema: JsonSchema, path = ''): { path: string; schema: JsonSchema }[] {
  const found: { path: string; schema: JsonSchema }[] = [];
  if (schema.type === 'integer' || schema.type === 'number') found.push({ path, schema });
  for (const branch of schema.anyOf ?? []) found.push(...numbersIn(branch, path));
  for (const [key, property] of Object.entries(schema.properties ?? {})) found.push(...numbersIn(property, path ? `${path}.${key}` : key));
  if (schema.items) found.push(...numbersIn(schema.items, `${path}[]`));
  return found;
}
