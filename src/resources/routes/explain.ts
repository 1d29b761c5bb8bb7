import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DateTime } from 'luxon';
import { badRequest } from '../../http/errors.js';
import { Enveloped, ok } from '../../http/kit/envelopes.js';
import { wireTime } from '../../http/kit/time.js';
import { refusalOf } from '../../routing/blacklist.js';
import type { Translation } from '../../routing/number-translation.js';
import type { RouteTable } from './route-table.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const TranslationApplied = Type.Object({
  table_id: Type.Integer(), name: Type.String(), type: Type.String(), from: Type.String(), to: Type.String(),
  matched: Type.String({ description: 'the original_number that matched, "" for none (number unchanged)' }),
});

const translationWire = ({ tableId, matched, ...rest }: Translation) => ({ table_id: tableId, ...rest, matched: matched ?? '' });

const Explanation = Type.Object({
  context: Type.String(),
  destNumber: Type.String(),
  callerNumber: Type.String(),
  time: Type.String({ description: 'the moment decided for, in the server zone' }),
  route: Nullable(Type.Object({
    id: Type.Integer(), name: Type.String(), prefix: Type.String(), max_length: Type.Integer(),
    dest_type: Type.String(), dest_uuid: Type.String(), body: Type.String(), dnc: Type.String(), sdnc: Type.String(),
  })),
  destination: Nullable(Type.Object({
    dest_type: Type.String(), dest_uuid: Type.String(), body: Type.String(),
    time_segment_id: Nullable(Type.Integer()),
  })),
  dnc_number: Type.String({ description: 'called number after the route’s dnc' }),
  sdnc_number: Type.String({ description: 'caller number after the route’s sdnc' }),
  considered: Type.Array(Type.Object({
    route_id: Type.Integer(), name: Type.String(), prefix: Type.String(), max_length: Type.Integer(),
    outcome: Type.String({ description: 'chosen | disabled | too_long | outranked' }), detail: Type.String(),
  })),
  segments: Type.Array(Type.Object({
    id: Type.Integer(), time_recurrence: Type.String(), matched: Type.Boolean(), chosen: Type.Boolean(),
  })),
  did: Nullable(Type.Object({
    id: Type.Integer(), line_number: Type.String(), numbers: Type.Array(Type.String()),
    applied: Type.Boolean({ description: 'true: the call rings these extensions and no route is consulted' }), detail: Type.String(),
  }, { description: 'the DID whose line number was dialled, if any' })),
  dod: Nullable(Type.Object({
    id: Type.Integer(), line_number: Type.String(), extn: Type.String(), type: Type.String(), ref_id: Type.Integer(),
  }, { description: 'the DOD of callerExtension on the way out, whose line number became the caller number before sdnc' })),
  blacklist: Nullable(Type.Object({
    id: Type.Integer(), name: Type.String(), list_type: Type.Integer(), limit_user_type: Type.Integer(),
    rejected: Type.Boolean({ description: 'the call is hung up with CALL_REJECTED' }),
    reason: Type.String(),
    checks: Type.Array(Type.Object({
      party: Type.String({ description: 'caller | callee' }), number: Type.String(),
      listed: Type.String({ description: 'the listed number that matched, "" for none' }), passed: Type.Boolean(),
    })),
  }, { description: 'the route’s blacklist and its verdict; null when the route names none' })),
  translations: Type.Array(TranslationApplied, { description: 'number translation tables the route\'s dnc/sdnc named, called number first' }),
  gateway: Nullable(Type.Object({
    id: Type.Integer(), name: Type.String(), dnc: Type.String(), sdnc: Type.String(),
    dest_number_before: Type.String({ description: 'called number as the route left it (dnc_number)' }),
    dest_number: Type.String({ description: 'called number after the gateway\'s dnc: what the far end is called with' }),
    caller_number_before: Type.String({ description: 'caller number as the route and the DOD left it (sdnc_number)' }),
    caller_number: Type.String({ description: 'caller number after the gateway\'s sdnc: what the far end sees' }),
    translations: Type.Array(TranslationApplied, { description: 'number translation tables the gateway\'s sdnc/dnc named, caller number first' }),
  }, { description: 'the gateway the call leaves through (FS_DEST_GATEWAY) and what its own sdnc and dnc did, after the route\'s; null otherwise' })),
});

const ExplainQuery = Type.Object({
  destNumber: Type.String({ minLength: 1, maxLength: 64 }),
  context: Type.String({ minLength: 1 }),
  callerNumber: Type.Optional(Type.String({ maxLength: 64 })),
  callerExtension: Type.Optional(Type.String({ maxLength: 64, description: 'the extension placing the call, as the switch authenticated it (user_name): its DODs apply' })),
  callerDomain: Type.Optional(Type.String({ maxLength: 255, description: 'that extension\'s domain (domain_name)' })),
  time: Type.Optional(Type.String({ description: 'ISO-8601, or YYYY-MM-DD HH:MM:SS in the server zone; default now' })),
});

function parseTime(text: string | undefined, zone: string): Date {
  if (text === undefined || text === '') return new Date();
  const parsed = [DateTime.fromISO(text, { zone }), DateTime.fromSQL(text, { zone })].find((candidate) => candidate.isValid);
  if (!parsed) throw badRequest('time', 'must be ISO-8601 or YYYY-MM-DD HH:MM:SS');
  return parsed.toJSDate();
}

/** Beyond the spec: operators ask "why did this call go there". */
export async function explainRoutes(parent: FastifyInstance, options: { routeTable: RouteTable; zone: string }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { routeTable, zone } = options;

  app.get('/api/routes/explain', {
    schema: {
      tags: ['routes'],
      summary: 'Explain the routing decision for a call',
      description: 'Which route a call takes (or the DID that takes it instead), its blacklist verdict, the destination after time segments, the DOD that sets the caller number, the transformed numbers (and the translation tables applied), the gateway the call leaves through and what its own rules did, and why every other candidate lost.',
      querystring: ExplainQuery,
      response: { 200: Enveloped(Explanation) },
    },
  }, async (request) => {
    const { destNumber, context, callerNumber, callerExtension, callerDomain } = request.query;
    const at = parseTime(request.query.time, zone);
    // No caller number given: there is nothing for sdnc to transform (sdnc_number stays "").
    const decision = await routeTable.decide({
      context, destNumber, at,
      ...(callerNumber === undefined ? {} : { callerNumber }),
      ...(callerExtension ? { callerExtension: { extn: callerExtension, domain: callerDomain ?? '' } } : {}),
    });
    const { route, destination, did, dod, gateway } = decision;
    return ok({
      context,
      destNumber,
      callerNumber: callerNumber ?? '',
      time: wireTime(at.toISOString()),
      route: route && {
        id: route.id, name: route.name, prefix: route.prefix, max_length: route.maxLength,
        dest_type: route.destType, dest_uuid: route.destUuid, body: route.body, dnc: route.dnc, sdnc: route.sdnc,
      },
      destination: destination && {
        dest_type: destination.destType, dest_uuid: destination.destUuid, body: destination.body,
        time_segment_id: destination.timeSegmentId,
      },
      dnc_number: gateway ? gateway.destNumberBefore : decision.destNumber,
      sdnc_number: (gateway ? gateway.callerNumberBefore : decision.callerNumber) ?? '',
      considered: decision.considered.map((candidate) => ({
        route_id: candidate.routeId, name: candidate.name, prefix: candidate.prefix, max_length: candidate.maxLength,
        outcome: candidate.outcome, detail: candidate.detail,
      })),
      segments: decision.segments.map((segment) => ({
        id: segment.segmentId, time_recurrence: segment.recurrence, matched: segment.matched, chosen: segment.chosen,
      })),
      did: did && {
        id: did.hotline.id, line_number: did.hotline.lineNumber, numbers: [...did.hotline.numbers], applied: did.applied, detail: did.detail,
      },
      dod: dod && { id: dod.id, line_number: dod.lineNumber, extn: dod.extn, type: dod.type, ref_id: dod.refId },
      blacklist: decision.blacklist && {
        id: decision.blacklist.blacklistId, name: decision.blacklist.name,
        list_type: decision.blacklist.listType, limit_user_type: decision.blacklist.limitUserType,
        rejected: decision.blacklist.rejected, reason: refusalOf(decision.blacklist) ?? 'every checked number passes',
        checks: decision.blacklist.checks.map((check) => ({ ...check, listed: check.listed ?? '' })),
      },
      translations: decision.translations.map(translationWire),
      gateway: gateway && {
        id: gateway.gatewayId, name: gateway.name, dnc: gateway.dnc, sdnc: gateway.sdnc,
        dest_number_before: gateway.destNumberBefore, dest_number: gateway.destNumber,
        caller_number_before: gateway.callerNumberBefore ?? '', caller_number: gateway.callerNumber ?? '',
        translations: gateway.translations.map(translationWire),
      },
    });
  });
}
