import type { Kysely } from 'kysely';
import type { Database, TableName } from '../../db/schema.js';
import type { References } from '../../db/references.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest } from '../../http/errors.js';
import { DEST_TYPES_NEEDING_UUID, destinationProblem, destinationUnchosen } from '../../routing/dialplan-values.js';

export { DEST_TYPES_NEEDING_UUID };

export interface Destination {
  dest_type: string;
  dest_uuid: string;
  body: string;
}

/** A resource that routes (and their time segments) may send calls to, e.g. gateways for FS_DEST_GATEWAY. */
export interface DestinationKind {
  /** The DEST dict key. */
  type: string;
  /** The table holding the objects; `dest_uuid` is a row id of it. */
  table: TableName;
  /** The column whose value becomes the route's `body` (XUI fills the gateway name that way). */
  nameColumn: string;
  /** How one object is named in messages, e.g. `gateway`. */
  noun: string;
}

/**
 * The destinations routes can name. A resource registers itself here (its type, table and name
 * column), so routes need not import every resource: the route's `dest_uuid` is then checked and
 * its `body` filled, and the object cannot be deleted while a route or a time segment points at it.
 * A type nobody registered yet is stored as given.
 */
export class Destinations {
  private readonly kinds = new Map<string, DestinationKind>();

  constructor(private readonly references: References) {}

  register(kind: DestinationKind): void {
    this.kinds.set(kind.type, kind);
    this.references.add(kind.table, async ({ trx }, row) => {
      const id = String((row as { id: number }).id);
      const route = await trx.selectFrom('routes').select(['id', 'name'])
        .where('dest_type', '=', kind.type).where('dest_uuid', '=', id).orderBy('id').executeTakeFirst();
      if (route) return `route "${route.name}" (id ${route.id})`;
      const segment = await trx.selectFrom('time_recurrences').select(['id', 'route_id'])
        .where('dest_type', '=', kind.type).where('dest_uuid', '=', id).orderBy('id').executeTakeFirst();
      return segment ? `time segment ${segment.id} of route ${segment.route_id}` : undefined;
    });
  }

  async knownTypes(db: Kysely<Database>): Promise<Set<string>> {
    const rows = await db.selectFrom('dicts').select('k').where('realm', '=', 'DEST').execute();
    return new Set(rows.map((row) => row.k));
  }

  /**
   * Checks a destination and fills `body` from the object it names, held until commit so that it
   * cannot be deleted under the route; `field` prefixes messages. With `unchosen: 'allowed'` (a
   * route, not a time segment), a destination whose target is not chosen yet is stored as it is.
   */
  async resolve(scope: WriteScope, destination: Destination, field = '', known?: Set<string>, unchosen: 'allowed' | 'refused' = 'refused'): Promise<Destination> {
    const types = known ?? (await this.knownTypes(scope.trx));
    if (!types.has(destination.dest_type)) {
      throw badRequest(`${field}dest_type`, `"${destination.dest_type}" is not a destination type (see /api/dicts?realm=DEST)`);
    }
    if (unchosen === 'allowed' && destinationUnchosen(destination)) return { ...destination, dest_uuid: '', body: '' };
    if (DEST_TYPES_NEEDING_UUID.has(destination.dest_type) && destination.dest_uuid === '') {
      throw badRequest(`${field}dest_uuid`, `is required for ${destination.dest_type}`);
    }
    const unrenderable = destinationProblem(destination, field);
    if (unrenderable) throw badRequest(unrenderable.field, unrenderable.problem);
    const kind = this.kinds.get(destination.dest_type);
    if (!kind) return destination;
    const id = /^[1-9]\d{0,9}$/.test(destination.dest_uuid) ? Number(destination.dest_uuid) : NaN;
    const object = Number.isSafeInteger(id) ? await scope.lock(kind.table, 'id' as never, id, 'share') : undefined;
    if (!object) throw badRequest(`${field}dest_uuid`, `no ${kind.noun} with id "${destination.dest_uuid}"`);
    return { ...destination, body: String((object as Record<string, unknown>)[kind.nameColumn] ?? '') };
  }
}
