/**
 * A real FreeSWITCH runs the gateways created over the REST API, without a restart: a registering
 * gateway registers to a sipp registrar and the status endpoints say so, the control endpoint
 * kills and starts it on the switch, a route to a gateway delivers the INVITE with the number the
 * route transforms, an edit moves its calls, and a gateway added while the switch is down is
 * there when it comes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdId } from '../helpers/assertions.js';
import { assertSippSucceeded, callOnPublicProfile, describeWithFreeSwitch, freeSipPort, sipMessages, sipUser, startSipp, type Sipp, type SippRun } from '../helpers/freeswitch.js';
import { createRoute, eventually, unique } from '../helpers/routing.js';

/** Calls arrive on the public profile, which routes in this context; gateways default to that profile. */
const CONTEXT = 'context-2';

const received = (run: SippRun, method: string) =>
  sipMessages(run.messages).filter((item) => item.direction === 'received' && item.startLine.startsWith(`${method} `));

const header = (message: { headers: string[] }, name: string) =>
  message.headers.find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? '';

describeWithFreeSwitch('FreeSWITCH runs gateways configured through Switchboard', (both) => {
  const call = (number: string) => callOnPublicProfile(both().freeswitch, number);

  /** A sipp answering one call on a fresh port, and the `host:port` to reach it at. */
  async function answeringPeer(): Promise<{ peer: Sipp; address: string }> {
    const port = await freeSipPort();
    return { peer: await startSipp({ scenario: 'uas-answer.xml', localPort: port, timeoutSeconds: 40 }), address: `127.0.0.1:${port}` };
  }

  async function registrar(): Promise<{ peer: Sipp; address: string }> {
    const port = await freeSipPort();
    return { peer: await startSipp({ scenario: 'uas-registrar.xml', localPort: port, timeoutSeconds: 40 }), address: `127.0.0.1:${port}` };
  }

  /** What `sofia status gateway NAME` says on the switch. */
  const sofiaStatus = (name: string) => both().freeswitch.api('sofia', 'status', 'gateway', name);
  const runsOnSwitch = async (name: string) => !/Invalid Gateway/i.test(await sofiaStatus(name));

  async function list1Entry(name: string): Promise<Record<string, string> | undefined> {
    const reply = await both().server.get('/api/gateways/list1');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return (reply.body as Record<string, string>[]).find((row) => row.name === name);
  }

  async function gatewayRoute(prefix: string, gateway: number, fields: Record<string, unknown> = {}): Promise<void> {
    await createRoute(both().server, { context: CONTEXT, prefix, max_length: 12, dest_type: 'FS_DEST_GATEWAY', dest_uuid: String(gateway), ...fields });
  }

  test('a registering gateway added through the API registers to a registrar, list1 and list say REGED, and deleting it unregisters', async () => {
    const { server, freeswitch } = both();
    const { peer, address } = await registrar();
    const name = unique('reg-gw');
    const id = createdId(await server.post('/api/gateways', { name, realm: address, username: 'trunk-user', password: 'trunk-secret', register: 'yes' }));
    assert.ok(await eventually(async () => (await list1Entry(name))?.gateway_state === 'REGED', 15_000), JSON.stringify(await list1Entry(name)));
    assert.deepEqual(await list1Entry(name), { name, gateway_state: 'REGED', gateway_status: 'UP' });
    const list = (await server.get('/api/gateways/list')).body as { gwname: string; gwstatus: string }[];
    assert.deepEqual(list.find((row) => row.gwname === name), { gwname: name, gwstatus: 'REGED' });

    assert.equal((await server.delete(`/api/gateways/${id}`)).status, 200);
    const registrations = await peer.done;
    assertSippSucceeded(registrations, 'registrar (registration, then its end)');
    const [register] = received(registrations, 'REGISTER');
    assert.equal(sipUser(header(register!, 'To')), 'trunk-user');
    assert.ok(await eventually(async () => !(await runsOnSwitch(name)), 10_000), await sofiaStatus(name));
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('killgw through the API takes the gateway off the switch; start brings it back, registering again', async () => {
    const { server } = both();
    const first = await registrar();
    const name = unique('ctl-gw');
    const id = createdId(await server.post('/api/gateways', { name, realm: first.address, username: 'u', password: 'p', register: 'yes' }));
    assert.ok(await eventually(async () => (await list1Entry(name))?.gateway_state === 'REGED', 15_000), await sofiaStatus(name));

    assert.equal((await server.put('/api/gateways/control', { gwname: name, action: 'killgw' })).status, 200);
    assertSippSucceeded(await first.peer.done, 'registrar (unregistered by killgw)');
    assert.ok(await eventually(async () => (await list1Entry(name))?.gateway_state === 'NOT_RUNNING', 10_000), JSON.stringify(await list1Entry(name)));
    assert.equal(await runsOnSwitch(name), false);

    // The realm is the same: a registrar listening there again sees the gateway register anew.
    const second = await startSipp({ scenario: 'uas-registrar.xml', localPort: Number(first.address.split(':')[1]), timeoutSeconds: 40 });
    const started = await server.put(`/api/gateways/${id}/control`, { action: 'start' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.ok(await eventually(async () => (await list1Entry(name))?.gateway_state === 'REGED', 15_000), await sofiaStatus(name));
    assert.equal((await server.delete(`/api/gateways/${id}`)).status, 200);
    assertSippSucceeded(await second.done, 'registrar after start');
  });

  test('a route to a gateway added while FreeSWITCH runs delivers the INVITE with the number the route transformed', async () => {
    const { server, freeswitch } = both();
    const { peer, address } = await answeringPeer();
    const name = unique('out-gw');
    assert.equal(await runsOnSwitch(name), false);
    const id = createdId(await server.post('/api/gateways', { name, realm: address }));
    assert.ok(await eventually(() => runsOnSwitch(name), 10_000), 'startgw after the create');
    await gatewayRoute('07', id, { dnc: '-0+86' });
    assertSippSucceeded(await call('0755123'), 'caller');
    const far = await peer.done;
    assertSippSucceeded(far, 'gateway peer');
    const [invite] = received(far, 'INVITE');
    assert.ok(invite, far.messages);
    assert.equal(sipUser(invite.startLine), '86755123');
    assert.equal(sipUser(header(invite, 'To')), '86755123');
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('the gateway\'s own dnc (a translation table) and sdnc apply after the route\'s: the far end sees the gateway\'s numbers', async () => {
    const { server, freeswitch } = both();
    const { peer, address } = await answeringPeer();
    const name = unique('nts-gw');
    const table = createdId(await server.post('/api/number_translation', { name: unique('carrier'), type: 'prefix' }));
    assert.equal((await server.post(`/api/number_translation/${table}/import`, [
      { original_number: '86', nts_number: '0086' }, { original_number: '86755', nts_number: '+86755' },
    ])).status, 200);
    const id = createdId(await server.post('/api/gateways', { name, realm: address }));
    // Without it FreeSWITCH puts the gateway's user in From (the caller id goes in Remote-Party-ID).
    assert.equal((await server.post(`/api/gateways/${id}/params`, { k: 'caller-id-in-from', v: 'true' })).status, 200);
    // The gateway page's save: CherryPBX's table rule and a regular expression.
    assert.equal((await server.put(`/api/gateways/${id}`, { dnc: `s/prefix_nts_${table}///`, sdnc: '/^(\\d+)$/86$1/' })).status, 200);
    assert.ok(await eventually(async () => /\bNOREG\b|\bUP\b/.test(await sofiaStatus(name)), 15_000, 200), await sofiaStatus(name));
    await gatewayRoute('06', id, { dnc: '-06+86', sdnc: '+1' });

    // Route: 06755123 → 86755123, then the gateway's table (longest prefix 86755 → +86755): +86755123.
    // Caller 2000: route +1 → 12000, then the gateway's regex: 8612000.
    assertSippSucceeded(await call('06755123'), 'caller');
    const far = await peer.done;
    assertSippSucceeded(far, 'gateway peer');
    const [invite] = received(far, 'INVITE');
    assert.ok(invite, far.messages);
    assert.equal(sipUser(invite.startLine), '+86755123', invite.startLine);
    assert.equal(sipUser(header(invite, 'To')), '+86755123');
    assert.equal(sipUser(header(invite, 'From')), '8612000', invite.headers.join('\n'));
    assert.deepEqual(freeswitch.errorLines(), []);
  });

  test('editing a gateway moves its calls: a new realm, then a proxy param', async () => {
    const { server } = both();
    const before = await answeringPeer();
    const name = unique('edit-gw');
    const id = createdId(await server.post('/api/gateways', { name, realm: before.address }));
    await gatewayRoute('08', id);
    assertSippSucceeded(await call('0800'), 'caller');
    assertSippSucceeded(await before.peer.done, 'first realm');

    const moved = await answeringPeer();
    assert.equal((await server.put(`/api/gateways/${id}`, { realm: moved.address })).status, 200);
    // killgw then startgw: the gateway is briefly gone, then runs with the new realm.
    assert.ok(await eventually(async () => (await sofiaStatus(name)).includes(moved.address), 10_000), await sofiaStatus(name));
    assertSippSucceeded(await call('0801'), 'caller');
    const atNewRealm = await moved.peer.done;
    assertSippSucceeded(atNewRealm, 'new realm');
    assert.equal(sipUser(received(atNewRealm, 'INVITE')[0]!.startLine), '0801');

    const proxy = await answeringPeer();
    assert.equal((await server.post(`/api/gateways/${id}/params`, { k: 'proxy', v: proxy.address })).status, 200);
    assert.ok(await eventually(async () => (await sofiaStatus(name)).includes(proxy.address), 10_000), await sofiaStatus(name));
    assertSippSucceeded(await call('0802'), 'caller');
    const atProxy = await proxy.peer.done;
    assertSippSucceeded(atProxy, 'proxy');
    // FreeSWITCH addresses a gateway's calls to its proxy when it has one.
    assert.equal(received(atProxy, 'INVITE')[0]!.startLine, `INVITE sip:0802@${proxy.address} SIP/2.0`);
  });

  test('a gateway added while FreeSWITCH is down carries calls once it is back', async () => {
    const { server, freeswitch } = both();
    await freeswitch.stopProcess();
    const { peer, address } = await answeringPeer();
    const name = unique('away-gw');
    const id = createdId(await server.post('/api/gateways', { name, realm: address }));
    await gatewayRoute('09', id);
    await freeswitch.restart();
    assert.ok(await eventually(() => runsOnSwitch(name), 10_000));
    assertSippSucceeded(await call('0900'), 'caller');
    const far = await peer.done;
    assertSippSucceeded(far, 'gateway peer');
    assert.equal(sipUser(received(far, 'INVITE')[0]!.startLine), '0900');
  });
}, { control: true });
