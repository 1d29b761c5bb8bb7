import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Call, type NumberPlans } from '../../src/routing/decide.js';
import { DodIndex, type Dod } from '../../src/routing/dods.js';
import { GatewayIndex } from '../../src/routing/gateways.js';
import { HotlineIndex } from '../../src/routing/hotlines.js';
import { RouteIndex } from '../../src/routing/route-index.js';
import type { Route } from '../../src/routing/types.js';

function route(fields: Partial<Route> & Pick<Route, 'id'>): Route {
  return {
    name: `route-${fields.id}`, context: 'trunks', prefix: '', maxLength: 12, disabled: false,
    destType: 'FS_DEST_USER', destUuid: '', body: '', dnc: '', sdnc: '', ...fields,
  };
}

const call = (destNumber: string, extra: Partial<Call> = {}): Call =>
  ({ context: 'trunks', destNumber, at: new Date('2025-06-16T10:00:00Z'), zone: 'UTC', ...extra });

function dod(fields: Partial<Dod> & Pick<Dod, 'id'>): Dod {
  return { extn: '1001', domain: 'pbx.example', type: 'GATEWAY', refId: 7, lineNumber: '8620000001', ...fields };
}

function plans(dods: Dod[] = []): NumberPlans {
  const hotlines = new HotlineIndex();
  hotlines.replaceAll([
    { id: 1, lineNumber: '6753997', numbers: ['1001', '1002'], extensions: [{ extn: '1001', domain: 'pbx.example' }, { extn: '1002', domain: 'pbx.example' }] },
  ], ['trunks']);
  const index = new DodIndex();
  index.replaceAll(dods);
  return { hotlines, dods: index, gateways: new GatewayIndex() };
}

const routes = () => {
  const index = new RouteIndex();
  index.replaceAll([
    route({ id: 1, prefix: '675', destType: 'FS_DEST_SYSTEM', body: 'answer' }),
    route({ id: 2, prefix: '0', destType: 'FS_DEST_GATEWAY', destUuid: '7', body: 'carrier' }),
    route({ id: 3, prefix: '9', destType: 'FS_DEST_CLUSTER_TRUNK', destUuid: '7' }),
    route({ id: 4, prefix: '5', destType: 'FS_DEST_GATEWAY', destUuid: '8', body: 'other', sdnc: '+0' }),
    route({ id: 5, prefix: '6', destType: 'FS_DEST_GATEWAY', destUuid: '7', body: 'carrier', sdnc: '+0' }),
  ]);
  return index;
};

describe('DIDs in decide', () => {
  it('a DID line number in a hotline-enabled context rings its extensions, before any route', () => {
    const decision = decide(routes(), call('6753997', { callerNumber: '13900000000' }), { plans: plans() });
    assert.equal(decision.route, null);
    assert.equal(decision.destination, null);
    assert.equal(decision.did?.applied, true);
    assert.deepEqual(decision.did?.hotline.numbers, ['1001', '1002']);
    assert.deepEqual(decision.considered, []);
    assert.equal(decision.destNumber, '6753997');
    assert.equal(decision.callerNumber, '13900000000');
  });

  it('elsewhere the DID is reported but routes decide', () => {
    const decision = decide(routes(), call('6753997', { context: 'other' }), { plans: plans() });
    assert.equal(decision.did?.applied, false);
    assert.match(decision.did?.detail ?? '', /does not have hotline_enabled/);
    assert.equal(decision.route, null, 'context "other" has no routes');
    const trunkCall = decide(routes(), call('6753998'), { plans: plans() });
    assert.equal(trunkCall.did, null, 'only the exact line number is a DID');
    assert.equal(trunkCall.route?.id, 1);
  });

  it('without number plans no DID applies', () => {
    assert.equal(decide(routes(), call('6753997')).route?.id, 1);
  });
});

describe('DODs in decide', () => {
  it('the calling extension\'s DOD on the route\'s gateway becomes the caller number', () => {
    const decision = decide(routes(), call('013800000000', { callerNumber: '1001', callerExtension: { extn: '1001', domain: 'pbx.example' } }),
      { plans: plans([dod({ id: 4 })]) });
    assert.equal(decision.route?.id, 2);
    assert.equal(decision.dod?.id, 4);
    assert.equal(decision.callerNumber, '8620000001');
  });

  it('applies before the route\'s sdnc', () => {
    const decision = decide(routes(), call('61', { callerNumber: '1001', callerExtension: { extn: '1001', domain: 'pbx.example' } }), { plans: plans([dod({ id: 4 })]) });
    assert.equal(decision.route?.id, 5);
    assert.equal(decision.callerNumber, '08620000001');
  });

  it('is chosen by way out: a DOD on another gateway, a trunk DOD on a gateway route, or a gateway DOD on a trunk route does not apply', () => {
    const caller = { callerNumber: '1001', callerExtension: { extn: '1001', domain: 'pbx.example' } };
    const gatewayDod = plans([dod({ id: 4, refId: 7 })]);
    const onOtherGateway = decide(routes(), call('51', caller), { plans: gatewayDod });
    assert.equal(onOtherGateway.dod, null);
    assert.equal(onOtherGateway.callerNumber, '01001', 'the caller number with sdnc only');
    assert.equal(decide(routes(), call('91', caller), { plans: gatewayDod }).dod, null, 'FS_DEST_CLUSTER_TRUNK 7 is trunk 7, not gateway 7');
    const trunkDod = plans([dod({ id: 5, type: 'TRUNKS', refId: 7, lineNumber: '8620000009' })]);
    assert.equal(decide(routes(), call('91', caller), { plans: trunkDod }).callerNumber, '8620000009');
    assert.equal(decide(routes(), call('01', caller), { plans: trunkDod }).dod, null);
  });

  it('needs the authenticated extension: a caller number alone, another extension or another domain gets none', () => {
    const both = plans([dod({ id: 4 })]);
    assert.equal(decide(routes(), call('01', { callerNumber: '1001' }), { plans: both }).dod, null);
    assert.equal(decide(routes(), call('01', { callerExtension: { extn: '1002', domain: 'pbx.example' } }), { plans: both }).dod, null);
    assert.equal(decide(routes(), call('01', { callerExtension: { extn: '1001', domain: 'elsewhere.example' } }), { plans: both }).dod, null);
  });

  it('prefers the extension of the caller\'s own domain', () => {
    const twoDomains = plans([dod({ id: 4, domain: 'a.example', lineNumber: '111' }), dod({ id: 5, domain: 'b.example', lineNumber: '222' })]);
    assert.equal(decide(routes(), call('01', { callerExtension: { extn: '1001', domain: 'b.example' } }), { plans: twoDomains }).callerNumber, '222');
  });
});
