import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningServer {
  process: ChildProcess;
  baseUrl: string;
  /** performance.now() at spawn. */
  spawnedAt: number;
  /** Milliseconds from spawn until `readyPath` first answered 200. */
  startupMs: number;
  stop(): Promise<void>;
}

/** Starts `node <args>` (argument vector, no shell) and waits until GET `readyPath` answers 200. */
export async function startServer(args: string[], env: Record<string, string>, readyPath: string, timeoutMs = 120_000): Promise<RunningServer> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}`))));
  exited.catch(() => undefined);
  for (;;) {
    if (performance.now() - started > timeoutMs) throw new Error(`server not ready after ${timeoutMs} ms`);
    const ready = await Promise.race([
      fetch(`${baseUrl}${readyPath}`).then((response) => response.status === 200, () => false),
      exited,
    ]);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startupMs = performance.now() - started;
  return {
    process: child,
    baseUrl,
    spawnedAt: started,
    startupMs,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export async function login(baseUrl: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'admin', password }),
  });
  const body = (await response.json()) as { token?: string };
  if (!body.token) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return body.token;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
