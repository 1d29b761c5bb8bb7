import type { FastifyInstance } from 'fastify';
import type { Row } from '../../db/schema.js';
import { badRequest } from '../../http/errors.js';
import { crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { XML_UNREPRESENTABLE } from '../../routing/dialplan-values.js';
import { BlockCreate, BlockDetail, BlockListRow, BlockUpdate } from './schema.js';

/** The Lua runs from the dialplan document, so it must be text XML can carry. */
function assertRenderable(input: { name?: string | undefined; lua?: string | undefined }): void {
  for (const field of ['name', 'lua'] as const) {
    const value = input[field];
    if (value !== undefined && XML_UNREPRESENTABLE.test(value)) throw badRequest(field, 'must not contain control characters (other than tab and line breaks)');
  }
}

const blockCrud = crudRoutes({
  table: 'blocks',
  path: '/api/blocks',
  tag: 'blocks',
  listRow: BlockListRow,
  detailRow: BlockDetail,
  createBody: BlockCreate,
  updateBody: BlockUpdate,
  listing: {
    sortable: ['id', 'name', 'created_at', 'updated_at'],
    searchable: ['name', 'description'],
    defaultSort: 'id',
    defaultOrder: 'desc',
    filters: { name: { column: 'name', match: 'contains' } },
  },
  toWire: (row: Row<'blocks'>) => defaultWire(row),
  describe: (block) => `block "${block.name}" (id ${block.id})`,
  async beforeCreate(input) {
    assertRenderable(input);
    return { description: '', ver: '', xml: '', js: '', lua: '', ivr_menu_id: '', ...input };
  },
  async beforeUpdate(input) {
    assertRenderable(input);
    return input;
  },
});

export async function blockRoutes(app: FastifyInstance): Promise<void> {
  app.destinations.register({ type: 'FS_DEST_IVRBLOCK', table: 'blocks', nameColumn: 'name', noun: 'block' });
  await app.register(blockCrud);
}
