/**
 * What the dashboard needs from the switches, and nothing of how they are reached: the status
 * resource depends on this port, and src/freeswitch/switch-status.ts implements it over the Event
 * Socket. A switch that is not connected, or fails to answer, is left out: the dashboard shows
 * what the switches said, never a figure of its own.
 */

/** One switch's answer, named by its `host:port` in FREESWITCH_ESL. */
export interface SwitchAnswer<T> {
  switchName: string;
  value: T;
}

export interface SwitchStatusSource {
  /** The switches configured, answering or not, in configuration order. */
  names(): string[];
  /** FreeSWITCH's own `status` (as its JSON API gives it) of every switch that answered. */
  statuses(): Promise<SwitchAnswer<Record<string, unknown>>[]>;
  /** The SIP registrations each switch that answered holds. */
  registrationCounts(): Promise<SwitchAnswer<number>[]>;
  /** The SIP profiles each switch that answered runs, as mod_sofia reports them. */
  sofiaProfiles(): Promise<SwitchAnswer<SofiaProfileState[]>[]>;
}

export interface SofiaProfileState {
  name: string;
  /** The profile's SIP URL, e.g. `sip:mod_sofia@192.0.2.1:5060`. */
  url: string;
  /** As mod_sofia words it, e.g. `RUNNING (0)`. */
  state: string;
}
