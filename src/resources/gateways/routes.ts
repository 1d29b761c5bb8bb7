import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import type { References } from '../../db/references.js';
import { GATEWAY_PARAM_REALM, TEMPLATE_REF_ID } from '../../db/migrations/0004-sip-gateways.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { assertValueFree, crudRoutes, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { CreatedEnvelope, created } from '../../http/kit/envelopes.js';
import { ListQuery, pageOfRows } from '../../http/kit/listing.js';
import { Id, IdParams, Message, flipped } from '../../http/kit/types.js';
import { assertNumberRules, rowNamingTable, storedNumberRules } from '../number-translation/rules.js';
import { assertSettingValue, copyParams, deleteOwnedParams, ownedParamRoutes, ownedParams } from '../sip-profiles/owned-params.js';
import { gatewayEffect } from '../sip-profiles/sofia-effects.js';
import type { GatewayAction, SofiaControl } from './control.js';
import {
  Direction, GatewayControlBody, GatewayCreate, GatewayDetail, GatewayList1Status, GatewayListRow, GatewayListStatus,
  GatewayUpdate, GatewayVariableRow, VariableCreate, VariableUpdate,
} from './schema.js';

const TAG = 'gateways';
/**
 * Change-feed topic of gateways: the ids of gateways created, changed or deleted. Routing follows
 * it for the gateways' dnc/sdnc (src/resources/hotlines/number-plans.ts).
 */
export const GATEWAYS_TOPIC = 'gateways';
const describeGateway = (gateway: Pick<Row<'gateways'>, 'id' | 'name'>) => `gateway "${gateway.name}" (id ${gateway.id})`;
const registers = (register: string) => register === 'yes' || register === 'true';

/** What sofia.conf renders of a gateway row: a change of anything else needs no restart of it. */
const RENDERED: readonly (keyof Row<'gateways'>)[] = ['name', 'realm', 'username', 'password', 'register', 'profile_id', 'disabled'];

function assertRenderable(gateway: Pick<Row<'gateways'>, 'realm' | 'username' | 'password' | 'register'>): void {
  for (const field of ['realm', 'username', 'password'] as const) assertSettingValue(gateway[field], field);
  // FreeSWITCH skips a registering gateway without credentials ("username param is REQUIRED").
  if (registers(gateway.register)) {
    if (gateway.username === '') throw badRequest('username', 'is required when register is yes');
    if (gateway.password === '') throw badRequest('password', 'is required when register is yes');
  }
}

const assertNameFree = (db: Kysely<Database>, name: string, except?: number) =>
  assertValueFree(db, 'gateways', 'name', name, { noun: 'gateway', ...(except === undefined ? {} : { except }) });

/** The profile a gateway runs on, held until commit so that it cannot be deleted under it. */
async function heldProfile(scope: WriteScope, id: number | undefined): Promise<Row<'sip_profiles'>> {
  const profile = id === undefined
    // XUI runs a gateway without a profile on `public`, the profile trunks use.
    ? await scope.lock('sip_profiles', 'name', 'public', 'share')
    : await scope.lock('sip_profiles', 'id', id, 'share');
  if (!profile) throw badRequest('profile_id', id === undefined ? 'is required (there is no profile "public")' : `no sip profile with id ${id}`);
  return profile;
}

async function profileOf(scope: WriteScope, id: number): Promise<Row<'sip_profiles'>> {
  const profile = await scope.trx.selectFrom('sip_profiles').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return profile;
}

/** The profile a gateway is running on, or undefined when it does not run (disabled, or its profile is). */
const runningOn = (gateway: Row<'gateways'>, profile: Row<'sip_profiles'>) =>
  gateway.disabled === 0 && profile.disabled === 0 ? profile.name : undefined;

/** Queues the killgw/startgw a change from `before` to `after` needs (either absent on create/delete). */
async function queueGatewayEffects(scope: WriteScope, before: Row<'gateways'> | undefined, after: Row<'gateways'> | undefined): Promise<void> {
  const from = before ? runningOn(before, await profileOf(scope, before.profile_id)) : undefined;
  const to = after ? runningOn(after, await profileOf(scope, after.profile_id)) : undefined;
  if (before && after && before.name !== after.name) {
    scope.effect(gatewayEffect(before.name, from, undefined));
    scope.effect(gatewayEffect(after.name, undefined, to));
  } else if (from !== undefined || to !== undefined) {
    scope.effect(gatewayEffect((after ?? before)!.name, from, to));
  }
}

const toListWire = (row: Row<'gateways'>) => ({ ...defaultWire(row), password: '' });

const gatewayCrud = (references: References) => crudRoutes({
  table: 'gateways',
  path: '/api/gateways',
  tag: TAG,
  listRow: GatewayListRow,
  detailRow: GatewayDetail,
  createBody: GatewayCreate,
  updateBody: GatewayUpdate,
  // Create copies a template onto the new id, and the detail carries params and variables.
  operations: ['list', 'update', 'delete'],
  listing: {
    sortable: ['id', 'name', 'realm', 'username', 'profile_id', 'created_at'],
    searchable: ['name', 'realm', 'username', 'description'],
    defaultSort: 'id',
    filters: { name: { column: 'name', match: 'contains' }, realm: { column: 'realm', match: 'contains' } },
  },
  toWire: toListWire,
  describe: describeGateway,
  topic: GATEWAYS_TOPIC,
  async beforeUpdate(input, existing, scope) {
    if (input.action === 'toggle') {
      // The row is locked for update: flipping what was read is exact.
      const after = { ...existing, disabled: 1 - existing.disabled };
      await queueGatewayEffects(scope, existing, after);
      return { disabled: after.disabled };
    }
    const { action: _toggle, ...fields } = input;
    const patch = storedNumberRules({ ...fields, ...(fields.password === '' ? { password: undefined } : {}) });
    const after: Row<'gateways'> = { ...existing, ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) };
    assertRenderable(after);
    await assertNumberRules(scope, patch);
    if (after.name !== existing.name) {
      await assertNameFree(scope.trx, after.name, existing.id);
      // Routes bridge to the gateway by the name they stored.
      const referrer = await references.referrerOf(scope, 'gateways', existing);
      if (referrer) throw conflict('name', `${describeGateway(existing)} is used by ${referrer}; its name cannot change`);
    }
    if (after.profile_id !== existing.profile_id) await heldProfile(scope, after.profile_id);
    if (RENDERED.some((column) => after[column] !== existing[column])) await queueGatewayEffects(scope, existing, after);
    return patch;
  },
  async beforeDelete(existing, scope) {
    await deleteOwnedParams(scope, GATEWAY_PARAM_REALM, existing.id);
    await scope.trx.deleteFrom('gateway_variables').where('gateway_id', '=', existing.id).execute();
    await queueGatewayEffects(scope, existing, undefined);
  },
});

/** A gateway's params and its variables change what it runs with: restart it where it runs. */
async function restartIfRunning(scope: WriteScope, gateway: Row<'gateways'>): Promise<void> {
  const on = runningOn(gateway, await profileOf(scope, gateway.profile_id));
  if (on !== undefined) scope.effect(gatewayEffect(gateway.name, on, on));
}

const gatewayParams = ownedParamRoutes({
  table: 'gateways',
  realm: GATEWAY_PARAM_REALM,
  base: '/api/gateways',
  listPath: '/api/gateways/params/:id',
  tag: TAG,
  afterChange: (scope, gateway) => restartIfRunning(scope, gateway),
});

const DIRECTIONS: Record<string, number> = { both: 0, inbound: 1, outbound: 2 };
const directionOf = (direction: Static<typeof Direction>) => (typeof direction === 'number' ? direction : DIRECTIONS[direction]!);

async function variableOf(db: Kysely<Database>, gatewayId: number, variableId: number): Promise<Row<'gateway_variables'>> {
  const row = await db.selectFrom('gateway_variables').selectAll()
    .where('gateway_id', '=', gatewayId).where('id', '=', variableId).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

const variablesOf = (db: Kysely<Database>, gatewayId: number) =>
  db.selectFrom('gateway_variables').selectAll().where('gateway_id', '=', gatewayId).orderBy('id').execute();

/**
 * The control words clients send, as XUI reads them: `start`/`startgw`, `stop`/`killgw`,
 * `unreg`/`unregister`, `reg`/`register` (`unreg` tested before `reg`, which it contains).
 */
function gatewayAction(action: string | undefined): GatewayAction {
  const word = (action ?? '').toLowerCase();
  if (word === '') throw badRequest('action', 'is required: start, killgw, register or unregister');
  if (word.includes('unreg')) return 'unregister';
  if (word.includes('reg')) return 'register';
  if (word.includes('kill') || word.includes('stop')) return 'killgw';
  if (word.includes('start')) return 'startgw';
  throw badRequest('action', `"${action}" is not one of start, killgw, register, unregister`);
}

const GatewayVariableParams = Type.Object({ id: Id, vid: Id });
const VariableChanged = Type.Object({ code: Type.Integer(), message: Type.String(), data: GatewayVariableRow });
const VariableDeleted = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Integer({ description: 'rows deleted' }) });
const ControlDone = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Object({}) });
const ControlDoneById = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.String() });

/** Neither state nor status is known: no switch answered. */
const UNKNOWN = 'UNKNOWN';

export async function gatewayRoutes(parent: FastifyInstance, options: { control: SofiaControl }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { control } = options;
  const tags = [TAG];
  const db = app.db.kysely;

  app.destinations.register({ type: 'FS_DEST_GATEWAY', table: 'gateways', nameColumn: 'name', noun: 'gateway' });
  app.references.add('sip_profiles', async ({ trx }, profile) => {
    const gateway = await trx.selectFrom('gateways').selectAll().where('profile_id', '=', profile.id).orderBy('id').executeTakeFirst();
    return gateway ? describeGateway(gateway) : undefined;
  });
  app.references.add('number_translations', async ({ trx }, table) => {
    const gateway = await rowNamingTable(trx, 'gateways', table.id);
    return gateway ? describeGateway(gateway) : undefined;
  });

  // Registered before `/api/gateways/:id`, which would not take these words as ids anyway.
  app.get('/api/gateways/list', {
    schema: { tags, summary: 'Every configured gateway and whether it is registered (REGED, UNREG, UNKNOWN when no switch answers)', response: { 200: GatewayListStatus } },
  }, async () => {
    const [gateways, report] = await Promise.all([db.selectFrom('gateways').select('name').orderBy('id').execute(), control.gatewayStatus()]);
    return gateways.map(({ name }) => {
      if (report.answered === 0) return { gwname: name, gwstatus: UNKNOWN };
      const reged = report.running.some((gw) => gw.name === name && gw.state === 'REGED' && gw.status === 'UP');
      return { gwname: name, gwstatus: reged ? 'REGED' : 'UNREG' };
    });
  });

  app.get('/api/gateways/list1', {
    schema: { tags, summary: 'Every configured gateway with its state and status from `sofia xmlstatus gateway`', response: { 200: GatewayList1Status } },
  }, async () => {
    const [gateways, report] = await Promise.all([db.selectFrom('gateways').select('name').orderBy('id').execute(), control.gatewayStatus()]);
    return gateways.map(({ name }) => {
      if (report.answered === 0) return { name, gateway_state: UNKNOWN, gateway_status: UNKNOWN };
      const running = report.running.filter((gw) => gw.name === name);
      const best = running.find((gw) => gw.state === 'REGED') ?? running[0];
      return best
        ? { name, gateway_state: best.state, gateway_status: best.status }
        : { name, gateway_state: 'NOT_RUNNING', gateway_status: 'DOWN' };
    });
  });

  async function runControl(gateway: Row<'gateways'>, action: string | undefined): Promise<void> {
    const command = gatewayAction(action);
    const profile = await findById(db, 'sip_profiles', gateway.profile_id);
    await control.gatewayCommand(profile.name, command, gateway.name);
  }

  app.put('/api/gateways/control', {
    schema: {
      tags, summary: 'Start, kill, register or unregister a gateway by name (body or query)',
      body: Type.Optional(GatewayControlBody), querystring: GatewayControlBody, response: { 200: ControlDone, 404: Message },
    },
  }, async (request) => {
    const gwname = request.body?.gwname ?? request.query.gwname;
    const action = request.body?.action ?? request.query.action;
    if (!gwname) throw badRequest('gwname', 'is required');
    const gateway = await db.selectFrom('gateways').selectAll().where('name', '=', gwname).executeTakeFirst();
    if (!gateway) throw notFound();
    await runControl(gateway, action);
    return { code: 200, message: 'success', data: {} };
  });

  app.put('/api/gateways/:id/control', {
    schema: { tags, summary: 'Start, kill, register or unregister a gateway by id', params: IdParams, body: GatewayControlBody, response: { 200: ControlDoneById, 404: Message } },
  }, async (request) => {
    await runControl(await findById(db, 'gateways', request.params.id), request.body.action);
    return { code: 200, message: 'success', data: String(request.params.id) };
  });

  // The gateway page's "relevance" tabs: what sends calls through this gateway. DODs and
  // distributors do not exist yet, so none can; their tabs stay empty until they do.
  app.get('/api/gateways/relevance_info/:id', {
    schema: {
      tags, summary: 'The routes and DODs that use the gateway (distributors: none exist)', params: IdParams,
      response: {
        200: Type.Object({
          routes: Type.Array(Type.Object({ id: Id, name: Type.String(), prefix: Type.String(), context: Type.String() })),
          dods: Type.Array(Type.Object({ id: Id, line_number: Type.String() })),
          distributors: Type.Array(Type.Object({ id: Id, name: Type.String() })),
        }),
        404: Message,
      },
    },
  }, async (request) => {
    const gateway = await findById(db, 'gateways', request.params.id);
    const [routes, dods] = await Promise.all([
      db.selectFrom('routes').select(['id', 'name', 'prefix', 'context'])
        .where('dest_type', '=', 'FS_DEST_GATEWAY').where('dest_uuid', '=', String(gateway.id)).orderBy('id').execute(),
      db.selectFrom('dods').select(['id', 'line_number'])
        .where('type', '=', 'GATEWAY').where('ref_id', '=', gateway.id).orderBy('id').execute(),
    ]);
    return { routes, dods, distributors: [] };
  });

  // Distributors (XUI's gateway groups) do not exist in Switchboard. The route page's destination
  // and number-transform pickers and the DOD page fill a drop-down from this list; without it the
  // route page throws on load. None exist, so the list is empty and a DOD of type DISTRIBUTORS is refused.
  app.get('/api/distributors', {
    schema: {
      tags, summary: 'Distributors (none exist: an empty list)', querystring: ListQuery,
      response: { 200: Type.Object({ page: Type.Integer(), rowCount: Type.Integer(), pageCount: Type.Integer(), data: Type.Array(Type.Object({ id: Id, name: Type.String() })) }) },
    },
  }, async (request) => pageOfRows([], request.query));

  app.get('/api/gateways/:id', {
    schema: { tags, summary: 'One gateway with its params and variables (never its password)', params: IdParams, response: { 200: GatewayDetail, 404: Message } },
  }, async (request) => {
    const gateway = await findById(db, 'gateways', request.params.id);
    const [params, variables] = await Promise.all([ownedParams(db, GATEWAY_PARAM_REALM, gateway.id), variablesOf(db, gateway.id)]);
    const { password: _secret, ...shown } = defaultWire(gateway);
    // The page's register switch is on for "yes" (not for the "true" its create dialog sends).
    const register = registers(gateway.register) ? 'yes' : 'no';
    return { ...shown, register, disabled: String(gateway.disabled), params: params.map(defaultWire), variables: variables.map(defaultWire) };
  });

  app.post('/api/gateways', {
    schema: { tags, summary: 'Create a gateway; "template": "default" copies the default parameters', body: GatewayCreate, response: { 200: CreatedEnvelope } },
  }, async (request) => {
    const input = request.body;
    const values = storedNumberRules({
      name: input.name,
      realm: input.realm,
      username: input.username ?? '',
      password: input.password ?? '',
      register: input.register ?? 'no',
      description: input.description ?? '',
      disabled: input.disabled ?? 0,
      dnc: input.dnc ?? '',
      sdnc: input.sdnc ?? '',
    });
    assertRenderable(values);
    assertSettingValue(values.description, 'description');
    const id = await app.writes.run(async (scope) => {
      await assertNameFree(scope.trx, input.name);
      await assertNumberRules(scope, values);
      const profile = await heldProfile(scope, input.profile_id);
      const template = await templateRef(scope, input.template);
      const now = storedNow();
      const row = await scope.trx.insertInto('gateways')
        .values({ ...values, profile_id: profile.id, created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      if (template !== undefined) await copyParams(scope, GATEWAY_PARAM_REALM, template, row.id);
      await queueGatewayEffects(scope, undefined, row);
      scope.changed(GATEWAYS_TOPIC, [row.id]);
      return row.id;
    });
    return created(id);
  });

  await app.register(gatewayCrud(app.references));
  await app.register(gatewayParams);

  app.get('/api/gateways/variables/:id', {
    schema: { tags, summary: "A gateway's variables", params: IdParams, response: { 200: Type.Array(GatewayVariableRow), 404: Message } },
  }, async (request) => {
    await findById(db, 'gateways', request.params.id);
    return (await variablesOf(db, request.params.id)).map(defaultWire);
  });

  app.post('/api/gateways/:id/variables', {
    schema: { tags, summary: 'Add a variable to a gateway (direction 0 both, 1 inbound, 2 outbound)', params: IdParams, body: VariableCreate, response: { 200: CreatedEnvelope, 404: Message } },
  }, async (request) => {
    const { k, v = '', direction = 0, disabled = 0 } = request.body;
    assertSettingValue(v, 'v');
    const id = await app.writes.run(async (scope) => {
      const gateway = await lockedById(scope, 'gateways', request.params.id);
      const now = storedNow();
      const row = await scope.trx.insertInto('gateway_variables')
        .values({ gateway_id: gateway.id, k, v, direction: directionOf(direction), disabled, created_at: now, updated_at: now })
        .returning('id').executeTakeFirstOrThrow();
      await restartIfRunning(scope, gateway);
      return row.id;
    });
    return created(id);
  });

  app.put('/api/gateways/:id/variables/:vid', {
    schema: {
      tags, summary: 'Edit a gateway variable, or toggle it with {"action":"toggle"}',
      params: GatewayVariableParams, body: VariableUpdate, response: { 200: VariableChanged, 404: Message },
    },
  }, async (request) => {
    const { id: gatewayId, vid } = request.params;
    const { action, direction, ...fields } = request.body;
    assertSettingValue(fields.v, 'v');
    const patch = action === 'toggle'
      ? { disabled: flipped('disabled') }
      : { ...fields, ...(direction === undefined ? {} : { direction: directionOf(direction) }) };
    const row = await app.writes.run(async (scope) => {
      const gateway = await lockedById(scope, 'gateways', gatewayId);
      await variableOf(scope.trx, gatewayId, vid);
      const after = await scope.trx.updateTable('gateway_variables').set({ ...patch, updated_at: storedNow() })
        .where('id', '=', vid).returningAll().executeTakeFirstOrThrow();
      await restartIfRunning(scope, gateway);
      return after;
    });
    return { code: 200, message: 'success', data: defaultWire(row) };
  });

  app.delete('/api/gateways/:id/variable/:vid', {
    schema: { tags, summary: 'Delete a gateway variable (singular `variable`, as the spec)', params: GatewayVariableParams, response: { 200: VariableDeleted, 404: Message } },
  }, async (request) => {
    const { id: gatewayId, vid } = request.params;
    await app.writes.run(async (scope) => {
      const gateway = await lockedById(scope, 'gateways', gatewayId);
      await variableOf(scope.trx, gatewayId, vid);
      await scope.trx.deleteFrom('gateway_variables').where('id', '=', vid).execute();
      await restartIfRunning(scope, gateway);
    });
    return { code: 200, message: 'success', data: 1 };
  });
}

/** The params owner a `template` names: "default" the seeded template, a gateway id that gateway. */
async function templateRef(scope: WriteScope, template: string | undefined): Promise<number | undefined> {
  if (template === undefined || template === '') return undefined;
  if (template === 'default') return TEMPLATE_REF_ID;
  const id = /^[1-9]\d{0,9}$/.test(template) ? Number(template) : NaN;
  const source = id <= 2 ** 31 - 1 ? await scope.lock('gateways', 'id', id, 'share') : undefined;
  if (!source) throw badRequest('template', `must be "default" or the id of a gateway, got "${template}"`);
  return source.id;
}
