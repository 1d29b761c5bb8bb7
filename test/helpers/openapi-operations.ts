import type { JsonSchema } from './schema-arbitraries.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Parameter {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** One method of one path of the OpenAPI document, with the schemas of its inputs. */
export interface Operation {
  method: Method;
  /** As the document writes it: `/api/contexts/{id}`. */
  path: string;
  pathParams: Parameter[];
  /** The query parameters as one object schema. */
  query: JsonSchema & { properties: Record<string, JsonSchema> };
  body?: JsonSchema;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, {
    parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
    requestBody?: { content: Record<string, { schema: JsonSchema }> };
  }>>;
}

const METHODS: readonly string[] = ['get', 'post', 'put', 'delete'];

/** Every operation the document describes, in its order. */
export function operationsOf(document: unknown): Operation[] {
  const { paths } = document as OpenApiDocument;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => {
        const parameters = operation.parameters ?? [];
        const inQuery = parameters.filter((parameter) => parameter.in === 'query');
        return {
          method: method.toUpperCase() as Method,
          path,
          pathParams: parameters
            .filter((parameter) => parameter.in === 'path')
            .map(({ name, schema, required }) => ({ name, schema, required: required ?? true })),
          query: {
            type: 'object' as const,
            properties: Object.fromEntries(inQuery.map(({ name, schema }) => [name, schema])),
            required: inQuery.filter((parameter) => parameter.required).map(({ name }) => name),
          },
          ...(operation.requestBody ? { body: operation.requestBody.content['application/json']?.schema ?? {} } : {}),
        };
      }));
}

/** Percent-encodes any string, lone surrogates included (encodeURIComponent throws on them). */
export function encodeComponent(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** A value as text in a URL: objects and arrays as JSON. */
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/** The path with each `{name}` replaced by its value, already encoded as it should go on the wire. */
export function fillPath(path: string, encoded: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encoded[name] ?? '1');
}

export const encodePathValue = (value: unknown) => encodeComponent(asText(value));

/** A query string from an object; arrays repeat their key, as clients send lists. */
export function encodeQuery(query: Record<string, unknown>): string {
  return Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .flatMap(([key, value]) => (Array.isArray(value) && value.length > 0 ? value : [value]).map((item) => `${encodeComponent(key)}=${encodeComponent(asText(item))}`))
    .join('&');
}
