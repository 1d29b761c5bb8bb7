import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type ChangeListener = (ids: number[]) => void;

/**
 * Tells the other Switchboard processes sharing a PostgreSQL database which rows of a topic
 * changed, so their in-memory indexes follow. Messages are sent with pg_notify inside the writing
 * transaction, so they are delivered exactly when (and only if) it commits. With SQLite there is
 * one process, and nothing to tell.
 */
export interface ChangeFeed {
  publish(trx: Kysely<Database>, topic: string, ids: readonly number[]): Promise<void>;
  /**
   * Resolves once listening. `onChange` gets the ids another process changed; `onResync` runs
   * after a reconnect, when messages may have been missed.
   */
  subscribe(topic: string, onChange: ChangeListener, onResync: () => void): Promise<void>;
  close(): Promise<void>;
}

export const localOnlyFeed: ChangeFeed = {
  publish: async () => undefined,
  subscribe: async () => undefined,
  close: async () => undefined,
};

// pg_notify payloads are limited to 8000 bytes; ids are sent in chunks well under that.
const IDS_PER_MESSAGE = 500;
const channelOf = (topic: string) => `switchboard_${topic}`;

export function postgresFeed(url: string, log: (message: string) => void): ChangeFeed {
  const origin = randomUUID();
  const subscriptions = new Map<string, { onChange: ChangeListener; onResync: () => void }[]>();
  let client: pg.Client | undefined;
  /** Topics the current connection LISTENs to. */
  const listening = new Set<string>();
  let closed = false;
  let retryDelay = 100;

  async function connect(isReconnect: boolean): Promise<void> {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      const topic = message.channel.replace(/^switchboard_/, '');
      const parsed = JSON.parse(message.payload ?? '{}') as { origin?: string; ids?: number[] };
      if (parsed.origin === origin) return;
      for (const { onChange } of subscriptions.get(topic) ?? []) onChange(parsed.ids ?? []);
    });
    next.on('error', (error) => log(`change feed connection lost: ${error.message}`));
    next.on('end', () => {
      if (closed) return;
      client = undefined;
      setTimeout(() => void reconnect(), retryDelay).unref();
    });
    await next.connect();
    listening.clear();
    for (const topic of subscriptions.keys()) await listen(next, topic);
    client = next;
    retryDelay = 100;
    if (isReconnect) for (const { onResync } of [...subscriptions.values()].flat()) onResync();
  }

  async function listen(on: pg.Client, topic: string): Promise<void> {
    await on.query(`LISTEN ${channelOf(topic)}`);
    listening.add(topic);
  }

  async function reconnect(): Promise<void> {
    try {
      await connect(true);
    } catch (error) {
      retryDelay = Math.min(retryDelay * 2, 10_000);
      log(`change feed reconnect failed (${(error as Error).message}), next try in ${retryDelay} ms`);
      setTimeout(() => void reconnect(), retryDelay).unref();
    }
  }

  let connecting: Promise<void> | undefined;

  return {
    async publish(trx, topic, ids) {
      for (let start = 0; start < ids.length; start += IDS_PER_MESSAGE) {
        const payload = JSON.stringify({ origin, ids: ids.slice(start, start + IDS_PER_MESSAGE) });
        await sql`select pg_notify(${channelOf(topic)}, ${payload})`.execute(trx);
      }
    },
    async subscribe(topic, onChange, onResync) {
      subscriptions.set(topic, [...(subscriptions.get(topic) ?? []), { onChange, onResync }]);
      if (!client) await (connecting ??= connect(false));
      // A subscription made while the first connection was being set up may have missed its LISTEN.
      if (client && !listening.has(topic)) await listen(client, topic);
    },
    async close() {
      closed = true;
      await connecting;
      await client?.end();
    },
  };
}
