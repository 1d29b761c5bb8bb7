/**
 * sofia.conf from plain data: the SIP profiles with their settings, each with its gateways
 * (params and variables). FreeSWITCH fetches it whole when mod_sofia loads, for one profile when
 * the profile starts or is rescanned (`profile=NAME`), and for one gateway on `startgw`
 * (`gateway=NAME`); each answer holds only what was asked for.
 */
import { freeswitchDocument, type XmlElement } from './document.js';

export interface Setting {
  k: string;
  v: string;
}

export interface SofiaVariable extends Setting {
  /** 0 both ways, 1 inbound calls only, 2 outbound only. */
  direction: number;
}

export interface SofiaGateway {
  name: string;
  realm: string;
  username: string;
  password: string;
  register: boolean;
  /** Enabled params, in order. */
  params: readonly Setting[];
  /** Enabled variables, in order. */
  variables: readonly SofiaVariable[];
}

export interface SofiaProfile {
  name: string;
  /** Enabled settings, in order. */
  settings: readonly Setting[];
  gateways: readonly SofiaGateway[];
}

export interface SofiaConfig {
  globals: readonly Setting[];
  profiles: readonly SofiaProfile[];
}

/** What a fetch asks for: everything, one profile, or one gateway of a profile. */
export type SofiaScope = { profile?: string | undefined; gateway?: string | undefined };

/** `startgw _all_` asks for every gateway of the profile. */
export const ALL_GATEWAYS = '_all_';
const DIRECTION_WORDS: Record<number, string | undefined> = { 1: 'inbound', 2: 'outbound' };

const param = ({ k, v }: Setting): XmlElement => ({ name: 'param', attributes: { name: k, value: v } });

function gatewayElement(gateway: SofiaGateway): XmlElement {
  const own: Setting[] = [
    { k: 'realm', v: gateway.realm },
    ...(gateway.username === '' ? [] : [{ k: 'username', v: gateway.username }]),
    ...(gateway.password === '' ? [] : [{ k: 'password', v: gateway.password }]),
    { k: 'register', v: gateway.register ? 'true' : 'false' },
  ];
  const children = [...own, ...gateway.params].map(param);
  if (gateway.variables.length > 0) {
    children.push({
      name: 'variables',
      children: gateway.variables.map(({ k, v, direction }): XmlElement => {
        const word = DIRECTION_WORDS[direction];
        return { name: 'variable', attributes: word ? { name: k, value: v, direction: word } : { name: k, value: v } };
      }),
    });
  }
  return { name: 'gateway', attributes: { name: gateway.name }, children };
}

function profileElement(profile: SofiaProfile, onlyGateway: string | undefined): XmlElement {
  const gateways = onlyGateway === undefined || onlyGateway === ALL_GATEWAYS
    ? profile.gateways
    : profile.gateways.filter((gateway) => gateway.name === onlyGateway);
  const children: XmlElement[] = [{ name: 'gateways', children: gateways.map(gatewayElement) }];
  // `startgw` reads only the gateways; a profile (re)start reads the settings too.
  if (onlyGateway === undefined) children.push({ name: 'settings', children: profile.settings.map(param) });
  return { name: 'profile', attributes: { name: profile.name }, children };
}

/**
 * The sofia.conf document for `scope`. A profile that is not in `config` gets a document without
 * it rather than "not found": FreeSWITCH would then fall back to a profile of its own files.
 */
export function renderSofiaConf(config: SofiaConfig, scope: SofiaScope = {}): string {
  const profiles = scope.profile === undefined ? config.profiles : config.profiles.filter((profile) => profile.name === scope.profile);
  return freeswitchDocument('configuration', [{
    name: 'configuration',
    attributes: { name: 'sofia.conf', description: 'SIP' },
    children: [
      { name: 'global_settings', children: config.globals.map(param) },
      { name: 'profiles', children: profiles.map((profile) => profileElement(profile, scope.gateway)) },
    ],
  }]);
}
