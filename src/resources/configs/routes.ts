import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../http/errors.js';
import { Message } from '../../http/kit/types.js';

/**
 * Settings XSwitch clients read by key, answered as the bare value. `xui_type` is the product
 * edition: CherryPBX's extension page shows the PBX fields (boss and secretary extensions) only
 * for "ippbx", which is what Switchboard is.
 */
const CONFIGS: Readonly<Record<string, string>> = {
  xui_type: 'ippbx',
};

export async function configRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/configs/:key', {
    schema: {
      tags: ['configs'],
      summary: `A setting's value by key (${Object.keys(CONFIGS).join(', ')})`,
      params: Type.Object({ key: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.String(), 404: Message },
    },
  }, async (request) => {
    const value = Object.hasOwn(CONFIGS, request.params.key) ? CONFIGS[request.params.key] : undefined;
    if (value === undefined) throw notFound();
    return value;
  });
}
