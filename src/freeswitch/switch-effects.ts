/**
 * The switches' side of SIP profiles and gateways: sofia.conf served from the database, the
 * `sofia` commands that writes queue run on every switch after commit, gateway control and status.
 *
 * A switch that is not connected when a write commits misses its commands; they are kept for it
 * (collapsed by key, as in one write) and, when it connects again, replayed, followed by
 * `sofia profile NAME rescan` for every enabled profile, which adds whatever else it lacks. The
 * same resync runs on every (re)connection, so a switch that kept an older configuration while
 * Switchboard was down catches up too, except for edits of gateways it already runs, which only
 * the kept commands (lost with the process) restart.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Effect } from '../db/write-path.js';
import { GATEWAY_PARAM_REALM, SIP_PROFILE_PARAM_REALM, SOFIA_GLOBALS_REALM, TEMPLATE_REF_ID } from '../db/migrations/0004-sip-gateways.js';
import { HttpError } from '../http/errors.js';
import { SwitchUnavailableError } from '../resources/channels/control.js';
import type { GatewayAction, GatewayStatusReport, RunningGateway, SofiaControl } from '../resources/gateways/control.js';
import { SOFIA_EFFECT, type SofiaEffect } from '../resources/sip-profiles/sofia-effects.js';
import type { Switches } from './esl/switches.js';
import { ALL_GATEWAYS, renderSofiaConf, type Setting, type SofiaConfig, type SofiaGateway, type SofiaScope } from './xml/sofia-conf.js';
import type { XmlSource } from './xml/registry.js';

/** `rows` as `value(row)` lists by `key(row)`, in order. */
function groupBy<R, K, V>(rows: readonly R[], key: (row: R) => K, value: (row: R) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(value(row));
    else groups.set(key(row), [value(row)]);
  }
  return groups;
}

/**
 * Everything enabled that sofia.conf renders for `scope`, in four queries whatever the number of
 * gateways. A profile or gateway fetch (rescan, startgw) reads only the rows it answers with.
 */
export async function loadSofiaConfig(db: Kysely<Database>, scope: SofiaScope = {}): Promise<SofiaConfig> {
  const whole = scope.profile === undefined;
  const oneGateway = scope.gateway !== undefined && scope.gateway !== ALL_GATEWAYS;
  const profiles = await db.selectFrom('sip_profiles').selectAll().where('disabled', '=', 0)
    .$if(!whole, (query) => query.where('name', '=', scope.profile!)).orderBy('id').execute();
  if (profiles.length === 0 && !whole) return { globals: [], profiles: [] };
  const gateways = await db.selectFrom('gateways').selectAll().where('disabled', '=', 0)
    .$if(!whole, (query) => query.where('profile_id', 'in', profiles.map((profile) => profile.id)))
    .$if(oneGateway, (query) => query.where('name', '=', scope.gateway!))
    .orderBy('id').execute();
  const gatewayIds = gateways.map((gateway) => gateway.id);
  const [params, variables] = await Promise.all([
    db.selectFrom('params').select(['realm', 'ref_id', 'k', 'v'])
      .where('disabled', '=', 0)
      .where((where) => whole
        ? where('realm', 'in', [SIP_PROFILE_PARAM_REALM, GATEWAY_PARAM_REALM, SOFIA_GLOBALS_REALM])
        : where.or([
          where.and([where('realm', '=', SIP_PROFILE_PARAM_REALM), where('ref_id', 'in', profiles.map((profile) => profile.id))]),
          ...(gatewayIds.length === 0 ? [] : [where.and([where('realm', '=', GATEWAY_PARAM_REALM), where('ref_id', 'in', gatewayIds)])]),
          where('realm', '=', SOFIA_GLOBALS_REALM),
        ]))
      .orderBy('o').orderBy('id').execute(),
    gatewayIds.length === 0 && !whole
      ? []
      : db.selectFrom('gateway_variables').select(['gateway_id', 'k', 'v', 'direction']).where('disabled', '=', 0)
        .$if(!whole, (query) => query.where('gateway_id', 'in', gatewayIds)).orderBy('id').execute(),
  ]);
  const settingsOf = groupBy(params, ({ realm, ref_id }) => `${realm}:${ref_id}`, ({ k, v }): Setting => ({ k, v }));
  const variablesOf = groupBy(variables, (row) => row.gateway_id, ({ k, v, direction }) => ({ k, v, direction }));
  const gatewaysOf = groupBy(gateways, (gateway) => gateway.profile_id, (gateway): SofiaGateway => ({
    name: gateway.name,
    realm: gateway.realm,
    username: gateway.username,
    password: gateway.password,
    register: gateway.register === 'yes' || gateway.register === 'true',
    params: settingsOf.get(`${GATEWAY_PARAM_REALM}:${gateway.id}`) ?? [],
    variables: variablesOf.get(gateway.id) ?? [],
  }));
  return {
    globals: settingsOf.get(`${SOFIA_GLOBALS_REALM}:${TEMPLATE_REF_ID}`) ?? [],
    profiles: profiles.map((profile) => ({
      name: profile.name,
      settings: settingsOf.get(`${SIP_PROFILE_PARAM_REALM}:${profile.id}`) ?? [],
      gateways: gatewaysOf.get(profile.id) ?? [],
    })),
  };
}

/** sofia.conf for mod_xml_curl: whole, one profile (`profile=`), or one gateway (`gateway=`, on startgw). */
export function sofiaConfSource(db: Kysely<Database>): XmlSource {
  return async ({ fields }) => {
    const scope = { profile: fields.get('profile') || undefined, gateway: fields.get('gateway') || undefined };
    return renderSofiaConf(await loadSofiaConfig(db, scope), scope);
  };
}

/** Each `<element>` of a `sofia xmlstatus` answer, as a reader of its child fields' text. */
export function xmlStatusRecords(xml: string, element: string): ((field: string) => string)[] {
  return [...xml.matchAll(new RegExp(`<${element}>([\\s\\S]*?)</${element}>`, 'g'))].map(([, body = '']) =>
    (name: string) => decodeEntities(new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1] ?? ''));
}

/** The gateways in a `sofia xmlstatus gateway` answer. */
export function parseGatewayStatus(xml: string, switchName: string): RunningGateway[] {
  return xmlStatusRecords(xml, 'gateway').map((field) =>
    ({ switchName, name: field('name'), profile: field('profile'), state: field('state'), status: field('status') }));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeEntities = (text: string) => text.replace(/&(amp|lt|gt|quot|apos);/g, (_match, name: string) => ENTITIES[name]!);

const isSofiaEffect = (effect: Effect): effect is SofiaEffect => effect.kind === SOFIA_EFFECT;

/**
 * Whether a `sofia` answer says no. The success line is not always first: `startgw` reloads the
 * XML and answers `Reload XML [Success]` before `+OK start gateway NAME complete`.
 */
const sofiaRefused = (answer: string) => /^-ERR/m.test(answer) || !/^\+OK/m.test(answer);

export interface SofiaSyncLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Runs the queued sofia commands on the switches, resyncs switches that come back, and controls gateways. */
export class SofiaSwitchSync implements SofiaControl {
  /** Per switch, the commands it missed while disconnected, by effect key. */
  private readonly missed = new Map<string, Map<string, SofiaEffect>>();

  constructor(
    private readonly switches: Switches,
    private readonly db: Kysely<Database>,
    private readonly log: SofiaSyncLog,
  ) {
    switches.on('ready', (name) => {
      this.resync(name).catch((error: unknown) => this.log.warn({ switch: name }, `sofia resync failed: ${(error as Error).message}`));
    });
  }

  /** The write path's effect sink. */
  readonly deliver = async (effects: readonly Effect[]): Promise<void> => {
    const sofia = effects.filter(isSofiaEffect);
    if (sofia.length === 0) return;
    await Promise.all(this.switches.names.map(async (name) => {
      for (const effect of sofia) {
        if (!(await this.run(name, effect))) this.keep(name, effect);
      }
    }));
  };

  private keep(switchName: string, effect: SofiaEffect): void {
    const kept = this.missed.get(switchName) ?? new Map<string, SofiaEffect>();
    kept.delete(effect.key);
    kept.set(effect.key, effect);
    this.missed.set(switchName, kept);
  }

  /** Runs an effect's commands on one switch; false when the switch could not be reached. */
  private async run(switchName: string, effect: SofiaEffect): Promise<boolean> {
    for (const args of effect.commands) {
      try {
        const answer = await this.switches.api(switchName, 'sofia', args);
        // A switch that refuses (killgw of a gateway it does not run) is not a lost command.
        if (sofiaRefused(answer)) this.log.info({ switch: switchName, command: args.join(' '), answer: answer.trim() }, 'sofia refused');
      } catch (error) {
        this.log.warn({ switch: switchName, command: args.join(' ') }, `sofia command not delivered: ${(error as Error).message}`);
        return false;
      }
    }
    return true;
  }

  /** Replays what `switchName` missed, then rescans every enabled profile on it. */
  async resync(switchName: string): Promise<void> {
    const kept = [...(this.missed.get(switchName)?.values() ?? [])];
    this.missed.delete(switchName);
    for (const [index, effect] of kept.entries()) {
      if (!(await this.run(switchName, effect))) {
        for (const left of kept.slice(index)) this.keep(switchName, left);
        return;
      }
    }
    const profiles = await this.db.selectFrom('sip_profiles').select('name').where('disabled', '=', 0).orderBy('id').execute();
    for (const { name } of profiles) {
      if (!(await this.run(switchName, { kind: SOFIA_EFFECT, key: `resync:${name}`, commands: [['profile', name, 'rescan']] }))) return;
    }
    this.log.info({ switch: switchName, replayed: kept.length, profiles: profiles.length }, 'sofia resynchronised');
  }

  async gatewayCommand(profile: string, action: GatewayAction, name: string): Promise<void> {
    const connected = this.switches.connected();
    if (connected.length === 0) throw new SwitchUnavailableError(undefined, 'none connected');
    const answers = await Promise.all(connected.map(async (client) => {
      try {
        return await client.api('sofia', ['profile', profile, action, name]);
      } catch (error) {
        throw new SwitchUnavailableError(client.name, (error as Error).message);
      }
    }));
    const refused = answers.find(sofiaRefused);
    if (refused !== undefined && answers.every(sofiaRefused)) {
      throw new HttpError(409, `action: the switch refused: ${refused.trim()}`);
    }
  }

  async gatewayStatus(): Promise<GatewayStatusReport> {
    const connected = this.switches.connected();
    const answers = await Promise.all(connected.map(async (client) => {
      try {
        return parseGatewayStatus(await client.api('sofia', ['xmlstatus', 'gateway']), client.name);
      } catch {
        return undefined;
      }
    }));
    const answered = answers.filter((answer): answer is RunningGateway[] => answer !== undefined);
    return { running: answered.flat(), answered: answered.length };
  }
}
