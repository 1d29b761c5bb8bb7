/**
 * What the switches must do after a change of a SIP profile or a gateway, as plain data: the
 * `sofia` API commands to run, in order, on every switch (src/freeswitch/switch-effects.ts runs
 * them). Keys collapse repeats within one write: one command list per profile and per gateway.
 */
import type { Effect } from '../../db/write-path.js';

export const SOFIA_EFFECT = 'sofia';

export interface SofiaEffect extends Effect {
  kind: typeof SOFIA_EFFECT;
  /** Arguments of `api sofia ...`, one command per entry, e.g. `['profile', 'public', 'startgw', 'gw1']`. */
  commands: string[][];
}

/**
 * Profile settings FreeSWITCH only takes on a restart (the sockets and addresses a profile binds);
 * every other setting is re-read by `sofia profile X rescan` without dropping calls.
 */
const RESTART_SETTINGS = /^(sip-ip|sip-port|rtp-ip|ext-sip-ip|ext-rtp-ip|ext-sip-port|bind-params|ws-binding|wss-binding|tls.*|odbc-dsn)$/;

export const needsRestart = (settingName: string) => RESTART_SETTINGS.test(settingName);

/** A gateway was running on profile `from` (killgw) and must now run on `to` (startgw, which fetches its new configuration). */
export function gatewayEffect(name: string, from: string | undefined, to: string | undefined): SofiaEffect {
  const commands: string[][] = [];
  if (from !== undefined) commands.push(['profile', from, 'killgw', name]);
  if (to !== undefined) commands.push(['profile', to, 'startgw', name]);
  return { kind: SOFIA_EFFECT, key: `sofia:gateway:${name}`, commands };
}

/** `sofia profile NAME start|stop|rescan|restart`. */
export function profileEffect(name: string, action: 'start' | 'stop' | 'rescan' | 'restart'): SofiaEffect {
  return { kind: SOFIA_EFFECT, key: `sofia:profile:${name}:${action}`, commands: [['profile', name, action]] };
}
