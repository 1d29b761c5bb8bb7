import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** `postgres://…` selects PostgreSQL; anything else is a SQLite file path. */
  databaseUrl: string;
  adminPassword: string | undefined;
  sessionTtlSeconds: number;
  logLevel: string;
  /** IANA zone used for timestamps on the wire and for time segments. */
  timeZone: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integerFrom(env.PORT, 8081, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL ?? resolve('data', 'switchboard.db'),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    sessionTtlSeconds: integerFrom(env.SESSION_TTL_SECONDS, 7 * 24 * 3600, 'SESSION_TTL_SECONDS'),
    logLevel: env.LOG_LEVEL ?? 'info',
    timeZone: env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

function integerFrom(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
