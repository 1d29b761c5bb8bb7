import type { Recurrence } from './recurrence.js';

/**
 * The routing-relevant columns of a `routes` row. The index keeps the object it is given, so treat
 * a route as immutable: to change one, upsert a new object.
 */
export interface Route {
  id: number;
  name: string;
  context: string;
  /** Plain text the called number must start with; '' matches every number. */
  prefix: string;
  /** Longest called number (in characters) this route accepts. */
  maxLength: number;
  disabled: boolean;
  destType: string;
  destUuid: string;
  body: string;
  /** Called-number transform, see number-transform.ts. */
  dnc: string;
  /** Caller-number transform, see number-transform.ts. */
  sdnc: string;
  /** Id of the blacklist that judges the route's calls (blacklist.ts); absent or null: none. */
  blacklist?: number | null;
}

/** A `time_recurrences` row: while `recurrence` contains "now" it overrides the route's destination. */
export interface TimeSegment {
  id: number;
  routeId: number;
  recurrence: Recurrence;
  destType: string;
  destUuid: string;
  body: string;
}
