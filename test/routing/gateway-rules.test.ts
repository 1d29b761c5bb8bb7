import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RoutingLists } from '../../src/routing/blacklist.js';
import { decide, type Call, type NumberPlans } from '../../src/routing/decide.js';
import { DodIndex } from '../../src/routing/dods.js';
import { GatewayIndex, type GatewayRules } from '../../src/routing/gateways.js';
import { HotlineIndex } from '../../src/routing/hotlines.js';
import { NumberMap } from '../../src/routing/number-map.js';
import type { TranslationTable } from '../../src/routing/number-translation.js';
import { parseRecurrence } from '../../src/routing/recurrence.js';
import { RouteIndex } from '../../src/routing/route-index.js';
import type { Route } from '../../src/routing/types.js';

function route(fields: Partial<Route> & Pick<Route, 'id'>): Route {
  return {
    name: `route-${fields.id}`, context: 'context-1', prefix: '', maxLength: 16, disabled: false,
    destType: 'FS_DEST_GATEWAY', destUuid: '7', body: 'carrier', dnc: '', sdnc: '', ...fields,
  };
}

const call = (destNumber: string, extra: Partial<Call> = {}): Call =>
  ({ context: 'context-1', destNumber, callerNumber: '1001', at: new Date('2025-06-16T10:00:00Z'), zone: 'UTC', ...extra });

function plans(gateways: GatewayRules[], dods: DodIndex = new DodIndex()): NumberPlans {
  const index = new GatewayIndex();
  index.replaceAll(gateways);
  return { hotlines: new HotlineIndex(), dods, gateways: index };
}

const carrier = (fields: Partial<GatewayRules> = {}): GatewayRules => ({ id: 7, name: 'carrier', dnc: '', sdnc: '', ...fields });

/** Translation tables by id, as routing loads them; every other id is "not loaded". */
function lists(tables: TranslationTable[]): RoutingLists {
  return { blacklist: () => undefined, translationTable: (id) => tables.find((table) => table.id === id) };
}
const prefixTable = (id: number, pairs: [string, string][]): TranslationTable => ({ id, name: `nts-${id}`, type: 'prefix', numbers: NumberMap.of(pairs) });

function routes(...list: Route[]): RouteIndex {
  const index = new RouteIndex();
  index.replaceAll(list);
  return index;
}

describe('a gateway\'s dnc and sdnc in decide', () => {
  it('apply to a call leaving through the gateway after the route\'s own rules: the far end sees the gateway\'s numbers', () => {
    const index = routes(route({ id: 1, prefix: '0', dnc: '-0+86', sdnc: '+010' }));
    const decision = decide(index, call('013800000000'), { plans: plans([carrier({ dnc: '+00', sdnc: '-010+6' })]) });
    assert.equal(decision.destNumber, '008613800000000', 'route: -0+86, then gateway: +00');
    assert.equal(decision.callerNumber, '61001', 'route: +010, then gateway: -010+6');
    assert.deepEqual(decision.gateway, {
      gatewayId: 7, name: 'carrier', dnc: '+00', sdnc: '-010+6',
      destNumberBefore: '8613800000000', destNumber: '008613800000000',
      callerNumberBefore: '0101001', callerNumber: '61001',
      translations: [],
    });
    assert.deepEqual(decision.translations, []);
  });

  it('a gateway without rules is still the step the call leaves through, leaving the numbers as the route made them', () => {
    const decision = decide(routes(route({ id: 1, dnc: 'r19' })), call('0755'), { plans: plans([carrier()]) });
    assert.equal(decision.destNumber, '9755');
    assert.equal(decision.callerNumber, '1001');
    assert.equal(decision.gateway?.gatewayId, 7);
    assert.equal(decision.gateway?.destNumberBefore, decision.gateway?.destNumber);
  });

  it('the gateway\'s sdnc transforms the DOD\'s line number, which replaced the caller before the route\'s sdnc', () => {
    const dods = new DodIndex();
    dods.replaceAll([{ id: 1, extn: '1001', domain: 'pbx.example', type: 'GATEWAY', refId: 7, lineNumber: '020123' }]);
    const decision = decide(routes(route({ id: 1, sdnc: '-0' })), call('013800000000', { callerExtension: { extn: '1001', domain: 'pbx.example' } }),
      { plans: plans([carrier({ sdnc: '+86' })], dods) });
    assert.equal(decision.dod?.id, 1);
    assert.equal(decision.gateway?.callerNumberBefore, '20123', 'the DOD line number after the route\'s -0');
    assert.equal(decision.callerNumber, '8620123');
  });

  it('a translation table named by the gateway translates the number the route left, and is reported with the gateway, not the route', () => {
    const index = routes(route({ id: 1, dnc: 's/prefix_nts_3///' }));
    const tables = lists([prefixTable(3, [['0', '86']]), prefixTable(4, [['86', '0086'], ['8610', '00861']])]);
    const decision = decide(index, call('01012345', { callerNumber: '8610555' }), {
      lists: tables,
      plans: plans([carrier({ dnc: 's/prefix_nts_4/original_number/nts_number/', sdnc: 's/prefix_nts_4///' })]),
    });
    assert.equal(decision.gateway?.destNumberBefore, '861012345');
    assert.equal(decision.destNumber, '0086112345', 'the longest original_number, 8610, wins over 86');
    assert.equal(decision.callerNumber, '00861555');
    assert.deepEqual(decision.translations.map(({ tableId, from, to }) => [tableId, from, to]), [[3, '01012345', '861012345']]);
    assert.deepEqual(decision.gateway?.translations.map(({ tableId, from, to, matched }) => [tableId, from, to, matched]), [
      [4, '8610555', '00861555', '8610'],
      [4, '861012345', '0086112345', '8610'],
    ], 'caller number first: sdnc, then dnc');
  });

  it('a table the gateway names that is not loaded translates nothing (routing loads it and decides again)', () => {
    const decision = decide(routes(route({ id: 1 })), call('0755'), { lists: lists([]), plans: plans([carrier({ dnc: 's/prefix_nts_9///' })]) });
    assert.equal(decision.destNumber, '0755');
    assert.deepEqual(decision.gateway?.translations, []);
  });

  it('applies where a time segment sends the call to the gateway, and not where it sends it elsewhere', () => {
    const index = routes(route({ id: 1, destType: 'FS_DEST_USER', destUuid: '', body: '' }));
    const always = parseRecurrence('20240101T000000|PT24H|daily');
    index.setTimeSegments(1, [{ id: 10, routeId: 1, recurrence: always, destType: 'FS_DEST_GATEWAY', destUuid: '7', body: 'carrier' }]);
    const viaSegment = decide(index, call('0755'), { plans: plans([carrier({ dnc: '+9' })]) });
    assert.equal(viaSegment.destination?.timeSegmentId, 10);
    assert.equal(viaSegment.destNumber, '90755');

    const user = decide(routes(route({ id: 1, destType: 'FS_DEST_USER', destUuid: '7' })), call('0755'), { plans: plans([carrier({ dnc: '+9' })]) });
    assert.equal(user.gateway, null);
    assert.equal(user.destNumber, '0755');
  });

  it('trunks and trunk groups dial addresses, not gateways: a gateway sharing their id changes nothing', () => {
    for (const destType of ['FS_DEST_CLUSTER_TRUNK', 'FS_DEST_CLUSTER_TRUNK_GROUP', 'FS_DEST_IP']) {
      const decision = decide(routes(route({ id: 1, destType })), call('0755'), { plans: plans([carrier({ dnc: '+9', sdnc: '+9' })]) });
      assert.equal(decision.gateway, null, destType);
      assert.deepEqual([decision.destNumber, decision.callerNumber], ['0755', '1001'], destType);
    }
  });

  it('no caller number: the gateway\'s sdnc has nothing to transform; an unknown gateway or no plans: no step', () => {
    const noCaller = decide(routes(route({ id: 1 })), call('0755', { callerNumber: undefined }), { plans: plans([carrier({ sdnc: '+9' })]) });
    assert.equal(noCaller.callerNumber, undefined);
    assert.equal(noCaller.gateway?.callerNumber, undefined);
    assert.equal(decide(routes(route({ id: 1, destUuid: '8' })), call('0755'), { plans: plans([carrier({ dnc: '+9' })]) }).gateway, null);
    assert.equal(decide(routes(route({ id: 1 })), call('0755')).gateway, null);
  });

  it('a DID that takes the call leaves no gateway step', () => {
    const hotlines = new HotlineIndex();
    hotlines.replaceAll([{ id: 1, lineNumber: '0755', numbers: ['1001'], extensions: [{ extn: '1001', domain: '' }] }], ['context-1']);
    const decision = decide(routes(route({ id: 1 })), call('0755'), { plans: { ...plans([carrier({ dnc: '+9' })]), hotlines } });
    assert.equal(decision.did?.applied, true);
    assert.equal(decision.gateway, null);
    assert.equal(decision.destNumber, '0755');
  });
});
