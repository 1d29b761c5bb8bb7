/**
 * The blacklists and translation tables as routing reads them, per process. A list may hold a
 * million numbers, far too many to ask the database per call within the routing engine's budget,
 * so each list a decision needs is loaded once into a compact NumberMap (8 bytes a number) and
 * kept until it changes: a write to a list or its numbers publishes the list's id on its topic
 * (this process right after commit, the others through the change feed), which drops the loaded
 * copy; the next call that needs it loads it again. Writes stay fast (an import of a million
 * numbers reloads nothing), and only lists that routes use are ever in memory.
 */
import type { Db } from '../../db/connect.js';
import type { WritePath } from '../../db/write-path.js';
import type { Blacklist, RoutingLists } from '../../routing/blacklist.js';
import { NumberMap } from '../../routing/number-map.js';
import { translationTableOf, type TranslationTable } from '../../routing/number-translation.js';
import type { Route } from '../../routing/types.js';

/** Change-feed topic of blacklists: the ids of lists whose row or numbers changed. */
export const BLACKLISTS_TOPIC = 'blacklists';
/** Change-feed topic of translation tables: the ids of tables whose row or numbers changed. */
export const NUMBER_TRANSLATION_TOPIC = 'number_translation';

const LOAD_CHUNK = 50_000;

/** What a route's decision reads: its blacklist and the tables its dnc/sdnc (and its gateway's) name. */
export interface NeededLists {
  blacklists: number[];
  tables: number[];
}

/** Loaded copies by id; null records that no such list exists, so it is not asked for again. */
class LoadedById<T> {
  readonly loaded = new Map<number, T | null>();
  private readonly generations = new Map<number, number>();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(private readonly read: (id: number) => Promise<T | null>) {}

  get(id: number): T | undefined {
    return this.loaded.get(id) ?? undefined;
  }

  forget(ids?: readonly number[]): void {
    for (const id of ids ?? [...this.loaded.keys(), ...this.generations.keys()]) {
      this.loaded.delete(id);
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
    }
  }

  /** Loads `id` unless a load is under way; a copy read before a change is not kept. */
  load(id: number): Promise<void> {
    let pending = this.loading.get(id);
    if (!pending) {
      const generation = this.generations.get(id) ?? 0;
      pending = this.read(id)
        .then((value) => {
          if ((this.generations.get(id) ?? 0) === generation) this.loaded.set(id, value);
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }
}

export class LiveRoutingLists implements RoutingLists {
  private readonly blacklists: LoadedById<Blacklist>;
  private readonly tables: LoadedById<TranslationTable>;

  constructor(private readonly db: Db) {
    this.blacklists = new LoadedById((id) => this.readBlacklist(id));
    this.tables = new LoadedById((id) => this.readTable(id));
  }

  async start(writes: WritePath): Promise<void> {
    await writes.follow(BLACKLISTS_TOPIC, (ids) => this.blacklists.forget(ids), () => this.blacklists.forget());
    await writes.follow(NUMBER_TRANSLATION_TOPIC, (ids) => this.tables.forget(ids), () => this.tables.forget());
  }

  blacklist(id: number): Blacklist | undefined {
    return this.blacklists.get(id);
  }

  translationTable(id: number): TranslationTable | undefined {
    return this.tables.get(id);
  }

  /**
   * The lists a decision needs that are not loaded (a list known not to exist counts as loaded):
   * its route's, and the tables named by the gateway the call leaves through.
   */
  missingFor({ route, gateway }: { route: Route | null; gateway: { dnc: string; sdnc: string } | null }): NeededLists {
    const needed: NeededLists = { blacklists: [], tables: [] };
    if (route === null) return needed;
    if (route.blacklist != null && !this.blacklists.loaded.has(route.blacklist)) needed.blacklists.push(route.blacklist);
    for (const rule of [route.dnc, route.sdnc, gateway?.dnc ?? '', gateway?.sdnc ?? '']) {
      const table = translationTableOf(rule);
      if (table !== null && !this.tables.loaded.has(table)) needed.tables.push(table);
    }
    return needed;
  }

  async load(needed: NeededLists): Promise<void> {
    await Promise.all([
      ...needed.blacklists.map((id) => this.blacklists.load(id)),
      ...needed.tables.map((id) => this.tables.load(id)),
    ]);
  }

  /**
   * A list's rows a chunk at a time, in the order of its unique (owner, number) index, so that each
   * chunk is a range of that index however long the list (better-sqlite3 answers synchronously:
   * requests run in between chunks).
   */
  private async *chunks<R>(read: (after: string) => Promise<R[]>, numberOf: (row: R) => string): AsyncGenerator<R[]> {
    for (let after = ''; ;) {
      const chunk = await read(after);
      yield chunk;
      if (chunk.length < LOAD_CHUNK) return;
      after = numberOf(chunk[chunk.length - 1]!);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async readBlacklist(id: number): Promise<Blacklist | null> {
    const db = this.db.kysely;
    const row = await db.selectFrom('blacklists').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const numbers: string[] = [];
    for await (const chunk of this.chunks((after) => db.selectFrom('blacklist_numbers').select(['v', 'disabled'])
      .where('blacklist_id', '=', id).where('v', '>', after).orderBy('v').limit(LOAD_CHUNK).execute(), (number) => number.v)) {
      for (const number of chunk) if (number.disabled === 0) numbers.push(number.v);
    }
    return { id, name: row.name, listType: row.list_type, limitUserType: row.limit_user_type, numbers: NumberMap.set(numbers) };
  }

  private async readTable(id: number): Promise<TranslationTable | null> {
    const db = this.db.kysely;
    const row = await db.selectFrom('number_translations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const entries: [string, string][] = [];
    for await (const chunk of this.chunks((after) => db.selectFrom('number_translation_numbers').select(['original_number', 'nts_number'])
      .where('table_id', '=', id).where('original_number', '>', after).orderBy('original_number').limit(LOAD_CHUNK).execute(),
    (number) => number.original_number)) {
      for (const number of chunk) entries.push([number.original_number, number.nts_number]);
    }
    return { id, name: row.name, type: row.type, numbers: NumberMap.of(entries) };
  }
}
