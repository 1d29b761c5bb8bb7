/**
 * What an Event Socket command can fail with. Every error names the switch, so a caller talking to
 * several can say which one failed; none carries the ESL password or a command's arguments.
 */
export class EslError extends Error {
  constructor(
    readonly switchName: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The switch is not connected (never was, is reconnecting, or the client was closed). Commands
 * fail with this at once instead of waiting; the HTTP layer answers 503.
 */
export class EslNotConnectedError extends EslError {
  constructor(switchName: string, reason: string | undefined) {
    super(switchName, `switch ${switchName} is not connected${reason ? ` (${reason})` : ''}`);
  }
}

/**
 * No answer within the command's timeout. For a command (api, bgapi) the connection is then
 * dropped and re-established, since a late reply would be taken for the next command's.
 */
export class EslTimeoutError extends EslError {
  constructor(
    switchName: string,
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(switchName, `switch ${switchName}: no answer to "${command}" within ${timeoutMs} ms`);
  }
}

/**
 * The connection ended while the command waited for its answer: whether the switch carried it out
 * is unknown, so it is never re-sent on its own (an originate must not run twice).
 */
export class EslConnectionLostError extends EslError {
  constructor(
    switchName: string,
    readonly command: string,
    reason: string,
  ) {
    super(switchName, `switch ${switchName}: connection lost before "${command}" was answered (${reason})`);
  }
}

/** The switch refused a command (a `command/reply` whose Reply-Text starts with `-ERR`). */
export class EslCommandError extends EslError {
  constructor(
    switchName: string,
    readonly command: string,
    readonly replyText: string,
  ) {
    super(switchName, `switch ${switchName} refused "${command}": ${replyText}`);
  }
}

/** A switch name that is not in the configured list. */
export class UnknownSwitchError extends Error {
  constructor(readonly switchName: string) {
    super(`no switch named ${switchName}`);
    this.name = 'UnknownSwitchError';
  }
}
