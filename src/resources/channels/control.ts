/**
 * What the channels resource needs from the switches, and nothing of how they are reached: the
 * resource depends on this port, and src/freeswitch/channel-control.ts implements it over the
 * Event Socket. The errors below are part of the port: an implementation throws them, and they
 * render through the HTTP error handler as CONTRACT shapes them.
 */
import { HttpError } from '../../http/errors.js';

/** One app the new channel runs once answered, as the client named it (`playback`, `/wav/a.wav`). */
export interface ChannelApp {
  app: string;
  args?: string | undefined;
}

/** The spec's 外呼 fields, flags already read as booleans; every text is still as the client sent it. */
export interface OriginateRequest {
  destNumber: string;
  /** One app (form or JSON), or `apps` (JSON only); neither: the channel parks. */
  app?: ChannelApp | undefined;
  apps?: ChannelApp[] | undefined;
  autoAnswer: boolean;
  /** false: the channel ignores early media and counts as up only once answered. */
  earlyMedia: boolean;
  cidName?: string | undefined;
  cidNumber?: string | undefined;
  /** A registered user that carries the call on to destNumber, as a gateway would. */
  userGateway?: string | undefined;
  /** Answer as soon as the switch took the call, without waiting for its outcome. */
  async: boolean;
  /** Which switch (`host:port` of FREESWITCH_ESL) places the call; by default the one the apps' target channel is on, else the first connected. */
  switchName?: string | undefined;
}

export type OriginateOutcome =
  | { result: 'ok'; uuid: string; jobUUID?: string }
  /** The switch could not place the call; `reason` is its cause (NO_ANSWER, USER_NOT_REGISTERED...). */
  | { result: 'error'; reason: string };

/** A row of `show channels`, with the switch it came from. */
export interface ChannelRow {
  switchName: string;
  columns: Record<string, string>;
}

export interface ChannelControl {
  /** The channels of every connected switch, in configuration order. */
  list(): Promise<ChannelRow[]>;
  originate(request: OriginateRequest): Promise<OriginateOutcome>;
  hangup(uuid: string, cause: string | undefined): Promise<void>;
  /** Stops (or lets again) the channel hear the other side. */
  deaf(uuid: string, on: boolean): Promise<void>;
  /** Starts or stops recording the channel to `fileName` under the recordings directory; answers the file's full path. */
  record(uuid: string, on: boolean, fileName: string | undefined): Promise<{ file: string | undefined }>;
  /** Writes a picture of the channel's video to `pngName` under the recordings directory. */
  snapshot(uuid: string, pngName: string): Promise<{ file: string }>;
}

/** A value that cannot be given to a switch (unsafe, unknown app, bad file name): 400 naming the field. */
export class ChannelRequestError extends HttpError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(400, `${field}: ${problem}`);
  }
}

/** No switch has this channel: CONTRACT's 404, and the switch's own words for the spec's `msg`. */
export class ChannelNotFoundError extends HttpError {
  constructor(readonly switchText = 'Could not locate session.') {
    super(404, 'not found', '{}');
  }
}

/** The switch that would carry the command is not connected, lost its connection, or did not answer in time. */
export class SwitchUnavailableError extends HttpError {
  constructor(switchName: string | undefined, problem: string) {
    super(503, `${switchName === undefined ? 'switch' : `switch ${switchName}`}: ${problem}`);
  }
}

/** A switch name that FREESWITCH_ESL does not list. */
export class SwitchNotConfiguredError extends HttpError {
  constructor(switchName: string) {
    super(404, `switch ${switchName}: not configured (FREESWITCH_ESL)`);
  }
}

/**
 * The switch refused a command about an existing channel (a snapshot of a call without video):
 * the request was fine, the channel's state does not allow it. `switchText` is the switch's reason.
 */
export class ChannelCommandRefusedError extends HttpError {
  constructor(
    field: string,
    readonly switchText: string,
  ) {
    super(409, `${field}: the switch refused: ${switchText}`);
  }
}

/** The switch answered something that is not what the command answers (garbage, an unexpected format). */
export class SwitchReplyError extends HttpError {
  constructor(switchName: string, problem: string) {
    super(502, `switch ${switchName}: ${problem}`);
  }
}
