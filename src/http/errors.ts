import type { FastifyError, FastifyInstance } from 'fastify';
import { databaseUnavailable } from '../db/errors.js';

/** An error whose status and message are meant for the client, as CONTRACT.md shapes them. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (field: string, problem: string) => new HttpError(400, `${field}: ${problem}`);
export const conflict = (field: string, problem: string) => new HttpError(409, `${field}: ${problem}`);
export const notFound = () => new HttpError(404, 'not found', '{}');
export const unauthorized = (why: string) => new HttpError(401, why);

/**
 * The column a unique-constraint violation names (the last one of a composite key), or null for
 * any other error. SQLite: `UNIQUE constraint failed: dicts.realm, dicts.k`; PostgreSQL: code
 * 23505 with `Key (realm, k)=(…) already exists.`
 */
export function uniqueViolation(error: unknown): string | null {
  const { code, message, detail } = (error ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
  if (code === '23505') {
    const columns = /^Key \(([^)]*)\)=/.exec(String(detail ?? ''))?.[1];
    return columns?.split(',').pop()?.trim().replace(/^"|"$/g, '') || 'id';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /constraint failed: (.*)$/.exec(String(message ?? ''))?.[1];
    return columns?.split(',').pop()?.trim().split('.').pop() || 'id';
  }
  return null;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * The issue that says most about what the client got wrong. A union (say, one object or an array
 * of them) fails in every branch; the branch that got deepest into the input is the one the client
 * meant, and a bare type mismatch says least.
 */
function mostSpecific(issues: AjvIssue[]): AjvIssue | undefined {
  const score = (issue: AjvIssue) => issue.instancePath.split('/').length * 2 + (issue.keyword === 'type' ? 0 : 1);
  return issues
    .filter((issue) => issue.keyword !== 'anyOf' && issue.keyword !== 'oneOf')
    .reduce<AjvIssue | undefined>((best, issue) => (!best || score(issue) > score(best) ? issue : best), undefined)
    ?? issues[0];
}

/** Names the offending field the way a client wrote it: `route.1`, `max_length`, `body`. */
function describeValidation(issues: AjvIssue[], context: string | undefined): string {
  const issue = mostSpecific(issues);
  if (!issue) return `${context ?? 'request'}: is invalid`;
  const path = issue.instancePath.split('/').filter(Boolean).join('.');
  const missing = issue.params.missingProperty;
  if (issue.keyword === 'required' && typeof missing === 'string') {
    return `${path ? `${path}.` : ''}${missing}: is required`;
  }
  const field = path || (context === 'body' ? 'body' : context ?? 'request');
  if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    return `${field}: must be one of ${issue.params.allowedValues.join(', ')}`;
  }
  return `${field}: ${issue.message ?? 'is invalid'}`;
}

/** Where a parsed input (params, query or body) holds a NUL character, named like a validation error. */
function nulCharacterAt(value: unknown, path: string, context: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || context : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    const found = nulCharacterAt(key, path, context) ?? nulCharacterAt(item, here, context);
    if (found) return found;
  }
  return null;
}

/** Turns every failure into CONTRACT's `{code, message}`: no stack traces, no 5xx for client mistakes. */
export function installErrorHandling(app: FastifyInstance): void {
  // PostgreSQL cannot store NUL in text (it would answer 500) and SQLite would store it silently:
  // refuse it in every input, in both dialects alike.
  app.addHook('preValidation', async (request) => {
    const field = nulCharacterAt(request.params, '', 'params')
      ?? nulCharacterAt(request.query, '', 'querystring')
      ?? nulCharacterAt(request.body, '', 'body');
    if (field) throw badRequest(field, 'must not contain NUL characters');
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      const body: Record<string, unknown> = { code: error.statusCode, message: error.message };
      if (error.data !== undefined) body.data = error.data;
      return reply.status(error.statusCode).send(body);
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply.status(503).header('retry-after', '1').send({ code: 503, message: `${unavailable}; try again` });
    }
    // A racing request took a unique value between a resource's check and its write.
    const taken = uniqueViolation(error);
    if (taken) return reply.status(409).send({ code: 409, message: `${taken}: already exists` });
    if (error.validation) {
      const message = describeValidation(error.validation as AjvIssue[], error.validationContext);
      return reply.status(400).send({ code: 400, message });
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.status(413).send({ code: 413, message: 'body: larger than 10 MiB' });
    if (status >= 400 && status < 500) {
      const message = error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'body: is empty, but content-type says JSON'
        : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'body: is not valid JSON'
          : error.message;
      return reply.status(status).send({ code: status, message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ code: 500, message: 'internal error' });
  });

  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ code: 404, message: 'not found', data: '{}' }));
}
