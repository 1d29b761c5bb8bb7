import type { Kysely } from 'kysely';
import type { Database, Row } from '../../db/schema.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What other resources add to an extension's detail (its DIDs and DODs). */
    extensionDetails: ExtensionDetails;
  }
}

/** The lists an extension's detail carries, each `[]` until a resource contributes it. */
export const EXTENSION_DETAIL_KEYS = ['dids', 'dods'] as const;
export type ExtensionDetailKey = (typeof EXTENSION_DETAIL_KEYS)[number];

/** The rows of one list of an extension's detail, e.g. the DIDs that ring it, as plain wire objects. */
export type ExtensionDetailSource = (db: Kysely<Database>, extension: Row<'extensions'>) => Promise<Record<string, unknown>[]>;

/**
 * The lists of `GET /api/extensions/:id` that other resources own: the DID and DOD resources
 * contribute their rows here (`app.extensionDetails.contribute('dids', …)`), so that extensions
 * need not import them.
 */
export class ExtensionDetails {
  private readonly sources = new Map<ExtensionDetailKey, ExtensionDetailSource>();

  contribute(key: ExtensionDetailKey, source: ExtensionDetailSource): void {
    if (this.sources.has(key)) throw new Error(`the extension detail ${key} already has a source`);
    this.sources.set(key, source);
  }

  async of(db: Kysely<Database>, extension: Row<'extensions'>): Promise<Record<ExtensionDetailKey, Record<string, unknown>[]>> {
    const lists = await Promise.all(EXTENSION_DETAIL_KEYS.map(async (key) => [key, (await this.sources.get(key)?.(db, extension)) ?? []] as const));
    return Object.fromEntries(lists) as Record<ExtensionDetailKey, Record<string, unknown>[]>;
  }
}
