/**
 * An inbound Event Socket client: one TCP connection to one switch's mod_event_socket, kept up for
 * as long as the client runs.
 *
 * Why our own client and not an npm one: we read the maintained ones first. esl-lite (typed, the
 * best kept) has no synchronous `api`, re-sends the commands that were in flight when a connection
 * dropped (an originate could run twice), holds commands issued while disconnected until their
 * timeout instead of failing them at once, lets a command that never gets its reply block every
 * later one on a socket it never drops, and reconnects at once, in a loop, to a switch that refuses
 * the password. modesl and its drachtio fork are untyped callback APIs without command timeouts.
 * The protocol is small (mod_event_socket.c: header blocks, Content-Length bodies, replies in
 * command order), so a few hundred typed lines give exactly what the API needs: fail fast while
 * disconnected (the HTTP layer's 503), a timeout that also drops the connection since the reply
 * stream is out of step after it, never re-sending a command, and backoff with jitter.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { apiCommandLine, assertEventWords, assertSafeCommandValue, encodeCommand } from './commands.js';
import { EslCommandError, EslConnectionLostError, EslNotConnectedError, EslTimeoutError } from './errors.js';
import { EslFrameParser, type EslFrame } from './frames.js';

/** The subset of pino's logger the client uses, so pino (or anything shaped like it) can be passed. */
export interface EslLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface EslClientOptions {
  host: string;
  port: number;
  password: string;
  /** Names the switch in logs, errors, status and events; `host:port` by default. */
  name?: string;
  logger: EslLogger;
  /** Event names to receive (CHANNEL_CREATE, CHANNEL_HANGUP_COMPLETE...). BACKGROUND_JOB is always subscribed. */
  events?: readonly string[];
  /** CUSTOM event subclasses to receive (sofia::register...). */
  subclasses?: readonly string[];
  /** How long a command waits for its reply; default 10 s. A `api originate` needs more. */
  commandTimeoutMs?: number;
  /** How long a bgapi job's result is awaited; default 3 minutes. */
  jobTimeoutMs?: number;
  /** How long connecting, authenticating and subscribing may take; default 5 s. */
  connectTimeoutMs?: number;
  /** Reconnect delays double from `initialMs` up to `maxMs`, each drawn from its upper half; default 500 ms to 30 s. */
  reconnectDelay?: { initialMs: number; maxMs: number };
}

/** An event the switch sent (`text/event-json`). */
export interface EslEvent {
  /** Event-Name: CHANNEL_CREATE, CUSTOM, BACKGROUND_JOB... */
  name: string;
  /** Event-Subclass of CUSTOM events. */
  subclass: string | undefined;
  /** Every header, as FreeSWITCH serialised it (array headers are arrays). */
  headers: Record<string, string | string[]>;
  /** The event's body (`_body`), e.g. a background job's output. */
  body: string | undefined;
}

export interface BackgroundJob {
  jobUuid: string;
  /**
   * The job's output (the BACKGROUND_JOB body), e.g. `+OK <uuid>\n` or `-ERR NO_ANSWER\n`. Rejects
   * with EslTimeoutError or EslConnectionLostError; not awaiting it is fine.
   */
  result: Promise<string>;
}

export interface CommandOptions {
  /** Overrides the client's commandTimeoutMs for this command. */
  timeoutMs?: number;
}

export interface EslStatus {
  name: string;
  host: string;
  port: number;
  connected: boolean;
  /** Why the last connection ended or the last attempt failed; cleared once connected again. */
  lastError: string | undefined;
  connectedSince: Date | undefined;
  /** Attempts that failed since the last successful connection. */
  failedAttempts: number;
}

type ClientEvents = {
  /** A subscribed event (and every BACKGROUND_JOB). */
  event: [event: EslEvent];
  /** Connected, authenticated and subscribed: commands are accepted from now on. */
  ready: [];
  /** A ready connection ended; the client is reconnecting. */
  disconnected: [reason: string];
};

type ReplyType = 'command/reply' | 'api/response';

interface Waiter {
  /** Verb and API name only: arguments may be private, and the auth line holds the password. */
  command: string;
  expects: ReplyType;
  resolve(frame: EslFrame): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

interface Job {
  command: string;
  resolve(body: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One TCP connection; replies, jobs and timers never outlive it. */
class Connection {
  readonly parser = new EslFrameParser();
  /** Commands sent and not yet answered, in sending order: the switch answers in that order. */
  readonly waiting: Waiter[] = [];
  readonly jobs = new Map<string, Job>();
  authRequested = false;
  ready = false;
  dropped = false;
  /** Why the switch said it is closing (disconnect notice), or the socket's error. */
  closeReason: string | undefined;
  handshakeTimer: NodeJS.Timeout | undefined;

  constructor(readonly socket: Socket) {}
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_JOB_TIMEOUT_MS = 180_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_RECONNECT_DELAY = { initialMs: 500, maxMs: 30_000 };
/** How long close() waits for the switch to answer `exit` before cutting the connection. */
const CLOSE_GRACE_MS = 1_000;

export class EslClient extends EventEmitter<ClientEvents> {
  readonly name: string;
  private state: 'idle' | 'connecting' | 'ready' | 'waiting' | 'closed' = 'idle';
  private connection: Connection | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private lastError: string | undefined;
  private connectedSince: Date | undefined;
  private readonly subscription: string;

  constructor(private readonly options: EslClientOptions) {
    super();
    assertSafeCommandValue(options.password, 'password');
    const events = options.events ?? [];
    const subclasses = options.subclasses ?? [];
    assertEventWords(events, 'events');
    assertEventWords(subclasses, 'subclasses');
    if (events.some((event) => event.toUpperCase() === 'CUSTOM')) {
      throw new Error('events: list CUSTOM events by their subclasses, in `subclasses`');
    }
    this.name = options.name ?? `${options.host}:${options.port}`;
    // mod_event_socket reads every word after CUSTOM as a subclass, so they come last.
    const names = [...new Set(['BACKGROUND_JOB', ...events])];
    this.subscription = ['event', 'json', ...names, ...(subclasses.length > 0 ? ['CUSTOM', ...subclasses] : [])].join(' ');
  }

  /** Starts connecting; from then on the client reconnects whenever the connection ends, until close(). */
  start(): void {
    if (this.state === 'idle') this.connect();
  }

  get connected(): boolean {
    return this.state === 'ready';
  }

  status(): EslStatus {
    return {
      name: this.name,
      host: this.options.host,
      port: this.options.port,
      connected: this.connected,
      lastError: this.lastError,
      connectedSince: this.connectedSince,
      failedAttempts: this.failedAttempts,
    };
  }

  /**
   * Runs `api <command> <args...>` and resolves with the switch's answer as it sent it (often
   * `+OK ...`, `-ERR ...` or JSON: the caller reads it). Rejects with UnsafeCommandValueError,
   * EslNotConnectedError, EslTimeoutError or EslConnectionLostError.
   */
  async api(command: string, args: readonly string[] = [], options: CommandOptions = {}): Promise<string> {
    const line = apiCommandLine('api', command, args);
    const connection = this.readyConnection();
    const reply = await this.request(connection, line, {}, 'api/response', `api ${command}`, options.timeoutMs ?? this.commandTimeoutMs);
    return reply.body.toString('utf8');
  }

  /**
   * Runs `bgapi <command> <args...>`: resolves once the switch accepted the job, with its Job-UUID
   * and the promise of its result. Rejects like api(), or with EslCommandError when refused.
   */
  async bgapi(command: string, args: readonly string[] = [], options: CommandOptions & { jobTimeoutMs?: number } = {}): Promise<BackgroundJob> {
    const line = apiCommandLine('bgapi', command, args);
    const connection = this.readyConnection();
    const label = `bgapi ${command}`;
    // Our own Job-UUID (mod_event_socket takes it from the header), so the job is known before
    // anything about it can arrive.
    const jobUuid = randomUUID();
    const result = this.awaitJob(connection, jobUuid, label, options.jobTimeoutMs ?? this.options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS);
    try {
      const reply = await this.request(connection, line, { 'Job-UUID': jobUuid }, 'command/reply', label, options.timeoutMs ?? this.commandTimeoutMs);
      const text = replyText(reply);
      if (!text.startsWith('+OK')) throw new EslCommandError(this.name, label, text);
    } catch (error) {
      this.settleJob(connection, jobUuid)?.reject(error as Error);
      throw error;
    }
    return { jobUuid, result };
  }

  /** Says `exit` to the switch and stops reconnecting; commands still waiting are rejected. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    if (!connection) return;
    connection.closeReason = 'client closed';
    if (wasReady) {
      const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
      connection.socket.end(encodeCommand('exit'));
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(grace);
    }
    this.drop(connection, 'client closed');
  }

  private get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  private readyConnection(): Connection {
    const connection = this.connection;
    if (this.state !== 'ready' || !connection) {
      const reason = this.state === 'idle' ? 'not started' : this.state === 'closed' ? 'client closed' : this.lastError;
      throw new EslNotConnectedError(this.name, reason);
    }
    return connection;
  }

  private connect(): void {
    this.state = 'connecting';
    const socket = connect({ host: this.options.host, port: this.options.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const connection = new Connection(socket);
    this.connection = connection;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    connection.handshakeTimer = setTimeout(() => this.drop(connection, `not ready within ${connectTimeoutMs} ms`), connectTimeoutMs);
    socket.on('data', (chunk) => this.receive(connection, chunk));
    socket.on('error', (error) => (connection.closeReason ??= error.message));
    socket.on('close', () => this.drop(connection, connection.closeReason ?? 'connection closed by the switch'));
  }

  private receive(connection: Connection, chunk: Buffer): void {
    if (connection.dropped || this.state === 'closed') return;
    let frames: EslFrame[];
    try {
      frames = connection.parser.push(chunk);
    } catch (error) {
      this.drop(connection, `protocol error: ${(error as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (connection.dropped) return;
      this.handle(connection, frame);
    }
  }

  private handle(connection: Connection, frame: EslFrame): void {
    const type = frame.headers['content-type'];
    switch (type) {
      case 'auth/request':
        if (connection.authRequested) return this.drop(connection, 'protocol error: a second auth/request');
        connection.authRequested = true;
        void this.handshake(connection);
        return;
      case 'command/reply':
      case 'api/response': {
        const waiter = connection.waiting.shift();
        if (!waiter) return this.drop(connection, `protocol error: ${type} with no command waiting`);
        clearTimeout(waiter.timer);
        if (waiter.expects !== type) {
          connection.waiting.unshift(waiter);
          return this.drop(connection, `protocol error: ${type} in answer to "${waiter.command}"`);
        }
        waiter.resolve(frame);
        return;
      }
      case 'text/event-json':
        return this.dispatchEvent(connection, frame.body);
      case 'text/disconnect-notice':
        connection.closeReason = `disconnected by the switch: ${oneLine(frame.body)}`;
        return;
      case 'text/rude-rejection':
        return this.drop(connection, `rejected by the switch: ${oneLine(frame.body)}`);
      case 'log/data':
        return;
      default:
        this.options.logger.warn({ switch: this.name, contentType: type }, 'ignored an Event Socket frame of unknown type');
    }
  }

  private async handshake(connection: Connection): Promise<void> {
    try {
      const auth = await this.request(connection, `auth ${this.options.password}`, {}, 'command/reply', 'auth', undefined);
      if (!replyText(auth).startsWith('+OK')) {
        return this.drop(connection, `authentication refused (${replyText(auth)}): check the password in FREESWITCH_ESL`);
      }
      const subscribed = await this.request(connection, this.subscription, {}, 'command/reply', 'event json', undefined);
      if (!replyText(subscribed).startsWith('+OK')) {
        return this.drop(connection, `event subscription refused (${replyText(subscribed)})`);
      }
    } catch {
      return; // the connection dropped, and drop() recorded why
    }
    clearTimeout(connection.handshakeTimer);
    connection.ready = true;
    this.state = 'ready';
    this.failedAttempts = 0;
    this.lastError = undefined;
    this.connectedSince = new Date();
    this.options.logger.info({ switch: this.name }, 'connected to the switch');
    this.notify(() => this.emit('ready'));
  }

  private request(connection: Connection, line: string, headers: Record<string, string>, expects: ReplyType, command: string, timeoutMs: number | undefined): Promise<EslFrame> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { command, expects, resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          connection.waiting.splice(connection.waiting.indexOf(waiter), 1);
          reject(new EslTimeoutError(this.name, command, timeoutMs));
          // Its reply may still come and would be taken for the next command's: start afresh.
          this.drop(connection, `no answer to "${command}" within ${timeoutMs} ms`);
        }, timeoutMs);
      }
      connection.waiting.push(waiter);
      connection.socket.write(encodeCommand(line, headers));
    });
  }

  private awaitJob(connection: Connection, jobUuid: string, command: string, timeoutMs: number): Promise<string> {
    const result = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.jobs.delete(jobUuid);
        reject(new EslTimeoutError(this.name, command, timeoutMs));
      }, timeoutMs);
      timer.unref();
      connection.jobs.set(jobUuid, { command, resolve, reject, timer });
    });
    // A caller that only wanted the Job-UUID never awaits the result: its failure must not crash the process.
    result.catch(() => undefined);
    return result;
  }

  private settleJob(connection: Connection, jobUuid: string): Job | undefined {
    const job = connection.jobs.get(jobUuid);
    if (!job) return undefined;
    clearTimeout(job.timer);
    connection.jobs.delete(jobUuid);
    return job;
  }

  private dispatchEvent(connection: Connection, body: Buffer): void {
    let event: EslEvent | undefined;
    try {
      event = eventFrom(JSON.parse(body.toString('utf8')));
    } catch {
      event = undefined;
    }
    if (!event) {
      this.options.logger.warn({ switch: this.name, bytes: body.length }, 'ignored an event that is not FreeSWITCH event JSON');
      return;
    }
    const jobUuid = event.headers['Job-UUID'];
    if (event.name === 'BACKGROUND_JOB' && typeof jobUuid === 'string') {
      this.settleJob(connection, jobUuid)?.resolve(event.body ?? '');
    }
    this.notify(() => this.emit('event', event));
  }

  /** Runs an emit so that a listener that throws cannot break the connection's bookkeeping. */
  private notify(emit: () => void): void {
    try {
      emit();
    } catch (error) {
      this.options.logger.error({ switch: this.name, err: error }, 'a listener of the Event Socket client failed');
    }
  }

  /** Ends a connection for good: everything waiting on it fails, and a new one is scheduled. */
  private drop(connection: Connection, reason: string): void {
    if (connection.dropped) return;
    connection.dropped = true;
    clearTimeout(connection.handshakeTimer);
    connection.socket.destroy();
    for (const waiter of connection.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new EslConnectionLostError(this.name, waiter.command, reason));
    }
    for (const jobUuid of [...connection.jobs.keys()]) {
      const job = this.settleJob(connection, jobUuid)!;
      job.reject(new EslConnectionLostError(this.name, job.command, reason));
    }
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.connectedSince = undefined;
    if (this.state === 'closed') return;
    const repeated = reason === this.lastError;
    this.lastError = reason;
    if (connection.ready) {
      this.options.logger.warn({ switch: this.name, reason }, 'lost the connection to the switch; reconnecting');
      this.notify(() => this.emit('disconnected', reason));
    } else {
      this.failedAttempts++;
    }
    const delayMs = this.reconnectDelayMs();
    if (!connection.ready) {
      const fields = { switch: this.name, reason, attempt: this.failedAttempts, nextAttemptInMs: delayMs };
      // One line per new reason; the same failure every 30 s only at debug level.
      if (repeated) this.options.logger.debug(fields, 'switch still unreachable');
      else this.options.logger.warn(fields, 'cannot connect to the switch');
    }
    this.state = 'waiting';
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delayMs);
    this.reconnectTimer.unref();
  }

  /** Exponential backoff with jitter: spread over the upper half of the doubling, capped. */
  private reconnectDelayMs(): number {
    const { initialMs, maxMs } = this.options.reconnectDelay ?? DEFAULT_RECONNECT_DELAY;
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.failedAttempts);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function replyText(frame: EslFrame): string {
  return frame.headers['reply-text'] ?? '';
}

function oneLine(body: Buffer): string {
  return body.toString('utf8').trim().replace(/\s*\n\s*/g, ' ');
}

/** FreeSWITCH's event JSON: an object of string (or string array) headers, the body in `_body`. */
function eventFrom(parsed: unknown): EslEvent | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const headers: Record<string, string | string[]> = {};
  let body: string | undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '_body' && typeof value === 'string') body = value;
    else if (typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) headers[key] = value;
    else return undefined;
  }
  const name = headers['Event-Name'];
  const subclass = headers['Event-Subclass'];
  if (typeof name !== 'string') return undefined;
  return { name, subclass: typeof subclass === 'string' ? subclass : undefined, headers, body };
}
