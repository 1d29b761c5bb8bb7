import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Call } from '../../src/routing/decide.js';
import { RouteIndex } from '../../src/routing/route-index.js';
import { parseRecurrence } from '../../src/routing/recurrence.js';
import type { Route, TimeSegment } from '../../src/routing/types.js';

function route(fields: Partial<Route> & Pick<Route, 'id'>): Route {
  return {
    name: `route-${fields.id}`, context: 'default', prefix: '', maxLength: 12, disabled: false,
    destType: 'FS_DEST_GATEWAY', destUuid: '1', body: 'gw1', dnc: '', sdnc: '', ...fields,
  };
}

function segment(id: number, routeId: number, recurrence: string, destType: string): TimeSegment {
  return { id, routeId, recurrence: parseRecurrence(recurrence), destType, destUuid: `${id}`, body: `segment ${id}` };
}

const MONDAY_10AM = new Date('2025-06-16T10:00:00+08:00');
const call = (destNumber: string, extra: Partial<Call> = {}): Call =>
  ({ context: 'default', destNumber, at: MONDAY_10AM, zone: 'Asia/Shanghai', ...extra });

function sampleIndex(): RouteIndex {
  const index = new RouteIndex();
  index.replaceAll([
    route({ id: 1, prefix: '1', maxLength: 4 }),
    route({ id: 2, prefix: '100', maxLength: 12, dnc: '-100+9', sdnc: '+0' }),
    route({ id: 3, prefix: '10', maxLength: 12, disabled: true }),
    route({ id: 4, prefix: '', maxLength: 3 }),
    route({ id: 5, prefix: '100', maxLength: 12 }),
    route({ id: 6, prefix: '2' }),
    route({ id: 7, prefix: '1000', maxLength: 12, context: 'public' }),
  ]);
  return index;
}

describe('decide', () => {
  it('explains every route whose prefix matches, in decision order', () => {
    const decision = decide(sampleIndex(), call('1000'));
    assert.equal(decision.route?.id, 1);
    assert.deepEqual(decision.considered.map((c) => [c.routeId, c.outcome, c.detail]), [
      [4, 'too_long', 'number has 4 digits, route allows at most 3'],
      [1, 'chosen', 'best match: lowest max_length, then longest prefix, then lowest id'],
      [2, 'outranked', 'outranked by route 1 (max_length 4 < 12)'],
      [5, 'outranked', 'outranked by route 1 (max_length 4 < 12)'],
      [3, 'disabled', 'route is disabled'],
    ]);
  });

  it('names the tie-breaks: longer prefix, then lower id', () => {
    const index = sampleIndex();
    const byId = decide(index, call('10001234567'));
    assert.equal(byId.route?.id, 2);
    assert.equal(byId.considered.find((c) => c.routeId === 5)?.detail, 'outranked by route 2 (same max_length and prefix, lower id)');

    index.upsert(route({ id: 8, prefix: '1000' }));
    const byPrefix = decide(index, call('10001234567'));
    assert.equal(byPrefix.route?.id, 8);
    assert.equal(byPrefix.considered.find((c) => c.routeId === 2)?.detail,
      'outranked by route 8 (same max_length 12, longer prefix "1000" over "100")');
  });

  it('applies dnc to the called and sdnc to the caller number', () => {
    const decision = decide(sampleIndex(), call('10001234567', { callerNumber: '8001' }));
    assert.equal(decision.destNumber, '901234567');
    assert.equal(decision.callerNumber, '08001');
    const noCaller = decide(sampleIndex(), call('10001234567'));
    assert.equal(noCaller.callerNumber, undefined);
    const noRules = decide(sampleIndex(), call('2000', { callerNumber: '8001' }));
    assert.equal(noRules.destNumber, '2000');
    assert.equal(noRules.callerNumber, '8001');
  });

  it('uses the route destination when it has no segment open now', () => {
    const index = sampleIndex();
    index.setTimeSegments(2, [segment(11, 2, '20240101T220000|PT10H|daily', 'FS_DEST_IVR')]);
    const decision = decide(index, call('10001234567'));
    assert.deepEqual(decision.destination, { destType: 'FS_DEST_GATEWAY', destUuid: '1', body: 'gw1', timeSegmentId: null });
    assert.deepEqual(decision.segments, [
      { segmentId: 11, recurrence: '20240101T220000|PT10H|daily', matched: false, chosen: false },
    ]);
  });

  it('lets the first open segment in id order override the destination', () => {
    const index = sampleIndex();
    index.setTimeSegments(2, [
      segment(30, 2, '20240101T000000|PT24H|daily', 'FS_DEST_USER'),
      segment(20, 2, '20240101T090000|PT9H|daily||1|MO,TU,WE,TH,FR', 'FS_DEST_IVR'),
      segment(10, 2, '20240101T220000|PT10H|daily', 'FS_DEST_SYSTEM'),
    ]);
    const decision = decide(index, call('10001234567'));
    assert.deepEqual(decision.destination, { destType: 'FS_DEST_IVR', destUuid: '20', body: 'segment 20', timeSegmentId: 20 });
    assert.deepEqual(decision.segments.map((s) => [s.segmentId, s.matched, s.chosen]), [
      [10, false, false], [20, true, true], [30, true, false],
    ]);
    const saturday = decide(index, call('10001234567', { at: new Date('2025-06-21T10:00:00+08:00') }));
    assert.equal(saturday.destination?.timeSegmentId, 30);
  });

  it('explains the index as it was at decision time, and serialises the explanation', () => {
    const index = sampleIndex();
    const decision = decide(index, call('1000', { callerNumber: '8001' }));
    index.remove(4);
    index.upsert(route({ id: 1, prefix: '1', maxLength: 4, disabled: true }));
    assert.deepEqual(decision.considered.map((c) => [c.routeId, c.outcome]), [
      [4, 'too_long'], [1, 'chosen'], [2, 'outranked'], [5, 'outranked'], [3, 'disabled'],
    ]);
    const json = JSON.parse(JSON.stringify(decision)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['blacklist', 'callerNumber', 'considered', 'destNumber', 'destination', 'did', 'dod', 'gateway', 'route', 'segments', 'translations']);
    assert.equal((json.considered as unknown[]).length, 5);
  });

  it('without a route leaves the numbers alone but still explains the misses', () => {
    const decision = decide(sampleIndex(), call('1000123456789', { callerNumber: '8001' }));
    assert.equal(decision.route, null);
    assert.equal(decision.destination, null);
    assert.equal(decision.destNumber, '1000123456789');
    assert.equal(decision.callerNumber, '8001');
    assert.deepEqual(decision.considered.map((c) => [c.routeId, c.outcome]), [
      [4, 'too_long'], [1, 'too_long'], [2, 'too_long'], [5, 'too_long'], [3, 'disabled'],
    ]);
    assert.deepEqual(decide(sampleIndex(), call('123', { context: 'nowhere' })).considered, []);
  });
});
