import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository root: `src/main.ts` is run from there, as `npm start` does. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const GENERATED = /created user admin with password (\S+) \(shown once/;

/**
 * Ports handed out in this test process. A port is never handed out twice: fetch keeps idle
 * connections to a server that has since stopped, and would reuse one for a new server that got
 * the same port ("other side closed").
 */
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One `node --import tsx src/main.ts` process and everything it wrote. */
export class Server {
  output = '';
  readonly exited: Promise<Exit>;
  private done = false;

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  /** The log as an operator reads it: pino writes JSON lines, and their `msg` is the text. */
  get messages(): string {
    return this.output
      .split('\n')
      .map((line) => {
        try {
          return String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
        } catch {
          return line;
        }
      })
      .join('\n');
  }

  get running(): boolean {
    return !this.done;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async login(password: string): Promise<Response> {
    return fetch(this.url('/api/sessions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password }),
    });
  }

  async tokenFor(password: string): Promise<string> {
    const reply = await this.login(password);
    const body = (await reply.json()) as { code: number; token: string };
    assert.equal(reply.status, 200, JSON.stringify(body));
    assert.equal(body.code, 200);
    assert.ok(body.token);
    return body.token;
  }

  async contexts(token: string): Promise<{ rowCount: number; data: { key: string }[] }> {
    const reply = await fetch(this.url('/api/contexts'), { headers: { 'x-xtra-auth-id': token } });
    assert.equal(reply.status, 200);
    return (await reply.json()) as { rowCount: number; data: { key: string }[] };
  }

  /** Waits until `text` has appeared `times` times in the output. */
  async waitForOutput(text: string, times = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output.split(text).length - 1 < times) {
      if (!this.running || Date.now() > deadline) throw new Error(`never saw ${times}× "${text}" in:\n${this.output}`);
      await sleep(5);
    }
  }

  /** A login over a connection that is not kept alive (`Connection: close`), unlike fetch's. */
  async loginOnce(password: string): Promise<{ status: number; body: { token?: string } }> {
    const payload = JSON.stringify({ login: 'admin', password });
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(this.url('/api/sessions'), {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close' },
      }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) as { token?: string } }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** The exit, or null if the process is still running after `ms`. */
  async exitWithin(ms: number): Promise<Exit | null> {
    return Promise.race([this.exited, sleep(ms).then(() => null)]);
  }

  async stop(): Promise<Exit> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }
}

const started: Server[] = [];

/** Spawns the real entry point, as `npm start` runs it, on a free port; does not wait for it. */
export async function spawnServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const base = { ...process.env };
  for (const name of ['ADMIN_PASSWORD', 'DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'FREESWITCH_ESL']) delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // No switch unless a test names one: the default (127.0.0.1:8021) would only add retry noise.
    env: { ...base, PORT: String(port), HOST: '127.0.0.1', FREESWITCH_ESL: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new Server(child, port);
  started.push(server);
  return server;
}

/** Waits until the server answers `/api/ping`. */
export async function answering(server: Server, timeoutMs = 30_000): Promise<Server> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!server.running) throw new Error(`the server exited before listening:\n${server.output}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer within ${timeoutMs} ms:\n${server.output}`);
    try {
      const ping = await fetch(server.url('/api/ping'));
      if (ping.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
}

/** Spawns the real entry point and waits until it answers. */
export async function start(env: Record<string, string>): Promise<Server> {
  return answering(await spawnServer(env));
}

export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

after(async () => {
  // Nothing outlives the suite, whatever failed.
  for (const server of started) if (server.running) server.child.kill('SIGKILL');
});
