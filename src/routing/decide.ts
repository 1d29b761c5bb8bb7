/**
 * Routing decision for one call, with the reasons behind it, for both the dialplan and route
 * verification. The stages run in XUI's order: choose the route, let its blacklist judge the call
 * (blacklist.ts), let a time segment override its destination, transform the numbers (a dnc/sdnc
 * rule, or the translation table it names: number-translation.ts). A DID (hotlines.ts) goes before
 * them all and, when it applies, instead of them; a DOD (dods.ts) replaces the caller number once
 * the destination is known, before sdnc. A call leaving through a gateway then has the gateway's
 * own sdnc and dnc applied (gateways.ts), last: the numbers the far end sees are the gateway's.
 */
import { judge, type BlacklistVerdict, type RoutingLists } from './blacklist.js';
import type { CallerExtension, Dod, DodIndex } from './dods.js';
import type { GatewayIndex, GatewayRules } from './gateways.js';
import type { HotlineIndex, HotlineMatch } from './hotlines.js';
import { applyNumberTransform } from './number-transform.js';
import { translate, translationTableOf, type Translation } from './number-translation.js';
import { recurrenceContains } from './recurrence.js';
import { compareRoutes, type RouteIndex } from './route-index.js';
import type { Route, TimeSegment } from './types.js';

export interface Call {
  context: string;
  destNumber: string;
  callerNumber?: string;
  at: Date;
  /** IANA zone in which time segments read their wall-clock times (the server's TZ). */
  zone: string;
  /** The extension placing the call, as the switch authenticated it; its DODs apply. */
  callerExtension?: CallerExtension | undefined;
}

/** The DIDs, DODs and gateways' number rules a decision consults; without them none applies. */
export interface NumberPlans {
  hotlines: HotlineIndex;
  dods: DodIndex;
  gateways: GatewayIndex;
}

/** What the gateway a call leaves through did to its numbers, after the route's rules and the DOD. */
export interface GatewayStep {
  gatewayId: number;
  name: string;
  /** The gateway's rules as stored, "" for none. */
  dnc: string;
  sdnc: string;
  /** The called number as the route left it (after its dnc), and after the gateway's dnc. */
  destNumberBefore: string;
  destNumber: string;
  /** The caller number as the route and the DOD left it, and after the gateway's sdnc; undefined without one. */
  callerNumberBefore: string | undefined;
  callerNumber: string | undefined;
  /** The translation tables the gateway's sdnc and dnc named, in that order. */
  translations: Translation[];
}

export type RouteOutcome = 'chosen' | 'disabled' | 'too_long' | 'outranked';

/** A route whose prefix matches the called number, and what became of it. */
export interface ConsideredRoute {
  routeId: number;
  name: string;
  prefix: string;
  maxLength: number;
  outcome: RouteOutcome;
  detail: string;
}

/** A time segment of the chosen route, evaluated at the call's time. */
export interface ConsideredSegment {
  segmentId: number;
  recurrence: string;
  matched: boolean;
  /** The first matching segment in id order; it supplies the destination. */
  chosen: boolean;
}

export interface Destination {
  destType: string;
  destUuid: string;
  body: string;
  /** The segment that overrode the route's own destination, or null. */
  timeSegmentId: number | null;
}

export interface Decision {
  readonly route: Route | null;
  readonly destination: Destination | null;
  /** Called number as the call leaves: after the route's dnc and, through a gateway, the gateway's dnc. */
  readonly destNumber: string;
  /** Caller number as the call leaves: the DOD's, after the route's sdnc and, through a gateway, the gateway's sdnc. */
  readonly callerNumber: string | undefined;
  /** Routes of the call's context whose prefix matches, in decision order. Computed on first read. */
  readonly considered: ConsideredRoute[];
  readonly segments: ConsideredSegment[];
  /** The DID of the dialled number, if any; when `applied`, the call rings its extensions and `route` is null. */
  readonly did: HotlineMatch | null;
  /** The DOD whose line number became the caller number, if any. */
  readonly dod: Dod | null;
  /** The route's blacklist and what it made of the call; null when the route names none. */
  readonly blacklist: BlacklistVerdict | null;
  /** The translation tables the route's dnc/sdnc named, and what they did, called number first. */
  readonly translations: Translation[];
  /** The gateway the call leaves through and what its rules did (the numbers before them are the route's); null otherwise. */
  readonly gateway: GatewayStep | null;
}

/** The data of the stages beyond routes: without `lists` no blacklist or table applies, without `plans` no DID or DOD. */
export interface RoutingStages {
  lists?: RoutingLists | undefined;
  plans?: NumberPlans | undefined;
}

export function decide(index: RouteIndex, call: Call, { lists, plans }: RoutingStages = {}): Decision {
  const did = plans?.hotlines.match(call.context, call.destNumber) ?? null;
  if (did?.applied) {
    return new LazilyExplainedDecision(null, null, call.destNumber, call.callerNumber, [], null, [], [], call.destNumber, did, null, null);
  }
  const route = index.best(call.context, call.destNumber);
  const { destination, segments } = route === null
    ? { destination: null, segments: [] }
    : chooseDestination(route, index.timeSegments(route.id), call);
  const dod = destination && call.callerExtension && plans ? plans.dods.lineFor(call.callerExtension, destination) : null;
  const callerNumber = dod?.lineNumber ?? call.callerNumber;
  const listed = route?.blacklist == null ? undefined : lists?.blacklist(route.blacklist);
  const translations: Translation[] = [];
  const destNumber = transform(call.destNumber, route?.dnc, lists, translations);
  const routeCaller = callerNumber === undefined ? undefined : transform(callerNumber, route?.sdnc, lists, translations);
  const gatewayRules = destination && plans ? plans.gateways.through(destination) : null;
  const gateway = gatewayRules && throughGateway(gatewayRules, destNumber, routeCaller, lists);
  return new LazilyExplainedDecision(
    route,
    destination,
    gateway?.destNumber ?? destNumber,
    gateway ? gateway.callerNumber : routeCaller,
    segments,
    listed === undefined ? null : judge(listed, call.callerNumber ?? '', call.destNumber),
    translations,
    index.routeListsOnPath(call.context, call.destNumber),
    call.destNumber,
    did,
    dod,
    gateway,
  );
}

/** The gateway's sdnc then dnc, on the numbers as the route left them. */
function throughGateway(rules: GatewayRules, destNumber: string, callerNumber: string | undefined, lists: RoutingLists | undefined): GatewayStep {
  const translations: Translation[] = [];
  const caller = callerNumber === undefined ? undefined : transform(callerNumber, rules.sdnc, lists, translations);
  return {
    gatewayId: rules.id,
    name: rules.name,
    dnc: rules.dnc,
    sdnc: rules.sdnc,
    destNumberBefore: destNumber,
    destNumber: transform(destNumber, rules.dnc, lists, translations),
    callerNumberBefore: callerNumber,
    callerNumber: caller,
    translations,
  };
}

/**
 * The dialplan never reads `considered`, route verification always does, and building it costs far
 * more than the decision itself: build it on first read, from the route lists as they were at
 * decision time (the index never changes a list it handed out).
 */
class LazilyExplainedDecision implements Decision {
  readonly #routeLists: readonly (readonly Route[])[];
  readonly #dialled: string;
  #considered: ConsideredRoute[] | undefined;

  constructor(
    readonly route: Route | null,
    readonly destination: Destination | null,
    readonly destNumber: string,
    readonly callerNumber: string | undefined,
    readonly segments: ConsideredSegment[],
    readonly blacklist: BlacklistVerdict | null,
    readonly translations: Translation[],
    routeLists: readonly (readonly Route[])[],
    dialled: string,
    readonly did: HotlineMatch | null,
    readonly dod: Dod | null,
    readonly gateway: GatewayStep | null,
  ) {
    this.#routeLists = routeLists;
    this.#dialled = dialled;
  }

  get considered(): ConsideredRoute[] {
    return (this.#considered ??= this.#routeLists.flat().sort(compareRoutes)
      .map((candidate) => consider(candidate, this.route, this.#dialled)));
  }

  toJSON(): Decision {
    const { route, destination, destNumber, callerNumber, considered, segments, did, dod, blacklist, translations, gateway } = this;
    return { route, destination, destNumber, callerNumber, considered, segments, did, dod, blacklist, translations, gateway };
  }
}

function transform(number: string, rule: string | undefined, lists: RoutingLists | undefined, translations: Translation[]): string {
  if (rule === undefined || rule === '') return number;
  const tableId = translationTableOf(rule);
  if (tableId === null) return applyNumberTransform(number, rule);
  // A table that is not there (no lists given) translates nothing.
  const table = lists?.translationTable(tableId);
  if (table === undefined) return number;
  const translation = translate(table, number);
  translations.push(translation);
  return translation.to;
}

function chooseDestination(route: Route, timeSegments: readonly TimeSegment[], call: Call) {
  let chosen: TimeSegment | null = null;
  const segments: ConsideredSegment[] = [];
  for (const segment of timeSegments) {
    const matched = recurrenceContains(segment.recurrence, call.at, call.zone);
    const first = matched && chosen === null;
    if (first) chosen = segment;
    segments.push({ segmentId: segment.id, recurrence: segment.recurrence.text, matched, chosen: first });
  }
  const source = chosen ?? route;
  const destination: Destination = {
    destType: source.destType,
    destUuid: source.destUuid,
    body: source.body,
    timeSegmentId: chosen?.id ?? null,
  };
  return { destination, segments };
}

function consider(route: Route, chosen: Route | null, dest: string): ConsideredRoute {
  const { id: routeId, name, prefix, maxLength } = route;
  const verdict = (outcome: RouteOutcome, detail: string): ConsideredRoute =>
    ({ routeId, name, prefix, maxLength, outcome, detail });
  if (route === chosen) return verdict('chosen', 'best match: lowest max_length, then longest prefix, then lowest id');
  if (route.disabled) return verdict('disabled', 'route is disabled');
  if (dest.length > maxLength) {
    return verdict('too_long', `number has ${dest.length} digits, route allows at most ${maxLength}`);
  }
  // A fitting, enabled route that was not chosen implies a chosen one.
  const winner = chosen!;
  if (winner.maxLength < maxLength) {
    return verdict('outranked', `outranked by route ${winner.id} (max_length ${winner.maxLength} < ${maxLength})`);
  }
  if (winner.prefix.length > prefix.length) {
    return verdict('outranked',
      `outranked by route ${winner.id} (same max_length ${maxLength}, longer prefix "${winner.prefix}" over "${prefix}")`);
  }
  return verdict('outranked', `outranked by route ${winner.id} (same max_length and prefix, lower id)`);
}
