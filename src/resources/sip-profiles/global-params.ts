/**
 * sofia.conf's `<global_settings>`, as CherryPBX's SIP page edits them: `/api/params` rows of realm
 * SOFIAGLOBALS. The other realms kept in the params table (profile settings, gateway params, route
 * params) have endpoints under their owners, so these refuse them. `disabled` is "0"/"1" here, a
 * string: the page's switch compares `=== "0"`, unlike the profiles' own numbers.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { SOFIA_GLOBALS_REALM, TEMPLATE_REF_ID } from '../../db/migrations/0004-sip-gateways.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest } from '../../http/errors.js';
import { defaultWire, lockedById } from '../../http/kit/crud.js';
import { CreatedEnvelope, created } from '../../http/kit/envelopes.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { OwnedParamRow, ParamCreate, ParamDeleted, ParamUpdate, insertParam, ownedParams, updateParam } from './owned-params.js';
import { profileEffect } from './sofia-effects.js';

const GlobalParamRow = Type.Object({ ...OwnedParamRow.properties, disabled: Type.String({ description: '"0" enabled, "1" disabled' }) });
const GlobalParamCreate = Type.Object({ ...ParamCreate.properties, realm: Type.String({ description: `only "${SOFIA_GLOBALS_REALM}"` }) });
const GlobalParamChanged = Type.Object({ code: Type.Integer(), message: Type.String(), data: GlobalParamRow });

const globalWire = (row: Row<'params'>) => ({ ...defaultWire(row), disabled: String(row.disabled) });

function assertGlobalRealm(realm: string): void {
  if (realm !== SOFIA_GLOBALS_REALM) {
    throw badRequest('realm', `only ${SOFIA_GLOBALS_REALM} is served here; "${realm}" params are edited through their owner's endpoints`);
  }
}

async function lockedGlobalParam(scope: WriteScope, id: number): Promise<Row<'params'>> {
  const row = await lockedById(scope, 'params', id);
  assertGlobalRealm(row.realm);
  return row;
}

/**
 * mod_sofia re-reads `<global_settings>` whenever it parses sofia.conf, and a profile rescan fetches
 * a document that carries them: rescanning one enabled profile applies them without dropping calls.
 * With no profile enabled nothing runs, and the next profile to start reads them.
 */
async function applyGlobals(scope: WriteScope): Promise<void> {
  const profile = await firstEnabledProfile(scope.trx);
  if (profile) scope.effect(profileEffect(profile, 'rescan'));
}

async function firstEnabledProfile(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('sip_profiles').select('name').where('disabled', '=', 0).orderBy('id').executeTakeFirst();
  return row?.name;
}

export async function globalParamRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sip_profiles'];

  app.get('/api/params/realm/SOFIAGLOBALS', {
    schema: { tags, summary: "sofia.conf's global settings, as CherryPBX's SIP page reads them", response: { 200: Type.Object({ data: Type.Array(GlobalParamRow) }) } },
  }, async () => ({ data: (await ownedParams(app.db.kysely, SOFIA_GLOBALS_REALM, TEMPLATE_REF_ID)).map(globalWire) }));

  app.post('/api/params', {
    schema: { tags, summary: 'Add a global sofia setting (realm SOFIAGLOBALS only)', body: GlobalParamCreate, response: { 200: CreatedEnvelope } },
  }, async (request) => {
    const { realm, ...fields } = request.body;
    assertGlobalRealm(realm);
    const id = await app.writes.run(async (scope) => {
      const row = await insertParam(scope, SOFIA_GLOBALS_REALM, TEMPLATE_REF_ID, fields);
      await applyGlobals(scope);
      return row.id;
    });
    return created(id);
  });

  app.put('/api/params/:id', {
    schema: {
      tags, summary: 'Edit a global sofia setting, or toggle it with {"action":"toggle"}',
      params: IdParams, body: ParamUpdate, response: { 200: GlobalParamChanged, 404: Message },
    },
  }, async (request) => {
    const after = await app.writes.run(async (scope) => {
      const { after: row } = await updateParam(scope, await lockedGlobalParam(scope, request.params.id), request.body);
      await applyGlobals(scope);
      return row;
    });
    return { code: 200, message: 'success', data: globalWire(after) };
  });

  app.delete('/api/params/:id', {
    schema: { tags, summary: 'Delete a global sofia setting', params: IdParams, response: { 200: ParamDeleted, 404: Message } },
  }, async (request) => {
    await app.writes.run(async (scope) => {
      await lockedGlobalParam(scope, request.params.id);
      await scope.trx.deleteFrom('params').where('id', '=', request.params.id).execute();
      await applyGlobals(scope);
    });
    return { code: 200, message: 'success', data: 1 };
  });
}
