import type { Kysely } from 'kysely';
import type { Database, Row } from '../../db/schema.js';
import type { WriteScope } from '../../db/write-path.js';

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

/** Plain fields of an extension's detail that another resource owns (its do-not-disturb and forwards). */
export type ExtensionFieldSource = (db: Kysely<Database>, extension: Row<'extensions'>) => Promise<Record<string, unknown>>;

/**
 * Takes the fields of an extension's update that another resource owns (ExtensionUpdate in
 * schema.ts must declare them, or validation strips them), in the update's own transaction.
 */
export type ExtensionUpdateSink = (scope: WriteScope, extension: Row<'extensions'>, input: Readonly<Record<string, unknown>>) => Promise<void>;

/**
 * The lists of `GET /api/extensions/:id` that other resources own: the DID and DOD resources
 * contribute their rows here (`app.extensionDetails.contribute('dids', …)`), so that extensions
 * need not import them.
 */
export class ExtensionDetails {
  private readonly sources = new Map<ExtensionDetailKey, ExtensionDetailSource>();
  private readonly fieldSources: ExtensionFieldSource[] = [];
  private readonly updateSinks: ExtensionUpdateSink[] = [];

  contribute(key: ExtensionDetailKey, source: ExtensionDetailSource): void {
    if (this.sources.has(key)) throw new Error(`the extension detail ${key} already has a source`);
    this.sources.set(key, source);
  }

  /** Fields to add to the detail; ExtensionDetail (schema.ts) must declare them, or the reply drops them. */
  contributeFields(source: ExtensionFieldSource): void {
    this.fieldSources.push(source);
  }

  /** Fields an update of the extension writes elsewhere (its forwards, set on CherryPBX's extension page). */
  acceptUpdates(sink: ExtensionUpdateSink): void {
    this.updateSinks.push(sink);
  }

  async update(scope: WriteScope, extension: Row<'extensions'>, input: Readonly<Record<string, unknown>>): Promise<void> {
    for (const sink of this.updateSinks) await sink(scope, extension, input);
  }

  async of(db: Kysely<Database>, extension: Row<'extensions'>): Promise<Record<string, unknown> & Record<ExtensionDetailKey, Record<string, unknown>[]>> {
    const lists = await Promise.all(EXTENSION_DETAIL_KEYS.map(async (key) => [key, (await this.sources.get(key)?.(db, extension)) ?? []] as const));
    const fields = await Promise.all(this.fieldSources.map((source) => source(db, extension)));
    return Object.assign({}, ...fields, Object.fromEntries(lists)) as Record<string, unknown> & Record<ExtensionDetailKey, Record<string, unknown>[]>;
  }
}
