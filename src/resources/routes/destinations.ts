import type { Db } from '../../db/connect.js';
import { badRequest } from '../../http/errors.js';

/** Destination types whose `dest_uuid` must name an object (the spec's create-route table). */
export const DEST_TYPES_NEEDING_UUID: ReadonlySet<string> = new Set([
  'FS_DEST_GATEWAY',
  'FS_DEST_USERGW',
  'FS_DEST_IVRBLOCK',
  'FS_DEST_MEETING_ROOM',
  'FS_DEST_CONFERENCE_ROOM',
  'FS_DEST_CTI',
  'FS_DEST_IVR',
  'FS_DEST_DISTRIBUTORS',
  'FS_DEST_CLUSTER_TRUNK',
  'FS_DEST_CLUSTER_TRUNK_GROUP',
]);

/**
 * How a destination type's object is found: its name becomes the route's `body` (XUI fills the
 * gateway name that way). A type joins this table when its resource (gateways, IVRs, blocks, …)
 * exists in Switchboard; until then its `dest_uuid` is stored as given.
 */
type ObjectName = (db: Db, id: string) => Promise<string | undefined>;
const objectNames: Partial<Record<string, ObjectName>> = {};

export interface Destination {
  dest_type: string;
  dest_uuid: string;
  body: string;
}

export async function knownDestinationTypes(db: Db): Promise<Set<string>> {
  const rows = await db.kysely.selectFrom('dicts').select('k').where('realm', '=', 'DEST').execute();
  return new Set(rows.map((row) => row.k));
}

/** Checks a destination and fills `body` from the object it names; `field` prefixes messages. */
export async function resolveDestination(db: Db, destination: Destination, field = '', known?: Set<string>): Promise<Destination> {
  const types = known ?? (await knownDestinationTypes(db));
  if (!types.has(destination.dest_type)) {
    throw badRequest(`${field}dest_type`, `"${destination.dest_type}" is not a destination type (see /api/dicts?realm=DEST)`);
  }
  if (DEST_TYPES_NEEDING_UUID.has(destination.dest_type) && destination.dest_uuid === '') {
    throw badRequest(`${field}dest_uuid`, `is required for ${destination.dest_type}`);
  }
  const nameOf = objectNames[destination.dest_type];
  if (!nameOf) return destination;
  const name = await nameOf(db, destination.dest_uuid);
  if (name === undefined) {
    throw badRequest(`${field}dest_uuid`, `no ${destination.dest_type} object with id "${destination.dest_uuid}"`);
  }
  return { ...destination, body: name };
}
