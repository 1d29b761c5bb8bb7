import assert from 'node:assert/strict';
import type { Harness } from './harness.js';
import { assertNotFound } from './assertions.js';
export { WIRE_TIME, assertBadRequest, assertConflict, assertNotFound } from './assertions.js';

/** Helpers shared by the HTTP tests of routes, route params, time segments and time templates. */


/** The keys of a route in the spec's create/get/list examples. */
export const SPEC_ROUTE_KEYS = [
  'auto_record', 'bill_rate', 'blacklist', 'body', 'cid_number', 'context', 'created_at', 'deleted_at', 'description',
  'dest_type', 'dest_uuid', 'disabled', 'dnc', 'id', 'max_length', 'media_codec', 'name', 'outdest_type', 'prefix',
  'proxy_media', 'route_type', 'sdnc', 'updated_at',
];

/** The destination types whose dest_uuid the spec's create table marks as required. */
export const DEST_TYPES_NEEDING_UUID = [
  'FS_DEST_GATEWAY', 'FS_DEST_USERGW', 'FS_DEST_IVRBLOCK', 'FS_DEST_MEETING_ROOM', 'FS_DEST_CONFERENCE_ROOM',
  'FS_DEST_CTI', 'FS_DEST_IVR', 'FS_DEST_DISTRIBUTORS', 'FS_DEST_CLUSTER_TRUNK', 'FS_DEST_CLUSTER_TRUNK_GROUP',
];

export type RouteRow = Record<string, any> & { id: number; name: string };

/** How to create an object of each destination type a resource registered with routes. */
const DESTINATION_OBJECTS: Record<string, { path: string; body: () => Record<string, unknown> }> = {
  FS_DEST_GATEWAY: { path: '/api/gateways', body: () => ({ name: unique('gw'), realm: '192.0.2.10' }) },
  FS_DEST_IVR: { path: '/api/ivrs', body: () => ({ name: unique('ivr') }) },
  FS_DEST_IVRBLOCK: { path: '/api/blocks', body: () => ({ name: unique('block') }) },
  FS_DEST_CLUSTER_TRUNK: { path: '/api/trunks', body: () => ({ name: unique('trunk'), remote_addr: '192.0.2.1' }) },
  FS_DEST_CLUSTER_TRUNK_GROUP: { path: '/api/trunk_groups', body: () => ({ name: unique('tg') }) },
};

/**
 * A `dest_uuid` a route of `destType` may name: the id of a new object where a resource checks it
 * (gateways, IVRs, blocks, trunks, trunk groups), else `fallback` as stored verbatim.
 */
export async function destinationId(server: Harness, destType: string, fallback = '42'): Promise<string> {
  const kind = DESTINATION_OBJECTS[destType];
  if (!kind) return fallback;
  const reply = await server.post(kind.path, kind.body());
  assert.equal(reply.status, 200, `create a ${destType} object: ${JSON.stringify(reply.body)}`);
  return String(reply.body.data);
}

let counter = 0;
/** A name no other test of this process uses. */
export const unique = (stem: string) => `${stem}-${++counter}`;

/** A new, empty routing context: tests that look at candidates own their context. */
export async function freshContext(server: Harness): Promise<string> {
  const key = unique('ctx');
  const reply = await server.post('/api/contexts', { name: key, key });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return key;
}

/** Creates a route (defaults: a unique name, max_length 12, FS_DEST_USER) and returns the answered row. */
export async function createRoute(server: Harness, fields: Record<string, unknown>): Promise<RouteRow> {
  const body = { name: unique('route'), max_length: 12, dest_type: 'FS_DEST_USER', ...fields };
  const reply = await server.post('/api/routes', body);
  assert.equal(reply.status, 200, `create ${JSON.stringify(body)}: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body.code, 200);
  assert.equal(reply.body.message, 'success');
  return reply.body.data;
}

export async function getRoute(server: Harness, id: number): Promise<RouteRow> {
  const reply = await server.get(`/api/routes/${id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

export const query = (params: Record<string, string | number>) =>
  Object.entries(params).map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`).join('&');

/** Route verification: the candidate ids in the order answered, or [] when it answers 404. */
export async function candidateIds(server: Harness, destNumber: string, context: string, extra: Record<string, string> = {}): Promise<number[]> {
  const reply = await server.get(`/api/routes?${query({ destNumber, context, ...extra })}`);
  if (reply.status === 404) {
    assertNotFound(reply, `verification of ${destNumber} in ${context}`);
    return [];
  }
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.data.map((row: { id: string }) => Number(row.id));
}

/** `GET /api/routes/explain`, expecting success; answers the `data` of the envelope. */
export async function explain(server: Harness, params: Record<string, string>): Promise<any> {
  const reply = await server.get(`/api/routes/explain?${query(params)}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.code, 200);
  return reply.body.data;
}

/** Adds time segments to a route through the API; answers their ids. */
export async function addSegments(server: Harness, items: Record<string, unknown>[]): Promise<number[]> {
  const reply = await server.post('/api/time_recurrence', items);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(Array.isArray(reply.body));
  return reply.body.map((item: { id: number }) => item.id);
}

/** Polls `probe` until it answers true or `timeoutMs` passes; answers whether it did. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 3000, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
