import { isUtf8 } from 'node:buffer';
import { parse as parseFormText } from 'node:querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Compile, type Validator } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { badRequest, invalidInput } from './errors.js';

/**
 * Deepest nesting a JSON body may have. Real bodies nest three levels; a 10 MiB body of `[`
 * would keep JSON.parse busy for seconds and overflow the stack of any recursive walk.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text opens more than `limit` arrays or objects inside one another. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Decoding would silently turn invalid bytes into U+FFFD. */
const invalidUtf8 = () => badRequest('body', 'is not valid UTF-8');

/** A percent-escape that does not decode (`100%`, a lone `%E4`) stays as sent, as the URL's own query does. */
function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * JSON bodies whose text has no `\u` escape. The text is valid UTF-8, so it holds no lone
 * surrogate, and JSON.parse refuses raw control characters, NUL among them: without a `\u` escape
 * no string or key of the parsed body can hold what `unstorable` refuses, and the walk over every
 * value (three quarters of a million in a 250k-number import) is skipped.
 */
const bodiesWithoutEscapes = new WeakSet<FastifyRequest>();

/**
 * The bodies CONTRACT accepts, JSON and forms, read as bytes so that invalid UTF-8 is refused
 * rather than stored as U+FFFD, and JSON nesting bounded before it is parsed. Any other content
 * type is refused (415). XSwitch clients send `content-type: application/json` on every request,
 * GET and DELETE too, often with no body: an empty JSON body is no body.
 */
export function installBodyParsers(app: FastifyInstance): void {
  const bodyLimit = app.initialConfig.bodyLimit;
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, raw, done) => {
    if (!isUtf8(raw as Buffer)) return done(invalidUtf8(), undefined);
    const text = (raw as Buffer).toString('utf8');
    if (text === '') return done(null, undefined);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(badRequest('body', `nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    if (!text.includes('\\u')) bodiesWithoutEscapes.add(request);
    return parseJson(request, text, done);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit }, (_request, raw, done) => {
    if (!isUtf8(raw as Buffer)) return done(invalidUtf8(), undefined);
    return done(null, parseFormText((raw as Buffer).toString('utf8'), '&', '=', { decodeURIComponent: decodeOrKeep }));
  });
}

type InputPart = 'params' | 'querystring' | 'body';
const INPUT_PARTS: readonly InputPart[] = ['params', 'querystring', 'body'];

const inputOf = (request: FastifyRequest, part: InputPart): unknown =>
  part === 'params' ? request.params : part === 'querystring' ? request.query : request.body;

const fieldPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** A UTF-16 surrogate without its pair: JSON's `\ud800` escape allows one, UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** Why text cannot be stored as sent, or null: both databases would store U+FFFD or fail. */
function unstorable(text: string): string | null {
  // PostgreSQL cannot store NUL in text (it would answer 500) and SQLite would store it silently.
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it has a lone surrogate)';
  return null;
}

/** Where a value sits in an input; spelled out only for the one value refused, as a million-item import has some three million. */
interface Place {
  parent: Place | null;
  key: string;
}

const spelled = (place: Place | null): string => (place ? fieldPath(spelled(place.parent), place.key) : '');

/** Where a parsed input holds text that cannot be stored, named like a validation error. Iterative: inputs may nest. */
function unstorableTextAt(input: unknown): { path: string; problem: string } | null {
  const pending: [unknown, Place | null][] = [[input, null]];
  while (pending.length > 0) {
    const [value, place] = pending.pop()!;
    if (typeof value === 'string') {
      const problem = unstorable(value);
      if (problem) return { path: spelled(place), problem };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const key of Object.keys(value)) {
      const problem = unstorable(key);
      if (problem) return { path: spelled(place), problem };
      pending.push([(value as Record<string, unknown>)[key], { parent: place, key }]);
    }
  }
  return null;
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/** A decimal number as a client writes one: no blanks, no hex, no `Infinity`. */
const DECIMAL = /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/;

const isScalar = (value: unknown) => value === null || typeof value !== 'object';

/** The union branches that could take `value` the way Ajv's coercion reads it. */
function branchesFor(branches: readonly JsonSchema[], value: unknown): JsonSchema[] {
  if (isScalar(value)) return [...branches];
  if (Array.isArray(value)) return branches.filter((branch) => branch.type !== 'object');
  return branches.filter((branch) => branch.type === 'object' || branch.anyOf);
}

/**
 * Where the schema asks for a number and the input has text that is no finite decimal number.
 * Ajv's coercion reads `" "` as 0 and `"Infinity"` or `"1e400"` as a number it then never bounds
 * (ajv-validator/ajv#2297, #2661); this runs before it. Follows the schema, which does not nest
 * itself, so the walk is as deep as the schema at most.
 */
function numberTextProblem(schema: JsonSchema | undefined, value: unknown, path: string): { path: string; problem: string } | null {
  if (!schema || value === undefined || !asksForNumbers(schema)) return null;
  if (schema.anyOf) {
    let first: { path: string; problem: string } | null = null;
    for (const branch of branchesFor(schema.anyOf, value)) {
      const found = numberTextProblem(branch, value, path);
      if (!found) return null;
      first ??= found;
    }
    return first;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    // coerceTypes 'array' takes a one-item array where a scalar is expected.
    const text = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (typeof text !== 'string' || (DECIMAL.test(text) && Number.isFinite(Number(text)))) return null;
    return { path, problem: schema.type === 'integer' ? 'must be an integer' : 'must be a finite number' };
  }
  if (schema.type === 'object' && schema.properties && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      if (!Object.hasOwn(value, key)) continue;
      const found = numberTextProblem(property, (value as Record<string, unknown>)[key], fieldPath(path, key));
      if (found) return found;
    }
  }
  if (schema.type === 'array' && schema.items) {
    const items = Array.isArray(value) ? value : isScalar(value) ? [value] : [];
    for (const [index, item] of items.entries()) {
      const found = numberTextProblem(schema.items, item, fieldPath(path, String(index)));
      if (found) return found;
    }
  }
  return null;
}

const numberAsking = new WeakMap<JsonSchema, boolean>();
/** Whether the schema has a number field anywhere: an import of a million strings need not be walked. */
function asksForNumbers(schema: JsonSchema): boolean {
  let asks = numberAsking.get(schema);
  if (asks === undefined) {
    asks = schema.type === 'integer' || schema.type === 'number'
      || (schema.anyOf ?? []).some(asksForNumbers)
      || Object.values(schema.properties ?? {}).some(asksForNumbers)
      || (schema.items !== undefined && asksForNumbers(schema.items));
    numberAsking.set(schema, asks);
  }
  return asks;
}

const validators = new WeakMap<object, Validator>();
function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

const schemaOf = (request: FastifyRequest, part: InputPart) =>
  (request.routeOptions.schema as Partial<Record<InputPart, TSchema>> | undefined)?.[part];

/**
 * Checks that Ajv leaves to chance, around its validation: text no database can store as sent
 * (NUL, lone surrogates), number fields given as text that is no number, and afterwards
 * that what Ajv coerced still has the declared type. Ajv coerces in place while it tries the
 * branches of a union and can let `[["PCMU"]]` through as an array of strings; handlers then
 * only ever see input of their schema's type.
 */
export function installInputChecks(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const part of INPUT_PARTS) {
      const input = inputOf(request, part);
      const text = part === 'body' && bodiesWithoutEscapes.has(request) ? null : unstorableTextAt(input);
      if (text) throw badRequest(text.path || part, text.problem);
      const number = numberTextProblem(schemaOf(request, part) as JsonSchema | undefined, input, '');
      if (number) throw badRequest(number.path || part, number.problem);
    }
  });

  app.addHook('preHandler', async (request) => {
    for (const part of INPUT_PARTS) {
      const schema = schemaOf(request, part);
      if (!schema) continue;
      const validator = validatorOf(schema);
      const input = inputOf(request, part);
      if (!validator.Check(input)) throw invalidInput(validator.Errors(input), part);
    }
  });
}
