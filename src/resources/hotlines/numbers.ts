import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { badRequest } from '../../http/errors.js';
import { ListQuery, SheetReply, exportDescription } from '../../http/kit/listing.js';
import type { Database } from '../../db/schema.js';
import { presentValues } from '../../db/queries.js';

/** The topics on which changes of DIDs and DODs are published. */
export const HOTLINES_TOPIC = 'hotlines';
export const DODS_TOPIC = 'dods';

/** A line number as a dial plan compares it with a dialled number or presents it as a caller id. */
export const LINE_NUMBER_PATTERN = '^\\+?[0-9*#]{1,31}$';

/**
 * The extension numbers of a DID's `numbers`: comma-separated (the Chinese comma too), spaces
 * around them ignored, repeats dropped. Empty: a 400 naming `field`.
 */
export function extensionNumbers(numbers: string, field: string): string[] {
  const listed = [...new Set(numbers.split(/[,，]/).map((extn) => extn.trim()).filter((extn) => extn !== ''))];
  if (listed.length === 0) throw badRequest(field, 'must name at least one extension number');
  return listed;
}

/**
 * Every list of extension numbers names extensions (in some domain), or a 400 names the field of
 * the first list (`field(index)`) with an unknown one, and that one. One query per 500 numbers.
 */
export async function assertExtensionsExist(db: Kysely<Database>, lists: readonly (readonly string[])[], field: (index: number) => string): Promise<void> {
  const known = await presentValues(db, 'extensions', 'extn', lists.flat());
  for (const [index, extns] of lists.entries()) {
    const unknown = extns.find((extn) => !known.has(extn));
    if (unknown !== undefined) throw badRequest(field(index), `no extension "${unknown}"`);
  }
}

const LINE_NUMBER = new RegExp(LINE_NUMBER_PATTERN);

/** A line number read from an import (the schema checks the others), or a 400 naming `field`. */
export function assertLineNumber(value: string, field: string): string {
  if (value === '') throw badRequest(field, 'is required');
  if (!LINE_NUMBER.test(value)) throw badRequest(field, `"${value}" is not a line number (digits, * and #, an optional leading +)`);
  return value;
}

/**
 * The cells of row `index` of an import keyed by the export's column names (`columns`: field →
 * column name) or by the field names: each value trimmed ('' when absent), and each field named
 * in messages as `<list>.<index>.<key the client used>`.
 */
export function importedCells<F extends string>(columns: Readonly<Record<F, string>>, row: Readonly<Record<string, string | undefined>>, list: string, index: number) {
  const keyOf = (field: F) => (row[columns[field]] === undefined && row[field] !== undefined ? field : columns[field]);
  return {
    value: (field: F) => (row[keyOf(field)] ?? '').trim(),
    field: (field: F) => `${list}.${index}.${keyOf(field)}`,
  };
}

/**
 * `GET <path>/download`: a header row of the import's column names (whatever `language` asks,
 * so that an export imports back), then one row per `rowsOf(query)` item (the kit's exportPage).
 */
export function sheetDownload<F extends string>(
  parent: FastifyInstance,
  options: { path: string; tag: string; nouns: string; columns: Readonly<Record<F, string>>; rowsOf: (query: ListQuery) => Promise<readonly Readonly<Record<NoInfer<F>, string>>[]> },
): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const fields = Object.keys(options.columns) as F[];
  const header = fields.map((field) => options.columns[field]);
  app.get(`${options.path}/download`, {
    schema: {
      tags: [options.tag],
      summary: `Export ${options.nouns} as rows of cells: a header row (${header.join(', ')}), then one row each by id`,
      description: `${exportDescription(options.nouns)} The import reads the same columns.`,
      querystring: Type.Object({
        page: ListQuery.properties.page,
        perPage: ListQuery.properties.perPage,
        language: Type.Optional(Type.String({ description: 'accepted for CherryPBX; the header row is the import\'s column names in every language' })),
      }),
      response: { 200: SheetReply },
    },
  }, async (request) => [header, ...(await options.rowsOf(request.query)).map((row) => fields.map((field) => row[field]))]);
}
