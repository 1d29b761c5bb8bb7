import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../db/schema.js';
import { SIP_PROFILE_PARAM_REALM } from '../../db/migrations/0004-sip-gateways.js';
import { conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire, findById } from '../../http/kit/crud.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { globalParamRoutes } from './global-params.js';
import { deleteOwnedParams, ownedParamRoutes, ownedParams } from './owned-params.js';
import { profileFieldsOf, splitProfileFields, writeProfileFields } from './profile-fields.js';
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
    const { own, edits } = splitProfileFields(input);
    if (own.name !== undefined) await assertNameFree(scope.trx, own.name, existing.id);
    const params = await ownedParams(scope.trx, SIP_PROFILE_PARAM_REALM, existing.id);
    const touched = await writeProfileFields(scope, existing.id, params, edits);
    // A profile started, stopped or renamed by this write is handled by `effects`, and a start reads the new settings.
    const runsOnAsBefore = existing.disabled === 0 && (own.disabled ?? 0) === 0 && (own.name ?? existing.name) === existing.name;
    if (touched.length > 0 && runsOnAsBefore) scope.effect(profileEffect(existing.name, touched.some(needsRestart) ? 'restart' : 'rescan'));
    return own;
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
    return { ...defaultWire(profile), ...profileFieldsOf(params), params: params.map(defaultWire) };
  });

  await app.register(profileCrud);
  await app.register(profileParams);
  await app.register(globalParamRoutes);
}
