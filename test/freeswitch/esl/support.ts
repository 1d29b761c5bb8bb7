import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EslLogger } from '../../../src/freeswitch/esl/client.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

/** A logger that keeps what it is told, so tests can read what an operator would see. */
export class RecordingLogger implements EslLogger {
  readonly entries: LogEntry[] = [];
  debug = (fields: object, message: string) => void this.entries.push({ level: 'debug', fields, message });
  info = (fields: object, message: string) => void this.entries.push({ level: 'info', fields, message });
  warn = (fields: object, message: string) => void this.entries.push({ level: 'warn', fields, message });
  error = (fields: object, message: string) => void this.entries.push({ level: 'error', fields, message });

  get text(): string {
    return JSON.stringify(this.entries);
  }
}

/** Polls until `condition` holds, failing after `timeoutMs` with what was awaited. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
