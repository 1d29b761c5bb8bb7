import type { Db } from '../../db/connect.js';
import { LOOKUP_CHUNK } from '../../db/queries.js';
import type { WritePath } from '../../db/write-path.js';
import type { NumberPlans } from '../../routing/decide.js';
import { DodIndex, type DodWayOut } from '../../routing/dods.js';
import { GatewayIndex } from '../../routing/gateways.js';
import { HotlineIndex } from '../../routing/hotlines.js';
import { CONTEXTS_TOPIC } from '../contexts/routes.js';
import { EXTENSIONS_TOPIC } from '../extensions/routes.js';
import { GATEWAYS_TOPIC } from '../gateways/routes.js';
import { DODS_TOPIC, HOTLINES_TOPIC, extensionNumbers } from './numbers.js';

/** Topics whose changes alter what the DIDs, DODs and gateways decide: theirs, the extensions they name, hotline_enabled of contexts. */
const FOLLOWED = [HOTLINES_TOPIC, DODS_TOPIC, EXTENSIONS_TOPIC, CONTEXTS_TOPIC, GATEWAYS_TOPIC];

/**
 * The DIDs, DODs and gateways' dnc/sdnc as the routing engine consults them, in memory: loaded at
 * start and reloaded whole after every committed change of theirs (or of a context), in this
 * process or, through the change feed, in another. They are a few thousand rows at most, so a
 * whole reload is simpler than patching and as fast as the write that caused it.
 */
export class LiveNumberPlans {
  private readonly plans: NumberPlans = { hotlines: new HotlineIndex(), dods: new DodIndex(), gateways: new GatewayIndex() };
  private reloads: Promise<void> = Promise.resolve();
  private loaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly log: (message: string) => void,
  ) {}

  async start(writes: WritePath): Promise<void> {
    const reloadLogged = () => {
      this.reload().catch((error: unknown) => this.log(`DID/DOD/gateway reload failed: ${(error as Error).message}`));
    };
    for (const topic of FOLLOWED) await writes.follow(topic, () => this.reload(), reloadLogged);
    this.loaded = this.reload();
  }

  /** The plans, once the first load completed; rejects if it failed. */
  async ready(): Promise<NumberPlans> {
    await this.loaded;
    return this.plans;
  }

  /** Reloads after any reload already queued, so the last one to finish read the newest rows. */
  private reload(): Promise<void> {
    const next = this.reloads.then(() => this.loadAll());
    this.reloads = next.catch(() => undefined);
    return next;
  }

  private async loadAll(): Promise<void> {
    const kysely = this.db.kysely;
    const [hotlines, contexts, dods, gateways] = await Promise.all([
      kysely.selectFrom('hotlines').select(['id', 'line_number', 'numbers']).execute(),
      kysely.selectFrom('contexts').select('key').where('hotline_enabled', '=', 1).execute(),
      kysely.selectFrom('dods').innerJoin('extensions', 'extensions.id', 'dods.extn_id')
        .select(['dods.id', 'dods.line_number', 'dods.type', 'dods.ref_id', 'extensions.extn', 'extensions.domain']).execute(),
      kysely.selectFrom('gateways').select(['id', 'name', 'dnc', 'sdnc']).execute(),
    ]);
    const listed = hotlines.map((row) => ({ ...row, numbers: extensionNumbers(row.numbers, 'numbers') }));
    const domains = await this.domainsOf([...new Set(listed.flatMap((row) => row.numbers))]);
    this.plans.hotlines.replaceAll(
      listed.map((row) => ({
        id: row.id,
        lineNumber: row.line_number,
        numbers: row.numbers,
        extensions: row.numbers.flatMap((extn) => (domains.get(extn) ?? []).map((domain) => ({ extn, domain }))),
      })),
      contexts.map((row) => row.key),
    );
    this.plans.dods.replaceAll(dods.map((row) => ({
      id: row.id, extn: row.extn, domain: row.domain, type: row.type as DodWayOut, refId: row.ref_id, lineNumber: row.line_number,
    })));
    this.plans.gateways.replaceAll(gateways);
  }

  /** The domains each of these extension numbers exists in. */
  private async domainsOf(extns: readonly string[]): Promise<Map<string, string[]>> {
    const domains = new Map<string, string[]>();
    for (let start = 0; start < extns.length; start += LOOKUP_CHUNK) {
      const rows = await this.db.kysely.selectFrom('extensions').select(['extn', 'domain'])
        .where('extn', 'in', extns.slice(start, start + LOOKUP_CHUNK)).orderBy('id').execute();
      for (const { extn, domain } of rows) domains.set(extn, [...(domains.get(extn) ?? []), domain]);
    }
    return domains;
  }
}
