/**
 * The status resource's SwitchStatusSource over the Event Socket: FreeSWITCH's `status` through
 * its JSON API (the figures its own `status` command prints, as numbers) and the count of SIP
 * registrations its core database holds, and who they are for the extensions list.
 */
import type { RegistrationReport, RegistrationSource } from '../resources/extensions/registrations.js';
import type { SwitchAnswer, SwitchStatusSource } from '../resources/status/switch-status.js';
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

/** `show registrations as json` answers `{row_count, rows:[{reg_user, realm, …}]}` (no `rows` when there is none). */
function registeredUsersOf(text: string): string[] | undefined {
  try {
    const reply = JSON.parse(text) as { row_count?: unknown; rows?: { reg_user?: unknown; realm?: unknown }[] };
    if (typeof reply.row_count !== 'number') return undefined;
    return (reply.rows ?? []).map((row) => `${String(row.reg_user)}@${String(row.realm)}`);
  } catch {
    return undefined;
  }
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

  async registeredUsers(): Promise<RegistrationReport> {
    const answers = answered(await this.switches.apiAll('show', ['registrations', 'as', 'json']), registeredUsersOf);
    return { users: new Set(answers.flatMap((answer) => answer.value)), answered: answers.length };
  }
}
