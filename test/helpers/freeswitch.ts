/**
 * A real FreeSWITCH for the tests that need one, on the repository's own configuration
 * (freeswitch/), and sipp to call through it. One FreeSWITCH per test file, on free ports, in a
 * temporary directory. Where FREESWITCH_BIN (default /opt/freeswitch/bin/freeswitch) or sipp is
 * missing, those tests are skipped with the reason printed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe } from 'node:test';
import { EslClient } from '../../src/freeswitch/esl/client.js';
import { Switches } from '../../src/freeswitch/esl/switches.js';
import { sqlite } from './databases.js';
import { Harness } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The example configuration the README documents; the tests run FreeSWITCH on it. */
export const CONFIG_DIR = join(ROOT, 'freeswitch');
export const SIPP_SCENARIOS = join(ROOT, 'test', 'freeswitch', 'sipp');

export const FREESWITCH_BIN = process.env.FREESWITCH_BIN || '/opt/freeswitch/bin/freeswitch';
export const SIPP_BIN = process.env.SIPP_BIN || 'sipp';

function sippMissing(): string | null {
  const probe = spawnSync(SIPP_BIN, ['-v'], { encoding: 'utf8' });
  return probe.error ? `no sipp (${SIPP_BIN}: ${probe.error.message}; Debian package sip-tester, or set SIPP_BIN)` : null;
}

/** The dialplan document of one extension named `name` in `context` holding these action lines. */
export function dialplanDocument(actions: string[], { context = 'context-1', name }: { context?: string; name: string }): string {
  return [
    '<document type="freeswitch/xml">',
    '  <section name="dialplan">',
    `    <context name="${context}">`,
    `      <extension name="${name}">`,
    '        <condition>',
    ...actions.map((line) => `          ${line}`),
    '        </condition>',
    '      </extension>',
    '    </context>',
    '  </section>',
    '</document>',
    '',
  ].join('\n');
}

let unroutableTypes = 0;
/**
 * A destination type routes accept (a DEST dict entry) that the dialplan has no renderer for, as
 * a type whose target Switchboard does not manage yet: every real type gets a renderer sooner or later.
 */
export async function unroutableDestinationType(server: Harness): Promise<string> {
  const type = `FS_DEST_NOT_YET_${process.pid}_${++unroutableTypes}`;
  const reply = await server.post('/api/dicts', { realm: 'DEST', k: type, v: 'NOT_YET' });
  if (reply.status !== 200) throw new Error(`cannot add the DEST dict entry ${type}: ${JSON.stringify(reply.body)}`);
  return type;
}

/** Why the real-switch tests cannot run here, or null. */
export function freeswitchUnavailable(): string | null {
  if (!existsSync(FREESWITCH_BIN)) return `no FreeSWITCH at ${FREESWITCH_BIN} (set FREESWITCH_BIN)`;
  return sippMissing();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createSocket('udp4');
    probe.once('error', () => {
      probe.close();
      resolve(false);
    });
    probe.bind(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Whether some socket of this host listens on UDP `port`, read from Linux's socket tables (binding to probe would race the owner). */
function udpPortBound(port: number): boolean {
  // local_address, the second column, ends with the port in hex: `0100007F:13C4`.
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/udp', '/proc/net/udp6'].some((table) => {
    try {
      return readFileSync(table, 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(suffix));
    } catch {
      return false;
    }
  });
}

const taken = new Set<number>();

/**
 * A port free for both UDP and TCP (SIP listens on both), never handed out twice by this process.
 * Drawn from 20000–59999, away from the ephemeral range the kernel hands out to clients.
 */
export async function freeSipPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if (taken.has(port)) continue;
    if ((await tcpPortFree(port)) && (await udpPortFree(port))) {
      taken.add(port);
      return port;
    }
  }
}

/** `count` consecutive ports free for UDP (an RTP range), never handed out twice by this process; answers the first. */
export async function freeUdpPorts(count: number): Promise<number> {
  for (;;) {
    const start = 20000 + 2 * Math.floor(Math.random() * 20000 - count);
    if (start < 20000) continue;
    const ports = Array.from({ length: count }, (_, i) => start + i);
    if (ports.some((port) => taken.has(port))) continue;
    const free = await Promise.all(ports.map(udpPortFree));
    if (free.every(Boolean)) {
      for (const port of ports) taken.add(port);
      return start;
    }
  }
}

export interface FreeSwitchOptions {
  /** Switchboard's POST /freeswitch/xml. */
  xmlUrl: string;
  xmlUser: string;
  xmlPassword: string;
  /** RTP ports to give FreeSWITCH: two per call leg. */
  rtpPorts?: number;
  /**
   * Extensions (XML) for a static dialplan context `context-2`, used instead of Switchboard's:
   * the xml_curl binding then leaves the dialplan out.
   */
  staticDialplan?: string;
  /** The Event Socket port, when the caller must know it before the switch starts; a free one otherwise. */
  eventSocketPort?: number;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const EVENT_SOCKET_PASSWORD = 'test-esl-password';

/** One FreeSWITCH process on the repository's configuration, its ports and its log. */
export class FreeSwitch {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  readonly esl: EslClient;

  private constructor(
    readonly dir: string,
    readonly ports: { internalSip: number; publicSip: number; eventSocket: number; rtpStart: number; rtpEnd: number },
    readonly eventSocketPassword: string,
  ) {
    this.esl = new EslClient({
      host: '127.0.0.1', port: ports.eventSocket, password: eventSocketPassword, logger: silent,
      commandTimeoutMs: 30_000, reconnectDelay: { initialMs: 50, maxMs: 200 },
    });
  }

  /** Writes the configuration with free ports and these settings, starts FreeSWITCH, waits until both SIP profiles run. */
  static async start(options: FreeSwitchOptions): Promise<FreeSwitch> {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-freeswitch-'));
    const rtpPorts = options.rtpPorts ?? 100;
    const rtpStart = await freeUdpPorts(rtpPorts);
    const ports = {
      internalSip: await freeSipPort(),
      publicSip: await freeSipPort(),
      eventSocket: options.eventSocketPort ?? (await freeSipPort()),
      rtpStart,
      rtpEnd: rtpStart + rtpPorts - 1,
    };
    const eventSocketPassword = EVENT_SOCKET_PASSWORD;
    cpSync(CONFIG_DIR, join(dir, 'conf'), { recursive: true });
    writeVars(join(dir, 'conf', 'vars.xml'), {
      switchboard_xml_url: options.xmlUrl,
      switchboard_xml_user: options.xmlUser,
      switchboard_xml_password: options.xmlPassword,
      event_socket_ip: '127.0.0.1',
      event_socket_port: String(ports.eventSocket),
      event_socket_password: eventSocketPassword,
      sip_ip: '127.0.0.1',
      internal_sip_port: String(ports.internalSip),
      public_sip_port: String(ports.publicSip),
      rtp_start_port: String(ports.rtpStart),
      rtp_end_port: String(ports.rtpEnd),
      domain: '127.0.0.1',
    });
    if (options.staticDialplan !== undefined) useStaticDialplan(join(dir, 'conf'), options.staticDialplan);
    for (const sub of ['log', 'db', 'run', 'storage', 'recordings', 'temp', 'cache', 'certs', 'sounds']) mkdirSync(join(dir, sub));
    // local_stream_dir of freeswitch/vars.xml: the music-on-hold streams play the files in it.
    mkdirSync(join(dir, 'sounds', 'music', '8000'), { recursive: true });
    const freeswitch = new FreeSwitch(dir, ports, eventSocketPassword);
    await freeswitch.launch();
    return freeswitch;
  }

  get recordingsDir(): string {
    return join(this.dir, 'recordings');
  }

  /** Everything FreeSWITCH logged to its log file so far. */
  log(): string {
    const file = join(this.dir, 'log', 'freeswitch.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Log lines at level ERR or worse. */
  errorLines(): string[] {
    return this.log().split('\n').filter((line) => /\[(ERR|CRIT|ALERT)\]/.test(line));
  }

  private async launch(): Promise<void> {
    const dirs = ['conf', 'log', 'db', 'run', 'storage', 'recordings', 'temp', 'cache', 'certs', 'sounds'];
    const child = spawn(FREESWITCH_BIN, ['-nonat', '-nf', '-nc', ...dirs.flatMap((name) => [`-${name}`, join(this.dir, name)])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.esl.start();
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`FreeSWITCH exited with ${child.exitCode}:\n${this.output}\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`FreeSWITCH did not start within 60 s:\n${this.output}\n${this.log()}`);
      if (this.esl.connected) {
        const status = await this.esl.api('sofia', ['status']).catch(() => '');
        const running = (profile: string) => new RegExp(`^\\s*${profile}\\s+profile\\s+\\S+\\s+RUNNING`, 'm').test(status);
        if (running('internal') && running('public')) return;
      }
      await sleep(100);
    }
  }

  /** The running FreeSWITCH process's id. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs `api <command>` on the switch. */
  api(command: string, ...args: string[]): Promise<string> {
    return this.esl.api(command, args);
  }

  /** Stops FreeSWITCH (SIGTERM, then SIGKILL after 15 s); the directory stays for restart(). */
  async stopProcess(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Stops and starts FreeSWITCH again on the same ports and configuration. */
  async restart(): Promise<void> {
    await this.stopProcess();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.esl.close();
    await this.stopProcess();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Unbinds the dialplan from Switchboard and puts `extensions` in context-2 of the static dialplan. */
function useStaticDialplan(conf: string, extensions: string): void {
  const bindings = join(conf, 'autoload_configs', 'xml_curl.conf.xml');
  replaceOnce(bindings, 'bindings="dialplan|directory|configuration"', 'bindings="directory|configuration"');
  insertIntoSection(join(conf, 'freeswitch.xml'), 'dialplan', `<context name="context-2">\n${extensions}\n</context>`);
}

/** Puts `xml` at the start of the `<section name="…">` element of freeswitch.xml. */
function insertIntoSection(main: string, name: string, xml: string): void {
  const section = new RegExp(`(<section name="${name}"[^>]*>)`).exec(readFileSync(main, 'utf8'))?.[1];
  if (!section) throw new Error(`${main} has no ${name} section`);
  replaceOnce(main, section, `${section}\n${xml}`);
}

function replaceOnce(file: string, text: string, replacement: string): void {
  const content = readFileSync(file, 'utf8');
  if (!content.includes(text)) throw new Error(`${file} does not contain ${text}`);
  // A function, so that `$$` in the replacement (FreeSWITCH's $${var}) stays as written.
  writeFileSync(file, content.replace(text, () => replacement));
}

/** Rewrites the values of `<X-PRE-PROCESS cmd="set" data="name=value"/>` lines; every name must exist. */
function writeVars(file: string, values: Record<string, string>): void {
  let text = readFileSync(file, 'utf8');
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`(<X-PRE-PROCESS cmd="set" data="${name}=)[^"]*(")`);
    if (!line.test(text)) throw new Error(`${file} does not set ${name}`);
    text = text.replace(line, (_match, head: string, tail: string) => `${head}${value}${tail}`);
  }
  writeFileSync(file, text);
}

export interface SippRun {
  /** sipp's exit status: 0 when every call followed the scenario. */
  code: number | null;
  output: string;
  /** Every SIP message sipp sent and received (-trace_msg). */
  messages: string;
}

export interface SippOptions {
  /** A file under test/freeswitch/sipp/. */
  scenario: string;
  /** `host:port` to call; omitted for a UAS. */
  remote?: string;
  localPort: number;
  /** The user part of the Request-URI (sipp -s). */
  service?: string;
  /** `[keyword]` values of the scenario (sipp -key). */
  keys?: Record<string, string>;
  /** Calls to place or answer before exiting. */
  calls?: number;
  /** Calls per second, and how many at once at most. */
  rate?: number;
  limit?: number;
  /** Global timeout, seconds. */
  timeoutSeconds?: number;
  /** Extra argv, e.g. ['-d', '500']. */
  extra?: string[];
  /** Keep every SIP message in `messages` (default); off for load, where tracing would cost more than the calls. */
  traceMessages?: boolean;
}

/** A running sipp; `done` settles with its exit and the messages it traced. */
export interface Sipp {
  pid: number | undefined;
  done: Promise<SippRun>;
  stop(): void;
}

/** Starts sipp with an argument vector (no shell), its media on free ports. */
export async function startSipp(options: SippOptions): Promise<Sipp> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sipp-'));
  const messageFile = join(dir, 'messages.log');
  // sipp binds its media port and the three after it (RTCP, video) even when it sends no media.
  const mediaPort = await freeUdpPorts(4);
  const args = [
    ...(options.remote ? [options.remote] : []),
    '-sf', join(SIPP_SCENARIOS, options.scenario),
    '-i', '127.0.0.1', '-p', String(options.localPort), '-mp', String(mediaPort),
    '-m', String(options.calls ?? 1),
    '-nostdin', ...(options.traceMessages === false ? [] : ['-trace_msg', '-message_file', messageFile]),
    '-timeout', `${options.timeoutSeconds ?? 30}s`, '-timeout_error',
    ...(options.service ? ['-s', options.service] : []),
    ...(options.rate ? ['-r', String(options.rate)] : []),
    ...(options.limit ? ['-l', String(options.limit)] : []),
    ...Object.entries(options.keys ?? {}).flatMap(([key, value]) => ['-key', key, value]),
    ...(options.extra ?? []),
  ];
  const child = spawn(SIPP_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const done = new Promise<SippRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const messages = existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : '';
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output, messages });
    });
  });
  // A sipp that answers is of use only once it listens: a call arriving before would be refused.
  if (!options.remote) {
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const deadline = Date.now() + 10_000;
    while (!exited() && !udpPortBound(options.localPort)) {
      if (Date.now() > deadline) throw new Error(`sipp did not listen on ${options.localPort} within 10 s:\n${output}`);
      await sleep(20);
    }
  }
  return { pid: child.pid, done, stop: () => child.kill('SIGTERM') };
}

/** Fails with sipp's output and message trace unless every call of `run` followed its scenario. */
export function assertSippSucceeded(run: SippRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what}: sipp exited with ${run.code}\n${run.output.slice(-3000)}\n${run.messages.slice(-3000)}`);
}

/**
 * Calls `number` on the public profile (routed in context-2) as caller 2000 with sipp, stays on
 * the call for 300 ms and hangs up; settles when sipp exits.
 */
export async function callOnPublicProfile(freeswitch: FreeSwitch, number: string): Promise<SippRun> {
  const sipp = await startSipp({
    scenario: 'uac-caller-hangs-up.xml',
    remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
    localPort: await freeSipPort(),
    service: number,
    keys: { caller: '2000', rtp_port: String(await freeUdpPorts(2)) },
    extra: ['-d', '300'],
    timeoutSeconds: 40,
  });
  return sipp.done;
}

/**
 * A sipp REGISTER of extension `extn` at the switch's internal profile from `localPort`, in the
 * domain 127.0.0.1, answering the digest challenge with `password`. `uac-register.xml` succeeds
 * on 200 OK, `uac-register-refused.xml` when the switch refuses the credentials.
 */
/**
 * mod_voicemail answers the message query sofia raises on each REGISTER with a message-waiting
 * NOTIFY, which a sipp phone scenario started just after registering takes for its call and fails
 * on; the tests' internal profile does not raise it (real phones accept the NOTIFY).
 */
async function withoutMessageQueryOnRegister(server: Harness): Promise<void> {
  const internal = (await server.get('/api/sip_profiles')).body.find((row: { name: string }) => row.name === 'internal');
  const added = await server.post(`/api/sip_profiles/${internal.id}/params`, { k: 'send-message-query-on-register', v: 'false' });
  if (added.status !== 200) throw new Error(`the internal profile refused send-message-query-on-register: ${JSON.stringify(added.body)}`);
}

export async function registerExtension(
  freeswitch: FreeSwitch,
  options: { extn: string; password: string; localPort: number; scenario?: 'uac-register.xml' | 'uac-register-refused.xml' },
): Promise<SippRun> {
  const sipp = await startSipp({
    scenario: options.scenario ?? 'uac-register.xml',
    remote: `127.0.0.1:${freeswitch.ports.internalSip}`,
    localPort: options.localPort,
    service: options.extn,
    extra: ['-au', options.extn, '-ap', options.password],
    timeoutSeconds: 10,
  });
  return sipp.done;
}

export interface SipMessage {
  direction: 'sent' | 'received';
  /** The start line: `INVITE sip:1000@127.0.0.1 SIP/2.0`, `SIP/2.0 200 OK`. */
  startLine: string;
  headers: string[];
}

/** The SIP messages of a sipp message trace (-trace_msg), in order. */
export function sipMessages(trace: string): SipMessage[] {
  return trace.split(/^-{20,} .*$/m).flatMap((block): SipMessage[] => {
    const lines = block.split(/\r?\n/);
    const banner = lines.findIndex((line) => /message (sent|received)/.test(line));
    if (banner < 0) return [];
    const direction = /message sent/.test(lines[banner]!) ? 'sent' : 'received';
    const rest = lines.slice(banner + 1);
    const start = rest.findIndex((line) => line.trim() !== '');
    const end = rest.findIndex((line, index) => index > start && line.trim() === '');
    const message = rest.slice(start, end < 0 ? undefined : end).map((line) => line.trim());
    return [{ direction, startLine: message[0] ?? '', headers: message.slice(1) }];
  });
}

/** The user part of a SIP URI in a start line or a From/To header: `sip:861234@…` → `861234`. */
export function sipUser(text: string): string | undefined {
  return /sips?:([^@;>\s]*)@/.exec(text)?.[1];
}

export interface SwitchAndServer {
  /** Switchboard on SQLite, listening on a real port: FreeSWITCH fetches from it over HTTP. */
  server: Harness;
  freeswitch: FreeSwitch;
}

export interface SuiteOptions {
  /** Switchboard controls the switch over its Event Socket (FREESWITCH_ESL), as the channels API does. */
  control?: boolean;
}

const XML_CREDENTIALS = { user: 'freeswitch', password: 'test-xml-password' };

/**
 * A suite with one FreeSWITCH on the repository's configuration, fetching its dialplan from one
 * Switchboard (with basic auth); skipped, with the reason printed, where FreeSWITCH or sipp is
 * missing.
 */
export function describeWithFreeSwitch(title: string, suite: (both: () => SwitchAndServer) => void, options: SuiteOptions = {}): void {
  const missing = freeswitchUnavailable();
  if (missing) {
    console.log(`# skipped: ${missing}`);
    describe(title, { skip: missing }, () => undefined);
    return;
  }
  describe(title, () => {
    let both: SwitchAndServer | undefined;
    let switches: Switches | undefined;
    const recordings = mkdtempSync(join(tmpdir(), 'switchboard-recordings-'));
    before(async () => {
      const eventSocketPort = await freeSipPort();
      if (options.control) {
        switches = new Switches([{ name: `127.0.0.1:${eventSocketPort}`, host: '127.0.0.1', port: eventSocketPort, password: EVENT_SOCKET_PASSWORD }], {
          logger: silent, reconnectDelay: { initialMs: 100, maxMs: 1_000 },
        });
      }
      const server = await Harness.start(sqlite, { freeswitchXml: XML_CREDENTIALS, recordingsDir: recordings, ...(switches ? { switches } : {}) });
      const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
      await withoutMessageQueryOnRegister(server);
      const freeswitch = await FreeSwitch.start({
        xmlUrl: `${address}/freeswitch/xml`, xmlUser: XML_CREDENTIALS.user, xmlPassword: XML_CREDENTIALS.password, eventSocketPort,
      });
      if (switches) {
        const ready = new Promise<void>((resolve) => switches!.once('ready', () => resolve()));
        switches.start();
        await ready;
      }
      both = { server, freeswitch };
    }, { timeout: 90_000 });
    after(async () => {
      await switches?.close();
      await both?.freeswitch.stop();
      await both?.server.close();
      rmSync(recordings, { recursive: true, force: true });
    });
    suite(() => {
      if (!both) throw new Error('FreeSWITCH not started');
      return both;
    });
  });
}
