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
import { renderSofiaConf, type Setting, type SofiaConfig, type SofiaGateway } from './xml/sofia-conf.js';
import type { XmlSource } from './xml/registry.js';

/** Everything enabled that sofia.conf renders, read in four queries whatever the number of gateways. */
export async function loadSofiaConfig(db: Kysely<Database>): Promise<SofiaConfig> {
  const [profiles, gateways, params, variables] = await Promise.all([
    db.selectFrom('sip_profiles').selectAll().where('disabled', '=', 0).orderBy('id').execute(),
    db.selectFrom('gateways').selectAll().where('disabled', '=', 0).orderBy('id').execute(),
    db.selectFrom('params').select(['realm', 'ref_id', 'k', 'v'])
      .where('realm', 'in', [SIP_PROFILE_PARAM_REALM, GATEWAY_PARAM_REALM, SOFIA_GLOBALS_REALM]).where('disabled', '=', 0)
      .orderBy('o').orderBy('id').execute(),
    db.selectFrom('gateway_variables').select(['gateway_id', 'k', 'v', 'direction']).where('disabled', '=', 0).orderBy('id').execute(),
  ]);
  const settingsOf = new Map<string, Setting[]>();
  for (const { realm, ref_id, k, v } of params) {
    const key = `${realm}:${ref_id}`;
    settingsOf.set(key, [...(settingsOf.get(key) ?? []), { k, v }]);
  }
  const variablesOf = new Map<number, SofiaGateway['variables'][number][]>();
  for (const { gateway_id, k, v, direction } of variables) variablesOf.set(gateway_id, [...(variablesOf.get(gateway_id) ?? []), { k, v, direction }]);
  const gatewaysOf = new Map<number, SofiaGateway[]>();
  for (const gateway of gateways) {
    gatewaysOf.set(gateway.profile_id, [...(gatewaysOf.get(gateway.profile_id) ?? []), {
      name: gateway.name,
      realm: gateway.realm,
      username: gateway.username,
      password: gateway.password,
      register: gateway.register === 'yes' || gateway.register === 'true',
      params: settingsOf.get(`${GATEWAY_PARAM_REALM}:${gateway.id}`) ?? [],
      variables: variablesOf.get(gateway.id) ?? [],
    }]);
  }
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
  return async ({ fields }) => renderSofiaConf(await loadSofiaConfig(db), {
    profile: fields.get('profile') || undefined,
    gateway: fields.get('gateway') || undefined,
  });
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
        if (answer.startsWith('-ERR')) this.log.info({ switch: switchName, command: args.join(' '), answer: answer.trim() }, 'sofia refused');
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
    const refused = answers.find((answer) => !answer.startsWith('+OK'));
    if (refused !== undefined && answers.every((answer) => !answer.startsWith('+OK'))) {
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
