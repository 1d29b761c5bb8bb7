/**
 * The status resource's SwitchStatusSource over the Event Socket: FreeSWITCH's `status` through
 * its JSON API (the figures its own `status` command prints, as numbers) and the count of SIP
 * registrations its core database holds.
 */
import type { SofiaProfileState, SwitchAnswer, SwitchStatusSource } from '../resources/status/switch-status.js';
import type { SwitchOutcome, Switches } from './esl/switches.js';

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
const XML_STATUS_PROFILE = /<profile>\s*<name>([^<]*)<\/name>\s*<type>profile<\/type>\s*<data>([^<]*)<\/data>\s*<state>([^<]*)<\/state>\s*<\/profile>/g;

function profilesOf(text: string): SofiaProfileState[] | undefined {
  if (!text.includes('<profiles>')) return undefined;
  const profiles = new Map<string, SofiaProfileState>();
  for (const [, name, url, state] of text.matchAll(XML_STATUS_PROFILE)) {
    if (!profiles.has(name!)) profiles.set(name!, { name: name!, url: url!, state: state! });
  }
  return [...profiles.values()];
}

export class EslSwitchStatus implements SwitchStatusSource {
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

  async sofiaProfiles(): Promise<SwitchAnswer<SofiaProfileState[]>[]> {
    return answered(await this.switches.apiAll('sofia', ['xmlstatus']), profilesOf);
  }
}
