/**
 * Building Event Socket command lines safely. mod_event_socket ends a command line at the first CR
 * or LF and a command at the first empty line, so a value carrying a line break could add headers
 * to a command or a whole second command (`show channels\n\napi system ...`). Every value that goes
 * on a command line passes through here; a NUL is refused too, as FreeSWITCH's C strings would cut
 * the line there.
 */

/** A value refused because it would break out of its command line. The HTTP layer answers 400. */
export class UnsafeCommandValueError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'UnsafeCommandValueError';
  }
}

const LINE_BREAKING = /[\r\n\0]/;

export function isSafeCommandValue(value: string): boolean {
  return !LINE_BREAKING.test(value);
}

/** Throws UnsafeCommandValueError naming `field` when `value` holds a CR, LF or NUL. */
export function assertSafeCommandValue(value: string, field: string): void {
  if (!isSafeCommandValue(value)) {
    throw new UnsafeCommandValueError(field, 'must not contain line breaks or NUL characters');
  }
}

// FreeSWITCH API names are words like `show`, `uuid_kill`, `sofia`; requiring one keeps the
// command and its arguments apart.
const API_NAME = /^[A-Za-z0-9_-]+$/;
// Event names (CHANNEL_CREATE) and CUSTOM subclasses (sofia::register, ai::channel-state) are
// space-separated words on the `event` line.
const EVENT_WORD = /^[A-Za-z0-9_:.-]+$/;

/** `api`/`bgapi` line: the API name, then its arguments separated by single spaces. */
export function apiCommandLine(verb: 'api' | 'bgapi', command: string, args: readonly string[]): string {
  if (!API_NAME.test(command)) {
    throw new UnsafeCommandValueError('command', `must be a FreeSWITCH API name (letters, digits, _ and -), got "${printable(command)}"`);
  }
  args.forEach((arg, index) => assertSafeCommandValue(arg, `args[${index}]`));
  return [verb, command, ...args].join(' ');
}

/** Checks each event name or CUSTOM subclass of a subscription. */
export function assertEventWords(words: readonly string[], field: string): void {
  for (const word of words) {
    if (!EVENT_WORD.test(word)) {
      throw new UnsafeCommandValueError(field, `"${printable(word)}" is not an event name (letters, digits, _ : . -)`);
    }
  }
}

/** The bytes of one command: its line, its headers, and the empty line that ends it. */
export function encodeCommand(line: string, headers: Readonly<Record<string, string>> = {}): Buffer {
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\n`);
  return Buffer.from(`${line}\n${headerLines.join('')}\n`, 'utf8');
}

function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
