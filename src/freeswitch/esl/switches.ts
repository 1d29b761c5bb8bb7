/**
 * Every switch of FREESWITCH_ESL, each with its own Event Socket client: their status, commands on
 * one or on all, and their events in one stream tagged with the switch they came from.
 */
import { EventEmitter } from 'node:events';
import { EslClient, type BackgroundJob, type CommandOptions, type EslClientOptions, type EslEvent, type EslStatus } from './client.js';
import { apiCommandLine, isSafeCommandValue } from './commands.js';
import { UnknownSwitchError } from './errors.js';

export const DEFAULT_SWITCH_LIST = '127.0.0.1:8021:ClueCon';

export interface SwitchAddress {
  /** `host:port`: how logs, errors, status and events name the switch. */
  name: string;
  host: string;
  port: number;
  password: string;
}

/**
 * Parses `host:port:password[,host:port:password...]` (FREESWITCH_ESL); unset or blank means the
 * local default. The password is everything after the second colon, so it may hold colons (not
 * commas). An IPv6 host goes in brackets: `[::1]:8021:ClueCon`. Errors name the entry by position
 * and never repeat its password.
 */
export function parseSwitchList(raw: string | undefined, variable = 'FREESWITCH_ESL'): SwitchAddress[] {
  const list = raw?.trim() ? raw : DEFAULT_SWITCH_LIST;
  const switches = list.split(',').map((entry, index) => parseEntry(entry.trim(), `${variable}: entry ${index + 1}`));
  const seen = new Set<string>();
  for (const address of switches) {
    if (seen.has(address.name)) throw new Error(`${variable}: switch ${address.name} is listed twice`);
    seen.add(address.name);
  }
  return switches;
}

function parseEntry(entry: string, where: string): SwitchAddress {
  if (entry === '') throw new Error(`${where} is empty; each entry is host:port:password`);
  const match = /^(\[[^\]]+\]|[^:[\]]+):([^:]*):(.*)$/s.exec(entry);
  // Only the host is ever echoed, and only when a colon shows where it ends: a malformed entry
  // may have its password anywhere.
  const host = entry.includes(':') ? /^(\[[^\]]*\]|[^:]*)/.exec(entry)?.[0] : undefined;
  const named = host === undefined ? where : `${where} (host ${JSON.stringify(host)})`;
  if (!match) throw new Error(`${named} must be host:port:password`);
  const [, hostText = '', portText = '', password = ''] = match;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new Error(`${named}: port must be a number from 1 to 65535`);
  if (password === '') throw new Error(`${named}: password is empty`);
  if (!isSafeCommandValue(password)) throw new Error(`${named}: password must not contain line breaks`);
  return { name: `${hostText}:${port}`, host: hostText.startsWith('[') ? hostText.slice(1, -1) : hostText, port, password };
}

/** A subscribed event, and the switch that sent it. */
export interface SwitchEvent extends EslEvent {
  switch: string;
}

/** One switch's outcome of a command sent to all. */
export type SwitchOutcome<T> = { switch: string; ok: true; value: T } | { switch: string; ok: false; error: Error };

export type SwitchesOptions = Omit<EslClientOptions, 'host' | 'port' | 'password' | 'name'>;

type SwitchesEvents = {
  event: [event: SwitchEvent];
  ready: [switchName: string];
  disconnected: [switchName: string, reason: string];
};

export class Switches extends EventEmitter<SwitchesEvents> {
  private readonly clients = new Map<string, EslClient>();

  constructor(addresses: readonly SwitchAddress[], options: SwitchesOptions) {
    super();
    for (const address of addresses) {
      const client = new EslClient({ ...options, host: address.host, port: address.port, password: address.password, name: address.name });
      client.on('event', (event) => this.emit('event', { ...event, switch: client.name }));
      client.on('ready', () => this.emit('ready', client.name));
      client.on('disconnected', (reason) => this.emit('disconnected', client.name, reason));
      this.clients.set(address.name, client);
    }
  }

  /** Starts every client; each connects, and keeps reconnecting, on its own. */
  start(): void {
    for (const client of this.clients.values()) client.start();
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  get names(): string[] {
    return [...this.clients.keys()];
  }

  status(): EslStatus[] {
    return [...this.clients.values()].map((client) => client.status());
  }

  /** The client of one switch; throws UnknownSwitchError for a name not configured. */
  get(name: string): EslClient {
    const client = this.clients.get(name);
    if (!client) throw new UnknownSwitchError(name);
    return client;
  }

  /** The connected switches' clients, in configuration order. */
  connected(): EslClient[] {
    return [...this.clients.values()].filter((client) => client.connected);
  }

  api(name: string, command: string, args?: readonly string[], options?: CommandOptions): Promise<string> {
    return this.get(name).api(command, args, options);
  }

  bgapi(name: string, command: string, args?: readonly string[], options?: CommandOptions & { jobTimeoutMs?: number }): Promise<BackgroundJob> {
    return this.get(name).bgapi(command, args, options);
  }

  /**
   * Runs `api` on every switch at once: one outcome per switch, a switch that is down giving its
   * error. Rejects only for an unsafe value, which no switch would take.
   */
  async apiAll(command: string, args: readonly string[] = [], options?: CommandOptions): Promise<SwitchOutcome<string>[]> {
    apiCommandLine('api', command, args);
    return this.onAll((client) => client.api(command, args, options));
  }

  async bgapiAll(command: string, args: readonly string[] = [], options?: CommandOptions & { jobTimeoutMs?: number }): Promise<SwitchOutcome<BackgroundJob>[]> {
    apiCommandLine('bgapi', command, args);
    return this.onAll((client) => client.bgapi(command, args, options));
  }

  private onAll<T>(run: (client: EslClient) => Promise<T>): Promise<SwitchOutcome<T>[]> {
    return Promise.all(
      [...this.clients.values()].map(async (client): Promise<SwitchOutcome<T>> => {
        try {
          return { switch: client.name, ok: true, value: await run(client) };
        } catch (error) {
          return { switch: client.name, ok: false, error: error as Error };
        }
      }),
    );
  }
}
