import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDialplan, type DialplanInput } from '../../src/freeswitch/xml/dialplan.js';
import { describeOnEachDatabase, twoServersOnPostgres, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { dialplanDocument } from '../helpers/freeswitch.js';
import { createRoute, freshContext, unique } from '../helpers/routing.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function trunkInput(destType: string, trunks: DialplanInput['destination']['trunks']): DialplanInput {
  return {
    call: { context: 'context-2', destNumber: '0755123', callerNumber: '2000', domainName: undefined, autoRecord: false },
    route: { id: 9, name: 'out', dnc: '', sdnc: '', autoRecord: false, mediaCodec: '', proxyMedia: true, params: [] },
    destination: { destType, destUuid: '4', body: 'carriers', trunks },
    recordingsDir: '/recordings',
  };
}

describe('dialplan for trunks and trunk groups', () => {
  test('the members in the chosen order, one bridge failing over with |, through the public profile', () => {
    const rendered = renderDialplan(trunkInput('FS_DEST_CLUSTER_TRUNK_GROUP', [
      { address: '192.0.2.2:5080', protocol: 'UDP' },
      { address: 'carrier.example.com', protocol: 'TCP' },
      { address: '[2001:db8::1]:5061', protocol: 'TLS' },
    ]));
    assert.equal(rendered.refusal, null);
    assert.equal(rendered.document, dialplanDocument([
      '<action application="bridge" data="sofia/public/0755123@192.0.2.2:5080|sofia/public/0755123@carrier.example.com;transport=tcp|sofia/public/0755123@[2001:db8::1]:5061;transport=tls"/>',
    ], { context: 'context-2', name: 'out' }));
  });

  test('one trunk: a plain bridge', () => {
    const rendered = renderDialplan(trunkInput('FS_DEST_CLUSTER_TRUNK', [{ address: '192.0.2.9', protocol: 'UDP' }]));
    assert.equal(rendered.document, dialplanDocument(['<action application="bridge" data="sofia/public/0755123@192.0.2.9"/>'], { context: 'context-2', name: 'out' }));
  });

  test('no enabled trunk: hung up with a temporary failure and a warning naming the route', () => {
    for (const destType of ['FS_DEST_CLUSTER_TRUNK', 'FS_DEST_CLUSTER_TRUNK_GROUP']) {
      const rendered = renderDialplan(trunkInput(destType, []));
      assert.equal(rendered.refusal, `route 9: ${destType} 4 has no enabled trunk to call`);
      assert.equal(rendered.document, dialplanDocument([
        `<action application="log" data="WARNING Switchboard route 9: ${destType} 4 has no enabled trunk to call"/>`,
        '<action application="hangup" data="NORMAL_TEMPORARY_FAILURE"/>',
      ], { context: 'context-2', name: 'out' }));
    }
  });
});

function dialplanFetch(context: string, destNumber: string) {
  return new URLSearchParams({
    section: 'dialplan', 'Caller-Caller-ID-Number': '2000', 'Caller-Destination-Number': destNumber,
    'Hunt-Context': context, 'Hunt-Destination-Number': destNumber, 'Hunt-Caller-ID-Number': '2000',
  }).toString();
}

/** The bridge targets (hosts) of the call's dialplan, in the order they are tried. */
async function bridgedHosts(server: Harness, context: string, destNumber: string): Promise<string[]> {
  const reply = await server.request('POST', '/freeswitch/xml', dialplanFetch(context, destNumber), { token: null, headers: FORM });
  assert.equal(reply.status, 200);
  const bridge = /<action application="bridge" data="([^"]*)"\/>/.exec(String(reply.body));
  assert.ok(bridge, String(reply.body));
  return bridge[1]!.split('|').map((target) => {
    const match = /^sofia\/public\/(\d+)@([^;]+)/.exec(target);
    assert.ok(match, target);
    assert.equal(match[1], destNumber);
    return match[2]!;
  });
}

async function groupRoute(server: Harness, strategy: string, members: { addr: string; weight?: number; enabled?: boolean }[]) {
  const trunks = [];
  for (const { addr, enabled = true } of members) {
    trunks.push(createdId(await server.post('/api/trunks', { name: unique('trunk'), remote_addr: addr, enabled })));
  }
  const group = createdId(await server.post('/api/trunk_groups', {
    name: unique('tg'), strategy, members: trunks.map((trunk_id, index) => ({ trunk_id, weight: members[index]!.weight ?? 1 })),
  }));
  const context = await freshContext(server);
  await createRoute(server, { context, prefix: '0', max_length: 20, dest_type: 'FS_DEST_CLUSTER_TRUNK_GROUP', dest_uuid: String(group) });
  return { context, group, trunks };
}

describeOnEachDatabase('POST /freeswitch/xml: trunk groups', (server) => {
  test('RR: each call starts at the next member and fails over to the rest in turn; disabled trunks are left out', async () => {
    const { context } = await groupRoute(server(), 'RR', [
      { addr: '192.0.2.1' }, { addr: 'sip:192.0.2.2:5080' }, { addr: '192.0.2.3', enabled: false }, { addr: '192.0.2.4' },
    ]);
    const calls = [];
    for (let call = 0; call < 4; call += 1) calls.push(await bridgedHosts(server(), context, '0123'));
    assert.deepEqual(calls, [
      ['192.0.2.1', '192.0.2.2:5080', '192.0.2.4'],
      ['192.0.2.2:5080', '192.0.2.4', '192.0.2.1'],
      ['192.0.2.4', '192.0.2.1', '192.0.2.2:5080'],
      ['192.0.2.1', '192.0.2.2:5080', '192.0.2.4'],
    ]);
  });

  test('WEIGHT: the first member follows the weights, every call can fail over to all, weight 0 only last', async () => {
    const { context } = await groupRoute(server(), 'WEIGHT', [{ addr: '192.0.2.1', weight: 3 }, { addr: '192.0.2.2', weight: 1 }, { addr: '192.0.2.3', weight: 0 }]);
    const firsts = new Map<string, number>();
    const CALLS = 400;
    for (let call = 0; call < CALLS; call += 1) {
      const hosts = await bridgedHosts(server(), context, '0123');
      assert.deepEqual([...hosts].sort(), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      assert.equal(hosts[2], '192.0.2.3');
      firsts.set(hosts[0]!, (firsts.get(hosts[0]!) ?? 0) + 1);
    }
    // 3:1 expected (300 of 400); 230..370 is beyond six standard deviations (σ ≈ 8.7) either way.
    const heavy = firsts.get('192.0.2.1') ?? 0;
    assert.ok(heavy > 230 && heavy < 370, `weight 3 of 4 was first in ${heavy} of ${CALLS} calls`);
  });

  test('a route to one trunk bridges to it; disabling it hangs calls up', async () => {
    const trunk = createdId(await server().post('/api/trunks', { name: unique('trunk'), remote_addr: 'sips:carrier.example.com', protocol: 'TLS' }));
    const context = await freshContext(server());
    await createRoute(server(), { context, prefix: '0', max_length: 20, dest_type: 'FS_DEST_CLUSTER_TRUNK', dest_uuid: String(trunk) });
    const reply = await server().request('POST', '/freeswitch/xml', dialplanFetch(context, '0123'), { token: null, headers: FORM });
    assert.match(String(reply.body), /<action application="bridge" data="sofia\/public\/0123@carrier.example.com;transport=tls"\/>/);
    await server().put(`/api/trunks/${trunk}`, { enabled: false });
    const refused = await server().request('POST', '/freeswitch/xml', dialplanFetch(context, '0123'), { token: null, headers: FORM });
    assert.match(String(refused.body), /<action application="hangup" data="NORMAL_TEMPORARY_FAILURE"\/>/);
  });
});

describe('RR across processes sharing PostgreSQL', () => {
  const { a, b } = twoServersOnPostgres();
  test('two servers taking calls in turn continue one rotation', async () => {
    const { context } = await groupRoute(a(), 'RR', [{ addr: '192.0.2.1' }, { addr: '192.0.2.2' }, { addr: '192.0.2.3' }]);
    // b learns of the route through the change feed.
    for (let tries = 0; (await b().get(`/api/routes?destNumber=0123&context=${context}`)).status !== 200; tries += 1) {
      assert.ok(tries < 100, 'the second server never saw the route');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const firsts = [];
    for (const server of [a, b, a, b, b, a]) firsts.push((await bridgedHosts(server(), context, '0123'))[0]);
    assert.deepEqual(firsts, ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });
});
