import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../db/schema.js';
import { SIP_PROFILE_PARAM_REALM, SOFIA_GLOBALS_REALM, TEMPLATE_REF_ID } from '../../db/migrations/0004-sip-gateways.js';
import { conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire, findById } from '../../http/kit/crud.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { deleteOwnedParams, ownedParamRoutes, ownedParams } from './owned-params.js';
import { SipProfileCreate, SipProfileDetail, SipProfileRow, SipProfileUpdate } from './schema.js';
import { needsRestart, profileEffect } from './sofia-effects.js';

async function assertNameFree(db: Kysely<Database>, name: string, except?: number): Promise<void> {
  const taken = await db.selectFrom('sip_profiles').select('id').where('name', '=', name).executeTakeFirst();
  if (taken && taken.id !== except) throw conflict('name', `sip profile "${name}" already exists`);
}

const profileCrud = crudRoutes({
  table: 'sip_profiles',
  path: '/api/sip_profiles',
  tag: 'sip_profiles',
  listRow: SipProfileRow,
  detailRow: SipProfileDetail,
  createBody: SipProfileCreate,
  updateBody: SipProfileUpdate,
  // The list is a bare array (CherryPBX's profile drop-down) and the detail carries the params.
  operations: ['create', 'update', 'delete'],
  toggle: 'disabled',
  listing: { sortable: ['id'], searchable: ['name'], defaultSort: 'id' },
  describe: (profile) => `sip profile "${profile.name}" (id ${profile.id})`,
  effects({ before, after }) {
    const was = before && before.disabled === 0 ? before.name : undefined;
    const now = after && after.disabled === 0 ? after.name : undefined;
    if (was === now) return [];
    return [...(was ? [profileEffect(was, 'stop')] : []), ...(now ? [profileEffect(now, 'start')] : [])];
  },
  async beforeCreate(input, scope) {
    await assertNameFree(scope.trx, input.name);
    return { name: input.name, description: input.description ?? '', disabled: input.disabled ?? 0 };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.name !== undefined) await assertNameFree(scope.trx, input.name, existing.id);
    return input;
  },
  async beforeDelete(existing, scope) {
    await deleteOwnedParams(scope, SIP_PROFILE_PARAM_REALM, existing.id);
  },
});

const profileParams = ownedParamRoutes({
  table: 'sip_profiles',
  realm: SIP_PROFILE_PARAM_REALM,
  base: '/api/sip_profiles',
  listPath: '/api/sip_profiles/:id/params',
  tag: 'sip_profiles',
  async afterChange(scope, profile, { before, after }) {
    if (profile.disabled !== 0) return;
    const touched = [before?.k, after?.k].filter((k): k is string => k !== undefined);
    scope.effect(profileEffect(profile.name, touched.some(needsRestart) ? 'restart' : 'rescan'));
  },
});

export async function sipProfileRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sip_profiles'];

  app.get('/api/sip_profiles', {
    schema: { tags, summary: 'List the SIP profiles (a bare array, as XUI and CherryPBX)', response: { 200: Type.Array(SipProfileRow) } },
  }, async () => (await app.db.kysely.selectFrom('sip_profiles').selectAll().orderBy('id').execute()).map(defaultWire));

  app.get('/api/sip_profiles/:id', {
    schema: { tags, summary: 'One SIP profile with its settings', params: IdParams, response: { 200: SipProfileDetail, 404: Message } },
  }, async (request) => {
    const profile = await findById(app.db.kysely, 'sip_profiles', request.params.id);
    const params = await ownedParams(app.db.kysely, SIP_PROFILE_PARAM_REALM, profile.id);
    return { ...defaultWire(profile), params: params.map(defaultWire) };
  });

  // CherryPBX's SIP page lists sofia.conf's <global_settings> beside the profiles (and shows
  // neither when this fails); its switch compares `disabled === "0"`, a string, unlike the profiles'.
  app.get('/api/params/realm/SOFIAGLOBALS', {
    schema: {
      tags,
      summary: "sofia.conf's global settings, as CherryPBX's SIP page reads them (disabled as \"0\"/\"1\")",
      response: { 200: Type.Object({ data: Type.Array(Type.Object({ id: Type.Integer(), k: Type.String(), v: Type.String(), disabled: Type.String() }, { additionalProperties: true })) }) },
    },
  }, async () => {
    const rows = await ownedParams(app.db.kysely, SOFIA_GLOBALS_REALM, TEMPLATE_REF_ID);
    return { data: rows.map((row) => ({ ...defaultWire(row), disabled: String(row.disabled) })) };
  });

  await app.register(profileCrud);
  await app.register(profileParams);
}
