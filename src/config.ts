import { resolve } from 'node:path';
import { isDomainName } from './routing/dialplan-values.js';
import { parseSwitchList, type SwitchAddress } from './freeswitch/esl/switches.js';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
export type CookieSecure = 'auto' | 'always' | 'never';

/** Limits that keep slow or idle clients from holding the server's connections. */
export interface HttpLimits {
  /** The whole request head must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are refused at once. */
  maxConnections: number;
}

/** Failed logins tolerated per window before 429 (see resources/sessions/throttle.ts). */
export interface LoginThrottleLimits {
  windowSeconds: number;
  perAddress: number;
  perLoginAndAddress: number;
}

export interface Config {
  port: number;
  host: string;
  /** `postgres://…` selects PostgreSQL; anything else is a SQLite file path. */
  databaseUrl: string;
  sqliteSynchronous: SqliteSynchronous;
  adminPassword: string | undefined;
  sessionTtlSeconds: number;
  cookieSecure: CookieSecure;
  /** Trust X-Forwarded-* from this proxy setting (Fastify `trustProxy`): false, true, or a list of addresses. */
  trustProxy: boolean | string;
  http: HttpLimits;
  loginThrottle: LoginThrottleLimits;
  logLevel: string;
  /** IANA zone used for timestamps on the wire and for time segments. */
  timeZone: string;
  /** The switches to control (FREESWITCH_ESL); empty when there is none. */
  switches: SwitchAddress[];
  /** Where switches write recordings and snapshots: an absolute path, as the switches see it. */
  recordingsDir: string;
  /** Where uploaded media files live (MEDIA_DIR): an absolute path, as the switches see it, since they play them from there. */
  mediaDir: string;
  /** The SIP domain (digest realm) of extensions whose context names none (SIP_DOMAIN). */
  sipDomain: string;
  /** HTTP basic auth credentials of POST /freeswitch/xml (FREESWITCH_XML_USER/PASSWORD); unset: open. */
  freeswitchXml: { user: string; password: string } | undefined;
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
};

/** Relative to the working directory, like the default database. */
export const defaultRecordingsDir = () => resolve('data', 'recordings');
export const defaultMediaDir = () => resolve('data', 'media');

/** FreeSWITCH's `domain` in the shipped freeswitch/vars.xml: phones register to it and `user/N` dials in it. */
export const DEFAULT_SIP_DOMAIN = '127.0.0.1';

export const defaultLoginThrottle: LoginThrottleLimits = { windowSeconds: 900, perAddress: 30, perLoginAndAddress: 5 };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integerFrom(env.PORT, 8081, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL ?? resolve('data', 'switchboard.db'),
    sqliteSynchronous: oneOf(env.SQLITE_SYNCHRONOUS?.toUpperCase(), ['NORMAL', 'FULL', 'EXTRA', 'OFF'], 'SQLITE_SYNCHRONOUS'),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    sessionTtlSeconds: integerFrom(env.SESSION_TTL_SECONDS, 7 * 24 * 3600, 'SESSION_TTL_SECONDS'),
    cookieSecure: oneOf(env.COOKIE_SECURE?.toLowerCase(), ['auto', 'always', 'never'], 'COOKIE_SECURE'),
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
    http: {
      headersTimeoutMs: integerFrom(env.HTTP_HEADERS_TIMEOUT_MS, defaultHttpLimits.headersTimeoutMs, 'HTTP_HEADERS_TIMEOUT_MS'),
      requestTimeoutMs: integerFrom(env.HTTP_REQUEST_TIMEOUT_MS, defaultHttpLimits.requestTimeoutMs, 'HTTP_REQUEST_TIMEOUT_MS'),
      keepAliveTimeoutMs: integerFrom(env.HTTP_KEEP_ALIVE_TIMEOUT_MS, defaultHttpLimits.keepAliveTimeoutMs, 'HTTP_KEEP_ALIVE_TIMEOUT_MS'),
      maxConnections: integerFrom(env.HTTP_MAX_CONNECTIONS, defaultHttpLimits.maxConnections, 'HTTP_MAX_CONNECTIONS'),
    },
    loginThrottle: {
      windowSeconds: integerFrom(env.LOGIN_THROTTLE_WINDOW_SECONDS, defaultLoginThrottle.windowSeconds, 'LOGIN_THROTTLE_WINDOW_SECONDS'),
      perAddress: integerFrom(env.LOGIN_FAILURES_PER_ADDRESS, defaultLoginThrottle.perAddress, 'LOGIN_FAILURES_PER_ADDRESS'),
      perLoginAndAddress: integerFrom(env.LOGIN_FAILURES_PER_LOGIN, defaultLoginThrottle.perLoginAndAddress, 'LOGIN_FAILURES_PER_LOGIN'),
    },
    logLevel: env.LOG_LEVEL ?? 'info',
    timeZone: env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone,
    switches: switchesFrom(env.FREESWITCH_ESL),
    recordingsDir: switchPathFrom(env.RECORDINGS_DIR, defaultRecordingsDir(), 'RECORDINGS_DIR'),
    mediaDir: switchPathFrom(env.MEDIA_DIR, defaultMediaDir(), 'MEDIA_DIR'),
    sipDomain: sipDomainFrom(env.SIP_DOMAIN),
    freeswitchXml: xmlCredentialsFrom(env.FREESWITCH_XML_USER, env.FREESWITCH_XML_PASSWORD),
  };
}

function sipDomainFrom(raw: string | undefined): string {
  if (raw === undefined || raw === '') return DEFAULT_SIP_DOMAIN;
  if (!isDomainName(raw)) throw new Error(`SIP_DOMAIN must be a host name or IPv4 address, got "${raw}"`);
  return raw;
}

/** Both or neither: a user without a password would leave the endpoint open by mistake. */
function xmlCredentialsFrom(user: string | undefined, password: string | undefined): Config['freeswitchXml'] {
  if (!user && !password) return undefined;
  if (!user || !password) throw new Error('FREESWITCH_XML_USER and FREESWITCH_XML_PASSWORD must be set together');
  if (user.includes(':')) throw new Error('FREESWITCH_XML_USER must not contain ":" (HTTP basic auth separates user and password with it)');
  return { user, password };
}

/** Unset: the local switch; set to nothing or `none`: no switch at all (switch-bound endpoints answer 503). */
function switchesFrom(raw: string | undefined): SwitchAddress[] {
  if (raw !== undefined && (raw.trim() === '' || raw.trim().toLowerCase() === 'none')) return [];
  return parseSwitchList(raw);
}

/**
 * The directory goes on FreeSWITCH command lines (uuid_record, record_session, playback), which
 * split on spaces and read quotes, commas and `$` themselves: only plain path characters are accepted.
 */
function switchPathFrom(raw: string | undefined, fallback: string, name: string): string {
  const dir = raw ? resolve(raw) : fallback;
  if (!/^[A-Za-z0-9_./+@=-]+$/.test(dir) || dir === '/') {
    throw new Error(`${name} must be a directory path of letters, digits and _ . / + @ = - (it goes on switch command lines), got "${dir}"`);
  }
  return dir;
}

function integerFrom(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** The first of `allowed` is the default. */
function oneOf<T extends string>(raw: string | undefined, allowed: readonly T[], name: string): T {
  if (raw === undefined || raw === '') return allowed[0]!;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function trustProxyFrom(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  return raw;
}
