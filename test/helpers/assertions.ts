import assert from 'node:assert/strict';
import type { Reply } from './harness.js';

/** CONTRACT's wire timestamp: `YYYY-MM-DD HH:MM:SS`. */
export const WIRE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** CONTRACT's 404: `{"code":404,"message":"not found","data":"{}"}`. */
export function assertNotFound(reply: Reply, what = ''): void {
  assert.equal(reply.status, 404, `${what}: ${JSON.stringify(reply.body)}`);
  assert.deepEqual(reply.body, { code: 404, message: 'not found', data: '{}' }, what);
}

/** `{code:<status>, message:"<field>: <what is wrong>"}` with that HTTP status. */
export function assertFieldError(reply: Reply, status: number, field: string, what = field): void {
  assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body.code, status, what);
  assert.match(reply.body.message, new RegExp(`^${escapeRegExp(field)}: \\S`), what);
}

export const assertBadRequest = (reply: Reply, field: string, what = field) => assertFieldError(reply, 400, field, what);
export const assertConflict = (reply: Reply, field: string, what = field) => assertFieldError(reply, 409, field, what);

/** A create's `{"code":200,"message":"success","data":<new id>}`; answers the id. */
export function createdId(reply: Reply): number {
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'data', 'message']);
  assert.equal(reply.body.code, 200);
  assert.equal(reply.body.message, 'success');
  assert.equal(typeof reply.body.data, 'number');
  return reply.body.data;
}
