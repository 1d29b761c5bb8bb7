/**
 * The channels resource's ChannelControl over the Event Socket: which switch has a channel, which
 * places a call, the commands (built by channel-commands.ts), and the switches' answers and
 * failures in the port's terms (its errors render as CONTRACT's 4xx/5xx).
 *
 * Originates run as `bgapi` even when the client waits for the outcome: an `api originate` holds
 * the switch's Event Socket connection for as long as the callee rings (up to a minute), and every
 * other request to that switch would wait behind it.
 */
import { randomUUID } from 'node:crypto';
import {
  ChannelCommandRefusedError,
  ChannelNotFoundError,
  ChannelRequestError,
  SwitchNotConfiguredError,
  SwitchReplyError,
  SwitchUnavailableError,
  type ChannelControl,
  type ChannelRow,
  type OriginateOutcome,
  type OriginateRequest,
} from '../resources/channels/control.js';
import {
  checkChannelUuid,
  checkHangupCause,
  endpointThroughContact,
  originateArgs,
  planOriginate,
  recordingFile,
  userEndpoint,
  type FileContext,
  type OriginatePlan,
} from './channel-commands.js';
import { UnsafeCommandValueError } from './esl/commands.js';
import { EslCommandError, EslConnectionLostError, EslNotConnectedError, EslTimeoutError, UnknownSwitchError } from './esl/errors.js';
import type { SwitchOutcome, Switches } from './esl/switches.js';

/** FreeSWITCH gives up ringing after 60 s (originate_timeout); the job's answer comes after that. */
const ORIGINATE_JOB_TIMEOUT_MS = 90_000;

/** The port's error for a failure of the Event Socket layer; anything else is returned as it is. */
function asChannelError(error: unknown): unknown {
  if (error instanceof EslNotConnectedError) return new SwitchUnavailableError(error.switchName, 'not connected');
  if (error instanceof EslConnectionLostError) return new SwitchUnavailableError(error.switchName, 'connection lost before it answered');
  if (error instanceof EslTimeoutError) return new SwitchUnavailableError(error.switchName, `no answer within ${error.timeoutMs} ms`);
  if (error instanceof EslCommandError) return new SwitchReplyError(error.switchName, `refused the command: ${error.replyText}`);
  if (error instanceof UnknownSwitchError) return new SwitchNotConfiguredError(error.switchName);
  if (error instanceof UnsafeCommandValueError) return new ChannelRequestError(error.field, error.problem);
  return error;
}

/** The first switch's failure among outcomes of a command sent to all. */
function firstFailure(outcomes: SwitchOutcome<unknown>[]): Error | undefined {
  for (const outcome of outcomes) if (!outcome.ok) return outcome.error;
  return undefined;
}

async function translated<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asChannelError(error);
  }
}

/** The switch's words after its `-ERR` or `-USAGE:`. */
const refusalReason = (text: string): string => text.replace(/^-(ERR|USAGE):?\s*/, '');

/** `+OK ...` passes; a channel that is gone is a 404, any other refusal a 409 naming `field`. */
function expectOk(reply: string, field: string): void {
  const text = reply.trim();
  if (text.startsWith('+OK')) return;
  const reason = refusalReason(text);
  if (/locate session|no such channel/i.test(reason)) throw new ChannelNotFoundError(reason);
  throw new ChannelCommandRefusedError(field, reason);
}

/** `show channels as json`: `{"row_count":N,"rows":[{column: text...}]}`, with no `rows` when N is 0. */
function channelRows(switchName: string, reply: string): ChannelRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply);
  } catch {
    parsed = undefined;
  }
  const rows = (parsed as { rows?: unknown } | undefined)?.rows ?? [];
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(rows)) {
    throw new SwitchReplyError(switchName, 'answered "show channels as json" with something that is not its JSON');
  }
  return rows.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null).map((row) => ({
    switchName,
    columns: Object.fromEntries(Object.entries(row).map(([column, value]) => [column, typeof value === 'string' ? value : String(value ?? '')])),
  }));
}

/** `+OK <uuid>` or `-ERR <CAUSE>`, as `originate` answers. */
function originateOutcome(output: string, uuid: string): OriginateOutcome {
  const text = output.trim();
  if (text.startsWith('+OK')) return { result: 'ok', uuid: text.slice(3).trim() || uuid };
  return { result: 'error', reason: refusalReason(text) || 'no reason given' };
}

export class SwitchChannelControl implements ChannelControl {
  constructor(
    private readonly switches: Switches,
    private readonly files: FileContext,
  ) {}

  async list(): Promise<ChannelRow[]> {
    const outcomes = await this.onEverySwitch('show', ['channels', 'as', 'json']);
    // A switch that is down has no channels to show; only when none answers is there nothing to say.
    if (outcomes.every((outcome) => !outcome.ok)) throw asChannelError(firstFailure(outcomes));
    return outcomes.flatMap((outcome) => (outcome.ok ? channelRows(outcome.switch, outcome.value) : []));
  }

  async originate(request: OriginateRequest): Promise<OriginateOutcome> {
    const plan = await translated(() => planOriginate(request, this.files));
    const switchName = await this.originatingSwitch(request.switchName, plan);
    let endpoint = userEndpoint(plan.destNumber);
    if (plan.userGateway !== undefined) {
      const contact = await translated(() => this.switches.api(switchName, 'sofia_contact', [plan.userGateway!]));
      if (contact.trim().startsWith('error/')) return { result: 'error', reason: contact.trim().slice('error/'.length).toUpperCase() };
      const throughGateway = endpointThroughContact(contact, plan.destNumber);
      if (!throughGateway) throw new SwitchReplyError(switchName, `the contact user ${plan.userGateway} registered cannot be dialled safely`);
      endpoint = throughGateway;
    }
    const uuid = randomUUID();
    const job = await translated(() =>
      this.switches.bgapi(switchName, 'originate', originateArgs(plan, uuid, endpoint), { jobTimeoutMs: ORIGINATE_JOB_TIMEOUT_MS }));
    if (request.async) return { result: 'ok', uuid, jobUUID: job.jobUuid };
    return originateOutcome(await translated(() => job.result), uuid);
  }

  async hangup(uuid: string, cause: string | undefined): Promise<void> {
    const args = await translated(() => [checkChannelUuid(uuid, 'uuid'), ...(cause === undefined ? [] : [checkHangupCause(cause, 'hangupCause')])]);
    const switchName = await this.locate(uuid);
    expectOk(await translated(() => this.switches.api(switchName, 'uuid_kill', args)), 'uuid');
  }

  async deaf(uuid: string, on: boolean): Promise<void> {
    await translated(() => checkChannelUuid(uuid, 'uuid'));
    const switchName = await this.locate(uuid);
    // Muting what is written to the channel is what its party hears; level 0 lifts it again.
    const reply = await translated(() => this.switches.api(switchName, 'uuid_audio', [uuid, 'start', 'write', 'mute', on ? '1' : '0']));
    expectOk(reply, 'deaf');
  }

  async record(uuid: string, on: boolean, fileName: string | undefined): Promise<{ file: string | undefined }> {
    const file = await translated(() => {
      checkChannelUuid(uuid, 'uuid');
      return fileName === undefined ? undefined : recordingFile(fileName, 'file_name', ['mp4', 'wav', 'mp3'], this.files);
    });
    if (on && file === undefined) throw new ChannelRequestError('file_name', 'is required to start recording');
    const switchName = await this.locate(uuid);
    const reply = await translated(() => this.switches.api(switchName, 'uuid_record', [uuid, on ? 'start' : 'stop', file ?? 'all']));
    expectOk(reply, 'record');
    return { file };
  }

  async snapshot(uuid: string, pngName: string): Promise<{ file: string }> {
    const file = await translated(() => {
      checkChannelUuid(uuid, 'uuid');
      return recordingFile(pngName, 'png_name', ['png'], this.files);
    });
    const switchName = await this.locate(uuid);
    expectOk(await translated(() => this.switches.api(switchName, 'uuid_write_png', [uuid, file])), 'png_name');
    return { file };
  }

  /** `api` on every configured switch; none configured is the same 503 as none connected. */
  private async onEverySwitch(command: string, args: string[]): Promise<SwitchOutcome<string>[]> {
    if (this.switches.names.length === 0) throw new SwitchUnavailableError(undefined, 'none configured (FREESWITCH_ESL)');
    return translated(() => this.switches.apiAll(command, args));
  }

  /**
   * The switch that has the channel. Not found on the switches that answered while another did not
   * answer: 503, since the channel may be on that one.
   */
  private async locate(uuid: string): Promise<string> {
    const outcomes = await this.onEverySwitch('uuid_exists', [uuid]);
    const found = outcomes.find((outcome) => outcome.ok && outcome.value.trim() === 'true');
    if (found) return found.switch;
    const failure = firstFailure(outcomes);
    throw failure ? asChannelError(failure) : new ChannelNotFoundError();
  }

  /** The switch named in the request, else the one the apps' target channels are on, else the first connected. */
  private async originatingSwitch(requested: string | undefined, plan: OriginatePlan): Promise<string> {
    if (requested !== undefined) await translated(() => this.switches.get(requested));
    let chosen = requested;
    for (const target of plan.targets) {
      let holder: string;
      try {
        holder = await this.locate(target.uuid);
      } catch (error) {
        if (error instanceof ChannelNotFoundError) throw new ChannelRequestError(target.field, `no channel ${target.uuid} on any switch`);
        throw error;
      }
      if (chosen !== undefined && holder !== chosen) {
        throw new ChannelRequestError(target.field, `channel ${target.uuid} is on switch ${holder}, the call on switch ${chosen}`);
      }
      chosen = holder;
    }
    if (chosen !== undefined) return chosen;
    const first = this.switches.connected()[0];
    if (first) return first.name;
    const [name] = this.switches.names;
    throw new SwitchUnavailableError(name, name === undefined ? 'none configured (FREESWITCH_ESL)' : 'not connected');
  }
}
