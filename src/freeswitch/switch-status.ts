/**
 * The status resource's SwitchStatusSource over the Event Socket: FreeSWITCH's `status` through
 * its JSON API (the figures its own `status` command prints, as numbers) and the count of SIP
 * registrations its core database holds, and who is registered for the extensions list.
 */
import type { RegistrationReport, RegistrationSource } from '../resources/extensions/registrations.js';
import type { SofiaProfileState, SwitchAnswer, SwitchStatusSource } from '../resources/status/switch-status.js';
import type { SwitchOutcome, Switches } from './esl/switches.js';
import { xmlStatusRecords } from './switch-effects.js';

const STATUS_REQUEST = JSON.stringify({ command: 'status', data: '' });

function answered<T>(outcomes: SwitchOutcome<string>[], read: (text: string) => T | undefined): SwitchAnswer<T>[] {
  const answers: SwitchAnswer<T>[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const value = read(outcome.value);
    if (value !== undefined) answers.push({ switchName: outcome.switch, value });
  }
  return answers;
}

/** `json` answers `{command, data, status:"success", response:{…}}`; anything else is not a status. */
function statusOf(text: string): Record<string, unknown> | undefined {
  try {
    const reply = JSON.parse(text) as { status?: unknown; response?: unknown };
    const response = reply.response;
    return reply.status === 'success' && response !== null && typeof response === 'object' && !Array.isArray(response)
      ? response as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/** `show registrations count` prints `\n<N> total.\n`. */
function countOf(text: string): number | undefined {
  const match = /^\s*(\d+) total\.?\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * `sofia xmlstatus` lists each profile once per transport it listens on (`<profile>` with name,
 * type, data = URL, state), then aliases and gateways; the first entry of a name is kept.
 */
function profilesOf(text: string): SofiaProfileState[] | undefined {
  if (!text.includes('<profiles>')) return undefined;
  const profiles = new Map<string, SofiaProfileState>();
  for (const field of xmlStatusRecords(text, 'profile')) {
    const name = field('name');
    if (field('type') === 'profile' && !profiles.has(name)) profiles.set(name, { name, url: field('data'), state: field('state') });
  }
  return [...profiles.values()];
}

export class EslSwitchStatus implements SwitchStatusSource, RegistrationSource {
  constructor(private readonly switches: Switches) {}

  names(): string[] {
    return this.switches.names;
  }

  async statuses(): Promise<SwitchAnswer<Record<string, unknown>>[]> {
    return answered(await this.switches.apiAll('json', [STATUS_REQUEST]), statusOf);
  }

  async registrationCounts(): Promise<SwitchAnswer<number>[]> {
    return answered(await this.switches.apiAll('show', ['registrations', 'count']), countOf);
  }

  /**
   * From each running profile's own registrations (`sofia xmlstatus profile P reg`), not the core's
   * `show registrations`, which keeps a registration that `flush_inbound_reg` dropped.
   */
  async registeredUsers(): Promise<RegistrationReport> {
    const answers = await Promise.all(this.switches.connected().map(async (client) => {
      try {
        const profiles = xmlStatusRecords(await client.api('sofia', ['xmlstatus']), 'profile')
          .filter((field) => field('type') === 'profile').map((field) => field('name'));
        const registrations = await Promise.all(profiles.map((profile) => client.api('sofia', ['xmlstatus', 'profile', profile, 'reg'])));
        return registrations.flatMap((xml) => xmlStatusRecords(xml, 'registration').map((field) => field('user')));
      } catch {
        return undefined;
      }
    }));
    const known = answers.filter((users): users is string[] => users !== undefined);
    return { users: new Set(known.flat()), answered: known.length };
  }

  async sofiaProfiles(): Promise<SwitchAnswer<SofiaProfileState[]>[]> {
    return answered(await this.switches.apiAll('sofia', ['xmlstatus']), profilesOf);
  }
}
