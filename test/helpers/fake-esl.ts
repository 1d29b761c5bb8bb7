/**
 * A fake FreeSWITCH Event Socket (mod_event_socket, inbound side) for tests: a real TCP server on
 * 127.0.0.1, written from mod_event_socket.c (FreeSWITCH 1.10) and its documentation, not from our
 * client. What it does as FreeSWITCH does:
 *
 * - greets every connection with `Content-Type: auth/request`;
 * - `auth <password>`: `command/reply` with `Reply-Text: +OK accepted`, or `-ERR invalid` followed
 *   by a `text/disconnect-notice` and the connection closed; any other command before that gets
 *   `-ERR command not found`;
 * - reads commands as a line plus `Name: value` headers ended by an empty line (CR ignored, stray
 *   line ends skipped), and answers them strictly one after another on each connection, like the
 *   switch's single listener thread: a slow answer holds back the next command's and the events;
 * - `api <cmd> <args>`: `api/response` with a Content-Length (bytes) body; an empty answer becomes
 *   `-ERR no reply\n`, an unknown command `-ERR <cmd> Command not found!\n`;
 * - `bgapi <cmd> <args>`: `Reply-Text: +OK Job-UUID: <uuid>` (the client's `Job-UUID` header when
 *   sent) at once, then a BACKGROUND_JOB event (Job-UUID, Job-Command, Job-Command-Arg, the output
 *   as its body) to every connection subscribed to it;
 * - `event json <NAMES...> [CUSTOM <subclasses...>]`: `+OK event listener enabled json`, or
 *   `-ERR no keywords supplied`; events are sent as `text/event-json` (Content-Length, then the
 *   JSON object of headers with `_body`) to the connections subscribed to them (ALL, the name, or
 *   CUSTOM with the subclass);
 * - `exit`: `+OK bye`, a disconnect notice, the connection closed; other commands get
 *   `-ERR command not found`.
 *
 * Where it is simpler: any upper-case word is taken for an event name; events are only sent as
 * JSON (`event plain|xml` gets an -ERR saying so); commands with bodies, `filter`, `sendevent`,
 * `log` and the outbound mode are not implemented.
 *
 * What FreeSWITCH will not do on demand, the test scripts: answers per API command (`onApi`), slow
 * answers, no answer, a cut connection instead of an answer, garbage (`{ raw }` or `sendRaw`),
 * frames split across TCP writes (`splitOutgoing`), dropped connections and disconnect notices.
 *
 * ```ts
 * const peer = await FakeEslPeer.start();                    // password ClueCon, free port
 * peer.onApi('show channels as json', () => JSON.stringify({ row_count: 0 }));
 * peer.onApi(/^originate /, { body: '+OK 1234\n', delayMs: 200 });
 * peer.onApi('hangs', { noReply: true });
 * peer.emitEvent({ 'Event-Name': 'CHANNEL_CREATE', 'Unique-ID': 'abc' });
 * peer.commands;                                             // ['auth ClueCon', 'event json ...', ...]
 * peer.dropConnections(); await peer.close();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** What an API command answers. */
export type ApiAnswer =
  /** The output: the api/response body, or the BACKGROUND_JOB body of a bgapi. */
  | string
  /** The output after a pause; an api's connection stays blocked meanwhile, as in FreeSWITCH. */
  | { body: string; delayMs: number }
  /** Never answered: an api blocks its connection for good; a bgapi job never ends. */
  | { noReply: true }
  /** The connection is cut instead of answering (a bgapi: instead of accepting the job). */
  | { drop: true }
  /** These bytes instead of a well-formed answer (a bgapi: instead of its command/reply). */
  | { raw: string | Buffer };

export interface ApiRequest {
  /** The API name (`show`), and the rest of the line (`channels as json`, '' when none). */
  command: string;
  args: string;
  connection: number;
  background: boolean;
}

export type ApiHandler = (request: ApiRequest) => ApiAnswer | Promise<ApiAnswer>;

export interface ReceivedCommand {
  /** Which connection, counting from 1 in accepting order. */
  connection: number;
  line: string;
  headers: Record<string, string>;
}

export interface FakeEslOptions {
  /** Default ClueCon, as FreeSWITCH's. */
  password?: string;
  /** Default a free one; pass a closed peer's port to bring a switch "back". */
  port?: number;
}

/** How outgoing frames are cut into TCP writes, with `gapMs` between the pieces. */
export type Fragmentation = { at: number[]; gapMs?: number } | { everyByte: true; gapMs?: number };

type PeerEvents = {
  /** A connection logged in (its number): `await once(peer, 'authenticated')` waits for a (re)connection. */
  authenticated: [id: number];
  /** A command was taken up (after the ones before it on its connection were answered). */
  command: [command: ReceivedCommand];
};

interface PeerConnection {
  id: number;
  socket: Socket;
  authed: boolean;
  format: 'plain' | 'json' | 'xml';
  all: boolean;
  events: Set<string>;
  subclasses: Set<string>;
  incoming: Buffer;
  /** mod_event_socket's listener thread: commands, then events, one at a time. */
  work: Promise<void>;
  /** Whole frames, in order, each possibly cut into several writes. */
  writes: Promise<void>;
}

const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
const NEVER = new Promise<void>(() => undefined);

export class FakeEslPeer extends EventEmitter<PeerEvents> {
  readonly host = '127.0.0.1';
  readonly password: string;
  /** Every command received, auth included, in arrival order. */
  readonly received: ReceivedCommand[] = [];
  /** When each connection was accepted (performance.now()). */
  readonly connectionTimes: number[] = [];
  readonly coreUuid = randomUUID();
  private readonly connections = new Set<PeerConnection>();
  private readonly handlers: { pattern: RegExp | string; handler: ApiHandler }[] = [];
  private fragmentation: Fragmentation | undefined;
  private eventSequence = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    password: string,
  ) {
    super();
    this.password = password;
  }

  static async start(options: FakeEslOptions = {}): Promise<FakeEslPeer> {
    const server = createServer();
    server.listen(options.port ?? 0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake ESL peer: no TCP address');
    const peer = new FakeEslPeer(server, address.port, options.password ?? 'ClueCon');
    server.on('connection', (socket) => peer.accept(socket));
    return peer;
  }

  /** The command lines received, in order (`auth ClueCon`, `event json ...`, `api status`). */
  get commands(): string[] {
    return this.received.map((command) => command.line);
  }

  /**
   * What `api`/`bgapi` commands answer. `pattern` is the whole text after the verb
   * (`show channels as json`): a string matches it exactly, a RegExp is tested on it. The latest
   * registration that matches wins, so a test can override an earlier one.
   */
  onApi(pattern: RegExp | string, answer: ApiHandler | ApiAnswer): this {
    this.handlers.push({ pattern, handler: typeof answer === 'function' ? answer : () => answer });
    return this;
  }

  /** Cuts every frame sent from now on into TCP writes; undefined sends whole frames again. */
  splitOutgoing(fragmentation: Fragmentation | undefined): void {
    this.fragmentation = fragmentation;
  }

  /**
   * Fires an event: `headers` must hold Event-Name (and Event-Subclass for CUSTOM); the usual
   * Core-UUID, FreeSWITCH-Hostname, Event-Date-* and Event-Sequence headers are added unless
   * given. Returns how many connections it was sent to.
   */
  emitEvent(headers: Record<string, string | string[]>, body?: string): number {
    const name = headers['Event-Name'];
    if (typeof name !== 'string') throw new Error('fake ESL peer: an event needs an Event-Name');
    const subclass = headers['Event-Subclass'];
    const now = new Date();
    const json: Record<string, string | string[]> = {
      'Event-Name': name,
      'Core-UUID': this.coreUuid,
      'FreeSWITCH-Hostname': 'fake-switch',
      'FreeSWITCH-Switchname': 'fake-switch',
      'FreeSWITCH-IPv4': '127.0.0.1',
      'FreeSWITCH-IPv6': '::1',
      'Event-Date-Local': now.toISOString().replace('T', ' ').slice(0, 19),
      'Event-Date-GMT': now.toUTCString(),
      'Event-Date-Timestamp': String(now.getTime() * 1000),
      'Event-Calling-File': 'fake-esl.ts',
      'Event-Calling-Function': 'emitEvent',
      'Event-Calling-Line-Number': '1',
      'Event-Sequence': String(++this.eventSequence),
      ...headers,
    };
    if (body !== undefined) {
      json['Content-Length'] = String(Buffer.byteLength(body));
      json['_body'] = body;
    }
    // mod_event_socket puts Content-Length first on events, Content-Type first on everything else.
    const frame = withBody(JSON.stringify(json), (length) => [`Content-Length: ${length}`, 'Content-Type: text/event-json']);
    let sent = 0;
    for (const connection of this.connections) {
      if (!connection.authed || !subscribed(connection, name, typeof subclass === 'string' ? subclass : undefined)) continue;
      this.schedule(connection, async () => this.send(connection, frame));
      sent++;
    }
    return sent;
  }

  /** Writes these bytes, between frames, to every authenticated connection. */
  sendRaw(data: string | Buffer): void {
    for (const connection of this.connections) if (connection.authed) this.send(connection, Buffer.from(data));
  }

  /** Cuts every connection at once, with no notice (a crash, a network failure). */
  dropConnections(): void {
    for (const connection of this.connections) connection.socket.destroy();
  }

  /** Sends every connection a disconnect notice and closes it, as FreeSWITCH does when shutting down. */
  disconnectAll(message = 'The system is being shut down.\n'): void {
    for (const connection of this.connections) this.hangUp(connection, message);
  }

  /** Stops listening and cuts every connection; the port is then free for a new peer. */
  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.dropConnections();
    await closed;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const connection: PeerConnection = {
      id: this.connectionTimes.push(performance.now()),
      socket,
      authed: false,
      format: 'plain',
      all: false,
      events: new Set(),
      subclasses: new Set(),
      incoming: Buffer.alloc(0),
      work: Promise.resolve(),
      writes: Promise.resolve(),
    };
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
    socket.on('error', () => undefined); // a client that vanishes is part of the tests
    socket.on('data', (chunk) => this.read(connection, chunk));
    this.send(connection, Buffer.from('Content-Type: auth/request\n\n'));
  }

  private read(connection: PeerConnection, chunk: Buffer): void {
    connection.incoming = Buffer.concat([connection.incoming, chunk]);
    for (;;) {
      const packet = nextPacket(connection.incoming);
      if (!packet) return;
      connection.incoming = connection.incoming.subarray(packet.end);
      const command: ReceivedCommand = { connection: connection.id, ...parsePacket(packet.text) };
      this.schedule(connection, () => this.execute(connection, command));
    }
  }

  /** Queues work on the connection's "listener thread". */
  private schedule(connection: PeerConnection, work: () => Promise<void> | void): void {
    connection.work = connection.work.then(work);
  }

  private async execute(connection: PeerConnection, command: ReceivedCommand): Promise<void> {
    this.received.push(command);
    this.emit('command', command);
    const { line } = command;
    const lower = line.toLowerCase();
    if (lower.startsWith('exit') || lower.startsWith('...')) {
      this.reply(connection, '+OK bye');
      return this.hangUp(connection, GOODBYE);
    }
    if (!connection.authed) {
      if (!lower.startsWith('auth ')) return this.reply(connection, '-ERR command not found');
      if (line.slice(5) !== this.password) {
        this.reply(connection, '-ERR invalid');
        return this.hangUp(connection, GOODBYE);
      }
      connection.authed = true;
      this.reply(connection, '+OK accepted');
      this.emit('authenticated', connection.id);
      return;
    }
    if (lower.startsWith('api ')) return this.api(connection, line.slice(4));
    if (lower.startsWith('bgapi ')) return this.bgapi(connection, line.slice(6), header(command, 'job-uuid'));
    if (lower.startsWith('event')) return this.subscribe(connection, line);
    this.reply(connection, '-ERR command not found');
  }

  private async api(connection: PeerConnection, text: string): Promise<void> {
    const answer = await this.answer(connection, text, false);
    if ('noReply' in answer) return NEVER;
    if ('drop' in answer) return void connection.socket.destroy();
    if ('raw' in answer) return this.send(connection, Buffer.from(answer.raw));
    if (answer.delayMs > 0) await sleep(answer.delayMs);
    this.send(connection, withBody(answer.body || '-ERR no reply\n', (length) => ['Content-Type: api/response', `Content-Length: ${length}`]));
  }

  private async bgapi(connection: PeerConnection, text: string, requestedUuid: string | undefined): Promise<void> {
    const answer = await this.answer(connection, text, true);
    if ('drop' in answer) return void connection.socket.destroy();
    if ('raw' in answer) return this.send(connection, Buffer.from(answer.raw));
    const jobUuid = requestedUuid ?? randomUUID();
    this.send(connection, Buffer.from(`Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${jobUuid}\nJob-UUID: ${jobUuid}\n\n`));
    if ('noReply' in answer) return;
    const { command, args } = splitCommand(text);
    // The job runs in its own thread: the connection goes on meanwhile.
    setTimeout(() => {
      const headers: Record<string, string> = { 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': jobUuid, 'Job-Command': command };
      if (args) headers['Job-Command-Arg'] = args;
      this.emitEvent(headers, answer.body);
    }, answer.delayMs);
  }

  private async answer(connection: PeerConnection, text: string, background: boolean): Promise<Exclude<ApiAnswer, string>> {
    const { command, args } = splitCommand(text);
    const match = [...this.handlers].reverse().find(({ pattern }) => (typeof pattern === 'string' ? pattern === text : pattern.test(text)));
    const answer = match ? await match.handler({ command, args, connection: connection.id, background }) : `-ERR ${command} Command not found!\n`;
    return typeof answer === 'string' ? { body: answer, delayMs: 0 } : answer;
  }

  private subscribe(connection: PeerConnection, line: string): void {
    const words = line.split(' ').slice(1).filter(Boolean);
    let keywords = 0;
    let custom = false;
    words.forEach((word, index) => {
      const format = word.toLowerCase();
      if (index === 0 && (format === 'json' || format === 'plain' || format === 'xml')) {
        connection.format = format;
      } else if (custom) {
        connection.subclasses.add(word);
      } else if (/^[A-Z_]+$/i.test(word)) {
        keywords++;
        const name = word.toUpperCase();
        if (name === 'ALL') connection.all = true;
        if (name === 'CUSTOM') custom = true;
        connection.events.add(name);
      }
    });
    if (keywords === 0) return this.reply(connection, '-ERR no keywords supplied');
    if (connection.format !== 'json') return this.reply(connection, `-ERR the fake ESL peer only sends json events, not ${connection.format}`);
    this.reply(connection, '+OK event listener enabled json');
  }

  private reply(connection: PeerConnection, text: string): void {
    this.send(connection, Buffer.from(`Content-Type: command/reply\nReply-Text: ${text}\n\n`));
  }

  private hangUp(connection: PeerConnection, message: string): void {
    this.send(connection, withBody(message, (length) => ['Content-Type: text/disconnect-notice', `Content-Length: ${length}`]));
    connection.writes = connection.writes.then(() => void connection.socket.end());
  }

  private send(connection: PeerConnection, frame: Buffer): void {
    const fragmentation = this.fragmentation;
    connection.writes = connection.writes.then(async () => {
      if (connection.socket.destroyed) return;
      if (!fragmentation) return void connection.socket.write(frame);
      const cuts = 'everyByte' in fragmentation
        ? Array.from({ length: frame.length - 1 }, (_, index) => index + 1)
        : fragmentation.at.filter((at) => at > 0 && at < frame.length).sort((x, y) => x - y);
      let from = 0;
      for (const to of [...cuts, frame.length]) {
        connection.socket.write(frame.subarray(from, to));
        from = to;
        if (to < frame.length) await sleep(fragmentation.gapMs ?? 2);
      }
    });
  }
}

/** mod_event_socket's read_packet: a command ends at the second LF in a row (CRs ignored). */
function nextPacket(bytes: Buffer): { text: string; end: number } | undefined {
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0a || bytes[start] === 0x0d)) start++;
  let lineFeeds = 0;
  for (let index = start; index < bytes.length; index++) {
    if (bytes[index] === 0x0a) lineFeeds++;
    else if (bytes[index] !== 0x0d) lineFeeds = 0;
    if (lineFeeds === 2) return { text: bytes.toString('utf8', start, index + 1), end: index + 1 };
  }
  return undefined;
}

function parsePacket(text: string): { line: string; headers: Record<string, string> } {
  const [line = '', ...rest] = text.split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const headerLine of rest) {
    const colon = headerLine.indexOf(':');
    if (colon > 0) headers[headerLine.slice(0, colon)] = headerLine.slice(colon + 1).replace(/^ +/, '');
  }
  return { line, headers };
}

function header(command: ReceivedCommand, name: string): string | undefined {
  return Object.entries(command.headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function splitCommand(text: string): { command: string; args: string } {
  const space = text.indexOf(' ');
  return space < 0 ? { command: text, args: '' } : { command: text.slice(0, space), args: text.slice(space + 1) };
}

function subscribed(connection: PeerConnection, name: string, subclass: string | undefined): boolean {
  if (connection.all) return true;
  if (!connection.events.has(name)) return false;
  return name !== 'CUSTOM' || subclass === undefined || connection.subclasses.has(subclass);
}

/** A frame whose body's length (in bytes, as FreeSWITCH's strlen counts) goes in its headers. */
function withBody(body: string, headerLines: (contentLength: number) => string[]): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`${headerLines(bytes.length).join('\n')}\n\n`), bytes]);
}
